"""Operating the server: `/healthz` and `/readyz`, a request id and one access line per HTTP request, JSON logs
for Streamlit's and uvicorn's loggers too, and the backup thread (registered by web.py and server.py)."""

from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from exchange.ops import health, logs

log = logging.getLogger("exchange.http")
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_NO_STORE = {"cache-control": "no-store"}


async def healthz(_request: Request):
    """The process answers (nothing else is checked: a load balancer restarts what fails this)."""
    return JSONResponse({"status": "ok"}, headers=_NO_STORE)


async def readyz(_request: Request):
    """Ready to serve: the database is reachable, its migrations current, the search index caught up."""
    from exchange.ui import core

    def check() -> dict:
        try:
            db = core.database()
        except Exception:  # noqa: BLE001 — not ready; the log of the start-up says why
            return {"ready": False, "checks": {"database": {"ok": False, "detail": "the database cannot be opened"}}}
        return health.readiness(db)

    found = await run_in_threadpool(check)
    return JSONResponse({"status": "ready" if found["ready"] else "not ready", **found},
                        status_code=200 if found["ready"] else 503, headers=_NO_STORE)


ROUTES = [Route("/healthz", healthz, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]


class RequestLog:
    """ASGI middleware: a request id per HTTP request or websocket (X-Request-Id from the proxy if well-formed),
    echoed in the response, set for every log line of the request, and one access line without the query
    string (it can carry a one-time sign-in code)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if _GOOD_ID.match(given) else uuid.uuid4().hex[:16]
        token = logs.request_id.set(rid)
        started, status = time.perf_counter(), {"code": None}

        async def tagged(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            elif message["type"] == "websocket.accept":
                status["code"] = 101
            await send(message)

        try:
            await self.app(scope, receive, tagged)
        finally:
            path = scope.get("path", "")
            if not path.startswith(("/_stcore/health", "/healthz", "/readyz", "/static/", "/_stcore/static")):
                log.info("http request", extra={
                    "event": "websocket_closed" if scope["type"] == "websocket" else "http_request",
                    "method": scope.get("method", "GET"), "path": path[:200], "status": status["code"],
                    "ms": round((time.perf_counter() - started) * 1000, 1)})
            logs.request_id.reset(token)


def _session_context() -> dict:
    """The Streamlit session of the running script, as a short digest (the id itself can resume a session)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return {}
    return {"session_id": hashlib.sha256(ctx.session_id.encode()).hexdigest()[:12]}


def install_logging() -> None:
    """Every logger of the process in the EXCHANGE_LOG_FORMAT format: ours, Streamlit's and uvicorn's.

    Streamlit gives each of its loggers its own console handler (and does so again for loggers it creates
    later, and when its config is read); the formatter is swapped on each, now and from then on. uvicorn's own
    access log is silenced: it prints query strings, and RequestLog writes one line per request instead.
    """
    import streamlit.logger as st_logger

    handler = logs.configure()
    if _session_context not in logs.context_providers:
        logs.context_providers.append(_session_context)
    if not getattr(st_logger, "_exchange_formats", False):
        original = st_logger.setup_formatter

        def setup_formatter(logger):
            original(logger)
            logger.streamlit_console_handler.setFormatter(handler.formatter)

        st_logger.setup_formatter = setup_formatter
        st_logger._exchange_formats = True
    st_logger.update_formatter()
    for name in ("uvicorn", "uvicorn.error", "uvicorn.asgi", "websockets"):
        logger = logging.getLogger(name)
        for h in logger.handlers:
            h.setFormatter(handler.formatter)
    access = logging.getLogger("uvicorn.access")
    access.handlers, access.propagate, access.disabled = [], False, True


def started(db) -> None:
    """What the server runs once the database is open: the backup thread (CLI requests, nightly backups)."""
    from exchange.transfer import backup_jobs

    backup_jobs.start_thread(db)
