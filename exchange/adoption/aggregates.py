"""The coordinators' dashboard: filters, options, every aggregate (suppressed below 5 departments), drill-downs.

A share is the number of departments at Implementing or Sustaining over the number of departments
with an assessment. Any share, count or point based on fewer than MIN_DEPARTMENTS departments
leaves this module as "suppressed" with its numbers removed, so no chart, table or download can
single one out. Lesson counts (the movement's pulse) never touch departments at all, so
anonymous lessons stay anonymous.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from exchange import clock, taxonomy
from exchange.adoption.assessments import as_int
from exchange.adoption.quarters import quarter_bounds, quarter_of, quarters_between
from exchange.adoption.queries import fetch, query
from exchange.errors import Forbidden, InvalidInput
from exchange.identity import permissions
from exchange.models import JURISDICTION_TYPES, POPULATION_BANDS, URBAN_RURAL_LEVELS, User
from exchange.storage.duckdb import Database

ADOPTED = 3  # Implementing
MIN_DEPARTMENTS = 5
SUPPRESSED = "fewer than 5"
DRILL_LIMIT = 2000  # rows in a drill-down; a region x all practices can be 9,000 at national scale


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; empty tuples mean "all"; no period means the last three years."""

    practice_id: int | None = None
    regions: tuple[int, ...] = ()
    jurisdiction_types: tuple[str, ...] = ()
    population_bands: tuple[str, ...] = ()
    urban_rural: tuple[str, ...] = ()
    first_quarter: str | None = None
    last_quarter: str | None = None


@dataclass(frozen=True)
class Options:
    """Choices for the dashboard's filter widgets."""

    practices: list[dict]
    quarters: list[str]
    regions: tuple[int, ...] = tuple(range(1, 11))
    jurisdiction_types: tuple[str, ...] = JURISDICTION_TYPES
    population_bands: tuple[str, ...] = POPULATION_BANDS
    urban_rural: tuple[str, ...] = URBAN_RURAL_LEVELS


@dataclass(frozen=True)
class Dashboard:
    """Every aggregate the dashboard draws, already suppressed where fewer than 5 departments stand behind it."""

    filters: Filters
    practice_name: str | None
    snapshot: date
    quarters: list[str]
    departments: int | None  # None when fewer than 5
    heatmap: list[dict]
    stages: list[dict]
    trend: list[dict]
    map: list[dict]
    lessons_by_kind: list[dict]
    lessons_by_risk: list[dict]
    version: int = 0  # the database's write counter when these were read: a cache key for what is drawn from them


@dataclass(frozen=True)
class Drill:
    """What a click in a chart picked: the departments behind a region, state, practice or stage."""

    chart: str
    region: int | None = None
    state: str | None = None
    practice_id: int | None = None
    stage: int | None = None


def require_dashboard(user: User) -> None:
    """Raise Forbidden with a plain message unless the user may see the dashboard."""
    if not user.signed_in:
        raise Forbidden("Please sign in: the adoption dashboard is for regional coordinators and administrators.")
    if not permissions.allowed(user, "dashboard.view"):
        raise Forbidden("The adoption dashboard is not available for your role. "
                        "It is for regional coordinators and administrators.")


def options(db: Database, user: User, *, today: date | None = None) -> Options:
    """The filter choices: active practices and every quarter from the first assessment to today's."""
    require_dashboard(user)
    today = today or clock.today()
    with db.read() as cur:
        first = cur.execute("SELECT min(as_of) FROM assessments").fetchone()[0]
    first = min(first or today, today, date(today.year - 1, today.month, 1))
    practices = [p for p in taxonomy.load(db).practices if p["active"]]
    return Options(practices=practices, quarters=quarters_between(quarter_of(first), quarter_of(today)))


def dashboard(db: Database, user: User, filters: Filters, *, today: date | None = None) -> Dashboard:
    """All the dashboard's aggregates for these filters (coordinators and administrators)."""
    require_dashboard(user)
    version = db.data_version()  # read first: a write during the reads below can only make the key older, never stale
    params, quarters = resolve(db, filters, today or clock.today())
    label = dict(zip(params["quarter_ends"], quarters))
    return Dashboard(
        version=version, filters=filters, snapshot=params["as_of"], quarters=quarters,
        practice_name=taxonomy.load(db).practice_name(filters.practice_id) if filters.practice_id else None,
        departments=_at_least_five(query(db, "departments", params)[0]["departments"]),
        heatmap=[_suppress(r, r["adopting"], r["departments"]) for r in query(db, "heatmap", params)],
        stages=_stage_rows(query(db, "stages", params), taxonomy.load(db).stages),
        trend=[_suppress(dict(r, quarter=label[r["quarter_end"]]), r.pop("adopting_pairs"), r.pop("pairs"))
               for r in query(db, "trend", params)],
        map=[_suppress(r, r.pop("adopting_pairs"), r.pop("pairs")) for r in query(db, "map", params)],
        lessons_by_kind=query(db, "lessons_by_kind", params),
        lessons_by_risk=query(db, "lessons_by_risk", params),
    )


