"""Review before publishing, reports, concurrent decisions: nothing lost, nothing doubled, nothing deleted."""

import threading
from datetime import datetime, timedelta

import pytest

from exchange import lessons
from exchange.lessons import moderation
from exchange.storage.duckdb import rows, scalar
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from tests.factories import make_department, make_user
from tests.helpers import publish, set_review_threshold, submit_new, valid_lesson

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL


@pytest.fixture
def cast(fresh_db):
    db = fresh_db
    mn = make_department(db, state="MN")  # region 5
    make_department(db, state="TX")  # region 6: a department outside the coordinator's region
    return {
        "db": db,
        "author": make_user(db, department_id=mn),
        "coord5": make_user(db, "coordinator", regions=(5,)),
        "coord5b": make_user(db, "coordinator", regions=(5, 7)),
        "coord6": make_user(db, "coordinator", regions=(6,)),
        "admin": make_user(db, "admin"),
        "reporters": [make_user(db, department_id=make_department(db, state=s)) for s in ("TX", "CA", "NY", "WA")],
    }


def submitted(cast):
    lesson_id, status = submit_new(cast["db"], cast["author"], valid_lesson(), client_token=lessons.new_client_token())
    assert status == "submitted"
    return lesson_id


def value(db, sql, params=None):
    with db.read() as cur:
        return scalar(cur, sql, params)


def test_a_submitted_lesson_waits_in_its_regions_queue_only(cast):
    lesson_id = submitted(cast)
    assert [l["id"] for l in moderation.queue(cast["db"], cast["coord5"])] == [lesson_id]
    assert moderation.queue(cast["db"], cast["coord6"]) == []
    assert [l["id"] for l in moderation.queue(cast["db"], cast["admin"])] == [lesson_id]


def test_a_member_has_no_review_queue(cast):
    with pytest.raises(Forbidden):
        moderation.queue(cast["db"], cast["author"])


