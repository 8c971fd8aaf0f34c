"""Writing lessons: drafts, edits, submission (once), withdrawal, and nothing partial on bad input."""

import threading
from datetime import datetime, timedelta

import pytest

from exchange import lessons
from exchange.lessons import moderation
from exchange.storage.duckdb import scalar
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from tests.factories import make_department, make_user
from tests.helpers import publish, submit_new, valid_lesson


@pytest.fixture
def people(fresh_db):
    dept = make_department(fresh_db, state="MN")
    other = make_department(fresh_db, state="TX")
    return {
        "author": make_user(fresh_db, department_id=dept),
        "colleague": make_user(fresh_db, department_id=dept),
        "outsider": make_user(fresh_db, department_id=other),
        "admin": make_user(fresh_db, "admin"),
    }


def count(db, sql, params=None):
    with db.read() as cur:
        return scalar(cur, sql, params)


def test_a_draft_can_be_saved_reopened_and_edited(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson(summary=""))
    data, row = lessons.editable(fresh_db, people["author"], lesson_id)
    assert row["status"] == "draft" and data.title == valid_lesson().title
    lessons.save_draft(fresh_db, people["author"], valid_lesson(title="A better title"), lesson_id=lesson_id)
    assert lessons.editable(fresh_db, people["author"], lesson_id)[0].title == "A better title"


def test_a_colleague_in_the_same_department_can_edit_the_draft(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson())
    lessons.save_draft(fresh_db, people["colleague"], valid_lesson(title="Edited by a colleague"), lesson_id=lesson_id)
    assert lessons.editable(fresh_db, people["author"], lesson_id)[0].title == "Edited by a colleague"


def test_member_cannot_edit_another_departments_lesson(fresh_db, people):
    lesson_id = publish(fresh_db, people["author"], people["admin"])
    with pytest.raises(Forbidden):
        lessons.save_draft(fresh_db, people["outsider"], valid_lesson(title="Hijacked"), lesson_id=lesson_id)
    assert count(fresh_db, "SELECT title FROM lessons WHERE id = ?", [lesson_id]) == valid_lesson().title


def test_nobody_outside_the_department_learns_a_draft_exists(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson())
    with pytest.raises(NotFound):
        lessons.get(fresh_db, people["outsider"], lesson_id)
    with pytest.raises(NotFound):
        lessons.save_draft(fresh_db, people["outsider"], valid_lesson(), lesson_id=lesson_id)


def test_invalid_input_stores_nothing(fresh_db, people):
    with pytest.raises(InvalidInput):
        submit_new(fresh_db, people["author"], valid_lesson(practice_ids=[], links=["javascript:x"]), client_token="t")
    assert count(fresh_db, "SELECT count(*) FROM lessons") == 0
    assert count(fresh_db, "SELECT count(*) FROM lesson_risks") == 0


def test_the_first_lessons_wait_for_review_then_publish_at_once(fresh_db, people):
    statuses = []
    for i in range(4):
        lesson_id, status = submit_new(fresh_db, people["author"], valid_lesson(title=f"Lesson {i}"), client_token=f"t{i}")
        statuses.append(status)
        if status == "submitted":
            moderation.decide(fresh_db, people["admin"], lesson_id, "publish")
    assert statuses == ["submitted", "submitted", "submitted", "published"]


def test_the_same_form_sent_twice_makes_one_lesson(fresh_db, people):
    first = submit_new(fresh_db, people["author"], valid_lesson(), client_token="same-form")
    second = submit_new(fresh_db, people["author"], valid_lesson(), client_token="same-form")
    assert first == second
    assert count(fresh_db, "SELECT count(*) FROM lessons") == 1


def test_submitting_a_draft_twice_is_harmless(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson())
    assert lessons.submit(fresh_db, people["author"], lesson_id) == "submitted"
    assert lessons.submit(fresh_db, people["author"], lesson_id) == "submitted"
    assert count(fresh_db, "SELECT count(*) FROM audit_log WHERE event = 'lesson_submitted'") == 1


