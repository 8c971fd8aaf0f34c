"""The one-click unsubscribe route: `/notify/unsubscribe?token=…` stops a person's e-mail without signing in.

GET (the link in every e-mail) checks the token and shows a page with one button; only POST unsubscribes: the
button, or RFC 8058's List-Unsubscribe-Post sent by mail programs. Mail scanners and link previews fetch links
with GET, and must not unsubscribe anyone. The token is an HMAC signed with the exchange's own key
(exchange.notify.mail), so nobody can unsubscribe someone else; it is the only credential (no session, no cookie).
"""

from __future__ import annotations

import html
import logging
from urllib.parse import urlencode
from typing import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from exchange.errors import ExchangeError
from exchange.notify import mail

log = logging.getLogger("exchange.web")

_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · Equity Exchange</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}}
a{{color:#0b57d0}} button{{font:inherit;padding:.5rem 1rem;border-radius:.5rem;border:1px solid #0b5cad;
background:#0b5cad;color:#fff;cursor:pointer}} button:focus-visible{{outline:3px solid #1a1a1a;outline-offset:2px}}</style>
</head><body><main><h1>{title}</h1><p>{message}</p>{form}
<p><a href="/account">Your account</a> (sign in to choose daily or weekly digests again) · <a href="/">Equity Exchange</a></p>
</main></body></html>"""


_FORM = """<form method="post" action="{action}"><button type="submit">Stop all e-mail</button></form>"""


def page(status: int, title: str, message: str, *, confirm_token: str | None = None) -> HTMLResponse:
    """A small page of ours (every value escaped), never cached; with `confirm_token`, the button that unsubscribes."""
    form = _FORM.format(action=html.escape(f"{mail.UNSUBSCRIBE_PATH}?{urlencode({'token': confirm_token})}")) \
        if confirm_token is not None else ""
    body = _PAGE.format(title=html.escape(title), message=html.escape(message), form=form)
    return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})


def routes(database: Callable[[], object]) -> list[Route]:
    """The unsubscribe route over the database that `database()` returns."""

    async def unsubscribe(request: Request):
        token = request.query_params.get("token", "")[:200]
        confirmed = request.method == "POST"
        try:
            if confirmed:
                address = await run_in_threadpool(lambda: mail.unsubscribe(database(), token))
            else:
                address = await run_in_threadpool(lambda: mail.unsubscribe_address(database(), token))
        except ExchangeError as exc:
            return page(400, "This link did not work", exc.message)
        except Exception:  # noqa: BLE001 — never a traceback
            log.exception("Unsubscribing failed")
            return page(500, "Something went wrong", "Nothing was changed. Please try the link again later.")
        if not confirmed:
            return page(200, "Stop e-mail from the Equity Exchange?",
                        f"The button below stops every e-mail to {address}: digests and immediate mail. "
                        "Your inbox in the app still works.", confirm_token=token)
        return page(200, "You are unsubscribed",
                    f"The Equity Exchange will send no more e-mail to {address}. Your inbox in the app still works.")

    return [Route(mail.UNSUBSCRIBE_PATH, unsubscribe, methods=["GET", "POST"])]
