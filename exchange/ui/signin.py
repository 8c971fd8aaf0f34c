"""The sign-in form (password, or the organization's identity provider), shared by the account page and
every page that asks a visitor to sign in first."""

from __future__ import annotations

import streamlit as st

from exchange.kernel import limits
from exchange.storage.duckdb import Database
from exchange.ui import auth, core
from exchange.ui.markup import md

def form(db: Database, *, next_url: str | None = None, key: str = "sign_in") -> None:
    """Email and password (or provider buttons); on success the browser goes to `next_url` (default: here)."""
    if auth.oidc_configured():
        _provider_buttons(key)
        return
    with st.form(key):
        email = st.text_input("Email", autocomplete="username", max_chars=limits.EMAIL)
        password = st.text_input("Password", type="password", autocomplete="current-password", max_chars=limits.PASSWORD)
        submitted = st.form_submit_button("Sign in", type="primary", icon=":material/login:")
    if submitted:
        outcome = core.outcome(lambda: auth.sign_in_with_password(db, email, password, next_url=next_url)).value
        if outcome == "redirecting":
            # The browser is on its way to the cookie route and back; a rerun now would drop that redirect.
            st.success("You are signed in. Opening your page…", icon=":material/check:")
            st.stop()
        elif outcome:
            st.rerun()  # signed in this tab only (no cookie routes), or a temporary password to replace first


def _provider_buttons(key: str) -> None:
    unregistered = auth.unregistered_email()
    if unregistered is not None:
        core.error(md("Your email ({}) is not registered; ask your administrator to create an account for it. Until "
                      "then you can read public lessons.", unregistered or md("none given")), icon=":material/person_off:")
        if st.button("Sign out of your organization account", icon=":material/logout:", key=f"{key}_provider_out"):
            auth.sign_out()
        return
    st.markdown("Sign in with your organization's account. Your administrator must have created an account "
                "for your email first.")
    for provider in auth.oidc_providers():
        label = f"Sign in with {provider.replace('_', ' ').title()}" if provider else "Sign in with your organization"
        if st.button(label, type="primary", icon=":material/login:", key=f"{key}_login_{provider or 'default'}"):
            core.outcome(lambda: auth.start_provider_sign_in(provider))
