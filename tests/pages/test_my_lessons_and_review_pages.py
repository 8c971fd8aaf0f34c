"""My lessons and the review queue: the whole review flow in AppTest, and role checks on URLs."""

from exchange import accounts, lessons
from exchange.db import scalar
from tests.helpers import valid_lesson

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
    lesson_id, status = lessons.post(pages.db, author, valid_lesson(title="Needs review first"), client_token="rf")
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
