"""Posting through the form: drafts, all errors at once, similar lessons, then it appears on the home page."""

from datetime import date

from exchange.identity import accounts
from exchange.discovery import browse
from exchange import lessons
from tests.helpers import valid_lesson
from exchange.discovery.browse import Filters
from exchange.storage.duckdb import scalar

MEMBER = "member@demo.example.org"


def fill(at, **overrides):
    values = {
        "post_title": "Zebra crossings and traffic justice on the east side",
        "post_summary": "Residents mapped dangerous crossings; the council funded twelve.",
        "post_context": "Pedestrian deaths were three times higher on the east side.",
        "post_what_we_did": "We trained residents to map crossings and presented zebra-crossing data.",
        "post_what_happened": "The council funded twelve new crossings in the next budget.",
        **overrides,
    }
    for key, value in values.items():
        (at.text_input(key=key) if key == "post_title" else at.text_area(key=key)).set_value(value)
    at.multiselect(key="post_practice_ids").set_value([7])
    at.date_input(key="post_period_start").set_value(date(2024, 4, 1))
    return at


def count(pages, sql, params=None):
    with pages.db.read() as cur:
        return scalar(cur, sql, params)


def test_a_visitor_is_asked_to_sign_in(pages):
    at = pages.open("post")
    assert any("Sign in" in i.value for i in at.info)


def test_posting_through_the_form_makes_the_lesson_appear_on_the_home_page(pages):
    at = pages.open("post", email=MEMBER)
    fill(at)
    at.button(key="post_check").click().run()
    assert not at.exception and not at.error
    assert any("similar lessons" in s.value.lower() for s in at.header)
    at.button(key="post_submit").click().run()
    assert any("Published" in s.value or "Submitted" in s.value for s in at.success)
    lesson_id = count(pages, "SELECT id FROM lessons WHERE title LIKE 'Zebra crossings%'")
    member = accounts.load_user(pages.db, pages.user_id(MEMBER))
    status = count(pages, "SELECT status FROM lessons WHERE id = ?", [lesson_id])
    assert status == "published"  # the demo member's department is past its first three reviews
    home = pages.open("home", email=MEMBER, query={"q": "zebra"})
    assert any("Zebra crossings" in link.label for link in home.get("page_link"))
    assert [l["id"] for l in browse.find(pages.db, member, Filters(q="zebra")).lessons] == [lesson_id]


def test_every_error_shows_at_once_and_names_its_field(pages):
    at = pages.open("post", email=MEMBER)
    fill(at, post_summary="", post_context="   ")
    at.text_area(key="post_links").set_value("javascript:alert(1)")
    at.multiselect(key="post_practice_ids").set_value([])
    at.button(key="post_check").click().run()
    text = " ".join(e.value for e in at.error)
    for words in ("Summary", "Context", "http", "practice"):
        assert words in text
    assert not any("similar lessons" in s.value.lower() for s in at.header)


def test_saving_a_draft_twice_keeps_one_draft(pages):
    before = count(pages, "SELECT count(*) FROM lessons")
    at = pages.open("post", email=MEMBER)
    fill(at)
    at.button(key="post_save").click().run()
    at.button(key="post_save").click().run()
    assert any("Draft saved" in s.value for s in at.success)
    assert count(pages, "SELECT count(*) FROM lessons") == before + 1


def test_editing_another_departments_lesson_by_url_is_refused(pages):
    other = count(pages, "SELECT l.id FROM lessons l JOIN users u ON u.email = 'member2@demo.example.org' "
                         "WHERE l.department_id = u.department_id AND l.status = 'published' LIMIT 1")
    at = pages.open("post", email=MEMBER, query={"edit": str(other)})
    assert at.error and not at.text_input
    member = accounts.load_user(pages.db, pages.user_id(MEMBER))
    assert lessons.get(pages.db, member, other)["title"]


# --- issue 7 part 3: sharing a lesson keeps your work; issue 8 part 6: no silent lost update -----------


def test_field_errors_are_current_and_cleared_after_a_successful_save(pages):
    at = pages.open("post", email=MEMBER)
    fill(at, post_title="")
    at.button(key="post_save").click().run()
    shown = [e.value.replace("\\", "") for e in at.error]
    assert shown == ["Title is required.", "Title: Title is required."]  # by the field and by the buttons, this run
    at.text_input(key="post_title").set_value("A title at last")
    at.button(key="post_save").click().run()
    assert not at.error  # the same run that saved shows no stale error
    assert any("Draft saved" in s.value for s in at.success)


