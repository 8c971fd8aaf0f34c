"""My lessons and the review queue: the whole review flow in AppTest, and role checks on URLs."""

from exchange.identity import accounts
from exchange import lessons
from exchange.storage.duckdb import scalar
from tests.helpers import submit_new, valid_lesson

COORD = "coordinator@demo.example.org"


def region_of(pages, email):
    with pages.db.read() as cur:
        return scalar(cur, "SELECT s.hhs_region FROM users u JOIN departments d ON d.id = u.department_id "
                           "JOIN states s ON s.code = d.state_code WHERE u.email = ?", [email])


def test_my_lessons_lists_the_departments_lessons_with_status(pages):
    at = pages.open("my_lessons", email="member@demo.example.org")
    assert not at.exception
    assert [m.label for m in at.metric][:3] == ["Draft", "Waiting for review", "Published"]
    assert any("Published" in m.value for m in at.markdown)


def test_a_visitor_opening_my_lessons_is_asked_to_sign_in(pages):
    at = pages.open("my_lessons")
    assert "sign in" in at.error[0].value.lower()


def test_a_member_opening_the_review_queue_url_does_not_see_it(pages):
    at = pages.open("review", email="member@demo.example.org")
    assert "not allowed" in at.error[0].value
    assert not at.get("form") and not at.title


def test_the_review_flow_submit_reject_edit_resubmit_publish(pages):
    # A new department member of region 5 (the coordinator covers 5 and 7) whose first lessons need review.
    with pages.db.read() as cur:
        dept = scalar(cur, """SELECT d.id FROM departments d JOIN states s ON s.code = d.state_code
                              WHERE s.hhs_region = 5 AND NOT EXISTS (SELECT 1 FROM lessons l WHERE l.department_id = d.id)
                              LIMIT 1""")
    assert dept, "demo data should have a region 5 department with no lessons"
    pages.db.write(lambda cur: cur.execute(
        "INSERT INTO users (email, display_name, role, department_id) VALUES ('new@demo.example.org', 'New Member', 'member', ?)",
        [dept]))
    author = accounts.load_user(pages.db, pages.user_id("new@demo.example.org"))
    lesson_id, status = submit_new(pages.db, author, valid_lesson(title="Needs review first"), client_token="rf")
    assert status == "submitted"

    queue = pages.open("review", email=COORD)
    assert any("Needs review first" in m.value for m in queue.markdown)
    assert region_of(pages, "new@demo.example.org") == 5
    queue.text_area(key=f"reason_{lesson_id}").set_value("Please add what happened after the vote.")
    queue.button(key=f"FormSubmitter:decide_{lesson_id}-Send back to author").click().run()
    assert not queue.exception

    mine = pages.open("my_lessons", email="new@demo.example.org")
    assert any("Please add what happened after the vote." in w.value.replace("\\", "") for w in mine.warning)

    lessons.save_draft(pages.db, author, valid_lesson(title="Needs review first", what_happened="It passed 5-2."),
                       lesson_id=lesson_id)
    mine = pages.open("my_lessons", email="new@demo.example.org")
    mine.button(key=f"submit_{lesson_id}").click().run()
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "submitted"

    queue = pages.open("review", email=COORD)
    queue.button(key=f"FormSubmitter:decide_{lesson_id}-Publish").click().run()
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "published"


# --- issue 9 part 3, issue 7 parts 3-4 --------------------------------------------------------------

MEMBER = "member@demo.example.org"
OTHER = "member2@demo.example.org"
ADMIN = "admin@demo.example.org"


def load(pages, email):
    return accounts.load_user(pages.db, pages.user_id(email))


def published_lesson(pages, email=MEMBER, **changes):
    from exchange.lessons import moderation

    lesson_id, status = submit_new(pages.db, load(pages, email), valid_lesson(**changes),
                                     client_token=lessons.new_client_token())
    if status == "submitted":
        moderation.decide(pages.db, load(pages, ADMIN), lesson_id, "publish")
    return lesson_id


