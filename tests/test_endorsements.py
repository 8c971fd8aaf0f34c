"""Endorsements: one per department per lesson, withdrawable, anonymous ones count only; counts on cards, sort, boost."""

import threading

import numpy as np
import pytest

from exchange.conversations import counts, endorsements
from exchange.conversations.endorsements import endorse, summary, withdraw
from exchange.discovery import browse, cards
from exchange.errors import Forbidden, InvalidInput, NotFound
from exchange.models import VISITOR
from exchange.storage import changes
from exchange.storage.duckdb import scalar
from exchange import lessons
from tests.factories import make_department, make_user
from tests.helpers import publish, valid_lesson


@pytest.fixture
def cast(fresh_db):
    db = fresh_db
    posting = make_department(db, name="Posting County Health", state="MN")
    cast = {"db": db, "admin": make_user(db, "admin"), "poster": make_user(db, department_id=posting),
            "fan": make_user(db, department_id=make_department(db, name="Fan County Health", state="WI")),
            "shy": make_user(db, department_id=make_department(db, name="Shy City Health", state="IL")),
            "reader": make_user(db, department_id=make_department(db, name="Reader County Health", state="TX"))}
    cast["fan2"] = make_user(db, department_id=cast["fan"].department_id)
    cast["lesson"] = publish(db, cast["poster"], cast["admin"])
    return cast


def active(db, lesson_id):
    with db.read() as cur:
        return scalar(cur, "SELECT count(*) FROM endorsements WHERE lesson_id = ? AND withdrawn_at IS NULL", [lesson_id])


def test_one_endorsement_per_department_which_a_colleague_may_change_or_withdraw(cast):
    db = cast["db"]
    first = endorse(db, cast["fan"], cast["lesson"], "helped")
    assert endorse(db, cast["fan"], cast["lesson"], "helped") == first  # a repeat changes nothing
    assert endorse(db, cast["fan2"], cast["lesson"], "adapted", note="We used the script.") == first
    seen = summary(db, cast["fan"], cast["lesson"])
    assert (seen["helped"], seen["adapted"], seen["mine"]["kind"]) == (0, 1, "adapted")
    assert withdraw(db, cast["fan2"], cast["lesson"]) is True
    assert withdraw(db, cast["fan"], cast["lesson"]) is False
    assert active(db, cast["lesson"]) == 0
    assert endorse(db, cast["fan"], cast["lesson"], "helped") == first  # endorsing again reuses the row
    assert active(db, cast["lesson"]) == 1


