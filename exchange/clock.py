"""Time in one place: naive UTC timestamps everywhere in the database.

Tests of time-based rules in a running server (idle sessions) move this clock forward by
writing a number of seconds into the file named by EXCHANGE_TEST_CLOCK_FILE; the setting is
ignored in production mode.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from exchange import config


def _offset() -> timedelta:
    found = config.settings()
    path = found.test_clock_file
    if path is None or found.production:
        return timedelta(0)
    try:
        with open(path, encoding="utf-8") as f:
            return timedelta(seconds=float(f.read(32).strip() or 0))
    except (OSError, ValueError):
        return timedelta(0)


def now() -> datetime:
    """The current time as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None) + _offset()


def today() -> date:
    """Today's date (UTC)."""
    return now().date()
