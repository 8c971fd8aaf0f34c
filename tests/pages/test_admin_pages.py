"""Admin pages in AppTest: they render for administrators, are 'not available' to everyone else, and their forms work."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from exchange.identity import accounts, audit
from exchange import taxonomy
from exchange.demo import DEMO_ACCOUNTS
from exchange.ui import auth
from tests.pages.text import shown

ADMIN_PAGES = ["admin_users", "admin_taxonomy", "admin_audit"]
EMAIL = {a["role"]: a["email"] for a in DEMO_ACCOUNTS}


def open_page(pages, page: str, email: str | None) -> AppTest:
    """pages/<page>.py through the app shell, signed in as `email` (visitor when None), run once."""
    return pages.open(page, email=email)


def field(at, kind: str, label: str):
    return next(w for w in getattr(at, kind) if w.label.startswith(label))


def first_department(pages) -> int:
    return accounts.department_choices(pages.db, accounts.OPERATOR)[0]["id"]


def audit_events(pages, event):
    return audit.search(pages.db, accounts.OPERATOR, event=event)[0]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_admin_pages_render_for_an_administrator(pages, page):
    at = open_page(pages, page, EMAIL["admin"])
    assert not at.exception and not at.error
    assert at.dataframe, "each admin page shows its table"


@pytest.mark.parametrize("page", ADMIN_PAGES)
@pytest.mark.parametrize("role", ["visitor", "member", "coordinator"])
def test_everyone_but_administrators_sees_not_available_and_nothing_sensitive(pages, page, role):
    at = open_page(pages, page, EMAIL.get(role))
    assert [e.value for e in at.error] == [auth.NOT_AVAILABLE]
    assert not at.dataframe and not at.text_input and not at.button
    shown = " ".join(str(e.value) for e in [*at.markdown, *at.error, *at.title])
    assert EMAIL["admin"] not in shown and "@" not in shown


def test_an_admin_creates_a_member_and_sees_the_temporary_password_once(pages):
    at = open_page(pages, "admin_users", EMAIL["admin"])
    at.text_input(key="new_email").input("New.Person@county.example.gov")
    at.text_input(key="new_name").input("New Person")
    at.selectbox(key="new_role").set_value("member")
    at.selectbox(key="new_dept").set_value(first_department(pages))
    at.checkbox(key="new_sure").check()
    at = field(at, "button", "Create account").click().run()
    assert not at.error, [e.value for e in at.error]
    assert shown(at.success[0].value) == "Created the account for new.person@county.example.gov."
    temporary = at.code[0].value
    assert accounts.sign_in(pages.db, "new.person@county.example.gov", temporary).must_change_password
    assert audit_events(pages, "account_created")[0]["subject_id"] == str(pages.user_id("new.person@county.example.gov"))
    at = at.run()
    assert not at.code, "the temporary password is shown only once"


def test_bad_input_on_create_shows_every_field_error_at_once_and_creates_nothing(pages):
    at = open_page(pages, "admin_users", EMAIL["admin"])
    before = len(accounts.list_accounts(pages.db, accounts.OPERATOR))
    at.text_input(key="new_email").input("not-an-email")
    at.selectbox(key="new_role").set_value("coordinator")
    at.checkbox(key="new_sure").check()
    at = field(at, "button", "Create account").click().run()
    message = at.error[0].value
    assert message.startswith("Please fix 3 things") and "Email" in message and "Display name" in message and "Regions" in message
    assert len(accounts.list_accounts(pages.db, accounts.OPERATOR)) == before


def test_without_the_confirmation_box_nothing_changes(pages):
    at = open_page(pages, "admin_users", EMAIL["admin"])
    at.text_input(key="new_email").input("someone@county.example.gov")
    at.text_input(key="new_name").input("Someone")
    at.selectbox(key="new_role").set_value("admin")
    at = field(at, "button", "Create account").click().run()
    assert at.warning[0].value.startswith("Tick the confirmation box")
    with pytest.raises(Exception):
        pages.user_id("someone@county.example.gov")


def test_an_admin_changes_a_members_role_and_the_change_is_audited_old_to_new(pages):
    member_id = pages.user_id(EMAIL["member"])
    at = open_page(pages, "admin_users", EMAIL["admin"])
    at.selectbox(key="users_selected").set_value(member_id).run()
    at.selectbox(key=f"edit_{member_id}_role").set_value("coordinator")
    at.multiselect(key=f"edit_{member_id}_regions").set_value([3])
    field(at, "checkbox", f"Change {EMAIL['member']}").check()
    at = field(at, "button", "Save changes").click().run()
    assert not at.error, [e.value for e in at.error]
    assert "role changed" in at.success[0].value
    assert accounts.load_user(pages.db, member_id).role == "coordinator"
    assert audit_events(pages, "role_changed")[0]["detail"].endswith("member → coordinator")


def test_an_admin_deactivates_an_account_which_then_cannot_sign_in(pages):
    member = next(a for a in DEMO_ACCOUNTS if a["role"] == "member")
    member_id = pages.user_id(member["email"])
    at = open_page(pages, "admin_users", EMAIL["admin"])
    at.selectbox(key="users_selected").set_value(member_id).run()
    field(at, "checkbox", f"Deactivate {member['email']}").check()
    at = field(at, "button", "Deactivate").click().run()
    assert shown(at.success[0].value) == f"Deactivated {member['email']}."
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(pages.db, member["email"], member["password"])


def test_an_admin_adds_a_risk_type_on_the_taxonomy_page(pages):
    at = open_page(pages, "admin_taxonomy", EMAIL["admin"])
    form_fields = [w for w in at.text_input if w.label == "Name" and w.form_id == "add_risk"]
    form_fields[0].input("Media attention")
    at = field(at, "button", "Add risk type").click().run()
    assert at.success[0].value == "Added the risk type “Media attention”."
    assert "Media attention" in [r["name"] for r in taxonomy.load(pages.db).risk_types]
    assert audit_events(pages, "taxonomy_added")[0]["detail"] == "Media attention"


def test_the_audit_page_filters_by_event(pages):
    admin = next(a for a in DEMO_ACCOUNTS if a["role"] == "admin")
    accounts.sign_in(pages.db, admin["email"], admin["password"])
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(pages.db, admin["email"], "wrong password here")
    at = open_page(pages, "admin_audit", admin["email"])
    at = at.selectbox(key="audit_event").set_value("sign_in").run()
    at = at.selectbox(key="audit_outcome").set_value("Failed").run()
    frame = at.dataframe[0].value
    assert set(frame["Event"]) == {"sign_in"} and not frame["Succeeded"].any()
    assert "wrong password" in list(frame["Detail"])


def test_the_account_list_filters_by_department(pages):
    member = next(a for a in DEMO_ACCOUNTS if a["role"] == "member")
    department_id = accounts.load_user(pages.db, pages.user_id(member["email"])).department_id
    at = open_page(pages, "admin_users", EMAIL["admin"])
    at = at.selectbox(key="users_department").set_value(department_id).run()
    emails = list(at.dataframe[0].value["Email"])
    assert member["email"] in emails and EMAIL["admin"] not in emails


def test_two_administrators_renaming_one_risk_type_the_second_is_told_and_keeps_their_text(pages):
    first = open_page(pages, "admin_taxonomy", EMAIL["admin"])
    second = open_page(pages, "admin_taxonomy", EMAIL["admin"])
    for at, new_name in ((first, "Backlash from officials"), (second, "Political backlash")):
        at.text_input(key="risk_type_name_1").input(new_name)
        field(at, "checkbox", "Change this risk type").check()
    first = [b for b in first.button if b.label == "Save" and b.form_id.startswith("risk_type_rename")][0].click().run()
    assert taxonomy.load(pages.db).risk_name(1) == "Backlash from officials"
    second = [b for b in second.button if b.label == "Save" and b.form_id.startswith("risk_type_rename")][0].click().run()
    assert "Another administrator changed this item" in second.error[0].value
    assert taxonomy.load(pages.db).risk_name(1) == "Backlash from officials"  # the first edit was not lost
    assert second.text_input(key="risk_type_name_1").value == "Political backlash"  # nor the second's text
    field(second, "checkbox", "Change this risk type").check()
    second = [b for b in second.button if b.label == "Save" and b.form_id.startswith("risk_type_rename")][0].click().run()
    assert taxonomy.load(pages.db).risk_name(1) == "Political backlash"  # saved again: overwritten knowingly


def test_a_taxonomy_name_in_the_confirmation_is_shown_as_typed_not_as_markdown(pages):
    # Issue 9 part 4: the helpers escape by default; this message used to render the name as markdown.
    hostile = "![pixel](http://evil.example/p.png) :material/lock: **loud**"
    at = open_page(pages, "admin_taxonomy", EMAIL["admin"])
    [name] = [w for w in at.text_input if w.label == "Name" and w.form_id == "add_risk"]
    name.input(hostile)
    at = field(at, "button", "Add risk type").click().run()
    [message] = [s.value for s in at.success]
    assert shown(message) == f"Added the risk type “{hostile}”."
    assert "![" not in message and "**loud**" not in message and ":material/lock:" not in message
