"""The app's own HTTP routes and headers, mounted beside Streamlit by `st.App` in server.py.

- `/auth/session?code=…&next=…` turns a tab's one-time handoff code into the HttpOnly session
  cookie and sends the browser on to `next` (a path of this site only). Only a navigation that
  starts on this site is accepted (Sec-Fetch-Site, else Origin/Referer), so another site cannot
  plant its own session in a visitor's browser (login CSRF).
- `/auth/signout?next=…` clears the cookie, but only once its session has ended, so another
  site cannot sign anyone out by linking here.
- Every response carries headers that keep the app out of other sites' frames and stop
  content sniffing; Streamlit's `/_stcore/metrics` is not served.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from urllib.parse import urlparse

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.routing import Route

from exchange import config
from exchange.api import routes as api_routes
from exchange.identity import sessions
from exchange.ui import core, notify_web, ops_web

log = logging.getLogger("exchange.web")

SECURITY_HEADERS = [
    (b"content-security-policy", b"frame-ancestors 'self'"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
HIDDEN_PATHS = ("/_stcore/metrics",)


_serving = False


def serving() -> bool:
    """True when this process serves the routes above (server.py); `streamlit run app.py` does not."""
    return _serving


def https_only() -> bool:
    """EXCHANGE_HTTPS=1: the site is only reached over https (cookie always Secure, HSTS sent)."""
    return config.settings().https


def _https(request: Request) -> bool:
    # Behind a TLS-terminating proxy the scheme arrives in X-Forwarded-Proto (uvicorn's proxy headers).
    return https_only() or request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


def _from_this_site(request: Request) -> bool:
    """The navigation started on one of this site's pages (what the tab's own redirect always is)."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    return urlparse(source).netloc == request.headers.get("host", "")


def _next(request: Request) -> str:
    from exchange.ui.auth import safe_next

    return safe_next(request.query_params.get("next"))


async def session_route(request: Request):
    """Exchange a handoff code for the session cookie, then go where the tab was."""
    code = request.query_params.get("code", "")[:100]
    if not _from_this_site(request):
        log.warning("Refused a session handoff that did not start on this site")
        return RedirectResponse("/account?signin=expired", status_code=303)
    try:
        token = await run_in_threadpool(lambda: sessions.redeem(core.database(), code))
    except Exception:  # noqa: BLE001 — never a traceback; the tab stays signed in without the cookie
        log.exception("Could not hand the session to the cookie")
        token = None
    target = _next(request)
    response = RedirectResponse(target if token else "/account?signin=expired", status_code=303)
    if token:
        response.set_cookie(sessions.COOKIE_NAME, token, max_age=int(sessions.SESSION_LIMIT.total_seconds()),
                            path="/", httponly=True, samesite="lax", secure=_https(request))
    response.headers["cache-control"] = "no-store"
    return response


async def signout_route(request: Request):
    """Forget the cookie of a session that has ended; a live session's cookie is left alone."""
    token = request.cookies.get(sessions.COOKIE_NAME)
    live = False
    if token:
        try:
            live = await run_in_threadpool(lambda: sessions.is_live(core.database(), token))
        except Exception:  # noqa: BLE001
            log.exception("Could not check the session on sign-out")
    response = RedirectResponse(_next(request), status_code=303)
    if token and not live:
        response.delete_cookie(sessions.COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=_https(request))
    response.headers["cache-control"] = "no-store"
    return response


ROUTES = [Route("/auth/session", session_route, methods=["GET"]),
          Route("/auth/signout", signout_route, methods=["GET"]),
          *ops_web.ROUTES,  # /healthz, /readyz
          *api_routes.build(core.database),  # the read-only JSON API, /api/v1 (issue 12)
          *notify_web.routes(core.database)]  # one-click unsubscribe from e-mail (issue 11.5)


class SecurityHeaders:
    """ASGI middleware: security headers on every HTTP response; hidden Streamlit endpoints answer 404."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope.get("path", "").rstrip("/") in HIDDEN_PATHS:
            return await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
        extra = SECURITY_HEADERS + ([(b"strict-transport-security", b"max-age=31536000")] if https_only() else [])

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *[(n, v) for n, v in extra if n not in present]]}
            await send(message)

        return await self.app(scope, receive, with_headers)


@asynccontextmanager
async def lifespan(_app):
    """Open the database when the server starts, so another process is refused at once, not at the first page."""
    global _serving
    _serving = True
    ops_web.install_logging()
    try:
        ops_web.started(await run_in_threadpool(core.database))  # the backup thread
    except Exception:  # noqa: BLE001 — the page says what is wrong (app.py); the server still starts
        log.exception("Could not open the database at start-up")
    yield
