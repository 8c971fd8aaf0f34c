"""Issue 11 pages: a department's profile (read, edit, stale edit), Peers, and the lesson page's freshness controls."""

from exchange.identity import accounts
from exchange.peers import profiles
from exchange.storage.duckdb import scalar
from tests.pages.test_lesson_page import all_text, post

MEMBER = "member@demo.example.org"
OTHER = "member2@demo.example.org"
ADMIN = "admin@demo.example.org"


def department_of(pages, email) -> int:
    with pages.db.read() as cur:
        return scalar(cur, "SELECT department_id FROM users WHERE email = ?", [email])


def test_a_visitor_opens_a_profile_by_id_and_sees_its_facts_and_lessons(pages):
    dept = department_of(pages, OTHER)
    at = pages.open("department", query={"id": str(dept)})
    assert not at.exception and not at.error
    text = all_text(at)
    assert "Alameda County Public Health Department" in [t.value for t in at.title]
    for fact in ("HHS region", "State governance", "Accreditation status", "Population served"):
        assert fact in text
    headers = [h.value for h in at.header]
    assert {"Practices it works on", "Lessons", "Departments like this one"} <= set(headers)
    assert "Edit this profile" not in [e.label for e in at.expander]


def test_a_member_follows_another_department_from_its_profile_but_not_their_own(pages):
    from exchange.notify import follows

    dept = department_of(pages, OTHER)
    at = pages.open("department", email=MEMBER, query={"id": str(dept)})
    follow = [b for b in at.button if b.label.startswith("Follow ")]
    assert [b.label for b in follow] == ["Follow Alameda County Public Health Department"]
    follow[0].click().run()
    assert not at.exception
    member = accounts.load_user(pages.db, pages.user_id(MEMBER))
    assert follows.follow_id(pages.db, member, "department", dept) is not None
    own = pages.open("department", email=MEMBER)
    assert not [b for b in own.button if b.label.startswith("Follow ")]
    assert not [b for b in pages.open("department", query={"id": str(dept)}).button if b.label.startswith("Follow")]


def test_a_bad_or_unknown_department_id_shows_a_clear_message(pages):
    for forged in ("abc", "999999", "-3"):
        at = pages.open("department", query={"id": forged})
        assert not at.exception
        assert "That department does not exist" in at.error[0].value


def test_an_anonymous_lesson_is_not_on_its_departments_profile_for_another_member(pages):
    post(pages, MEMBER, title="Anonymous profile check story", anonymous=True)
    dept = department_of(pages, MEMBER)
    other = pages.open("department", email=OTHER, query={"id": str(dept)})
    assert "Anonymous profile check story" not in all_text(other)
    own = pages.open("department", email=MEMBER)  # no id: your own department
    assert "Anonymous profile check story" in all_text(own)


def test_a_member_edits_the_profile_and_sees_it_saved(pages):
    dept = department_of(pages, MEMBER)
    at = pages.open("department", email=MEMBER)
    key = f"profile_{dept}"
    at.text_area(key=f"{key}_description").set_value("We serve Hennepin County and share what we learn")
    at.checkbox(key=f"{key}_share_stages").check()
    at.button(key=f"FormSubmitter:{key}_form-Save profile").click().run()
    assert not at.exception
    assert any("Profile saved" in s.value for s in at.success)
    assert "We serve Hennepin County and share what we learn" in all_text(at)
    assert profiles.profile(pages.db, accounts.load_user(pages.db, pages.user_id(OTHER)), dept)["share_stages"]


def test_invalid_profile_input_is_named_by_its_label_and_nothing_is_saved(pages):
    dept = department_of(pages, MEMBER)
    at = pages.open("department", email=MEMBER)
    key = f"profile_{dept}"
    at.radio(key=f"{key}_contact_visibility").set_value("public")
    at.text_input(key=f"{key}_contact_name").set_value("")
    at.text_input(key=f"{key}_contact_email").set_value("no-at-sign")
    at.button(key=f"FormSubmitter:{key}_form-Save profile").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "Contact e\\-mail" in errors or "Contact e-mail" in errors
    assert at.text_input(key=f"{key}_contact_email").value == "no-at-sign"  # what was typed stays


