"""Sign in (password, or your organization's identity provider), choose a new password, or manage your account."""

import streamlit as st

from exchange.identity import accounts, sessions
from exchange.kernel import limits
from exchange.models import ROLE_LABELS
from exchange.ui import auth, core, markup, signin
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)
pending = None if user.signed_in else auth.pending_password_change(db)
PASSWORD_CHANGED = "Your password is changed. Every other tab and device where you were signed in must sign in again."


def password_fields(current_label: str) -> tuple[str, str, str]:
    current = st.text_input(current_label, type="password", autocomplete="current-password", max_chars=limits.PASSWORD)
    new = st.text_input("New password (at least 12 characters; a few unrelated words work well)", type="password",
                        autocomplete="new-password", max_chars=limits.PASSWORD)
    confirm = st.text_input("New password again", type="password", autocomplete="new-password",
                            max_chars=limits.PASSWORD)
    return current, new, confirm


if user.signed_in:
    st.title("Your account")
    me = core.outcome(lambda: accounts.profile(db, user)).value
    if me:
        lines = [md("Signed in as **{name}** · {email}", name=me["display_name"], email=me["email"]),
                 md("Role: {}", ROLE_LABELS[me["role"]])]
        if me["department"]:
            lines.append(md("Department: {}", me["department"]))
        if me["regions"]:
            lines.append(md("HHS regions: {}", ", ".join(str(r) for r in me["regions"])))
        core.markdown(markup.join("  \n", lines))
    if auth.oidc_configured():
        st.markdown("You signed in through your organization's account; change your password there.")
    else:
        st.subheader("Change your password")
        with st.form("change_password", clear_on_submit=True):
            current, new, confirm = password_fields("Current password")
            changed = st.form_submit_button("Change password", icon=":material/key:")
        result = core.outcome(lambda: auth.change_password(db, user, current, new, confirm,
                                                           next_url="/account?password=changed")) if changed else None
        if result and result.ok:
            st.success(PASSWORD_CHANGED, icon=":material/check:")
            if result.value:
                st.stop()  # the browser is collecting the new session's cookie; it comes back here
        elif st.query_params.get("password") == "changed":
            st.success(PASSWORD_CHANGED, icon=":material/check:")
    st.subheader("Sign out")
    core.markdown(md("Sessions also end by themselves after {}.", sessions.lengths()))
    st.markdown("Signing out ends your session in every tab where it is open.")
    if st.button("Sign out", icon=":material/logout:"):
        if auth.sign_out(db, user):
            st.success("You are signed out.", icon=":material/check:")
            st.stop()  # the browser is on its way to forget the cookie; a rerun would drop that
        st.rerun()

elif pending is not None:
    st.title("Choose a new password")
    core.markdown(md("Welcome, **{}**. Your administrator set a temporary password; choose your own to finish "
                     "signing in.", pending.display_name))
    with st.form("first_password"):
        current, new, confirm = password_fields("Temporary password")
        chosen = st.form_submit_button("Set password and sign in", type="primary", icon=":material/key:")
    result = core.outcome(lambda: auth.change_password(db, pending, current, new, confirm)) if chosen else None
    if result and result.ok and result.value:
        st.success("Your password is set and you are signed in. Opening your account…", icon=":material/check:")
        st.stop()  # the browser is collecting the session's cookie
    elif result and result.ok:
        st.rerun()

else:
    st.title("Sign in")
    if st.query_params.get("signin") == "expired":
        st.warning("That sign-in took too long to finish; please sign in again.", icon=":material/timer_off:")
    signin.form(db, next_url=st.query_params.get("next") or "/account")
    st.markdown("No account yet? Ask your administrator. Without one you can read public lessons.")

    demo_accounts = [] if auth.oidc_configured() else accounts.demo_sign_ins(db)
    if demo_accounts:
        st.subheader("Demo accounts")
        st.markdown("This is a demonstration exchange with invented data. Sign in with any of these to try each role:")
        st.table([
            {"Role": ROLE_LABELS.get(a["role"], a["role"]), "Email": a["email"], "Password": a["password"],
             "Name": a.get("display_name", ""), "Department or regions": a.get("department") or
             (", ".join(f"Region {r}" for r in a.get("regions") or ()) or "—")}
            for a in demo_accounts
        ])
