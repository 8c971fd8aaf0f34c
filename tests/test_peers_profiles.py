"""Issue 11 part 1: department profiles — what each viewer sees (anonymity, stages, contact) and how edits are guarded."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from exchange.errors import Forbidden, NotFound
from exchange.models import VISITOR
from exchange.peers import profiles
from exchange.peers.profiles import ProfileInput
from exchange.storage.duckdb import scalar
from tests.factories import make_department, make_user
from tests.helpers import publish

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL


def add_stage(db, dept_id: int, practice_id: int, stage: int, as_of=date(2026, 9, 30)) -> None:
    db.write(lambda cur: cur.execute(
        "INSERT INTO assessments (department_id, practice_id, stage, as_of, recorded_at) VALUES (?, ?, ?, ?, ?)",
        [dept_id, practice_id, stage, as_of, datetime(2026, 10, 1)]))


def set_profile(db, dept_id: int, **changes) -> None:
    """Store a profile as its department would, through the service (an administrator edits any)."""
    admin = make_user(db, "admin", email=f"admin-{dept_id}-{len(changes)}-{id(changes)}@example.org")
    current, revision = profiles.editable(db, admin, dept_id)
    values = {**current.__dict__, **changes}
    profiles.update(db, admin, dept_id, ProfileInput(**values), revision=revision)


@pytest.fixture
def world(fresh_db):
    db = fresh_db
    home = make_department(db, name="Home County Health", state="MN")
    other = make_department(db, name="Other County Health", state="AR")
    return {"db": db, "home": home, "other": other,
            "member": make_user(db, department_id=home), "outsider": make_user(db, department_id=other),
            "admin": make_user(db, "admin"), "coordinator": make_user(db, "coordinator", regions=(5,))}


def test_a_profile_shows_the_facts_and_the_states_governance(world):
    db = world["db"]
    found = profiles.profile(db, VISITOR, str(world["home"]))
    assert found["name"] == "Home County Health" and found["hhs_region"] == 5
    assert found["state_governance"] == "decentralized"  # Minnesota, after ASTHO's classification
    assert profiles.profile(db, VISITOR, world["other"])["state_governance"] == "centralized"  # Arkansas
    assert found["accreditation_label"] == "Not stated" and found["contact"] is None


@pytest.mark.parametrize("forged", ["abc", "", "-1", "999999", "1.5", "１"])
def test_an_unknown_or_forged_department_id_is_a_clear_not_found(world, forged):
    with pytest.raises(NotFound, match="That department does not exist"):
        profiles.profile(world["db"], VISITOR, forged)


def test_an_anonymous_lesson_never_appears_on_its_departments_profile_for_anyone_outside_it(world):
    db = world["db"]
    named = publish(db, world["member"], world["admin"], title="Named lesson on eviction")
    hidden = publish(db, world["member"], world["admin"], title="Anonymous lesson on backlash", anonymous=True)
    for viewer in (VISITOR, world["outsider"], world["admin"], world["coordinator"]):
        found = profiles.profile(db, viewer, world["home"])
        ids = [lesson["id"] for lesson in found["lessons"]]
        assert named in ids and hidden not in ids
        assert found["lesson_total"] == 1  # not counted either
    own = profiles.profile(db, world["member"], world["home"])
    assert {named, hidden} <= {lesson["id"] for lesson in own["lessons"]}
    assert own["lesson_total"] == 2


def test_a_members_only_lesson_is_on_the_profile_for_members_but_not_for_visitors(world):
    db = world["db"]
    lesson = publish(db, world["member"], world["admin"], title="Members only lesson", visibility="members")
    assert lesson not in [l["id"] for l in profiles.profile(db, VISITOR, world["home"])["lessons"]]
    assert lesson in [l["id"] for l in profiles.profile(db, world["outsider"], world["home"])["lessons"]]


def test_stages_are_shown_only_when_the_department_shares_them(world):
    db = world["db"]
    add_stage(db, world["home"], 14, 3)
    assert profiles.profile(db, world["outsider"], world["home"])["stages"] is None
    assert profiles.profile(db, VISITOR, world["home"])["stages"] is None
    assert [s["stage_name"] for s in profiles.profile(db, world["member"], world["home"])["stages"]] == ["Implementing"]
    set_profile(db, world["home"], share_stages=True)
    shared = profiles.profile(db, VISITOR, world["home"])["stages"]
    assert [(s["practice_id"], s["stage_name"]) for s in shared] == [(14, "Implementing")]


def test_the_contact_is_shown_per_the_departments_choice(world):
    db = world["db"]
    home = world["home"]
    set_profile(db, home, contact_visibility="members", contact_name="Equity team", contact_email="Equity@Home.example.org")
    assert profiles.profile(db, VISITOR, home)["contact"] is None
    assert profiles.profile(db, world["outsider"], home)["contact"] == {"name": "Equity team",
                                                                       "email": "equity@home.example.org"}
    set_profile(db, home, contact_visibility="public")
    assert profiles.profile(db, VISITOR, home)["contact"]["name"] == "Equity team"
    set_profile(db, home, contact_visibility="nobody")
    assert profiles.profile(db, world["outsider"], home)["contact"] is None
    assert "contact_email" not in profiles.profile(db, world["outsider"], home)  # raw fields only for editors


def test_members_of_the_department_and_administrators_edit_a_profile_others_may_not(world):
    db = world["db"]
    data = ProfileInput(description="We serve the county.", state_governance="decentralized", accreditation="accredited")
    assert profiles.update(db, world["member"], world["home"], data, revision=1) == 2
    assert profiles.update(db, world["admin"], world["home"],
                           ProfileInput(**{**data.__dict__, "accreditation": "in_process"}), revision=2) == 3
    for stranger in (world["outsider"], world["coordinator"], VISITOR):
        with pytest.raises(Forbidden):
            profiles.update(db, stranger, world["home"], data, revision=3)
    assert profiles.profile(db, VISITOR, world["home"])["accreditation"] == "in_process"
    assert profiles.profile(db, world["member"], world["home"])["can_edit"]
    assert not profiles.profile(db, world["outsider"], world["home"])["can_edit"]


def test_a_stale_edit_is_refused_with_the_stored_version_and_saves_nothing(world):
    db = world["db"]
    first = ProfileInput(description="First edit", state_governance="decentralized")
    profiles.update(db, world["member"], world["home"], first, revision=1)
    mine = ProfileInput(description="Second edit from an old form", state_governance="mixed")
    with pytest.raises(profiles.ProfileChanged, match="after you opened it") as refused:
        profiles.update(db, world["admin"], world["home"], mine, revision=1)
    assert refused.value.current.description == "First edit" and refused.value.revision == 2
    assert refused.value.changed_fields(mine) == ["description", "state_governance"]
    assert profiles.profile(db, VISITOR, world["home"])["description"] == "First edit"
    # The same text again is not a conflict: a double click gets the same answer.
    assert profiles.update(db, world["member"], world["home"], first, revision=1) == 2
    # Saving over it from the revision now stored works.
    assert profiles.update(db, world["admin"], world["home"], mine, revision=2) == 3


def test_invalid_fields_are_named_by_the_label_the_user_sees(world):
    db = world["db"]
    bad = ProfileInput(description="x" * (profiles.MAX_DESCRIPTION + 1), state_governance="feudal",
                       contact_visibility="public", contact_name="", contact_email="not an address")
    with pytest.raises(profiles.ProfileInvalid) as refused:
        profiles.update(db, world["member"], world["home"], bad, revision=1)
    message = refused.value.message
    for label in ("Description", "State governance", "Contact e-mail", "Contact name"):
        assert label in message
    assert set(refused.value.errors) == {"description", "state_governance", "contact_email", "contact_name"}
    with pytest.raises(profiles.ProfileInvalid, match="Contact e-mail: Give an e-mail"):
        profiles.update(db, world["member"], world["home"],
                        ProfileInput(state_governance="mixed", contact_visibility="members", contact_name="Team"),
                        revision=1)


def test_every_profile_edit_is_audited_with_what_changed(world):
    db = world["db"]
    profiles.update(db, world["member"], world["home"],
                    ProfileInput(description="Audited", state_governance="decentralized", share_stages=True), revision=1)
    with db.read() as cur:
        detail = scalar(cur, "SELECT detail FROM audit_log WHERE event = 'department.profile_edited' AND subject_id = ?",
                        [str(world["home"])])
    assert "Description" in detail and "Share our practice stages with peers: False → True" in detail
