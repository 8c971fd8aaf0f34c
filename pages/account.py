"""Sign in (password, or your organization's identity provider), choose a new password, or manage your account."""

import streamlit as st

from exchange import accounts, limits
from exchange.models import ROLE_LABELS
from exchange.text import escape_markdown
from exchange.ui import auth, core

db = core.database()
user = auth.current_user(db)
pending = None if user.signed_in else auth.pending_password_change(db)


def password_fields(current_label: str) -> tuple[str, str, str]:
    current = st.text_input(current_label, type="password", autocomplete="current-password", max_chars=limits.PASSWORD)
    new = st.text_input("New password (at least 12 characters; a few unrelated words work well)", type="password",
                        autocomplete="new-password", max_chars=limits.PASSWORD)
    confirm = st.text_input("New password again", type="password", autocomplete="new-password",
                            max_chars=limits.PASSWORD)
    return current, new, confirm


if user.signed_in:
    st.title("Your account")
    me = core.attempt(lambda: accounts.profile(db, user))
    if me:
        lines = [f"Signed in as **{escape_markdown(me['display_name'])}** · {escape_markdown(me['email'])}",
                 f"Role: {ROLE_LABELS[me['role']]}"]
        if me["department"]:
            lines.append(f"Department: {escape_markdown(me['department'])}")
        if me["regions"]:
            lines.append("HHS regions: " + ", ".join(str(r) for r in me["regions"]))
        st.markdown("  \n".join(lines))
    if auth.oidc_configured():
        st.markdown("You signed in through your organization's account; change your password there.")
    else:
        st.subheader("Change your password")
        with st.form("change_password", clear_on_submit=True):
            current, new, confirm = password_fields("Current password")
            changed = st.form_submit_button("Change password", icon=":material/key:")
        if changed and core.attempt(lambda: auth.change_password(db, user, current, new, confirm)):
            st.success("Your password is changed. Other signed-in tabs must sign in again.", icon=":material/check:")
    st.subheader("Sign out")
    st.markdown("Sessions also end by themselves after 30 minutes without activity, or 12 hours in all.")
    if st.button("Sign out", icon=":material/logout:"):
        auth.sign_out(db, user)
        st.rerun()

elif pending is not None:
    st.title("Choose a new password")
    st.markdown(f"Welcome, **{escape_markdown(pending.display_name)}**. Your administrator set a temporary password; "
                "choose your own to finish signing in.")
    with st.form("first_password"):
        current, new, confirm = password_fields("Temporary password")
        chosen = st.form_submit_button("Set password and sign in", type="primary", icon=":material/key:")
    if chosen and core.attempt(lambda: auth.change_password(db, pending, current, new, confirm)):
        st.rerun()

elif auth.oidc_configured():
    st.title("Sign in")
    unregistered = auth.unregistered_email()
    if unregistered is not None:
        st.error(f"Your email ({escape_markdown(unregistered) or 'none given'}) is not registered; ask your administrator "
                 "to create an account for it. Until then you can read public lessons.", icon=":material/person_off:")
        if st.button("Sign out of your organization account", icon=":material/logout:"):
            auth.sign_out()
    else:
        st.markdown("Sign in with your organization's account. Your administrator must have created an account "
                    "for your email first.")
        for provider in auth.oidc_providers():
            label = f"Sign in with {provider.replace('_', ' ').title()}" if provider else "Sign in with your organization"
            if st.button(label, type="primary", icon=":material/login:", key=f"login_{provider or 'default'}"):
                core.attempt(lambda: auth.start_provider_sign_in(provider))

else:
    st.title("Sign in")
    with st.form("sign_in"):
        email = st.text_input("Email", autocomplete="username", max_chars=limits.EMAIL)
        password = st.text_input("Password", type="password", autocomplete="current-password",
                                 max_chars=limits.PASSWORD)
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if submitted:
        outcome = core.attempt(lambda: auth.sign_in_with_password(db, email, password))
        if outcome:
            st.rerun()
    st.markdown("No account yet? Ask your administrator. Without one you can read public lessons.")

    demo_accounts = accounts.demo_sign_ins(db)
    if demo_accounts:
        st.subheader("Demo accounts")
        st.markdown("This is a demonstration exchange with invented data. Sign in with any of these to try each role:")
        st.table([
            {"Role": ROLE_LABELS.get(a["role"], a["role"]), "Email": a["email"], "Password": a["password"],
             "Name": a.get("display_name", ""), "Department or regions": a.get("department") or
             (", ".join(f"Region {r}" for r in a.get("regions") or ()) or "—")}
            for a in demo_accounts
        ])
