"""Calendar quarters as the dashboard names them: "2024 Q3"."""

from __future__ import annotations

import re
from datetime import date, timedelta

from exchange.errors import InvalidInput


def quarter_of(day: date) -> str:
    """The label of the calendar quarter a date falls in, e.g. "2024 Q3"."""
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(label: str) -> tuple[date, date]:
    """First and last day of a quarter label."""
    match = re.fullmatch(r"(\d{4}) Q([1-4])", label or "")
    if not match:
        raise InvalidInput(f"{label!r} is not a quarter like 2024 Q3.", "period")
    year, q = int(match[1]), int(match[2])
    start = date(year, 3 * q - 2, 1)
    end = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return start, end


def quarters_between(first: str, last: str) -> list[str]:
    """Every quarter label from `first` to `last`, inclusive."""
    start, _ = quarter_bounds(first)
    _, end = quarter_bounds(last)
    labels, day = [], start
    while day <= end:
        labels.append(quarter_of(day))
        day = quarter_bounds(labels[-1])[1] + timedelta(days=1)
    return labels
