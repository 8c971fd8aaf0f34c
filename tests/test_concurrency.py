"""Issue 8 parts 6-7: limits, uniqueness rules and edits hold when requests arrive at the same moment.

Each test starts its threads on a barrier, so the requests really overlap.
Before the fix: 17-20 of 20 parallel submissions passed a limit of 10, 6-8 of 8 identical posts
went through a rule that allows one, and one form token sent 10 times gave 3-4 requests an error.
"""

import threading
from datetime import datetime

import pytest

from exchange import lessons
from exchange.lessons import moderation
from exchange.storage.duckdb import scalar
from exchange.errors import Conflict, RateLimited
from tests.factories import make_department, make_user
from tests.helpers import publish, submit_new, valid_lesson

NOW = datetime(2026, 11, 2, 9, 0)
pytestmark = pytest.mark.both_backends  # issue 13: the same guarantees on PostgreSQL


@pytest.fixture
def author(fresh_db):
    return make_user(fresh_db, department_id=make_department(fresh_db, state="MN"))


def at_once(n, action):
    """Run action(i) in n threads released together; return each outcome (a value or the exception)."""
    barrier, outcomes, lock = threading.Barrier(n), [None] * n, threading.Lock()

    def go(i):
        barrier.wait()
        try:
            result = action(i)
        except Exception as exc:  # noqa: BLE001 — every outcome is asserted by the caller
            result = exc
        with lock:
            outcomes[i] = result

    threads = [threading.Thread(target=go, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def count(db, sql, params=None):
    with db.read() as cur:
        return scalar(cur, sql, params)


def test_twenty_parallel_submissions_by_one_member_pass_the_hourly_limit_only_ten_times(fresh_db, author):
    outcomes = at_once(20, lambda i: submit_new(fresh_db, author, valid_lesson(title=f"Lesson {i}"),
                                                  client_token=f"t{i}", now=NOW))
    passed = [o for o in outcomes if isinstance(o, tuple)]
    assert len(passed) == moderation.SUBMISSIONS_PER_HOUR
    assert all(isinstance(o, RateLimited) for o in outcomes if not isinstance(o, tuple))
    assert count(fresh_db, "SELECT count(*) FROM audit_log WHERE event = 'lesson_submitted'") == 10


def test_eight_parallel_identical_posts_make_one_submission(fresh_db, author):
    outcomes = at_once(8, lambda i: submit_new(fresh_db, author, valid_lesson(), client_token=f"tab{i}", now=NOW))
    assert sum(isinstance(o, tuple) for o in outcomes) == 1
    assert all(isinstance(o, Conflict) and "identical" in o.message for o in outcomes if not isinstance(o, tuple))
    assert count(fresh_db, "SELECT count(*) FROM lessons WHERE status = 'submitted'") == 1


def test_one_form_token_sent_ten_times_at_once_gets_the_same_answer_every_time(fresh_db, author):
    outcomes = at_once(10, lambda i: submit_new(fresh_db, author, valid_lesson(), client_token="double-click", now=NOW))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(set(outcomes)) == 1
    assert count(fresh_db, "SELECT count(*) FROM lessons") == 1
    assert count(fresh_db, "SELECT count(*) FROM audit_log WHERE event = 'lesson_submitted'") == 1


def test_one_draft_token_saved_ten_times_at_once_makes_one_draft_and_no_error(fresh_db, author):
    outcomes = at_once(10, lambda i: lessons.save_draft(fresh_db, author, valid_lesson(), client_token="draft-click"))
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert len(set(outcomes)) == 1 and count(fresh_db, "SELECT count(*) FROM lessons") == 1


def test_new_drafts_are_limited_per_hour_even_in_parallel(fresh_db, author):
    outcomes = at_once(30, lambda i: lessons.save_draft(fresh_db, author, valid_lesson(title=f"Draft {i}"),
                                                        client_token=f"d{i}", now=NOW))
    assert sum(isinstance(o, int) for o in outcomes) == moderation.DRAFTS_PER_HOUR
    assert all(isinstance(o, RateLimited) for o in outcomes if not isinstance(o, int))


def test_saving_the_same_draft_again_is_not_a_new_draft_for_the_limit(fresh_db, author):
    lesson_id = lessons.save_draft(fresh_db, author, valid_lesson(), now=NOW)
    revision = lessons.editable(fresh_db, author, lesson_id)[1]["revision"]
    for i in range(moderation.DRAFTS_PER_HOUR + 5):  # autosave, every 30 s
        revision = lessons.save(fresh_db, author, valid_lesson(advice=f"Version {i}"), lesson_id=lesson_id,
                                revision=revision, now=NOW).revision
    assert count(fresh_db, "SELECT count(*) FROM lessons") == 1


def test_three_departments_reporting_at_once_still_hide_the_lesson(fresh_db, author):
    admin = make_user(fresh_db, "admin")
    lesson_id = publish(fresh_db, author, admin)
    reporters = [make_user(fresh_db, department_id=make_department(fresh_db, state=s)) for s in ("TX", "CA", "NY")]
    outcomes = at_once(3, lambda i: moderation.report(fresh_db, reporters[i], lesson_id, "Names a resident"))
    assert sorted(outcomes) == [False, False, True]
    assert count(fresh_db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is True


def test_one_member_reporting_one_lesson_from_five_tabs_at_once_files_one_report(fresh_db, author):
    admin = make_user(fresh_db, "admin")
    lesson_id = publish(fresh_db, author, admin)
    reporter = make_user(fresh_db, department_id=make_department(fresh_db, state="TX"))
    outcomes = at_once(5, lambda i: moderation.report(fresh_db, reporter, lesson_id, "Names a resident"))
    assert outcomes.count(False) == 1 and all(isinstance(o, Conflict) for o in outcomes if o is not False)
    assert count(fresh_db, "SELECT count(*) FROM lesson_reports") == 1


def test_two_colleagues_saving_one_lesson_at_once_lose_nothing(fresh_db, author):
    colleague = make_user(fresh_db, department_id=author.department_id)
    lesson_id = lessons.save_draft(fresh_db, author, valid_lesson())
    opened = lessons.editable(fresh_db, author, lesson_id)[1]["revision"]
    edits = [(author, valid_lesson(title="The author's title")), (colleague, valid_lesson(advice="The colleague's advice"))]
    outcomes = at_once(2, lambda i: lessons.save(fresh_db, edits[i][0], edits[i][1], lesson_id=lesson_id, revision=opened))
    saved = [o for o in outcomes if isinstance(o, lessons.Saved)]
    refused = [o for o in outcomes if isinstance(o, lessons.LessonChanged)]
    assert len(saved) == 1 and len(refused) == 1
    stored = lessons.editable(fresh_db, author, lesson_id)[0]
    winner = edits[outcomes.index(saved[0])][1]
    assert stored == winner
    assert refused[0].current == winner  # the one refused is shown exactly what the other saved


def test_two_colleagues_recording_one_practice_at_once_are_told_instead_of_overwriting(fresh_db, author):
    from datetime import date

    from exchange import adoption

    colleague = make_user(fresh_db, department_id=author.department_id)
    people = [author, colleague]
    outcomes = at_once(2, lambda i: adoption.record(
        fresh_db, people[i], department_id=author.department_id, practice_id=3, stage=i + 1, as_of=date(2026, 10, 1),
        latest_seen=None, now=NOW))
    assert sum(isinstance(o, int) for o in outcomes) == 1
    refused = next(o for o in outcomes if not isinstance(o, int))
    assert isinstance(refused, Conflict) and "after you opened this page" in refused.message
    assert count(fresh_db, "SELECT count(*) FROM assessments") == 1


def test_a_self_assessment_saved_after_seeing_the_newest_record_is_accepted(fresh_db, author):
    from datetime import date

    from exchange import adoption

    first = adoption.record(fresh_db, author, department_id=author.department_id, practice_id=3, stage=1,
                            as_of=date(2026, 10, 1), latest_seen=None, now=NOW)
    with pytest.raises(Conflict):
        adoption.record(fresh_db, author, department_id=author.department_id, practice_id=3, stage=2,
                        as_of=date(2026, 10, 2), latest_seen=None, now=NOW)
    adoption.record(fresh_db, author, department_id=author.department_id, practice_id=3, stage=2,
                    as_of=date(2026, 10, 2), latest_seen=first, now=NOW)
    assert count(fresh_db, "SELECT count(*) FROM assessments") == 2
