"""Issue 8 part 1: an anonymous lesson's own words are checked as it is written; one click neutralises a clue;
submitting anyway needs an acknowledgement, and the reviewer sees the same findings."""

from exchange.storage.duckdb import one
from tests.pages.test_post_page import MEMBER, fill

ADMIN = "admin@demo.example.org"


def department_of(pages, email: str) -> dict:
    with pages.db.read() as cur:
        return one(cur, "SELECT d.* FROM departments d JOIN users u ON u.department_id = d.id WHERE u.email = ?", [email])


def warnings(at) -> str:
    return "\n".join(w.value for w in at.warning)


def anonymous_draft(pages):
    name = department_of(pages, MEMBER)["name"]
    at = pages.open("post", email=MEMBER)
    fill(at, post_context=f"At the {name} we mapped crossings with residents.")
    at.checkbox(key="post_anonymous").check().run()
    return at, name


def test_an_anonymous_draft_that_names_its_department_is_flagged_in_place(pages):
    at, name = anonymous_draft(pages)
    assert not at.exception
    assert "could tell readers which department wrote it" in warnings(at)
    assert any(name.split()[0] in m.value for m in at.markdown)


def test_replace_all_puts_neutral_phrases_into_the_form(pages):
    at, name = anonymous_draft(pages)
    at.button(key="post_identifying-all").click().run()
    assert name not in at.text_area(key="post_context").value
    assert "could tell readers" not in warnings(at)
    assert any("Nothing in this text points to your department" in s.value for s in at.success)


def test_an_attributed_lesson_is_not_checked(pages):
    at = pages.open("post", email=MEMBER)
    fill(at, post_context=f"At the {department_of(pages, MEMBER)['name']} we mapped crossings.")
    at.run()
    assert "could tell readers" not in warnings(at)


def test_submitting_with_findings_needs_an_acknowledgement_and_the_reviewer_sees_them(pages):
    at, _ = anonymous_draft(pages)
    at.button(key="post_check").click().run()
    assert at.button(key="post_submit").disabled
    at.checkbox(key="post_ack_identifying").check().run()
    assert not at.button(key="post_submit").disabled
    at.button(key="post_submit").click().run()
    assert any("Submitted" in s.value for s in at.success)  # anonymous lessons always go to review
    review = pages.open("review", email=ADMIN)
    assert not review.exception
    assert any(e.label.startswith("Identifying-text check:") for e in review.expander)
