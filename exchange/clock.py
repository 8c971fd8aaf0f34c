"""Time in one place: naive UTC timestamps everywhere in the database."""

from __future__ import annotations

from datetime import date, datetime, timezone


def now() -> datetime:
    """The current time as naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def today() -> date:
    """Today's date (UTC)."""
    return now().date()