def test_a_stale_profile_edit_keeps_what_was_typed_and_shows_the_saved_version(pages):
    dept = department_of(pages, MEMBER)
    at = pages.open("department", email=MEMBER)
    key = f"profile_{dept}"
    admin = accounts.load_user(pages.db, pages.user_id(ADMIN))
    stored, revision = profiles.editable(pages.db, admin, dept)
    profiles.update(pages.db, admin, dept, profiles.ProfileInput(**{**stored.__dict__, "description": "Changed by the admin"}),
                    revision=revision)
    at.text_area(key=f"{key}_description").set_value("My own new description")
    at.button(key=f"FormSubmitter:{key}_form-Save profile").click().run()
    assert any("after you opened it" in e.value for e in at.error)
    assert at.text_area(key=f"{key}_description").value == "My own new description"
    assert "Changed by the admin" in all_text(at)
    at.button(key=f"{key}_overwrite").click().run()
    assert any("Profile saved" in s.value for s in at.success)
    assert profiles.profile(pages.db, admin, dept)["description"] == "My own new description"


def test_the_peers_page_lists_departments_like_yours_with_reasons(pages):
    at = pages.open("peers", email=MEMBER)
    assert not at.exception and not at.error
    headers = [h.value for h in at.header]
    assert "Departments most like yours" in headers and "Who has done what we are about to do" in headers
    assert any(m.value.startswith("Alike: Also a") for m in at.markdown)
    at.multiselect(key="peers_jurisdiction_").select("tribal").run()
    assert not at.exception
    assert at.query_params["jurisdiction"] in ("tribal", ["tribal"])  # in the address: a reload or a shared link keeps it
    with pages.db.read() as cur:
        tribal = {r[0] for r in cur.execute("SELECT name FROM departments WHERE jurisdiction_type = 'tribal'").fetchall()}
    listed = [link.label for link in at.get("page_link") if link.label.endswith(")") and "Your department" not in link.label]
    assert listed and all(label.replace("\\", "").rsplit(" (", 1)[0] in tribal for label in listed[:10])


def test_the_peers_filters_come_from_the_address_and_a_bad_part_is_named_not_fatal(pages):
    at = pages.open("peers", email=MEMBER, query={"size": ["small", "huge"], "region": ["5", "11", "x" * 500],
                                                  "governance": "centralized"})
    assert not at.exception and not at.error
    assert at.multiselect(key="peers_size_small").value == ["small"]
    assert at.multiselect(key="peers_region_5").value == [5]
    assert at.multiselect(key="peers_governance_centralized").value == ["centralized"]
    notice = " ".join(i.value for i in at.info)
    assert "could not be read and was left out: population served, HHS region." in notice
    assert "state governance" not in notice


def test_the_peers_page_asks_a_visitor_to_sign_in(pages):
    at = pages.open("peers")
    assert not at.exception
    assert "sign in" in " ".join(i.value for i in at.info).lower() or "Sign in" in all_text(at)


def test_the_lesson_page_links_to_the_profile_and_says_when_it_was_last_confirmed(pages):
    lesson_id = post(pages, MEMBER, title="Freshness on the page")
    at = pages.open("lesson", email=OTHER, query={"id": str(lesson_id)})
    assert any("Last confirmed" in m.value for m in at.markdown)
    links = [link for link in at.get("page_link") if "Hennepin" in link.label]
    assert links and links[0].proto.page.endswith("department")
    assert not [b for b in at.button if b.key == "freshness_confirm"]  # not their department's lesson


def test_the_posting_department_confirms_or_marks_a_lesson_historical(pages):
    lesson_id = post(pages, MEMBER, title="Confirm me on the page")
    at = pages.open("lesson", email=MEMBER, query={"id": str(lesson_id)})
    at.button(key="freshness_historical").click().run()
    assert any("Marked as historical" in s.value for s in at.success)
    assert any("Historical" in i.value for i in at.info)
    at.button(key="freshness_confirm").click().run()
    assert any("Confirmed as current" in s.value for s in at.success)
    with pages.db.read() as cur:
        assert scalar(cur, "SELECT historical FROM lessons WHERE id = ?", [lesson_id]) is False


def test_find_lessons_hides_lessons_that_may_be_out_of_date_and_names_a_bad_value(pages):
    every = pages.open("home")
    current = pages.open("home", query={"current": "only"})
    def count(at) -> int:
        line = next(m.value for m in at.markdown if m.value.startswith("**") and " lesson" in m.value)
        return int(line.split()[0].strip("*").replace(",", ""))

    assert 0 < count(current) < count(every)
    assert current.toggle[0].value is True
    bad = pages.open("home", query={"current": "maybe"})
    assert any("left out: current" in i.value for i in bad.info)