def test_two_tabs_submitting_the_same_draft_at_once_make_one_submission(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson())
    results, errors = [], []

    def go():
        try:
            results.append(lessons.submit(fresh_db, people["author"], lesson_id))
        except Exception as exc:  # noqa: BLE001 — collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [e for e in errors if not isinstance(e, Conflict)]
    assert count(fresh_db, "SELECT count(*) FROM lessons") == 1
    assert count(fresh_db, "SELECT count(*) FROM audit_log WHERE event = 'lesson_submitted'") == 1


def test_two_tabs_posting_the_same_new_form_at_once_make_one_lesson(fresh_db, people):
    errors = []

    def go():
        try:
            submit_new(fresh_db, people["author"], valid_lesson(), client_token="racing-form")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [e for e in errors if not isinstance(e, Conflict)]
    assert count(fresh_db, "SELECT count(*) FROM lessons") == 1


def test_submitting_an_incomplete_draft_names_the_missing_fields(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson(context="", practice_ids=[]))
    with pytest.raises(InvalidInput) as caught:
        lessons.submit(fresh_db, people["author"], lesson_id)
    assert set(caught.value.errors) >= {"context", "practice_ids"}
    assert count(fresh_db, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "draft"


def test_withdrawing_keeps_the_lesson_and_hides_it(fresh_db, people):
    lesson_id = publish(fresh_db, people["author"], people["admin"])
    lessons.withdraw(fresh_db, people["author"], lesson_id)
    assert count(fresh_db, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "withdrawn"
    with pytest.raises(NotFound):
        lessons.get(fresh_db, people["outsider"], lesson_id)


def test_editing_a_published_lesson_takes_it_back_to_draft(fresh_db, people):
    lesson_id = publish(fresh_db, people["author"], people["admin"])
    lessons.save_draft(fresh_db, people["author"], valid_lesson(title="Revised"), lesson_id=lesson_id)
    assert count(fresh_db, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "draft"


def test_tags_are_stored_in_link_tables_and_read_back(fresh_db, people):
    lesson_id = publish(fresh_db, people["author"], people["admin"], action_ids=[], risk_type_ids=[2, 3],
                        partners=["hospital", "tenant union"])
    lesson = lessons.get(fresh_db, people["outsider"], lesson_id)
    assert [r["id"] for r in lesson["risk_types"]] == [2, 3]
    assert lesson["partners"] == ["hospital", "tenant union"]
    assert lesson["links"] == ["https://www.example.org/ordinance"]
    assert count(fresh_db, "SELECT count(*) FROM lesson_risks WHERE lesson_id = ?", [lesson_id]) == 2


def test_mine_lists_the_departments_lessons_with_the_rejection_reason(fresh_db, people):
    lesson_id, _ = submit_new(fresh_db, people["author"], valid_lesson(), client_token="t")
    moderation.decide(fresh_db, people["admin"], lesson_id, "reject", "Please remove the staff names.")
    mine = lessons.mine(fresh_db, people["colleague"])
    assert [(m["id"], m["status"], m["last_reason"]) for m in mine] == [(lesson_id, "rejected", "Please remove the staff names.")]
    assert lessons.mine(fresh_db, people["outsider"]) == []


def test_submissions_are_limited_per_hour_with_a_time_to_try_again(fresh_db, people):
    start = datetime(2026, 11, 2, 9, 0)
    for i in range(moderation.SUBMISSIONS_PER_HOUR):
        submit_new(fresh_db, people["author"], valid_lesson(title=f"Lesson {i}"), client_token=f"t{i}",
                   now=start + timedelta(minutes=i))
    with pytest.raises(RateLimited) as caught:
        submit_new(fresh_db, people["author"], valid_lesson(title="One too many"), client_token="late",
                   now=start + timedelta(minutes=30))
    assert "10:00" in caught.value.message
    # The form saved it first: it stays a draft, to submit after 10:00.
    assert count(fresh_db, "SELECT status FROM lessons WHERE title = 'One too many'") == "draft"


def test_an_identical_resubmission_within_five_minutes_is_refused(fresh_db, people):
    now = datetime(2026, 11, 2, 9, 0)
    submit_new(fresh_db, people["author"], valid_lesson(), client_token="a", now=now)
    with pytest.raises(Conflict):
        submit_new(fresh_db, people["author"], valid_lesson(), client_token="b", now=now + timedelta(minutes=2))
    submit_new(fresh_db, people["author"], valid_lesson(), client_token="c", now=now + timedelta(minutes=6))


# --- issue 8 part 6: no silent lost update; issue 9 part 3: an administrator resubmits what they edited ---


def test_a_save_from_a_stale_revision_is_refused_with_the_stored_version(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson())
    opened = lessons.editable(fresh_db, people["author"], lesson_id)[1]["revision"]
    lessons.save(fresh_db, people["colleague"], valid_lesson(title="Colleague's title"), lesson_id=lesson_id, revision=opened)
    mine = valid_lesson(advice="My advice")
    with pytest.raises(lessons.LessonChanged) as caught:
        lessons.save(fresh_db, people["author"], mine, lesson_id=lesson_id, revision=opened)
    changed = caught.value
    assert changed.current.title == "Colleague's title" and changed.revision == opened + 1
    assert changed.updated_by == people["colleague"].display_name
    assert changed.changed_fields(mine) == ["title", "advice"]
    assert lessons.editable(fresh_db, people["author"], lesson_id)[0].title == "Colleague's title"
    # Overwriting knowingly: from the revision the conflict showed.
    saved = lessons.save(fresh_db, people["author"], mine, lesson_id=lesson_id, revision=changed.revision)
    assert saved.revision == opened + 2 and lessons.editable(fresh_db, people["author"], lesson_id)[0] == mine


def test_saving_the_same_text_twice_from_one_revision_is_not_a_conflict(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson())
    opened = lessons.editable(fresh_db, people["author"], lesson_id)[1]["revision"]
    first = lessons.save(fresh_db, people["author"], valid_lesson(title="Once"), lesson_id=lesson_id, revision=opened)
    again = lessons.save(fresh_db, people["author"], valid_lesson(title="Once"), lesson_id=lesson_id, revision=opened)
    assert first == again


def test_submitting_from_a_stale_revision_is_refused(fresh_db, people):
    lesson_id = lessons.save_draft(fresh_db, people["author"], valid_lesson())
    opened = lessons.editable(fresh_db, people["author"], lesson_id)[1]["revision"]
    lessons.save(fresh_db, people["colleague"], valid_lesson(title="Changed"), lesson_id=lesson_id, revision=opened)
    with pytest.raises(lessons.LessonChanged):
        lessons.submit(fresh_db, people["author"], lesson_id, revision=opened)
    assert count(fresh_db, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "draft"


def test_an_administrator_can_check_and_resubmit_a_lesson_they_edited(fresh_db, people):
    lesson_id = publish(fresh_db, people["author"], people["admin"])
    lessons.save_draft(fresh_db, people["admin"], valid_lesson(title="Fixed by an administrator"), lesson_id=lesson_id)
    lessons.check(fresh_db, people["admin"], valid_lesson(title="Fixed by an administrator"), lesson_id=lesson_id)
    assert lessons.submit(fresh_db, people["admin"], lesson_id) in ("submitted", "published")
    with pytest.raises(Forbidden):
        lessons.check(fresh_db, people["admin"], valid_lesson())  # a new lesson needs a department


def test_hidden_stays_when_the_author_resubmits(fresh_db, people):
    lesson_id = publish(fresh_db, people["author"], people["admin"])
    fresh_db.write(lambda cur: cur.execute("UPDATE lessons SET hidden = TRUE WHERE id = ?", [lesson_id]))
    lessons.save_draft(fresh_db, people["author"], valid_lesson(title="Reworded"), lesson_id=lesson_id)
    assert lessons.submit(fresh_db, people["author"], lesson_id) == "submitted"
    assert count(fresh_db, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is True


# --- issue 9 part 3: what a status allows is the service's answer, which pages render ---------------------


def _row(db, lesson_id):
    with db.read() as cur:
        result = cur.execute("SELECT * FROM lessons WHERE id = ?", [lesson_id])
        return dict(zip([d[0] for d in result.description], result.fetchone()))


def _in_status(fresh_db, people, status):
    """A lesson of the author's department in `status` (the department's first lessons wait for review)."""
    author, admin = people["author"], people["admin"]
    token = lessons.new_client_token()
    if status == "draft":
        return lessons.save_draft(fresh_db, author, valid_lesson(title=f"Draft {token}"))
    lesson_id, _ = submit_new(fresh_db, author, valid_lesson(title=f"Lesson {token}"), client_token=token)
    if status == "published":
        moderation.decide(fresh_db, admin, lesson_id, "publish")
    elif status == "rejected":
        moderation.decide(fresh_db, admin, lesson_id, "reject", "Add what happened.")
    elif status == "withdrawn":
        lessons.withdraw(fresh_db, author, lesson_id)
    assert _row(fresh_db, lesson_id)["status"] == status
    return lesson_id


@pytest.mark.parametrize("status, expected", [
    ("draft", ("edit", "submit")),
    ("submitted", ("edit", "withdraw")),
    ("published", ("edit", "withdraw")),
    ("rejected", ("edit", "submit")),
    ("withdrawn", ("edit", "submit")),
])
def test_each_status_allows_its_actions_to_the_department(fresh_db, people, status, expected):
    lesson = _row(fresh_db, _in_status(fresh_db, people, status))
    assert lessons.actions_for(people["author"], lesson) == expected
    assert lessons.actions_for(people["colleague"], lesson) == expected  # the department's, not the author's


def test_another_department_may_do_nothing_to_a_lesson_and_an_administrator_what_the_status_allows(fresh_db, people):
    lesson = _row(fresh_db, _in_status(fresh_db, people, "published"))
    assert lessons.actions_for(people["outsider"], lesson) == ()
    assert lessons.actions_for(people["admin"], lesson) == ("edit", "withdraw")


def test_my_lessons_lists_the_actions_each_lesson_allows(fresh_db, people):
    draft = _in_status(fresh_db, people, "draft")
    sent = submit_new(fresh_db, people["author"], valid_lesson(title="Waiting"), client_token="w")[0]
    actions = {m["id"]: m["actions"] for m in lessons.mine(fresh_db, people["author"])}
    assert actions == {draft: ("edit", "submit"), sent: ("edit", "withdraw")}


@pytest.mark.parametrize("status", ["draft", "rejected"])
def test_only_a_lesson_in_review_or_published_can_be_withdrawn(fresh_db, people, status):
    lesson_id = _in_status(fresh_db, people, status)
    with pytest.raises(Conflict, match="can be withdrawn"):
        lessons.withdraw(fresh_db, people["author"], lesson_id)
    assert _row(fresh_db, lesson_id)["status"] == status


def test_withdrawing_a_withdrawn_lesson_again_is_harmless(fresh_db, people):
    lesson_id = _in_status(fresh_db, people, "withdrawn")
    lessons.withdraw(fresh_db, people["author"], lesson_id)
    assert _row(fresh_db, lesson_id)["status"] == "withdrawn"


@pytest.mark.parametrize("status, quietly", [("draft", True), ("rejected", True), ("withdrawn", True),
                                              ("submitted", False), ("published", False)])
def test_autosave_may_save_only_what_a_save_does_not_take_out_of_review_or_off_the_site(status, quietly):
    assert lessons.saves_quietly(status) is quietly


def test_only_a_published_lesson_asks_before_it_is_withdrawn():
    assert [s for s in lessons.STATUSES if lessons.is_public_now({"status": s})] == ["published"]


def test_every_status_a_lesson_can_reach_is_listed(fresh_db, people):
    reached = {_row(fresh_db, _in_status(fresh_db, people, s))["status"] for s in lessons.STATUSES}
    assert reached == set(lessons.STATUSES)