def test_a_failed_withdraw_shows_its_error_not_withdrawn(pages, monkeypatch):
    from exchange.errors import Conflict

    lesson_id, status = submit_new(pages.db, load(pages, MEMBER), valid_lesson(title="Waiting", anonymous=True),
                                     client_token="w")
    assert status == "submitted"  # anonymous lessons are always reviewed: withdrawn without a confirmation

    def refuse(*args, **kwargs):
        raise Conflict("Someone else changed this lesson at the same moment.")

    at = pages.open("my_lessons", email=MEMBER)
    monkeypatch.setattr(lessons, "withdraw", refuse)
    at.button(key=f"withdraw_{lesson_id}").click().run()
    assert any("Someone else changed" in e.value for e in at.error)
    assert not any("Withdrawn." in s.value for s in at.success)


def test_withdrawing_a_published_lesson_asks_for_confirmation(pages):
    lesson_id = published_lesson(pages, title="Published, then withdrawn")
    at = pages.open("my_lessons", email=MEMBER)
    at.button(key=f"withdraw_{lesson_id}").click().run()
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "published"  # not yet
    at.button(key="confirm_withdraw").click().run()
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "withdrawn"
    assert any("Withdrawn." in s.value for s in at.success)  # survives the rerun after the action


def test_reports_reach_the_queue_with_reasons_and_the_reporter_sees_the_outcome(pages):
    from exchange.lessons import moderation

    lesson_id = published_lesson(pages, title="Reported in the queue")
    moderation.report(pages.db, load(pages, OTHER), lesson_id, "Names a resident")
    queue = pages.open("review", email=ADMIN)
    assert any("Reported (1)" in m.value for m in queue.markdown)  # st.badge is markdown in AppTest
    assert any("Names a resident" in m.value for m in queue.markdown)
    assert any("waiting" in m.value for m in queue.markdown)
    queue.text_area(key=f"reason_{lesson_id}").set_value("Checked: the name is public.")
    queue.button(key=f"FormSubmitter:decide_{lesson_id}-Dismiss reports (keep published)").click().run()
    assert not queue.exception
    assert any("Reports dismissed" in s.value for s in queue.success)
    mine = pages.open("my_lessons", email=OTHER)
    assert any("Names a resident" in m.value.replace("\\", "") and "stays published" in m.value
               for m in mine.markdown)


def test_the_queue_counts_its_items_and_sorts_newest_first_on_request(pages):
    queue = pages.open("review", email=ADMIN)
    oldest = [m.value for m in queue.markdown if m.value.startswith("### ")]
    assert len(oldest) > 1
    assert any(m.value.startswith(f"**{len(oldest)} waiting**") for m in queue.markdown)
    queue.session_state["review_sort"] = "newest"
    queue.run()
    assert [m.value for m in queue.markdown if m.value.startswith("### ")] == oldest[::-1]


def test_a_failed_withdraw_from_the_confirmation_keeps_its_error_after_the_dialog_closes(pages, monkeypatch):
    # Issue 9 part 3: the error must survive the rerun that closes the dialog, and the page must not say "Withdrawn".
    from exchange.errors import Conflict

    lesson_id = published_lesson(pages, title="Published, withdraw refused")

    def refuse(*args, **kwargs):
        raise Conflict("Someone else changed this lesson at the same moment.")

    at = pages.open("my_lessons", email=MEMBER)
    at.button(key=f"withdraw_{lesson_id}").click().run()
    monkeypatch.setattr(lessons, "withdraw", refuse)
    at.button(key="confirm_withdraw").click().run()
    assert not at.exception
    assert not any("Withdrawn." in s.value for s in at.success)
    assert "confirm_withdraw" not in [b.key for b in at.button]  # the page was drawn again from the data...
    assert any("Someone else changed" in e.value for e in at.error)  # ...and the error survived that rerun
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "published"
