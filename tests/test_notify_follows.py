"""Follows: what can be followed, and which new lessons reach whom (readability and anonymity as in Find lessons)."""

from __future__ import annotations

import pytest

from exchange.errors import Forbidden, InvalidInput, NotFound
from exchange.models import VISITOR
from exchange.notify import follows
from tests.factories import make_department, make_user
from tests.notify_support import Exchange

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL


@pytest.fixture
def ex(fresh_db):
    return Exchange(fresh_db)


def test_following_a_practice_twice_keeps_one_follow_and_lists_it_by_name(ex):
    me = ex.members[1]
    first = follows.follow(ex.db, me, "practice", 14)
    assert follows.follow(ex.db, me, "practice", "14") == first
    listed = follows.following(ex.db, me)
    assert [(f["kind"], f["target"]) for f in listed] == [("practice", "14")]
    assert listed[0]["label"] and listed[0]["query"] == {"practice": ["14"]}
    assert follows.follow_id(ex.db, me, "practice", 14) == first


@pytest.mark.parametrize("kind,target,field", [
    ("practice", 99999, "practice"), ("risk", "x", "risk"), ("region", 11, "region"), ("state", "ZZ", "state"),
    ("department", 424242, "department"), ("topic", 1, "kind"), ("view", "", "view"),
    ("view", "practice=99999", "view"), ("view", "sort=bogus", "view"), ("view", "region=" + "9" * 20, "view"),
])
def test_following_something_that_does_not_exist_is_refused_by_name(ex, kind, target, field):
    with pytest.raises(InvalidInput) as caught:
        follows.follow(ex.db, ex.members[0], kind, target)
    assert field in caught.value.errors


def test_a_visitor_cannot_follow(ex):
    with pytest.raises(Forbidden):
        follows.follow(ex.db, VISITOR, "practice", 14)


def test_a_saved_view_is_stored_in_the_codecs_canonical_form(ex):
    me = ex.members[0]
    a = follows.follow(ex.db, me, "view", "http://host/home?region=5&practice=14&sort=oldest&page=3&q=eviction")
    b = follows.follow(ex.db, me, "view", "q=eviction&practice=14&region=5")
    assert a == b
    listed = follows.following(ex.db, me)
    assert listed[0]["label"].startswith("Search “eviction”") and "Region: 5" in listed[0]["label"]


def test_unfollow_only_your_own_follow(ex):
    mine = follows.follow(ex.db, ex.members[0], "region", 5)
    with pytest.raises(NotFound):
        follows.unfollow(ex.db, ex.members[1], mine)
    follows.unfollow(ex.db, ex.members[0], mine)
    assert follows.following(ex.db, ex.members[0]) == []
    with pytest.raises(NotFound):
        follows.unfollow(ex.db, ex.members[0], mine)


def test_the_number_of_follows_is_capped(ex, monkeypatch):
    monkeypatch.setattr(follows, "MAX_FOLLOWS", 2)
    follows.follow(ex.db, ex.members[0], "region", 1)
    follows.follow(ex.db, ex.members[0], "region", 2)
    with pytest.raises(Exception, match="most there can be"):
        follows.follow(ex.db, ex.members[0], "region", 3)


def test_parallel_follows_cannot_pass_the_cap(ex, monkeypatch):
    import threading

    from exchange.errors import Conflict

    monkeypatch.setattr(follows, "MAX_FOLLOWS", 3)
    member, outcomes, barrier = ex.members[0], [], threading.Barrier(8)

    def follow(region):
        barrier.wait()
        try:
            outcomes.append(follows.follow(ex.db, member, "region", region))
        except Conflict as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=follow, args=(region,)) for region in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with ex.db.read() as cur:
        assert cur.execute("SELECT count(*) FROM follows WHERE user_id = ?", [member.id]).fetchone()[0] == 3
    assert sum(isinstance(o, int) for o in outcomes) == 3 and len(outcomes) == 8


def _reached(ex, user) -> list[int]:
    return [i["lesson_id"] for i in ex.inbox(user) if i["kind"] == "followed_lesson"]


