"""The demo world's fixed clock and the dials that shape its history: which regions lead, which practices spread fast."""

from __future__ import annotations

from datetime import date, datetime, timedelta

NOW = datetime(2026, 11, 1)
FIRST_MONTH = 2017 * 12  # months are indexed as year * 12 + (month - 1)
LAST_MONTH = 2026 * 12 + 9  # October 2026: no lesson period ends later
QUARTER_ENDS = [date(y, m, d) for y in range(2023, 2027) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
                if date(2023, 12, 31) <= date(y, m, d) <= date(2026, 9, 30)]

# Diffusion: how far ahead (positive) or behind each HHS region is, and how fast practices spread.
REGION_LEAD = {1: 0.55, 9: 0.5, 10: 0.45, 2: 0.25, 5: 0.2, 3: 0.1, 8: 0.0, 7: -0.35, 4: -0.45, 6: -0.5}
CATEGORY_SPEED = {1: 0.35, 2: 0.0, 3: -0.05, 4: -0.3}  # by category position: internal work spreads fastest
PRACTICE_SPEED = {"Build Organizational Capacity": 0.2, "Prioritize Upstream Policy Change": -0.35,
                  "Confront the Root Causes": -0.3, "Build a Health Equity Movement": -0.15}
_MONTHS = "January February March April May June July August September October November December".split()


def after(moment: datetime, days: int) -> datetime:
    """`days` after `moment`, but never later than an hour before NOW."""
    return min(moment + timedelta(days=days), NOW - timedelta(hours=1))


def month_date(month: int) -> date:
    """The first day of a month index (year * 12 + month - 1)."""
    return date(month // 12, month % 12 + 1, 1)


def month_name(month: int) -> str:
    """A month index as words: 'March 2021'."""
    return f"{_MONTHS[month % 12]} {month // 12}"
