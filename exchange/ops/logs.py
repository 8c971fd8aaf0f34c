"""Structured logs: one JSON object a line (time, level, logger, event, request or session id, fields).

Nothing secret or identifying reaches a line: values under secret-sounding keys are replaced, e-mail
addresses and token-like strings (64 hex digits, long base64) are masked wherever they appear (messages,
fields, tracebacks). Department names are never logged by the exchange's own code, so an anonymous
lesson's department cannot appear either; tests/test_ops_logs.py greps a whole browser journey's log for them.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import traceback
from datetime import datetime, timezone
from typing import Any, Callable

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("exchange_request_id", default=None)
# Functions that add context to every line (the UI adds the Streamlit session); each returns a dict.
context_providers: list[Callable[[], dict]] = []

_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_TOKEN = re.compile(r"\b[0-9a-fA-F]{32,}\b|[A-Za-z0-9_\-]{40,}")
_ASSIGNED = re.compile(r"(?i)\b(password|passwd|secret|token|code|cookie|authorization|api[_-]?key)"
                       r"(\s*[=:]\s*|\"\s*:\s*\")([^\s&;,\"']+)")
_SECRET_KEYS = re.compile(r"(?i)password|passwd|secret|token|cookie|authorization|api[_-]?key|^code$|hash")
# Attributes every LogRecord has: what is left over was passed with `extra=` and becomes a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName",
                                                                       "color_message"}  # uvicorn's, with ANSI codes


def scrub(value: Any) -> Any:
    """The value with e-mail addresses, token-like strings and assigned secrets masked (recursively)."""
    if isinstance(value, str):
        text = _ASSIGNED.sub(lambda m: f"{m.group(1)}{m.group(2)}[redacted]", value)
        text = _EMAIL.sub("[email]", text)
        return _TOKEN.sub("[secret]", text)
    if isinstance(value, dict):
        return {k: "[redacted]" if _SECRET_KEYS.search(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub(str(value))


class JsonLines(logging.Formatter):
    """Formats a record as one line of JSON, scrubbed."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": getattr(record, "event", None) or message,
        }
        if message != entry["event"]:
            entry["message"] = message
        fields = {k: v for k, v in vars(record).items() if k not in _STANDARD and k != "event"}
        if record.exc_info:
            fields["error"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        elif record.exc_text:
            fields["error"] = record.exc_text
        entry = scrub({**entry, **fields})
        rid = request_id.get()
        if rid:
            entry["request_id"] = rid
        for provide in context_providers:
            try:
                entry.update(provide())
            except Exception:  # noqa: BLE001 — context is a help, never a reason to lose the line
                pass
        return json.dumps(entry, default=str, ensure_ascii=False)


class ScrubbedText(logging.Formatter):
    """The plain-text format (EXCHANGE_LOG_FORMAT=text), scrubbed the same way."""

    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def formatter(kind: str | None = None) -> logging.Formatter:
    """The formatter of EXCHANGE_LOG_FORMAT (json or text)."""
    from exchange import config

    kind = kind or config.settings().log_format
    if kind == "text":
        text = ScrubbedText("%(asctime)s %(levelname)-7s %(name)s: %(message)s")
        text.default_msec_format = "%s.%03d"
        return text
    return JsonLines()


def configure(stream=None) -> logging.Handler:
    """Send the root logger (and so every `exchange` logger) to stderr in the configured format; return the handler."""
    from exchange import config

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "exchange_handler", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.exchange_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter())
    root.addHandler(handler)
    root.setLevel(config.settings().log_level.upper())
    return handler