def drilldown(db: Database, user: User, filters: Filters, drill: Drill, *, today: date | None = None) -> list[dict]:
    """The departments behind a clicked region, state, practice or stage, with their stage at the period's end."""
    require_dashboard(user)
    permissions.require(user, "assessment.read")
    params, _ = resolve(db, filters, today or clock.today())
    params.update(drill_region=drill.region, drill_state=drill.state, drill_practice=drill.practice_id,
                  drill_stage=drill.stage, drill_limit=DRILL_LIMIT)
    return fetch(db, "drilldown", params)


def drill_from_selection(chart: str, selection) -> Drill | None:
    """Turn a chart's point selection ({name: [{field: value}]}) into a Drill, or None when nothing is picked."""
    for picked in (selection or {}).values():
        if isinstance(picked, dict):  # the {field: [values]} shape
            picked = [{k: (v[0] if isinstance(v, list) and v else v) for k, v in picked.items()}] if picked else []
        point = picked[0] if picked else {}
        state = point.get("state")
        drill = Drill(chart=chart, region=as_int(point.get("region")), practice_id=as_int(point.get("practice_id")),
                      stage=as_int(point.get("stage")), state=str(state).upper() if isinstance(state, str) else None)
        if (drill.region, drill.state, drill.practice_id, drill.stage) != (None, None, None, None):
            return drill
    return None


def resolve(db: Database, filters: Filters, today: date) -> tuple[dict, list[str]]:
    """SQL parameters for the filters, and the period's quarter labels (never beyond today's quarter)."""
    def start(label: str) -> date:
        return quarter_bounds(label)[0]

    def clip(label: str) -> str:
        return label if start(label) <= today else quarter_of(today)

    default_first = quarter_of(date(today.year - 3, today.month, 1) + timedelta(days=95))
    first, last = sorted((clip(filters.first_quarter or default_first), clip(filters.last_quarter or quarter_of(today))),
                         key=start)
    quarters = quarters_between(first, last)
    ends = [min(quarter_bounds(q)[1], today) for q in quarters]
    if filters.practice_id is not None and not any(p["id"] == filters.practice_id for p in taxonomy.load(db).practices):
        raise InvalidInput("Choose one of the practices in the list.", "practice")
    params = {
        "practice": filters.practice_id, "regions": [int(r) for r in filters.regions],
        "jurisdictions": list(filters.jurisdiction_types), "bands": list(filters.population_bands),
        "urban": list(filters.urban_rural), "as_of": ends[-1], "quarter_ends": ends, "adopted": ADOPTED,
        "period_start": quarter_bounds(quarters[0])[0], "period_end": ends[-1] + timedelta(days=1),
    }
    return params, quarters


def _at_least_five(n: int) -> int | None:
    return n if n >= MIN_DEPARTMENTS else None


def _suppress(row: dict, adopting: int, total: int) -> dict:
    """Add the share, and blank every number of a row based on fewer than MIN_DEPARTMENTS departments."""
    departments = row.get("departments") or 0
    row.update(share=adopting / total if total else None, suppressed=departments < MIN_DEPARTMENTS,
               empty=departments == 0)
    if row["suppressed"]:
        row.update(departments=None, adopting=None, share=None)
    return row


def _stage_rows(found: list[dict], stages: list[dict]) -> list[dict]:
    """Per practice and stage: departments and share of the practice's assessed departments."""
    names = {s["level"]: s["name"] for s in stages}
    totals: dict[int, int] = {}
    for r in found:
        totals[r["practice_id"]] = totals.get(r["practice_id"], 0) + r["departments"]
    out, small = [], set()
    for r in found:
        total = totals[r["practice_id"]]
        if total >= MIN_DEPARTMENTS:
            out.append(dict(r, stage_name=names.get(r["stage"], str(r["stage"])), total=total,
                            share=r["departments"] / total, suppressed=False))
        elif r["practice_id"] not in small:
            small.add(r["practice_id"])
            out.append(dict(r, stage=None, stage_name=SUPPRESSED, departments=None, total=None, share=None,
                            suppressed=True))
    return out