def test_a_coordinator_of_another_region_cannot_decide(cast):
    lesson_id = submitted(cast)
    with pytest.raises((Forbidden, NotFound)):
        moderation.decide(cast["db"], cast["coord6"], lesson_id, "publish")
    assert value(cast["db"], "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "submitted"


def test_the_review_flow_reject_edit_resubmit_publish(cast):
    db = cast["db"]
    lesson_id = submitted(cast)
    moderation.decide(db, cast["coord5"], lesson_id, "reject", "Please remove the names of staff.")
    mine = lessons.mine(db, cast["author"])[0]
    assert mine["status"] == "rejected" and mine["last_reason"] == "Please remove the names of staff."
    lessons.save_draft(db, cast["author"], valid_lesson(what_we_did="We testified (names removed)."), lesson_id=lesson_id)
    assert lessons.submit(db, cast["author"], lesson_id) == "submitted"
    assert moderation.decide(db, cast["coord5"], lesson_id, "publish") == "published"
    with db.read() as cur:
        history = rows(cur, "SELECT decision, reason, reviewer_id FROM lesson_reviews WHERE lesson_id = ? ORDER BY id", [lesson_id])
    assert [h["decision"] for h in history] == ["rejected", "published"]
    assert history[0]["reviewer_id"] == cast["coord5"].id


def test_rejecting_needs_a_reason(cast):
    lesson_id = submitted(cast)
    with pytest.raises(InvalidInput):
        moderation.decide(cast["db"], cast["coord5"], lesson_id, "reject", "   ")


def test_a_second_decision_is_told_it_was_already_decided(cast):
    lesson_id = submitted(cast)
    moderation.decide(cast["db"], cast["coord5"], lesson_id, "publish")
    with pytest.raises(Conflict, match="already decided"):
        moderation.decide(cast["db"], cast["coord5b"], lesson_id, "reject", "Too late")
    assert value(cast["db"], "SELECT count(*) FROM lesson_reviews WHERE lesson_id = ?", [lesson_id]) == 1


def test_two_coordinators_deciding_at_once_produce_exactly_one_decision(cast):
    db = cast["db"]
    lesson_id = submitted(cast)
    outcomes, barrier = [], threading.Barrier(2)

    def decide(user, decision):
        barrier.wait()
        try:
            outcomes.append(moderation.decide(db, user, lesson_id, decision, "Not ready"))
        except Conflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=decide, args=(cast["coord5"], "publish")),
               threading.Thread(target=decide, args=(cast["coord5b"], "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str).count("conflict") == 1
    assert value(db, "SELECT count(*) FROM lesson_reviews WHERE lesson_id = ?", [lesson_id]) == 1
    final = value(db, "SELECT status FROM lessons WHERE id = ?", [lesson_id])
    assert final in ("published", "rejected") and final in outcomes


def test_three_reports_from_different_departments_hide_a_lesson_until_reviewed(cast):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"])
    r1, r2, r3, _ = cast["reporters"]
    assert moderation.report(db, r1, lesson_id, "Names a staff member") is False
    assert moderation.report(db, r2, lesson_id, "Inaccurate") is False
    assert moderation.report(db, r3, lesson_id, "Offensive") is True
    assert value(db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is True
    assert lessons.mine(db, cast["author"])[0]["hidden"] is True  # the author is told
    assert [l["id"] for l in moderation.queue(db, cast["coord5"])] == [lesson_id]
    moderation.decide(db, cast["coord5"], lesson_id, "publish", "Checked: fine")
    assert value(db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is False
    assert value(db, "SELECT count(*) FROM lesson_reports WHERE lesson_id = ? AND resolved_at IS NULL", [lesson_id]) == 0


def test_reports_from_one_department_count_once(cast):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"])
    dept = cast["reporters"][0].department_id
    for _ in range(3):
        moderation.report(db, make_user(db, department_id=dept), lesson_id, "Same department again")
    assert value(db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is False


def test_a_member_cannot_report_twice_or_report_their_own(cast):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"])
    moderation.report(db, cast["reporters"][0], lesson_id, "Wrong")
    with pytest.raises(Conflict):
        moderation.report(db, cast["reporters"][0], lesson_id, "Wrong again")
    with pytest.raises(InvalidInput):
        moderation.report(db, cast["author"], lesson_id, "My own")


def test_reports_are_limited_per_user_per_day(cast):
    db = cast["db"]
    reporter = cast["reporters"][0]
    now = datetime(2026, 11, 2, 9, 0)
    dept = cast["author"].department_id  # several authors: one author's hourly submission limit is not under test
    ids = [publish(db, make_user(db, department_id=dept), cast["admin"], title=f"Lesson {i}")
           for i in range(moderation.REPORTS_PER_DAY + 1)]
    for i, lesson_id in enumerate(ids[:-1]):
        moderation.report(db, reporter, lesson_id, "Spam", now=now + timedelta(minutes=i))
    with pytest.raises(RateLimited):
        moderation.report(db, reporter, ids[-1], "Spam", now=now + timedelta(hours=2))


def test_a_rejected_lesson_is_kept_with_who_decided_when_and_why(cast):
    db = cast["db"]
    lesson_id = submitted(cast)
    moderation.decide(db, cast["coord5"], lesson_id, "reject", "Duplicate", now=datetime(2026, 11, 3, 10, 0))
    with db.read() as cur:
        review = rows(cur, "SELECT * FROM lesson_reviews WHERE lesson_id = ?", [lesson_id])[0]
        audit = rows(cur, "SELECT event, actor_id FROM audit_log WHERE subject_id = ? AND event = 'lesson_rejected'", [str(lesson_id)])
    assert (review["reviewer_id"], review["reason"], review["decided_at"]) == (cast["coord5"].id, "Duplicate", datetime(2026, 11, 3, 10, 0))
    assert audit == [{"event": "lesson_rejected", "actor_id": cast["coord5"].id}]
    assert value(db, "SELECT count(*) FROM lessons WHERE id = ?", [lesson_id]) == 1


def test_the_review_threshold_is_a_setting_and_zero_means_always(cast):
    db = cast["db"]
    set_review_threshold(db, 1)
    first = submitted(cast)
    moderation.decide(db, cast["coord5"], first, "publish")
    assert submit_new(db, cast["author"], valid_lesson(title="Second"), client_token="2")[1] == "published"
    set_review_threshold(db, 0)
    assert submit_new(db, cast["author"], valid_lesson(title="Third"), client_token="3")[1] == "submitted"


# --- issue 8 part 4: moderation cannot be bypassed; issue 7 part 4: reports reach people ------------


def hidden_by_reports(cast):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"])
    for reporter in cast["reporters"][:3]:
        moderation.report(db, reporter, lesson_id, f"Report from {reporter.email}")
    assert value(db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is True
    return lesson_id


def test_accounts_without_a_department_do_not_count_toward_hiding(cast):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"])
    moderation.report(db, cast["reporters"][0], lesson_id, "Wrong")
    moderation.report(db, make_user(db, "coordinator", regions=(9,)), lesson_id, "Wrong")
    assert moderation.report(db, make_user(db, "admin"), lesson_id, "Wrong") is False
    assert value(db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is False
    assert moderation.queue(db, cast["coord5"])[0]["open_reports"] == 3  # heard, though they did not hide it


def test_a_hidden_lesson_edited_and_resubmitted_goes_back_to_review_and_stays_hidden(cast):
    db = cast["db"]
    set_review_threshold(db, 1)  # the department is past review
    lesson_id = hidden_by_reports(cast)
    lessons.save_draft(db, cast["author"], valid_lesson(title="Reworded"), lesson_id=lesson_id)
    assert lessons.submit(db, cast["author"], lesson_id) == "submitted"
    assert value(db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is True
    item = next(i for i in moderation.queue(db, cast["coord5"]) if i["id"] == lesson_id)
    assert item["open_reports"] == 3  # the reports stay attached


def test_a_lesson_last_sent_back_goes_to_review_whatever_the_threshold(cast):
    db = cast["db"]
    set_review_threshold(db, 1)
    lesson_id = publish(db, cast["author"], cast["admin"])
    moderation.report(db, cast["reporters"][0], lesson_id, "Names a resident")
    moderation.decide(db, cast["coord5"], lesson_id, "reject", "Remove the resident's name.")
    lessons.save_draft(db, cast["author"], valid_lesson(what_we_did="Names removed."), lesson_id=lesson_id)
    assert lessons.submit(db, cast["author"], lesson_id) == "submitted"


def test_a_reported_lesson_resubmitted_goes_to_review(cast):
    db = cast["db"]
    set_review_threshold(db, 1)
    lesson_id = publish(db, cast["author"], cast["admin"])
    moderation.report(db, cast["reporters"][0], lesson_id, "Out of date")
    lessons.save_draft(db, cast["author"], valid_lesson(title="Updated"), lesson_id=lesson_id)
    assert lessons.submit(db, cast["author"], lesson_id) == "submitted"


def test_every_anonymous_lesson_goes_through_review_whatever_the_threshold(cast):
    db = cast["db"]
    set_review_threshold(db, 1)
    publish(db, cast["author"], cast["admin"], title="First, reviewed")
    assert submit_new(db, cast["author"], valid_lesson(title="Second, named"), client_token="n")[1] == "published"
    assert submit_new(db, cast["author"], valid_lesson(title="Third, anonymous", anonymous=True),
                        client_token="a")[1] == "submitted"


def test_the_queue_shows_an_anonymous_lessons_region_only_when_the_k_rule_would(cast):
    db = cast["db"]
    lesson_id, _ = submit_new(db, cast["author"], valid_lesson(anonymous=True), client_token="anon")
    item = next(i for i in moderation.queue(db, cast["coord5"]) if i["id"] == lesson_id)
    # Region 5 has one department here (fewer than K=5): neither region, department nor state is shown.
    assert (item["hhs_region"], item["department_name"], item["state_code"], item["jurisdiction_type"]) == (None,) * 4
    for _ in range(5):
        make_department(db, state="MN")
    item = next(i for i in moderation.queue(db, cast["coord5"]) if i["id"] == lesson_id)
    assert item["hhs_region"] == 5 and item["department_name"] is None


def test_a_coordinator_cannot_publish_their_own_departments_lesson(cast):
    db = cast["db"]
    insider = make_user(db, "coordinator", department_id=cast["author"].department_id, regions=(5,))
    lesson_id = submitted(cast)
    assert lesson_id not in [i["id"] for i in moderation.queue(db, insider)]
    assert lessons.get(db, insider, lesson_id)["can_review"] is False
    with pytest.raises(Forbidden):
        moderation.decide(db, insider, lesson_id, "publish")
    assert value(db, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "submitted"
    assert moderation.decide(db, cast["coord5"], lesson_id, "publish") == "published"


def test_every_report_reaches_the_regions_coordinators_at_once_with_its_reason(cast):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"])
    moderation.report(db, cast["reporters"][0], lesson_id, "Names a resident")
    moderation.report(db, cast["reporters"][1], lesson_id, "Out of date")
    for reviewer in (cast["coord5"], cast["admin"]):
        item = next(i for i in moderation.queue(db, reviewer) if i["id"] == lesson_id)
        assert (item["open_reports"], item["report_reasons"], item["hidden"]) == (2, ["Names a resident", "Out of date"], False)
    assert moderation.queue(db, cast["coord6"]) == []


@pytest.mark.parametrize("decision, hidden, status, outcome", [
    ("dismiss", False, "published", "kept"),
    ("hide", True, "published", "hidden"),
    ("reject", False, "rejected", "sent_back"),
])
def test_a_reviewer_dismisses_hides_or_sends_back_a_reported_lesson_and_the_reporter_is_told(cast, decision, hidden,
                                                                                            status, outcome):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"])
    reporter = cast["reporters"][0]
    moderation.report(db, reporter, lesson_id, "Names a resident")
    assert moderation.my_reports(db, reporter)[0]["outcome"] is None
    moderation.decide(db, cast["coord5"], lesson_id, decision, "Checked with the department.")
    assert value(db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is hidden
    assert value(db, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == status
    told = moderation.my_reports(db, reporter)[0]
    assert (told["lesson_id"], told["outcome"]) == (lesson_id, outcome) and told["resolved_at"] is not None
    assert lesson_id not in [i["id"] for i in moderation.queue(db, cast["coord5"])]


def test_the_queue_sorts_oldest_first_by_default_and_can_sort_newest_first(cast):
    db = cast["db"]
    ids = [submit_new(db, cast["author"], valid_lesson(title=f"Lesson {i}"), client_token=f"q{i}",
                      now=datetime(2026, 11, 2, 9, i))[0] for i in range(3)]
    assert [i["id"] for i in moderation.queue(db, cast["coord5"])] == ids
    assert [i["id"] for i in moderation.queue(db, cast["coord5"], sort="newest")] == ids[::-1]
    assert all(i["waiting_since"] for i in moderation.queue(db, cast["coord5"]))


def test_a_reveal_needs_a_reason_and_the_audit_log_keeps_it(cast):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"], anonymous=True)
    with pytest.raises(InvalidInput):
        moderation.reveal_department(db, cast["admin"], lesson_id, "  ")
    moderation.reveal_department(db, cast["admin"], lesson_id, "A court order, case 12")
    assert value(db, "SELECT detail FROM audit_log WHERE event = 'anonymity_revealed'") == "A court order, case 12"


def test_an_administrator_turning_anonymity_off_by_editing_is_an_audited_reveal(cast):
    db = cast["db"]
    lesson_id = publish(db, cast["author"], cast["admin"], anonymous=True)
    lessons.save_draft(db, cast["admin"], valid_lesson(anonymous=False), lesson_id=lesson_id)
    assert value(db, "SELECT count(*) FROM audit_log WHERE event = 'anonymity_revealed' AND actor_id = ?",
                 [cast["admin"].id]) == 1
    lessons.save_draft(db, cast["author"], valid_lesson(anonymous=True, title="x"), lesson_id=lesson_id)
    lessons.save_draft(db, cast["author"], valid_lesson(anonymous=False), lesson_id=lesson_id)  # their own choice
    assert value(db, "SELECT count(*) FROM audit_log WHERE event = 'anonymity_revealed'") == 1


# --- issue 9 part 3: the decisions and the queue's default order are the service's -------------------------


def test_a_submission_is_published_or_sent_back_and_a_reported_lesson_kept_hidden_or_sent_back(cast):
    db = cast["db"]
    lesson_id = submitted(cast)
    [item] = moderation.queue(db, cast["coord5"])
    assert (item["is_submission"], item["decisions"]) == (True, ("publish", "reject"))
    moderation.decide(db, cast["coord5"], lesson_id, "publish")
    moderation.report(db, cast["reporters"][0], lesson_id, "Names a resident.")
    [item] = moderation.queue(db, cast["coord5"])
    assert (item["is_submission"], item["decisions"]) == (False, ("dismiss", "hide", "reject"))
    for decision in item["decisions"]:  # each offered decision is one decide() accepts for it
        assert decision in moderation.DECISIONS


def test_the_queue_default_sort_is_one_of_its_sorts():
    assert moderation.DEFAULT_QUEUE_SORT in moderation.QUEUE_SORTS
