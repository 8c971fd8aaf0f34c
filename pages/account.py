"""Sign in (password, or your organization's identity provider), choose a new password, or manage your account."""

import streamlit as st

from exchange.api import tokens as api_tokens
from exchange.identity import accounts, sessions
from exchange.kernel import limits
from exchange.models import ROLE_LABELS
from exchange.ui import auth, core, markup, notifications, signin
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
    core.show_flash()
    notifications.email_preferences(db, user)  # digest daily / weekly / off, immediate mail (issue 11.5)
    st.subheader("API tokens")
    st.markdown("A personal token lets a script read the exchange's JSON API (`/api/v1`, described at "
                "`/api/v1/openapi.json`) as you: it sees what you may see and can change nothing. Send it as "
                "`Authorization: Bearer <token>`. It is shown once, when you create it; revoke it when a script no "
                "longer needs it.")
    with st.form("api_token_new", clear_on_submit=True):
        token_name = st.text_input("Name (what the token is for)", max_chars=api_tokens.MAX_NAME, key="api_token_name")
        create_token = st.form_submit_button("Create token", icon=":material/key:")
    created = core.outcome(lambda: api_tokens.create(db, user, token_name)) if create_token else None
    if created and created.ok:
        st.success("Your new token is below. Copy it now: it is not shown again.", icon=":material/check:")
        st.code(created.value, language=None)
    mine = core.outcome(lambda: api_tokens.mine(db, user)).value or []
    if mine:
        st.dataframe([{"Name": t["name"], "Starts with": t["prefix"] + "…", "Created (UTC)": f"{t['created_at']:%Y-%m-%d %H:%M}",
                       "Last used (UTC)": f"{t['last_used_at']:%Y-%m-%d %H:%M}" if t["last_used_at"] else "never",
                       "Status": f"revoked {t['revoked_at']:%Y-%m-%d}" if t["revoked_at"] else "live"} for t in mine],
                     hide_index=True, width="stretch", key=f"api_tokens_{len(mine)}_{sum(1 for t in mine if t['revoked_at'])}")
        live = {t["id"]: f"{t['name']} ({t['prefix']}…)" for t in mine if not t["revoked_at"]}
        if live:
            with st.container(horizontal=True, vertical_alignment="bottom"):
                chosen = st.selectbox("Token to revoke", list(live), format_func=live.get, key="api_token_revoke")
                if st.button("Revoke", icon=":material/block:", key="api_token_revoke_button"):
                    core.act(lambda: api_tokens.revoke(db, user, chosen),
                             done=md("Revoked {}: scripts using it are refused from now on.", live[chosen]))
    else:
        st.markdown("You have no API tokens.")
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
