"""Times in the reader's time zone: the database keeps naive UTC; the browser tells its zone (st.context.timezone)."""

from __future__ import annotations

from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo

import streamlit as st


def reader_zone() -> tzinfo | None:
    """The browser's time zone when it told us one, else None (then times are shown in UTC)."""
    try:
        name = st.context.timezone
        return ZoneInfo(name) if name else None
    except Exception:  # noqa: BLE001 — unknown, missing or malformed zone name
        return None


def local(moment: datetime | None, fmt: str = "%-d %b %Y %H:%M", *, zone: tzinfo | None = None,
          name_zone: bool = True) -> str:
    """A naive-UTC time as the reader's clock shows it, e.g. "3 Oct 2026 14:05 CDT" (UTC when the zone is unknown)."""
    if moment is None:
        return ""
    zone = zone or reader_zone()
    shown = moment.replace(tzinfo=timezone.utc).astimezone(zone or timezone.utc)
    text = shown.strftime(fmt)
    if name_zone:
        text += f" {shown.tzname() or 'UTC'}" if zone else " UTC"
    return text