def test_two_endorsements_at_once_from_one_department_leave_one(cast):
    db, barrier, done = cast["db"], threading.Barrier(4), []

    def go(user, kind):
        barrier.wait()
        done.append(endorse(db, user, cast["lesson"], kind))

    threads = [threading.Thread(target=go, args=(cast[u], k)) for u, k in
               (("fan", "helped"), ("fan2", "helped"), ("fan", "adapted"), ("fan2", "helped"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(done)) == 1
    assert active(db, cast["lesson"]) == 1
    with db.read() as cur:
        added = [c for c in changes.since(cur, 0) if c.event == "endorsement.added"]
    assert len(added) == 1


def test_who_may_endorse(cast):
    db = cast["db"]
    with pytest.raises(InvalidInput, match="Your department shared this lesson"):
        endorse(db, cast["poster"], cast["lesson"], "helped")
    with pytest.raises(Forbidden):
        endorse(db, VISITOR, cast["lesson"], "helped")
    with pytest.raises(Forbidden):
        endorse(db, cast["admin"], cast["lesson"], "helped")
    draft = lessons.save_draft(db, cast["poster"], valid_lesson(title="Draft"))
    with pytest.raises(NotFound):
        endorse(db, cast["fan"], draft, "helped")
    with pytest.raises(InvalidInput, match="This helped us"):
        endorse(db, cast["fan"], cast["lesson"], "loved")


def test_the_note_is_checked_first_by_its_label(cast):
    with pytest.raises(InvalidInput) as caught:
        endorse(cast["db"], VISITOR, 1, "adapted", note="n" * (endorsements.MAX_NOTE_CHARS + 1))
    assert caught.value.message.startswith("What you adapted and how it went is 2,001 characters")


def test_the_posting_department_sees_who_endorsed_but_not_anonymous_endorsers(cast):
    db = cast["db"]
    endorse(db, cast["fan"], cast["lesson"], "adapted", note="Shortened to six weeks.")
    endorse(db, cast["shy"], cast["lesson"], "adapted", note="Our secret note", anonymous=True)
    mine = summary(db, cast["poster"], cast["lesson"])
    assert [e["department_name"] for e in mine["endorsers"]] == ["Fan County Health"]
    assert mine["endorsers"][0]["note"] == "Shortened to six weeks."
    assert mine["anonymous_endorsers"] == 1
    assert "Shy City" not in repr(mine) and "secret" not in repr(mine)
    theirs = summary(db, cast["reader"], cast["lesson"])
    assert (theirs["adapted"], theirs["endorsers"], theirs["anonymous_endorsers"]) == (2, [], 0)
    assert "Fan County" not in repr(theirs) and "Shy City" not in repr(theirs)
    own = summary(db, cast["shy"], cast["lesson"])
    assert own["mine"]["anonymous"] and own["mine"]["note"] == "Our secret note"


def test_an_adaptation_note_starts_a_lesson_linked_both_ways_only_when_nothing_is_anonymous(cast):
    db = cast["db"]
    eid = endorse(db, cast["fan"], cast["lesson"], "adapted", note="We ran it with schools.")
    start = endorsements.adaptation_start(db, cast["fan2"], eid)
    assert start["what_we_did"] == "We ran it with schools." and start["title"].startswith("Adapting")
    with pytest.raises(NotFound):
        endorsements.adaptation_start(db, cast["reader"], eid)
    new = publish(db, cast["fan"], cast["admin"], valid_lesson(title=start["title"]))
    endorsements.link_adaptation(db, cast["fan"], eid, new)
    with pytest.raises(NotFound):
        endorsements.link_adaptation(db, cast["reader"], eid, new)
    assert summary(db, cast["reader"], cast["lesson"])["adapted_into"] == [{"id": new, "title": start["title"]}]
    assert summary(db, cast["reader"], new)["adapted_from"][0]["id"] == cast["lesson"]
    endorse(db, cast["fan"], cast["lesson"], "adapted", note="We ran it with schools.", anonymous=True)
    assert summary(db, cast["reader"], cast["lesson"])["adapted_into"] == []
    assert summary(db, cast["poster"], new)["adapted_from"] == []
    assert summary(db, cast["fan2"], cast["lesson"])["adapted_into"][0]["id"] == new  # its own department still sees it


def test_cards_show_fresh_counts_after_the_cache_was_filled(cast):
    db = cast["db"]
    with db.read() as cur:
        [card] = cards.cards(db, cur, cast["reader"], [cast["lesson"]])
    assert (card["helped"], card["adapted"]) == (0, 0)
    endorse(db, cast["fan"], cast["lesson"], "helped")
    endorse(db, cast["shy"], cast["lesson"], "adapted", anonymous=True)
    with db.read() as cur:
        [card] = cards.cards(db, cur, cast["reader"], [cast["lesson"]])
        [visitor_card] = cards.cards(db, cur, VISITOR, [cast["lesson"]])
    assert (card["helped"], card["adapted"]) == (1, 1) == (visitor_card["helped"], visitor_card["adapted"])
    assert "Shy City" not in repr(card) and "Fan County" not in repr(card)


def test_most_helpful_sorts_by_endorsing_departments(cast):
    db = cast["db"]
    second = publish(db, cast["poster"], cast["admin"], valid_lesson(title="Second lesson"))
    third = publish(db, cast["poster"], cast["admin"], valid_lesson(title="Third lesson"))
    endorse(db, cast["fan"], cast["lesson"], "helped")
    endorse(db, cast["shy"], cast["lesson"], "helped", anonymous=True)
    endorse(db, cast["fan"], third, "adapted")
    found = browse.find(db, cast["reader"], browse.Filters(sort="helpful"))
    assert [l["id"] for l in found.lessons] == [cast["lesson"], third, second]
    assert browse.parse_params({"sort": ["helpful"]})[0].sort == "helpful"
    assert browse.to_params(browse.Filters(sort="helpful")) == {"sort": ["helpful"]}


def test_the_search_boost_is_small_and_bounded():
    assert counts.boost(0) == 1.0
    assert 1.0 < counts.boost(1) < counts.boost(5) < counts.boost(counts.BOOST_SATURATES_AT) <= 1.0 + counts.BOOST_MAX
    assert counts.boost(10_000) == counts.boost(counts.BOOST_SATURATES_AT)
    assert np.allclose(counts.boost(np.array([0, 10_000])), [1.0, 1.0 + counts.BOOST_MAX])


def test_endorsements_lift_an_equal_search_hit(cast):
    db = cast["db"]
    colleague = make_user(db, department_id=cast["poster"].department_id)
    twin = publish(db, colleague, cast["admin"])  # the same text: the same score before endorsements
    found = browse.find(db, cast["reader"], browse.Filters(q="eviction"))
    assert [l["id"] for l in found.lessons] == [twin, cast["lesson"]]  # a tie: the newer first
    endorse(db, cast["fan"], cast["lesson"], "helped")
    endorse(db, cast["shy"], cast["lesson"], "helped")
    endorse(db, cast["fan"], twin, "helped")
    found = browse.find(db, cast["reader"], browse.Filters(q="eviction"))
    assert [l["id"] for l in found.lessons] == [cast["lesson"], twin]
    assert found.lessons[0]["score"] <= found.lessons[1]["score"] * (1 + counts.BOOST_MAX)
