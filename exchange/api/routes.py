"""The API's HTTP routes (/api/v1/…): token → user, rate limit, one service call, JSON out; errors as JSON.

Mounted beside Streamlit by exchange/ui/web.py (server.py's st.App). Entry points only translate:
every answer comes from exchange.api.service, which uses the pages' own services.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from exchange import config
from exchange.api import openapi, service, tokens
from exchange.api.ratelimit import Limiter
from exchange.errors import Conflict, DatabaseProblem, ExchangeError, Forbidden, InvalidInput, NotFound, RateLimited
from exchange.kernel import throttle
from exchange.models import User
from exchange.storage.duckdb import Database
from exchange.transfer import exports

log = logging.getLogger("exchange.api")
PREFIX = "/api/v1"
MAX_QUERY_STRING = 8000


def error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
    """A JSON error: {"error": {"status": …, "message": …}}."""
    return JSONResponse({"error": {"status": status, "message": message}}, status_code=status,
                        headers={"cache-control": "no-store", **(headers or {})})


def _status(exc: ExchangeError, user: User) -> int:
    if isinstance(exc, tokens.BadToken):
        return 401
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Forbidden):
        return 401 if not user.signed_in else 403
    if isinstance(exc, RateLimited):
        return 429
    if isinstance(exc, DatabaseProblem):
        return 503
    return 400


def _params(request: Request) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    return params


def build(database: Callable[[], Database], *, per_minute: int | None = None) -> list[Route]:
    """The API's routes over the database that `database()` returns (the app's one connection)."""
    limiter = Limiter(database, per_minute or config.settings().api_requests_per_minute)

    def endpoint(answer: Callable[[Database, User, Request], object], *, media: str | None = None):
        async def handle(request: Request):
            authorization = request.headers.get("authorization")
            client = throttle.client_address(request.client.host if request.client else None,
                                             request.headers.get("x-forwarded-for"))
            key = ("token:" + hashlib.sha256(authorization.encode()).hexdigest()[:24]) if authorization \
                else f"client:{client}"
            try:
                wait = await run_in_threadpool(limiter.retry_after, key)
            except Conflict:  # this caller's requests kept colliding with each other in every process
                return error(429, "Too many requests at the same moment. Try again in 1 s.", {"retry-after": "1"})
            except ExchangeError as exc:  # the database is unavailable or too busy to count: say so, serve nothing
                return error(503, exc.message)
            if wait:
                return error(429, f"Too many requests: at most {limiter.per_minute} a minute. Try again in {wait} s.",
                             {"retry-after": str(wait)})
            if len(request.url.query) > MAX_QUERY_STRING:
                return error(414, f"The query string is longer than {MAX_QUERY_STRING:,} characters.")
            user = None
            try:
                def work():
                    nonlocal user
                    db = database()
                    user, _ = tokens.user_for(db, authorization)
                    return answer(db, user, request)
                value = await run_in_threadpool(work)
            except ExchangeError as exc:
                from exchange.models import VISITOR

                acting = user or VISITOR
                status = _status(exc, acting)
                message = exc.message
                if status == 401 and isinstance(exc, Forbidden):
                    message = "This needs a personal API token (Authorization: Bearer …) of an account allowed to read it."
                return error(status, message, {"www-authenticate": "Bearer"} if status == 401 else None)
            except Exception:  # noqa: BLE001 — never a traceback to a caller
                log.exception("API request failed: %s", request.url.path)
                return error(500, "Something went wrong on our side; nothing was changed. Please try again later.")
            private = {"cache-control": "no-store" if authorization else "public, max-age=60"}
            if media is not None:
                return Response(value, media_type=media, headers=private)
            return JSONResponse(value, headers=private)
        return handle

    async def not_found(request: Request):
        known = [r for r in routes if r.path_regex.match(request.url.path)]
        if known:
            return error(405, "This API is read-only: use GET.", {"allow": "GET"})
        return error(404, f"No such API address: {request.url.path[:200]}. See {PREFIX}/openapi.json.")

    routes = [
        Route(f"{PREFIX}/lessons", endpoint(lambda db, user, r: service.lesson_page(db, user, _params(r))),
              methods=["GET"]),
        Route(PREFIX + "/lessons/{ref}", endpoint(lambda db, user, r: service.lesson(db, user, r.path_params["ref"])),
              methods=["GET"]),
        Route(f"{PREFIX}/taxonomy", endpoint(lambda db, user, r: service.vocabularies(db)), methods=["GET"]),
        Route(f"{PREFIX}/adoption", endpoint(lambda db, user, r: service.adoption_aggregates(db, user, _params(r))),
              methods=["GET"]),
        Route(f"{PREFIX}/open-data/lessons.csv", endpoint(lambda db, user, r: exports.open_data_csv(db),
                                                          media="text/csv; charset=utf-8"), methods=["GET"]),
        Route(f"{PREFIX}/open-data/lessons.json", endpoint(lambda db, user, r: exports.open_data_json(db),
                                                           media="application/json"), methods=["GET"]),
        Route(f"{PREFIX}/openapi.json", endpoint(lambda db, user, r: openapi.document()), methods=["GET"]),
    ]
    return [*routes, Route(PREFIX + "/{rest:path}", not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Route(PREFIX, not_found, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])]


__all__ = ["PREFIX", "build", "error", "InvalidInput"]
