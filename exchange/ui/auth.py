"""Who is signed in for this browser tab: a database-backed session (exchange.identity.sessions).

Two ways in: local passwords (the default) or, when `.streamlit/secrets.toml` has an
`[auth]` section, Streamlit's OpenID Connect login (`st.login`), whose verified email is
matched to an account an administrator created. Either way a session row is opened and its
token reaches the browser as an HttpOnly cookie through a one-time handoff (see
exchange/ui/web.py), so a reload, a new tab or a bookmark stays signed in. The tab also keeps
the token in its session state (server memory, never the URL) so it is signed in at once.
The session ends after 30 minutes idle or 12 hours in all (exchange.identity.sessions decides).
"""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Mapping
from datetime import tzinfo
from urllib.parse import quote, urlencode
from typing import Callable, TypeVar

import streamlit as st

from exchange.identity import accounts, sessions
from exchange.kernel import throttle
from exchange.storage.duckdb import Database
from exchange.errors import ExchangeError, Forbidden, NotFound
from exchange.models import VISITOR, User
from exchange.ui.markup import render
from exchange.ui.timezone import reader_zone

T = TypeVar("T")
SESSION_KEY = "auth"                  # {"token"}: this tab's session token (server memory only)
SEEN_KEY = "auth_seen"                # this tab has been signed in: tell it when the session ends
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
    """The signed-in user of this tab, or the visitor; a session that ends while this tab uses it is said so."""
    _require_shell()
    cookie = _cookie_token()
    mine = (st.session_state.get(SESSION_KEY) or {}).get("token")
    ended, was_here = None, bool(st.session_state.pop(SEEN_KEY, None))
    for token in dict.fromkeys(t for t in (mine, cookie) if t):
        try:
            user = accounts.load_user(db, sessions.resume(db, token))
        except sessions.SessionEnded as exc:
            if token == mine:  # this tab held the session itself: it was signed in here
                st.session_state.pop(SESSION_KEY, None)
                was_here = True
            ended = ended or exc
            continue
        if user.signed_in:
            st.session_state[SEEN_KEY] = True
            return user
    if ended is not None and was_here:
        # Only a tab that was using the session is told; a fresh tab whose cookie outlived its session
        # just starts signed out (no stale "you were deactivated" for the next person at a shared computer).
        if oidc_configured():
            st.session_state[OIDC_ENDED_KEY] = True  # do not silently re-enter from the provider in this tab
        st.warning(render(ended.message), icon=":material/timer_off:")
        return VISITOR
    if oidc_configured() and not st.session_state.get(OIDC_ENDED_KEY):
        return _enter_from_identity_provider(db)
    return VISITOR


def _cookie_token() -> str | None:
    try:
        token = st.context.cookies.get(sessions.COOKIE_NAME)
    except Exception:  # noqa: BLE001 — no browser behind this run (tests, bare mode)
        return None
    return token if sessions.well_formed(token) else None


def sign_in_as(db: Database, user_id: int, *, next_url: str | None = None) -> bool:
    """Open a session for a user whose password or provider was checked; hand it to the browser's cookie.

    Returns True when the browser is being sent to the cookie route: the caller must then end the run
    (st.stop), never rerun, or Streamlit drops the redirect. Without the app's routes (`streamlit run
    app.py`) the tab keeps the session by itself and False is returned.
    """
    st.session_state.pop(PENDING_KEY, None)
    st.session_state.pop(OIDC_ENDED_KEY, None)
    token = sessions.start(db, user_id)
    st.session_state[SESSION_KEY] = {"token": token}
    st.session_state[SEEN_KEY] = True
    from exchange.ui import web

    if not web.serving():
        return False
    code = sessions.handoff(db, token)
    redirect("/auth/session?" + urlencode({"code": code, "next": safe_next(next_url or here())}))
    return True


