"""Issue 11 part 2: departments like us — reasons in words, stages only where shared, small numbers, anonymity."""

from __future__ import annotations

import pytest

from exchange import config
from exchange.errors import NotFound
from exchange.models import VISITOR
from exchange.peers import likeness
from exchange.peers.likeness import PeerFilters
from tests.factories import make_department, make_user
from tests.helpers import publish
from tests.test_peers_profiles import add_stage, set_profile

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL

PRACTICES = (1, 2, 3, 4, 5, 6)
UPCOMING = 14  # the practice "home" is preparing


@pytest.fixture
def world(fresh_db):
    db = fresh_db
    home = make_department(db, name="Home County Health", population=120_000, urban_rural="medium metro")
    twin = make_department(db, name="Twin County Health", population=200_000, urban_rural="medium metro")
    quiet = make_department(db, name="Quiet County Health", population=150_000, urban_rural="medium metro")
    city = make_department(db, name="Far City Health", jurisdiction_type="city", state="CA", population=900_000,
                           urban_rural="large central metro")
    for p in PRACTICES:
        add_stage(db, home, p, 3)
    add_stage(db, home, UPCOMING, 2)
    for p in PRACTICES[:4]:
        add_stage(db, twin, p, 4)
        add_stage(db, quiet, p, 4)
    add_stage(db, twin, UPCOMING, 3)
    add_stage(db, quiet, UPCOMING, 4)
    add_stage(db, city, UPCOMING, 4)
    set_profile(db, twin, share_stages=True)
    set_profile(db, city, share_stages=True)
    admin = make_user(db, "admin")
    return {"db": db, "home": home, "twin": twin, "quiet": quiet, "city": city, "admin": admin,
            "member": make_user(db, department_id=home), "twin_member": make_user(db, department_id=twin),
            "quiet_member": make_user(db, department_id=quiet)}


def test_peers_come_with_their_reasons_in_words(world):
    found = likeness.like(world["db"], world["member"], world["home"])
    by_name = {p["name"]: p for p in found["peers"]}
    assert by_name["Twin County Health"]["reasons"] == (
        "also a county of 50,000–499,999 in a medium metro, in HHS Region 5, with decentralized state governance, "
        "working on 4 of your 6 practices")
    assert found["peers"][0]["name"] == "Twin County Health"  # shared facts and practices rank it first
    assert found["practices"] == 6


def test_a_department_that_does_not_share_stages_is_matched_on_public_facts_only(world):
    found = likeness.like(world["db"], world["member"], world["home"])
    quiet = next(p for p in found["peers"] if p["name"] == "Quiet County Health")
    assert "practices" not in quiet["reasons"]
    twin = next(p for p in found["peers"] if p["name"] == "Twin County Health")
    assert quiet["score"] < twin["score"]  # its (identical) stages add nothing: they are not used


def test_who_has_done_it_lists_only_departments_that_share_stages_with_their_attributed_lessons(world):
    db = world["db"]
    named = publish(db, world["twin_member"], world["admin"], title="How we did it", practice_ids=[UPCOMING])
    anonymous = publish(db, world["twin_member"], world["admin"], title="Quiet story", practice_ids=[UPCOMING],
                        anonymous=True)
    publish(db, world["quiet_member"], world["admin"], title="Non-sharing lesson", practice_ids=[UPCOMING])
    found = likeness.who_has_done(db, world["member"], world["home"])
    assert [item["practice_id"] for item in found] == [UPCOMING]
    doers = found[0]["doers"]
    assert [d["name"] for d in doers] == ["Twin County Health", "Far City Health"]  # most alike first
    assert [lesson["id"] for lesson in doers[0]["lessons"]] == [named]  # never the anonymous one
    assert anonymous not in {lesson["id"] for d in doers for lesson in d["lessons"]}
    assert "Quiet County Health" not in {d["name"] for d in doers}
    assert found[0]["others"] == "fewer than 11"  # the one private department counts, under the small-number rule


def test_private_departments_are_counted_once_there_are_enough_of_them(world):
    db = world["db"]
    with config.override(suppression_min=3):
        for n in range(3):
            extra = make_department(db, name=f"Extra {n}")
            add_stage(db, extra, UPCOMING, 3)
        found = likeness.who_has_done(db, world["member"], world["home"])
        assert found[0]["others"] == "4"
        # A filter that leaves fewer than three private departments withholds the count.
        narrowed = likeness.who_has_done(db, world["member"], world["home"], filters=PeerFilters(size=("large",)))
        assert narrowed[0]["others"] in ("none", "fewer than 3")


def test_who_has_done_it_is_not_shown_for_a_department_whose_stages_this_viewer_may_not_see(world):
    assert likeness.who_has_done(world["db"], world["twin_member"], world["home"]) is None
    assert likeness.who_has_done(world["db"], VISITOR, world["home"]) is None
    shared = likeness.who_has_done(world["db"], VISITOR, world["twin"])
    assert shared == []  # it shares, and is exploring or preparing nothing


def test_filters_narrow_the_peers(world):
    found = likeness.like(world["db"], world["member"], world["home"], filters=PeerFilters(jurisdiction=("city",)))
    assert [p["name"] for p in found["peers"]] == ["Far City Health"]
    assert likeness.like(world["db"], world["member"], world["home"], filters=PeerFilters(region=(1,)))["peers"] == []


def test_on_another_departments_profile_its_stages_count_only_if_it_shares_them(world):
    # Viewed by an outsider, home (not sharing) is compared on public facts only.
    found = likeness.like(world["db"], world["twin_member"], world["home"])
    assert found["practices"] is None and all("practices" not in p["reasons"] for p in found["peers"])
    shared = likeness.like(world["db"], VISITOR, world["twin"])
    assert shared["practices"] == 5  # four sustained, one implemented


def test_an_unknown_department_is_not_found(world):
    with pytest.raises(NotFound):
        likeness.like(world["db"], VISITOR, 999)
    with pytest.raises(NotFound):
        likeness.who_has_done(world["db"], VISITOR, "x")