@pytest.mark.parametrize("kind,target", [("practice", 14), ("risk", 4), ("region", 5), ("state", "MN")])
def test_a_new_lesson_reaches_followers_of_its_tags_and_place(ex, kind, target):
    follower = ex.members[1]
    follows.follow(ex.db, follower, kind, target)
    lesson = ex.publish(ex.members[0], practice_ids=[14], risk_type_ids=[4])
    other = ex.publish(ex.members[0], title="About something else entirely", practice_ids=[3], risk_type_ids=[2])
    ex.deliver()
    reached = _reached(ex, follower)
    assert lesson in reached
    assert (other in reached) == (kind in ("region", "state"))
    assert _reached(ex, ex.members[0]) == []  # never the author


def test_one_notification_per_lesson_even_when_several_follows_match(ex):
    follower = ex.members[1]
    for kind, target in (("practice", 14), ("region", 5), ("state", "MN")):
        follows.follow(ex.db, follower, kind, target)
    ex.publish(ex.members[0], practice_ids=[14])
    ex.deliver()
    items = [i for i in ex.inbox(follower) if i["kind"] == "followed_lesson"]
    assert len(items) == 1
    assert "Minnesota" in items[0]["text"] and "HHS Region 5" in items[0]["text"]


def test_a_department_follow_gets_its_attributed_lessons_only(ex):
    follower = ex.members[1]
    follows.follow(ex.db, follower, "department", ex.departments[0])
    named = ex.publish(ex.members[0])
    anonymous = ex.publish(ex.members[0], title="Quiet lesson", anonymous=True)
    colleague = make_user(ex.db, department_id=ex.departments[0])
    follows.follow(ex.db, colleague, "department", ex.departments[0])  # not even its own members, as a department follow
    ex.deliver()
    assert _reached(ex, follower) == [named]
    assert anonymous not in _reached(ex, colleague)


def test_an_anonymous_lesson_matches_only_what_it_shows(fresh_db):
    ex = Exchange(fresh_db, departments=2)  # 2 departments in Region 5: fewer than K, so the region is not shown
    follower = ex.members[1]
    follows.follow(ex.db, follower, "region", 5)
    follows.follow(ex.db, follower, "state", "MN")
    follows.follow(ex.db, follower, "view", "size=medium")
    follows.follow(ex.db, follower, "practice", 14)
    lesson = ex.publish(ex.members[0], anonymous=True, practice_ids=[3])
    ex.deliver()
    assert lesson not in _reached(ex, follower)
    for _ in range(4):  # now K departments share Region 5: its region shows, its state still does not
        make_department(ex.db, state="WI")
    second = ex.publish(ex.members[0], title="Second quiet lesson", anonymous=True, practice_ids=[14])
    third = ex.publish(ex.members[0], title="Third quiet lesson", anonymous=True, practice_ids=[3])
    ex.deliver()
    assert second in _reached(ex, follower)  # by its practice
    assert third in _reached(ex, follower)  # by its region, now shown
    text = [i["text"] for i in ex.inbox(follower) if i["lesson_id"] == third][0]
    assert "Pinecone" not in text and "Minnesota" not in text and "HHS Region 5" in text


def test_members_only_lessons_reach_members_but_a_follow_never_outlives_readability(ex):
    follower = ex.members[1]
    follows.follow(ex.db, follower, "practice", 14)
    lesson = ex.publish(ex.members[0], visibility="members")
    ex.deliver()
    assert _reached(ex, follower) == [lesson]
    from exchange import lessons

    lessons.withdraw(ex.db, ex.members[0], lesson)
    item = [i for i in ex.inbox(follower) if i["kind"] == "followed_lesson"][0]
    assert item["lesson_id"] is None and "Tenant" not in item["text"]  # no longer readable: no title, no link


def test_a_saved_view_matches_by_every_filter_and_the_search(ex):
    follower = ex.members[1]
    follows.follow(ex.db, follower, "view", "practice=14&kind=challenge")
    follows.follow(ex.db, follower, "view", "q=landlords")
    yes = ex.publish(ex.members[0], practice_ids=[14], kind="challenge", do_differently="Bring the landlords in early.")
    no_kind = ex.publish(ex.members[0], title="A success on the same practice", practice_ids=[14], kind="success",
                         do_differently="Nothing much.", what_we_did="We talked to residents.", advice="Listen.")
    ex.deliver()
    reached = _reached(ex, follower)
    assert yes in reached and no_kind not in reached
