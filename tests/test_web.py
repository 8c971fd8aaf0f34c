"""The app's own HTTP routes (exchange/ui/web.py): the cookie handoff, sign-out, redirects and headers."""

from __future__ import annotations

import asyncio
import concurrent.futures
from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from exchange.identity import sessions
from exchange.ui import auth, web
from tests.factories import make_department, make_user


def request(path: str, query: dict | None = None, cookie: str | None = None, scheme: str = "http",
            fetch_site: str | None = "same-origin", extra: list | None = None) -> Request:
    """A GET as the browser sends it; by default a navigation that started on this site."""
    headers = [(b"host", b"127.0.0.1:8501")] + (extra or [])
    if cookie:
        headers.append((b"cookie", f"{sessions.COOKIE_NAME}={cookie}".encode()))
    if fetch_site:
        headers.append((b"sec-fetch-site", fetch_site.encode()))
    return Request({"type": "http", "method": "GET", "path": path, "query_string": urlencode(query or {}).encode(),
                    "headers": headers, "scheme": scheme, "server": ("127.0.0.1", 8501), "root_path": ""})


def run(coroutine):
    """Run a route on a loop of its own thread: a browser test on this worker may have left a loop running here."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def db(fresh_db, monkeypatch):
    monkeypatch.setattr(web.core, "database", lambda: fresh_db)
    return fresh_db


@pytest.fixture
def token(db):
    user = make_user(db, "member", department_id=make_department(db))
    return sessions.start(db, user.id)


@pytest.mark.parametrize("target, expected", [
    ("/auth/session?code=abc", "/"), ("/AUTH/signout", "/"), ("/_stcore/health", "/"), ("/%2F%2Fevil.example", "/"),
    ("/dashboard?region=3&region=4", "/dashboard?region=3&region=4"),
    ("/lesson?id=12", "/lesson?id=12"),
    ("https://evil.example/", "/"), ("//evil.example/x", "/"), ("/\\evil.example", "/"), ("/\\\\evil.example", "/"),
    ("javascript:alert(1)", "/"), ("/ok\r\nSet-Cookie: x=1", "/"), ("", "/"), (None, "/"), ("/" + "a" * 3000, "/"),
])
def test_only_paths_of_this_site_are_followed_after_sign_in(target, expected):
    assert auth.safe_next(target) == expected


def test_a_handoff_code_sets_an_http_only_cookie_and_goes_where_the_tab_was(db, token):
    code = sessions.handoff(db, token)
    response = run(web.session_route(request("/auth/session", {"code": code, "next": "/review?x=1"})))
    assert response.status_code == 303 and response.headers["location"] == "/review?x=1"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE_NAME}={token};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie and "Path=/" in cookie


def test_over_https_the_cookie_is_secure(db, token):
    code = sessions.handoff(db, token)
    response = run(web.session_route(request("/auth/session", {"code": code}, scheme="https")))
    assert "Secure" in response.headers["set-cookie"]


def test_a_used_or_made_up_code_sets_no_cookie_and_says_the_sign_in_expired(db, token):
    code = sessions.handoff(db, token)
    run(web.session_route(request("/auth/session", {"code": code})))
    for attempt in (code, "0" * 64, "x" * 5000):
        response = run(web.session_route(request("/auth/session", {"code": attempt, "next": "/review"})))
        assert response.headers["location"] == "/account?signin=expired" and "set-cookie" not in response.headers


@pytest.mark.parametrize("fetch_site, extra", [
    ("cross-site", []), ("same-site", []), ("none", []),
    (None, [(b"referer", b"https://evil.example/page")]), (None, []),
])
def test_a_handoff_that_did_not_start_on_this_site_is_refused_login_csrf(db, token, fetch_site, extra):
    # An attacker who keeps the code of their own sign-in must not plant their session in a victim's browser.
    code = sessions.handoff(db, token)
    response = run(web.session_route(request("/auth/session", {"code": code}, fetch_site=fetch_site,
                                                     extra=extra)))
    assert response.headers["location"] == "/account?signin=expired" and "set-cookie" not in response.headers
    assert sessions.redeem(db, code) == token  # refused before the code was spent


def test_without_fetch_metadata_a_same_host_referer_is_accepted(db, token):
    code = sessions.handoff(db, token)
    response = run(web.session_route(request("/auth/session", {"code": code}, fetch_site=None,
                                                     extra=[(b"referer", b"http://127.0.0.1:8501/account")])))
    assert response.headers["set-cookie"].startswith(f"{sessions.COOKIE_NAME}={token};")


def test_an_open_redirect_through_the_handoff_is_refused(db, token):
    code = sessions.handoff(db, token)
    response = run(web.session_route(request("/auth/session", {"code": code, "next": "https://evil.example"})))
    assert response.headers["location"] == "/"


def test_signout_clears_the_cookie_of_an_ended_session_only(db, token):
    # A link from another site cannot sign anyone out: a live session's cookie is left alone.
    live = run(web.signout_route(request("/auth/signout", cookie=token)))
    assert live.status_code == 303 and "set-cookie" not in live.headers
    sessions.end(db, token)
    ended = run(web.signout_route(request("/auth/signout", cookie=token)))
    assert ended.headers["set-cookie"].startswith(f'{sessions.COOKIE_NAME}="";') and "Max-Age=0" in ended.headers["set-cookie"]


def test_security_headers_are_added_and_metrics_are_hidden():
    sent = []

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def collect(message):
        sent.append(message)

    async def respond(path):
        sent.clear()
        await web.SecurityHeaders(inner)({"type": "http", "path": path, "method": "GET", "headers": []}, None, collect)
        return sent[0]

    start = run(respond("/"))
    headers = dict(start["headers"])
    assert b"strict-transport-security" not in headers
    assert headers[b"content-security-policy"] == b"frame-ancestors 'self'" and headers[b"x-frame-options"] == b"SAMEORIGIN"
    assert run(respond("/_stcore/metrics"))["status"] == 404


def test_with_https_only_the_cookie_is_always_secure_and_hsts_is_sent(db, token, monkeypatch):
    monkeypatch.setenv("EXCHANGE_HTTPS", "1")
    code = sessions.handoff(db, token)
    response = run(web.session_route(request("/auth/session", {"code": code})))
    assert "Secure" in response.headers["set-cookie"]
    sent = []

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})

    async def collect(message):
        sent.append(message)

    run(web.SecurityHeaders(inner)({"type": "http", "path": "/", "method": "GET", "headers": []}, None, collect))
    assert dict(sent[0]["headers"])[b"strict-transport-security"] == b"max-age=31536000"


def test_server_py_mounts_the_routes_and_the_headers():
    import server

    paths = {getattr(r, "path", None) for r in server.app._user_routes}
    assert {"/auth/session", "/auth/signout"} <= paths
    assert any(m.cls is web.SecurityHeaders for m in server.app._user_middleware)