def test_the_error_summary_uses_on_screen_labels(pages):
    at = pages.open("post", email=MEMBER)
    fill(at)
    at.multiselect(key="post_practice_ids").set_value([])
    at.date_input(key="post_period_start").set_value(None)
    at.button(key="post_check").click().run()
    summary = next(e.value for e in at.error if "Please fix" in e.value)
    assert "Strategic practices" in summary and "Work started" in summary
    assert "Practice ids" not in summary and "Period start" not in summary


def test_a_typed_future_start_date_gets_its_own_message(pages):
    at = pages.open("post", email=MEMBER)
    fill(at)
    at.date_input(key="post_period_start").set_value(date(2099, 5, 1))
    at.button(key="post_check").click().run()
    assert any("The work cannot start in the future" in e.value for e in at.error)
    assert at.date_input(key="post_period_start").value == date(2099, 5, 1)  # kept, not erased


def test_every_text_widget_has_the_services_limit_as_max_chars(pages):
    from exchange.lessons.form import LIMITS

    at = pages.open("post", email=MEMBER)
    assert at.text_input(key="post_title").max_chars == LIMITS["title"]
    for key, limit in LIMITS.items():
        if key != "title":
            assert at.text_area(key=f"post_{key}").max_chars == limit, key


def test_a_draft_is_autosaved_and_a_reload_restores_it(pages):
    at = pages.open("post", email=MEMBER)
    at.text_input(key="post_title").set_value("Autosaved before any button").run()
    at.text_area(key="post_context").set_value("Typed, never saved by hand.").run()
    lesson_id = count(pages, "SELECT id FROM lessons WHERE title = 'Autosaved before any button'")
    assert lesson_id is not None
    assert list(at.query_params.get("edit")) in ([str(lesson_id)], list(str(lesson_id)))
    assert any("Saved" in m.value for m in at.markdown)
    reloaded = pages.open("post", email=MEMBER, query={"edit": str(lesson_id)})  # a new session, as after a reload
    assert reloaded.text_input(key="post_title").value == "Autosaved before any button"


def test_similar_lessons_appear_while_the_title_is_typed(pages):
    at = pages.open("post", email=MEMBER)
    at.text_input(key="post_title").set_value("Tenant protections and eviction data").run()
    assert any(e.label.startswith("Similar lessons already shared (") for e in at.expander)


def test_two_editors_of_one_lesson_merge_instead_of_losing_an_edit(pages):
    member = accounts.load_user(pages.db, pages.user_id(MEMBER))
    lesson_id = lessons.save_draft(pages.db, member, valid_lesson(title="Shared draft"))
    first = pages.open("post", email=MEMBER, query={"edit": str(lesson_id)})
    second = pages.open("post", email=MEMBER, query={"edit": str(lesson_id)})
    second.text_input(key="post_title").set_value("Second editor's title")
    second.button(key="post_save").click().run()
    first.text_area(key="post_advice").set_value("First editor's advice")
    first.button(key="post_save").click().run()
    assert any("changed" in w.value and "after you opened it" in w.value for w in first.warning)
    assert first.text_area(key="post_advice").value == "First editor's advice"  # nothing typed is lost
    first.radio(key="merge_title").set_value("theirs")
    first.button(key="merge_save").click().run()
    stored = lessons.editable(pages.db, member, lesson_id)[0]
    assert (stored.title, stored.advice) == ("Second editor's title", "First editor's advice")
    assert any("Draft saved" in s.value for s in first.success)


def test_an_administrator_edits_a_published_lesson_and_submits_it_again_from_the_form(pages):
    # Issue 9 part 3: the edit makes it a draft again; the administrator (no department) must be able to resubmit it.
    member = accounts.load_user(pages.db, pages.user_id(MEMBER))
    lesson_id = lessons.save_draft(pages.db, member, valid_lesson(title="Fixed by an administrator"))
    lessons.submit(pages.db, member, lesson_id)
    at = pages.open("post", email="admin@demo.example.org", query={"edit": str(lesson_id)})
    at.text_input(key="post_title").set_value("Fixed by an administrator, names removed")
    at.button(key="post_check").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert count(pages, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) == "draft"  # the edit took it back
    at.button(key="post_submit").click().run()
    assert not at.error, [e.value for e in at.error]
    assert any("Published" in s.value or "Submitted" in s.value for s in at.success)
    assert count(pages, "SELECT status FROM lessons WHERE id = ?", [lesson_id]) in ("submitted", "published")
    assert count(pages, "SELECT title FROM lessons WHERE id = ?", [lesson_id]).endswith("names removed")


def test_the_form_marks_as_required_exactly_what_the_service_requires(pages):
    from exchange.lessons.form import REQUIRED_TO_SUBMIT, SECTIONS

    at = pages.open("post", email=MEMBER)
    for key, _, _ in SECTIONS:
        assert ("(required)" in at.text_area(key=f"post_{key}").label) == (key in REQUIRED_TO_SUBMIT), key
