"""A lesson's page: sections, tags linking to filtered lists, anonymity, hostile text rendered inert."""

from exchange.identity import accounts
from exchange import lessons
from exchange.lessons import moderation
from exchange.storage.duckdb import scalar
from tests.helpers import submit_new, valid_lesson

MEMBER = "member@demo.example.org"
OTHER = "member2@demo.example.org"
ADMIN = "admin@demo.example.org"
HOSTILE = "![pixel](http://tracker.example.com/p.png) <script>alert(1)</script> [x](data:text/html,hi)"


def post(pages, email, **changes):
    user = accounts.load_user(pages.db, pages.user_id(email))
    lesson_id, status = submit_new(pages.db, user, valid_lesson(**changes), client_token=lessons.new_client_token())
    if status == "submitted":
        moderation.decide(pages.db, accounts.load_user(pages.db, pages.user_id(ADMIN)), lesson_id, "publish")
    return lesson_id


def all_text(at) -> str:
    return " ".join([m.value for m in at.markdown] + [t.value for t in at.title] + [s.value for s in at.header]
                    + [link.label for link in at.get("page_link")])


def test_a_lesson_shows_every_section_and_tags_link_to_filtered_lists(pages):
    lesson_id = post(pages, MEMBER, title="Sections check", do_differently="Start with landlords.", advice="Bring data.")
    at = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    assert not at.exception
    headings = [s.value for s in at.header]
    for heading in ("Summary", "Context", "What we did", "What happened", "What we would do differently", "Advice for peers"):
        assert heading in headings
    labels = [link.label for link in at.get("page_link")]
    assert "Prioritize Upstream Policy Change" in labels and "Engaging in upstream policy work" in labels
    assert "Related lessons" in headings


def test_hostile_text_is_rendered_escaped(pages):
    lesson_id = post(pages, MEMBER, title="Hostile " + HOSTILE[:60], summary=HOSTILE, context=HOSTILE)
    at = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    for block in at.markdown:
        assert "![" not in block.value.replace("\\!\\[", "")
        assert "<script>" not in block.value
        assert "](data:" not in block.value


def test_an_anonymous_lesson_hides_its_department_from_another_member(pages):
    lesson_id = post(pages, MEMBER, title="Anonymous backlash story", anonymous=True)
    with pages.db.read() as cur:
        dept = scalar(cur, "SELECT d.name FROM departments d JOIN users u ON u.department_id = d.id WHERE u.email = ?", [MEMBER])
    other = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    assert dept not in all_text(other) and "Anonymous" in all_text(other)
    own = pages.open("lesson", email=MEMBER, query={"id": str(lesson_id)})
    assert dept in all_text(own)


def test_an_unknown_or_forged_id_shows_a_clear_message(pages):
    for forged in ("999999", "abc", "-1"):
        at = pages.open("lesson", query={"id": forged})
        assert not at.exception
        assert "does not exist" in at.error[0].value


def test_a_visitor_cannot_open_a_members_only_lesson(pages):
    lesson_id = post(pages, MEMBER, title="Members only story", visibility="members")
    at = pages.open("lesson", query={"id": str(lesson_id)})
    assert at.error and "Members only story" not in all_text(at)


def test_an_administrator_can_open_a_lesson_and_its_edit_link(pages):
    lesson_id = post(pages, MEMBER, title="Admin reads this")
    at = pages.open("lesson", email=ADMIN, query={"id": str(lesson_id)})
    assert not at.exception and not at.error
    assert "Edit this lesson" in [link.label for link in at.get("page_link")]


def test_a_reviewer_decides_on_a_reported_lesson_from_its_own_page(pages):
    lesson_id = post(pages, MEMBER, title="Decided on its own page")
    moderation.report(pages.db, accounts.load_user(pages.db, pages.user_id(OTHER)), lesson_id, "Out of date")
    at = pages.open("lesson", email=ADMIN, query={"id": str(lesson_id)})
    assert "Your decision as reviewer" in [s.value for s in at.subheader]
    at.text_area(key=f"reason_{lesson_id}").set_value("The contact details are no longer valid.")
    at.button(key=f"FormSubmitter:decide_{lesson_id}-Hide").click().run()
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT hidden FROM lessons WHERE id = ?", [lesson_id]) is True
    assert any("Hidden" in s.value for s in at.success)


def test_revealing_an_anonymous_department_asks_for_a_reason_which_the_audit_log_keeps(pages):
    lesson_id = post(pages, MEMBER, title="Anonymous, then revealed", anonymous=True)
    at = pages.open("lesson", email=ADMIN, query={"id": str(lesson_id)})
    at.button(key="reveal").click().run()
    at.button(key="confirm_reveal").click().run()  # no reason yet: refused
    assert any("Say why" in e.value for e in at.error)
    at.text_area(key="reveal_reason").set_value("Subpoena 2026-114")
    at.button(key="confirm_reveal").click().run()
    assert any("This reveal was logged" in w.value for w in at.warning)
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT detail FROM audit_log WHERE event = 'anonymity_revealed' AND subject_id = ?",
                      [str(lesson_id)]) == "Subpoena 2026-114"
