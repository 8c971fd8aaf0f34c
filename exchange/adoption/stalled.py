"""The stalled departments of a coordinator's own regions, listed only where a department shares its stages.

The dashboard's counts say how many departments stalled; this names them, for the coordinator who
works with those regions (administrators: every region). Who may be named is decided in one place,
`LISTABLE`: a department is listed only when its profile says it shares its stages
(`department_profiles.share_stages`, migration 0009). A department without a profile row has not
chosen, and is not listed: the absence of a choice is never taken as consent.
The list never says how many departments were left out (that would give back the count a grey cell hides).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from exchange import clock
from exchange.adoption import movement
from exchange.adoption.aggregates import Filters, require_dashboard, resolve
from exchange.identity import permissions
from exchange.models import User
from exchange.storage.duckdb import Database, rows

LIST_LIMIT = 500
# The one condition on departments `d` that decides who may be named (a constant: the SQL is never given anything else).
LISTABLE = ("coalesce((SELECT p.share_stages FROM department_profiles p WHERE p.department_id = d.id), false)")


@dataclass(frozen=True)
class StalledList:
    """Stalled departments the user may see named (only those that share their stages)."""

    regions: tuple[int, ...]
    departments: list[dict]
    truncated: bool = False


def my_regions(user: User) -> tuple[int, ...]:
    """The regions whose stalled departments a user may see named: a coordinator's own, an administrator's all."""
    return tuple(range(1, 11)) if user.is_admin else tuple(sorted(user.regions))


def stalled_departments(db: Database, user: User, filters: Filters, *, today: date | None = None) -> StalledList:
    """Departments of the user's own regions (within the filters) stalled for 4+ quarters, that share their stages."""
    require_dashboard(user)
    permissions.require(user, "assessment.read")
    today = today or clock.today()
    mine = my_regions(user)
    regions = tuple(r for r in mine if not filters.regions or r in filters.regions)
    params, _ = resolve(db, filters, today)
    params.update(year_ago=movement.year_ago(params["as_of"]), list_regions=list(regions), list_limit=LIST_LIMIT + 1)
    sql = movement.STALLED_LIST.format(listable=LISTABLE)
    used = {k: params[k] for k in dict.fromkeys(re.findall(r"\$(\w+)", sql))}
    found = []
    if regions:
        with db.read() as cur:
            found = rows(cur, sql, used)
    return StalledList(regions=regions, departments=found[:LIST_LIMIT], truncated=len(found) > LIST_LIMIT)
