"""Posting through the form: drafts, all errors at once, similar lessons, then it appears on the home page."""

from datetime import date

from exchange import accounts, browse, lessons
from exchange.browse import Filters
from exchange.db import scalar

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
