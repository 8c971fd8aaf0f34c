"""Accounts (administrators): find accounts, create them, change role and placement, deactivate, reset passwords."""

import streamlit as st

from exchange.identity import accounts
from exchange.kernel import limits
from exchange.models import HHS_REGIONS, ROLE_LABELS
from exchange.ui import auth, core, notifications
from exchange.ui.markup import Md, md

db = core.database()
user = auth.current_user(db)

st.title("Accounts")
departments = auth.require_page(lambda: accounts.department_choices(db, user))
notifications.email_status(db, user)  # "e-mail is off" without SMTP settings (issue 11.5)
department_names = {d["id"]: f"{d['name']} ({d['state_code']})" for d in departments}
ROLES = list(accounts.ACCOUNT_ROLES)
NOTICE = "admin_users_notice"


def done(message: Md, temporary: str | None = None) -> None:
    """Remember what happened (and a temporary password, shown once) and redraw with fresh data."""
    st.session_state[NOTICE] = (message, temporary)
    st.rerun()


def placement_fields(prefix: str, role: str, department_id=None, regions=()) -> tuple:
    department = st.selectbox("Department (required for members)", [None, *department_names],
                              index=([None, *department_names].index(department_id) if department_id in department_names else 0),
                              format_func=lambda d: "None" if d is None else department_names[d], key=f"{prefix}_dept")
    chosen = st.multiselect("HHS regions (required for coordinators; ignored for other roles)", HHS_REGIONS,
                            default=[r for r in regions if r in HHS_REGIONS], format_func=lambda r: f"Region {r}",
                            key=f"{prefix}_regions")
    return department, chosen


def confirmed(box: bool) -> bool:
    if not box:
        st.warning("Tick the confirmation box to go ahead; nothing was changed.", icon=":material/warning:")
    return box


if NOTICE in st.session_state:
    message, temporary = st.session_state.pop(NOTICE)
    core.success(message, icon=":material/check:")
    if temporary:
        st.markdown("Temporary password (shown only now; give it to the person privately — they must choose their own "
                    "at first sign-in):")
        st.code(temporary, language=None)

with st.container(horizontal=True):
    text = st.text_input("Search email or name", key="users_text", max_chars=limits.ACCOUNT_SEARCH)
    role_filter = st.selectbox("Role", [None, *ROLES], format_func=lambda r: "Any role" if r is None else ROLE_LABELS[r],
                               key="users_role")
    status = st.selectbox("Status", ["Active", "Deactivated", "All"], key="users_status")
    region_filter = st.selectbox("HHS region", [None, *HHS_REGIONS], format_func=lambda r: "Any" if r is None else f"Region {r}",
                                 key="users_region")
    department_filter = st.selectbox("Department", [None, *department_names], key="users_department",
                                     format_func=lambda d: "Any" if d is None else department_names[d])
found = core.outcome(lambda: accounts.list_accounts(
    db, user, text=text, role=role_filter, region=region_filter, department_id=department_filter,
    active={"Active": True, "Deactivated": False}.get(status))).value or []

core.markdown(md("**{n}** account{s}", n=len(found), s="s" if len(found) != 1 else ""))
st.dataframe(
    [{"Email": a["email"], "Name": a["display_name"], "Role": ROLE_LABELS[a["role"]], "Department": a["department"] or "",
      "Regions": ", ".join(str(r) for r in a["regions"]), "Active": a["active"],
      "Must change password": a["must_change_password"], "Last sign-in (UTC)": a["last_sign_in"]} for a in found],
    hide_index=True, width="stretch", key=f"users_grid_{text}_{role_filter}_{status}_{region_filter}_{department_filter}",
)

with core.form_panel("Create an account", key="create_account_panel", icon=":material/person_add:"):
    with st.form("create_account"):
        email = st.text_input("Email", key="new_email", max_chars=limits.EMAIL)
        name = st.text_input("Name", key="new_name", max_chars=limits.DISPLAY_NAME)
        role = st.selectbox("Role", ROLES, format_func=ROLE_LABELS.get, key="new_role")
        department, regions = placement_fields("new", role)
        st.markdown("A temporary password is generated; the person must change it at first sign-in.")
        sure = st.checkbox("I have checked the details above", key="new_sure")
        create = st.form_submit_button("Create account", type="primary", icon=":material/person_add:")
    if create and confirmed(sure):
        created = core.outcome(lambda: accounts.create_account(
            db, user, email=email, display_name=name, role=role, department_id=department, regions=regions))
        if created.ok:
            done(md("Created the account for {}.", email.strip().lower()), created.value[1])

st.subheader("Change an account")
if not found:
    st.info("No account matches the filters above.", icon=":material/search_off:")
    st.stop()
by_id = {a["id"]: a for a in found}
chosen_id = st.selectbox("Account", list(by_id), format_func=lambda i: f"{by_id[i]['email']} — {by_id[i]['display_name']}",
                         key="users_selected")
account = by_id[chosen_id]
core.markdown(md("**{name}** · {role} · {state}", name=account["display_name"], role=ROLE_LABELS[account["role"]],
                 state="active" if account["active"] else "deactivated"))

role_tab, status_tab, password_tab = st.tabs(
    ["Role and placement", "Activate or deactivate", "Reset password"], key="users_tab", on_change="rerun")  # kept across reruns
with role_tab:
    with st.form(f"edit_{chosen_id}"):
        new_name = st.text_input("Name", value=account["display_name"], key=f"edit_{chosen_id}_name",
                                 max_chars=limits.DISPLAY_NAME)
        new_role = st.selectbox("Role", ROLES, index=ROLES.index(account["role"]), format_func=ROLE_LABELS.get,
                                key=f"edit_{chosen_id}_role")
        new_department, new_regions = placement_fields(f"edit_{chosen_id}", new_role, account["department_id"], account["regions"])
        sure = st.checkbox(f"Change {account['email']} as above")
        save = st.form_submit_button("Save changes", type="primary", icon=":material/save:")
    if save and confirmed(sure):
        changes = core.outcome(lambda: accounts.update_account(
            db, user, chosen_id, display_name=new_name, role=new_role, department_id=new_department, regions=new_regions))
        if changes.ok:
            done(md("Saved {email}: {what}.", email=account["email"],
                    what=", ".join(c.replace("_", " ") for c in changes.value) or "nothing changed"))

with status_tab:
    verb = "Reactivate" if not account["active"] else "Deactivate"
    if account["active"]:
        st.markdown("Deactivating signs the person out at once and stops them signing in. Nothing they posted is removed.")
    else:
        st.markdown("Reactivating lets the person sign in again with their password.")
    with st.form(f"status_{chosen_id}"):
        sure = st.checkbox(f"{verb} {account['email']}")
        toggle = st.form_submit_button(verb, icon=":material/toggle_on:" if not account["active"] else ":material/block:")
    if toggle and confirmed(sure):
        if core.outcome(lambda: accounts.set_active(db, user, chosen_id, not account["active"])).ok:
            done(md("{verb}d {email}.", verb=verb, email=account["email"]))

with password_tab:
    st.markdown("Sets a new temporary password and signs the person out everywhere; they must choose their own at next sign-in.")
    with st.form(f"reset_{chosen_id}"):
        sure = st.checkbox(f"Reset the password of {account['email']}")
        reset = st.form_submit_button("Reset password", icon=":material/lock_reset:")
    if reset and confirmed(sure):
        temporary = core.outcome(lambda: accounts.reset_password(db, user, chosen_id))
        if temporary.ok:
            done(md("Reset the password of {}.", account["email"]), temporary.value)