def sign_out(db: Database | None = None, user: User | None = None) -> bool:
    """End this session everywhere it is open (audited when db and user are given); with OIDC, also the provider's.

    Returns True when the browser is being redirected (the caller must stop the run, never rerun).
    """
    token = (st.session_state.pop(SESSION_KEY, None) or {}).get("token") or _cookie_token()
    st.session_state.pop(PENDING_KEY, None)
    st.session_state.pop(SEEN_KEY, None)
    if db is not None:
        sessions.end(db, token, "signed_out")
        if user is not None:
            accounts.sign_out(db, user)
    if oidc_configured():
        st.session_state[OIDC_ENDED_KEY] = True
        if st.user.get("is_logged_in"):
            st.logout()  # Streamlit sends the browser to the provider's sign-out and back
            return True
    from exchange.ui import web

    if not web.serving():
        return False
    redirect("/auth/signout")  # forget the cookie of the session that just ended
    return True


def here() -> str:
    """This page's path and query, for coming back after signing in."""
    try:
        path = "/" + (st.context.url or "").split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
    except Exception:  # noqa: BLE001
        path = "/"
    query = urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
    return path + ("?" + query if query else "")


# Never a place to come back to: the sign-in machinery itself (a crafted link could replay someone's
# handoff code through it) and Streamlit's internals.
NEVER_NEXT = ("/auth/", "/oauth2callback", "/_stcore/", "/media/")


def safe_next(url: str | None) -> str:
    """`url` when it is a path on this site (no scheme, host or control characters), else the home page."""
    url = str(url or "")
    if (len(url) > 2000 or not url.startswith("/") or url.startswith("//") or "\\" in url
            or any(ord(c) < 32 or ord(c) == 127 for c in url)
            or url.lower().startswith(NEVER_NEXT) or url[1:4].lower() in ("%2f", "%5c")):
        return "/"
    return quote(url, safe="/?&=%+-_.~:,;@!$'()*")


def redirect(url: str) -> None:
    """Send this tab's browser to a URL of this server (a full load, so cookies set there take effect)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    if ctx is None:
        return
    msg = ForwardMsg()
    # Streamlit's own sign-in (st.login) moves the browser with this message; the frontend sets
    # window.location to it. Only paths of this site are ever sent (safe_next).
    msg.auth_redirect.url = url
    ctx.enqueue(msg)


def sign_in_with_password(db: Database, email: str, password: str, *, next_url: str | None = None) -> str:
    """Check the password; start the session ("signed_in") or ask for a new password first ("change_password")."""
    result = accounts.sign_in(db, email, password, client=client_address(), tz=reader_timezone())
    if result.must_change_password:
        st.session_state.pop(SESSION_KEY, None)
        st.session_state[PENDING_KEY] = {"user_id": result.user.id, "started": time.time()}
        return "change_password"
    return "redirecting" if sign_in_as(db, result.user.id, next_url=next_url) else "signed_in"


def change_password(db: Database, user: User, current: str, new: str, confirm: str, *,
                    next_url: str | None = None) -> bool:
    """Change the password, then open a new session (the change ends every older one, in every tab).

    Returns True when the browser is being redirected to collect the new cookie (stop the run)."""
    accounts.change_password(db, user, current, new, confirm, tz=reader_timezone())
    return sign_in_as(db, user.id, next_url=next_url)
    return True


def client_address() -> str | None:
    """This tab's client IP (through a trusted proxy's X-Forwarded-For only), for sign-in throttling."""
    try:
        return throttle.client_address(st.context.ip_address, st.context.headers.get("X-Forwarded-For"))
    except Exception:  # noqa: BLE001 — no browser behind this run (tests): no per-client throttle
        return None


def reader_timezone() -> tzinfo | None:
    """The browser's time zone when it told us one (for "try again at HH:MM")."""
    return reader_zone()


def pending_password_change(db: Database) -> User | None:
    """The account that signed in with a temporary password and must now choose its own (30 minutes)."""
    pending = st.session_state.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending["started"] > sessions.IDLE_LIMIT.total_seconds():
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
    if sign_in_as(db, user.id):
        # The browser is collecting the cookie; anything after this run (a page switch) would drop it.
        st.info("Signing you in…", icon=":material/login:")
        st.stop()
    return user
