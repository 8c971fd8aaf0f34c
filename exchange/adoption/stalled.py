"""The stalled departments of a coordinator's own regions, listed only where a department shares its stages.

The dashboard's counts say how many departments stalled; this names them, for the coordinator who
works with those regions (administrators: every region). Who may be named is decided in one place,
`listable_clause`: a department is listed only when it shares its stages with coordinators
(`departments.share_stages`, a setting added with the peers profile, migration 0009). On a database
without that column nobody is listed individually: the setting's absence is never taken as consent.
The list never says how many departments were left out (that would give back the count a grey cell hides).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date

from exchange import clock
from exchange.adoption import movement
from exchange.adoption.aggregates import Filters, require_dashboard, resolve
from exchange.identity import permissions
from exchange.models import User
from exchange.storage.duckdb import Database, rows

LIST_LIMIT = 500
SHARED, NOBODY = "d.share_stages", "false"  # the only two fragments the list's SQL is ever given

_columns: "weakref.WeakKeyDictionary[Database, bool]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


@dataclass(frozen=True)
class StalledList:
    """Stalled departments the user may see named, and whether the database records who shares stages."""

    regions: tuple[int, ...]
    departments: list[dict]
    sharing_recorded: bool  # False: the share_stages setting does not exist here, so nobody is listed
    truncated: bool = False


def shares_stages_recorded(db: Database) -> bool:
    """True when departments have a `share_stages` column (looked up once per database)."""
    with _lock:
        if db in _columns:
            return _columns[db]
    with db.read() as cur:
        found = cur.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'departments' "
                            "AND column_name = 'share_stages' AND schema_name = 'main'").fetchone()[0] > 0
    with _lock:
        _columns[db] = found
    return found


def listable_clause(db: Database) -> str:
    """The SQL condition on departments `d` that decides who may be named in a stalled list (nobody, without the setting)."""
    return SHARED if shares_stages_recorded(db) else NOBODY


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
    sql = movement.STALLED_LIST.format(listable=listable_clause(db))
    used = {k: params[k] for k in ("year_ago", "as_of", "practice", "list_regions", "jurisdictions", "bands", "urban",
                                   "list_limit")}
    found = []
    if regions:
        with db.read() as cur:
            found = rows(cur, sql, used)
    return StalledList(regions=regions, departments=found[:LIST_LIMIT], sharing_recorded=shares_stages_recorded(db),
                       truncated=len(found) > LIST_LIMIT)
