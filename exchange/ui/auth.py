"""Who is signed in for this browser tab. Session state holds only a user id and times.

Two ways in: local passwords (the default) or, when `.streamlit/secrets.toml` has an
`[auth]` section, Streamlit's OpenID Connect login (`st.login`), whose verified email is
matched to an account an administrator created. Either way the tab's session is then
ours, and ends after 30 minutes idle or 12 hours in all (exchange.accounts decides).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Mapping
from datetime import tzinfo
from zoneinfo import ZoneInfo
from typing import Callable, TypeVar

import streamlit as st

from .. import accounts
from ..db import Database
from ..errors import ExchangeError, Forbidden, NotFound
from ..models import VISITOR, User

T = TypeVar("T")
SESSION_KEY = "auth"                  # {"user_id", "started", "last_seen"} (epoch seconds)
PENDING_KEY = "auth_pending"          # password checked, but a new password must be chosen first
OIDC_ENDED_KEY = "auth_oidc_ended"    # our session ended: do not silently re-enter from st.user
UNREGISTERED_KEY = "auth_unregistered"  # the provider's email that matched no account
NOT_AVAILABLE = "This page is not available to your account."


SHELL_KEY = "app_shell"   # set by app.py: this tab's pages run inside its role-based navigation
WANTED_KEY = "app_shell_wanted"


def enter_shell() -> None:
    """Called by app.py before anything else: pages may run from now on."""
    st.session_state[SHELL_KEY] = True


def _require_shell() -> None:
    # On the very first request after the server starts, before app.py has ever run,
    # Streamlit's legacy pages/ discovery can run a page file directly (no role-based
    # navigation). Send such a request through app.py, keeping where it wanted to go.
    if st.session_state.get(SHELL_KEY):
        return
    url = str(getattr(st.context, "url", "") or "")
    path = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    st.session_state[WANTED_KEY] = {"path": path, "query": query}
    st.switch_page("app.py", query_params=query)


def current_user(db: Database) -> User:
    """The signed-in user of this tab, or the visitor; ends an expired session and says so."""
    _require_shell()
    now = time.time()
    session = st.session_state.get(SESSION_KEY)
    if session:
        try:
            user = accounts.resume_session(db, session.get("user_id"), started=session.get("started", 0),
                                           last_seen=session.get("last_seen", 0), now=now)
        except accounts.SessionEnded as ended:
            _end_session(db, session, ended)
            return VISITOR
        session["last_seen"] = now
        return user
    if oidc_configured() and not st.session_state.get(OIDC_ENDED_KEY):
        return _enter_from_identity_provider(db)
    return VISITOR


def sign_in_as(user_id: int) -> None:
    """Start this tab's session for a user id (after the password or provider was checked)."""
    now = time.time()
    st.session_state.pop(PENDING_KEY, None)
    st.session_state.pop(OIDC_ENDED_KEY, None)
    st.session_state[SESSION_KEY] = {"user_id": user_id, "started": now, "last_seen": now}


def sign_out(db: Database | None = None, user: User | None = None) -> None:
    """End this tab's session (audited when db and user are given); with OIDC, also the provider's."""
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(PENDING_KEY, None)
    if db is not None and user is not None:
        accounts.sign_out(db, user)
    if oidc_configured():
        st.session_state[OIDC_ENDED_KEY] = True
        if st.user.get("is_logged_in"):
            st.logout()


def sign_in_with_password(db: Database, email: str, password: str) -> str:
    """Check the password; start the session ("signed_in") or ask for a new password first ("change_password")."""
    result = accounts.sign_in(db, email, password, tz=reader_timezone())
    if result.must_change_password:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[PENDING_KEY] = {"user_id": result.user.id, "started": time.time()}
        return "change_password"
    sign_in_as(result.user.id)
    return "signed_in"


def change_password(db: Database, user: User, current: str, new: str, confirm: str) -> bool:
    """Change the password, then restart this tab's session (a password change ends older sessions)."""
    accounts.change_password(db, user, current, new, confirm, tz=reader_timezone())
    sign_in_as(user.id)
    return True


def reader_timezone() -> tzinfo | None:
    """The browser's time zone when it told us one (for "try again at HH:MM")."""
    try:
        name = st.context.timezone
        return ZoneInfo(name) if name else None
    except Exception:  # noqa: BLE001 — unknown or missing zone: fall back to the server's
        return None


def pending_password_change(db: Database) -> User | None:
    """The account that signed in with a temporary password and must now choose its own (30 minutes)."""
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        return None
    if accounts.session_problem(pending["started"], pending["started"], time.time()):
        st.session_state.pop(PENDING_KEY, None)
        return None
    user = accounts.load_user(db, pending["user_id"])
    return user if user.signed_in else None


def oidc_configured() -> bool:
    """True when `.streamlit/secrets.toml` has an [auth] section (st.secrets raises when there is no file)."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # noqa: BLE001 — no secrets file, or an unreadable one: local passwords
        return False
    return isinstance(section, Mapping) and bool(section)


def oidc_providers() -> list[str | None]:
    """Providers to offer: None for a single [auth] provider, else the names of [auth.<name>] sections."""
    try:
        section = st.secrets.get("auth") or {}
    except Exception:  # noqa: BLE001
        return []
    named = [key for key, value in section.items() if isinstance(value, Mapping)]
    return [None] if "client_id" in section or not named else named


def unregistered_email() -> str | None:
    """The provider email that matched no account in this tab, if any."""
    return st.session_state.get(UNREGISTERED_KEY)


def start_provider_sign_in(provider: str | None) -> None:
    """Send the browser to the identity provider (Streamlit brings it back signed in)."""
    if importlib.util.find_spec("authlib") is None:  # st.login needs it; say so instead of failing inside Streamlit
        raise ExchangeError("Single sign-on is configured but the Authlib package is not installed on the server; "
                            "tell your administrator.")
    st.session_state.pop(OIDC_ENDED_KEY, None)
    st.session_state.pop(UNREGISTERED_KEY, None)
    if provider:
        st.login(provider)
    else:
        st.login()


def require_page(load: Callable[[], T]) -> T:
    """Run a page's first service call; if the user may not, say the page is not available and stop."""
    try:
        return load()
    except (Forbidden, NotFound):
        st.error(NOT_AVAILABLE, icon=":material/block:")
        st.stop()
        raise  # st.stop() raises; this keeps type checkers honest


def _end_session(db: Database, session: dict, ended: accounts.SessionEnded) -> None:
    st.session_state.pop(SESSION_KEY, None)
    if oidc_configured():
        st.session_state[OIDC_ENDED_KEY] = True
    user = accounts.load_user(db, session.get("user_id"))
    accounts.sign_out(db, user, reason=f"session ended: {ended.reason}")
    st.warning(ended.message, icon=":material/timer_off:")


def _enter_from_identity_provider(db: Database) -> User:
    info = st.user
    if not info.get("is_logged_in"):
        return VISITOR
    email = str(info.get("email") or "")
    if st.session_state.get(UNREGISTERED_KEY) == email:
        return VISITOR  # already told; do not audit the same refusal on every rerun
    try:
        user = accounts.sign_in_external(db, email, verified=info.get("email_verified") is True)
    except NotFound:
        st.session_state[UNREGISTERED_KEY] = email
        return VISITOR
    sign_in_as(user.id)
    return user
