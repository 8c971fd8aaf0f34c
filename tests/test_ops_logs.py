"""Structured logs (issue 12): JSON lines with time, level, event and request id; no secrets, no e-mail addresses."""

from __future__ import annotations

import io
import json
import logging
import secrets

import pytest

from exchange.ops import logs
from exchange.ui import ops_web
from tests.test_web import run


@pytest.fixture
def captured():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonLines())
    logger = logging.getLogger("exchange.test_ops_logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    lines = lambda: [json.loads(line) for line in stream.getvalue().splitlines()]  # noqa: E731
    yield logger, lines
    logger.removeHandler(handler)


def test_a_line_is_json_with_time_level_logger_event_and_fields(captured):
    logger, lines = captured
    logger.info("lesson published", extra={"event": "lesson_published", "lesson_id": 12})
    [line] = lines()
    assert line["level"] == "info" and line["logger"] == "exchange.test_ops_logs"
    assert line["event"] == "lesson_published" and line["message"] == "lesson published" and line["lesson_id"] == 12
    assert line["time"].endswith("+00:00") and "T" in line["time"]


def test_emails_tokens_and_passwords_never_reach_a_line(captured):
    logger, lines = captured
    token = secrets.token_hex(32)
    logger.warning("sign-in failed for Reader.Name@county.example.gov with password=hunter2hunter2 token %s", token,
                   extra={"password": "hunter2hunter2", "session_token": token, "who": "a@b.example.org",
                          "nested": {"cookie": "ee_session=" + token, "emails": ["x@y.example.com"]}})
    try:
        raise ValueError(f"Duplicate key \"email: reader@county.example.gov\" and {token}")
    except ValueError:
        logger.exception("could not save")
    text = json.dumps(lines())
    for secret in ("Reader.Name@", "county.example.gov", "hunter2", token, "a@b.example.org", "x@y.example.com"):
        assert secret not in text
    assert "[email]" in text and "[redacted]" in text and "[secret]" in text
    assert "Traceback" in lines()[1]["error"]  # the traceback is kept, scrubbed


def test_ordinary_values_are_kept(captured):
    logger, lines = captured
    logger.info("backup written", extra={"path": "/srv/backups/exchange-20261201-020000Z-scheduled", "bytes": 12})
    assert lines()[0]["path"] == "/srv/backups/exchange-20261201-020000Z-scheduled"


def test_every_http_request_gets_an_id_on_its_lines_and_response_and_the_access_line_has_no_query(captured, caplog):
    seen = {}

    async def app(scope, receive, send):
        seen["id"] = logs.request_id.get()
        logging.getLogger("exchange.test_ops_logs").info("inside")
        await send({"type": "http.response.start", "status": 303, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    code = secrets.token_hex(32)
    scope = {"type": "http", "method": "GET", "path": "/auth/session", "query_string": f"code={code}".encode(),
             "headers": [(b"x-request-id", b"proxy-id-12345")]}
    logger, lines = captured
    with caplog.at_level(logging.INFO, logger="exchange.http"):
        run(ops_web.RequestLog(app)(scope, receive, send))
    assert seen["id"] == "proxy-id-12345" and lines()[0]["request_id"] == "proxy-id-12345"
    assert (b"x-request-id", b"proxy-id-12345") in sent[0]["headers"]
    [access] = [r for r in caplog.records if r.name == "exchange.http"]
    assert access.path == "/auth/session" and access.status == 303 and code not in access.getMessage()
    assert logs.request_id.get() is None  # not carried into whatever runs next


def test_a_request_id_that_is_not_well_formed_is_replaced(captured):
    seen = {}

    async def app(scope, receive, send):
        seen["id"] = logs.request_id.get()

    scope = {"type": "http", "method": "GET", "path": "/", "headers": [(b"x-request-id", b"bad id\n{json}")]}
    run(ops_web.RequestLog(app)(scope, None, None))
    assert seen["id"] and seen["id"] != "bad id\n{json}" and len(seen["id"]) == 16


def test_text_format_is_scrubbed_too():
    record = logging.LogRecord("exchange", logging.INFO, "", 0, "mail %s", ("someone@example.org",), None)
    assert "someone@example.org" not in logs.formatter("text").format(record)
