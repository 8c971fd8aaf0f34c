"""The coordinators' dashboard: filters, options, every aggregate (small numbers withheld), drill-downs.

A share is the number of departments at Implementing or Sustaining over the number of departments
with an assessment (and, where stated, over every department in the directory). Every department
figure is summed from the atoms in `queries` and passes `suppression.protect` here, once: a figure
resting on fewer than EXCHANGE_SUPPRESSION_MIN departments, or one that subtraction could turn into
such a figure, leaves this module as "suppressed" with its numbers removed, so no chart, table or
download can single one out. A view with fewer departments than that is refused. Lesson counts
(the movement's pulse) never touch departments at all, so anonymous lessons stay anonymous.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from exchange import clock, taxonomy
from exchange.adoption.assessments import as_int
from exchange.adoption.quarters import quarter_bounds, quarter_of, quarters_between
from exchange.adoption import governance as governance_kinds, suppression
from exchange.adoption import movement as moving, queries
from exchange.adoption.queries import fetch, frame, query
from exchange.errors import Forbidden, InvalidInput
from exchange.identity import permissions
from exchange.kernel.cache import VersionedCache
from exchange.models import JURISDICTION_TYPES, POPULATION_BANDS, URBAN_RURAL_LEVELS, User
from exchange.storage.duckdb import Database

ADOPTED = 3  # Implementing
DRILL_LIMIT = 2000  # rows in a drill-down; a region x all practices can be 9,000 at national scale


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters; empty tuples mean "all"; no period means the last three years."""

    practice_id: int | None = None
    regions: tuple[int, ...] = ()
    jurisdiction_types: tuple[str, ...] = ()
    population_bands: tuple[str, ...] = ()
    urban_rural: tuple[str, ...] = ()
    governance: tuple[str, ...] = ()  # exchange.adoption.governance codes
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
    governance: tuple[str, ...] = governance_kinds.LEVELS


@dataclass(frozen=True)
class Dashboard:
    """Every aggregate the dashboard draws, already suppressed where too few departments stand behind it."""

    filters: Filters
    practice_name: str | None
    snapshot: date
    quarters: list[str]
    departments: int | None  # None when withheld
    heatmap: list[dict]
    stages: list[dict]
    trend: list[dict]
    map: list[dict]
    lessons_by_kind: list[dict]
    lessons_by_risk: list[dict]
    version: int = 0  # the database's write counter when these were read: a cache key for what is drawn from them
    threshold: int = 11  # the fewest departments a shown figure rests on
    directory: int = 0  # departments in the directory matching the filters, assessed or not
    practices: int = 1  # practices pooled in the shares (1 when one is chosen)
    curve: list = dataclasses.field(default_factory=list)
    population: list = dataclasses.field(default_factory=list)
    breakdowns: dict = dataclasses.field(default_factory=dict)
    movement: list = dataclasses.field(default_factory=list)
    # The Movement tab's views (exchange/adoption/movement.py): None until asked for, `dashboard(..., movement=True)`.
    transitions: list | None = None
    time_in_stage: list | None = None
    stalled: list | None = None


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


# Whole dashboards per filters, today and threshold, until the next write: going back to a view costs nothing.
views = VersionedCache("adoption.dashboards", maxsize=128)


def dashboard(db: Database, user: User, filters: Filters, *, today: date | None = None,
              movement: bool = False) -> Dashboard:
    """All the dashboard's aggregates for these filters (coordinators and administrators); the Movement
    views (transitions, time in stage, stalled) only with movement=True: they cost more than the rest."""
    require_dashboard(user)
    today = today or clock.today()
    found = views.get(db, (filters, today, suppression.threshold()), lambda: _dashboard(db, filters, today))
    return dataclasses.replace(found, **movement_views(db, user, filters, today=today)) if movement else found


# The Movement views per filters, today and threshold, until the next write; computed only for the Movement tab,
# the report and the API, never for a filter change whose open tab does not draw them.
moving_views = VersionedCache("adoption.movement", maxsize=128)


def movement_views(db: Database, user: User, filters: Filters, *, today: date | None = None) -> dict[str, list[dict]]:
    """The Movement views for these filters, suppressed: {"transitions", "time_in_stage", "stalled"}."""
    require_dashboard(user)
    today = today or clock.today()
    return moving_views.get(db, (filters, today, suppression.threshold()),
                            lambda: _movement_views(db, user, filters, today))


def _movement_views(db: Database, user: User, filters: Filters, today: date) -> dict[str, list[dict]]:
    d = dashboard(db, user, filters, today=today)  # refuses too small a view; its movement rows are the bases
    params, quarters = resolve(db, filters, today)
    bases = pd.DataFrame(d.movement, columns=["k", "suppressed", "why"])  # each quarter's protected base (k > 0)
    return moving.views(db, params, scope_of(filters), bases, dict(enumerate(quarters)), frame(db, "practices", params))


def _dashboard(db: Database, filters: Filters, today: date) -> Dashboard:
    version = db.data_version()  # read first: a write during the reads below can only make the key older, never stale
    params, quarters = resolve(db, filters, today)
    k = suppression.threshold()
    scope = scope_of(filters)
    found = queries.trend(db, params)
    last = found[found["k"] == len(quarters) - 1]
    headline = suppression.protect(last.assign(everyone=0), scope, ["everyone"], TREND_MEASURES)
    assessed = int(headline["departments"].sum())
    if assessed < k:
        raise InvalidInput(f"fewer than {k} departments with a self-assessment as of {params['as_of']:%-d %B %Y} "
                           "match them, too few to show without singling departments out. "
                           "Choose more regions, jurisdiction types, sizes, urban–rural levels or kinds of state governance, "
                           "or a later period.",
                           "filters")
    current = frame(db, "current", params)
    current = current.assign(adopting=current["departments"].where(current["stage"] >= ADOPTED, 0),
                             population_adopting=current["population"].where(current["stage"] >= ADOPTED, 0))
    practices = frame(db, "practices", params)
    chosen = practices[practices["practice_id"] == filters.practice_id] if filters.practice_id else practices
    directory = suppression.select(frame(db, "directory", params), scope)
    label = dict(enumerate(quarters))
    trend = suppression.protect(found, scope, ["k", "region"], TREND_MEASURES, line="region")
    trend["quarter"] = trend["k"].map(label)
    states = frame(db, "states", params)
    mapped = suppression.protect(last, scope, ["region", "state"], TREND_MEASURES, line="state")
    mapped = states.merge(mapped.drop(columns="region"), on="state", how="left")
    curve = suppression.protect(found, scope, ["k"], TREND_MEASURES)
    curve["quarter"] = curve["k"].map(label)
    totals = suppression.protect(current, scope, ["practice_id"], CURRENT_MEASURES)
    atoms = ["k", "state", "region", *suppression.DIMS[1:]]
    moves = found.astype({c: str for c in atoms[1:] if c != "region"}).merge(
        frame(db, "movement", params).astype({c: str for c in atoms[1:] if c != "region"}), on=atoms, how="left")
    moves = suppression.protect(moves.fillna({"up": 0, "down": 0, "stalled": 0}), scope, ["k"],
                                ("departments", "pairs", "up", "down", "stalled"))
    moves["quarter"] = moves["k"].map(label)
    return Dashboard(
        version=version, filters=filters, snapshot=params["as_of"], quarters=quarters, threshold=k,
        practice_name=taxonomy.load(db).practice_name(filters.practice_id) if filters.practice_id else None,
        departments=None if headline["suppressed"].any() else assessed,
        directory=int(directory["departments"].sum()), practices=max(1, len(chosen)),
        heatmap=[_suppress(r, r["adopting"], r["departments"]) for r in _records(
            suppression.protect(current, scope, ["region", "practice_id"], CURRENT_MEASURES, line="region")
            .merge(practices, on="practice_id").sort_values(["region", "position"]))],
        stages=_stage_rows(current, scope, totals.merge(practices, on="practice_id").sort_values("position"),
                           taxonomy.load(db).stages),
        trend=[_suppress(r, r.pop("adopting_pairs"), r.pop("pairs")) for r in _records(trend.sort_values(["k", "region"]))],
        map=[_suppress(r, r.pop("adopting_pairs") or 0, r.pop("pairs") or 0) for r in _records(mapped)],
        curve=[_curve_row(r, directory["departments"].sum() * max(1, len(chosen)))
               for r in _records(curve.sort_values("k"))],
        population=_population(totals.merge(practices, on="practice_id").sort_values("position"),
                               int(directory["population"].sum())),
        breakdowns={dim: [_suppress(r, r.pop("adopting_pairs"), r.pop("pairs")) for r in _records(
            suppression.protect(last, scope, [dim], TREND_MEASURES, line=dim).sort_values(dim))]
            for dim in BREAKDOWNS},
        movement=[_movement_row(r) for r in _records(moves.sort_values("k")) if r["k"] > 0],
        lessons_by_kind=query(db, "lessons_by_kind", params),
        lessons_by_risk=query(db, "lessons_by_risk", params),
    )


def _movement_row(row: dict) -> dict:
    """One quarter of movement: assessed pairs that moved up, moved back or stalled (blank when suppressed)."""
    if row["suppressed"]:
        row.update(departments=None, pairs=None, up=None, down=None, stalled=None)
    return row


TREND_MEASURES = ("departments", "pairs", "adopting_pairs")
CURRENT_MEASURES = ("departments", "adopting", "population_adopting")
BREAKDOWNS = ("population_band", "urban_rural", "jurisdiction_type", "governance")


def scope_of(filters: Filters) -> dict[str, tuple]:
    """The department filters as {atom dimension: chosen values} (empty: all)."""
    return {"region": tuple(int(r) for r in filters.regions), "jurisdiction_type": tuple(filters.jurisdiction_types),
            "population_band": tuple(filters.population_bands), "urban_rural": tuple(filters.urban_rural),
            "governance": tuple(filters.governance)}


def _records(df) -> list[dict]:
    """Plain Python rows (no numpy scalars, None for missing) from a frame."""
    out = []
    for row in df.to_dict("records"):
        out.append({key: _plain(value) for key, value in row.items()})
    return out


def _plain(value):
    if value is None or (isinstance(value, float) and value != value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        return None if isinstance(value, float) and value != value else value
    return value


def _curve_row(row: dict, directory_pairs: int) -> dict:
    """One quarter of the cumulative curve: the share over assessed departments and over the whole directory."""
    pairs, adopting = row.pop("pairs"), row.pop("adopting_pairs")
    row = _suppress(row, adopting, pairs)
    row["share_directory"] = None if row["suppressed"] or not directory_pairs else adopting / int(directory_pairs)
    return row


def _population(totals, directory_population: int) -> list[dict]:
    """Per practice: the share of the directory's population served by departments implementing or sustaining it."""
    out = []
    for r in _records(totals):
        share = r["population_adopting"] / directory_population if directory_population else None
        out.append(dict(practice_id=r["practice_id"], practice=r["practice"], position=r["position"],
                        departments=None if r["suppressed"] else r["departments"],
                        population=None if r["suppressed"] else r["population_adopting"],
                        share=None if r["suppressed"] else share, suppressed=r["suppressed"], why=r["why"]))
    return out


def drilldown(db: Database, user: User, filters: Filters, drill: Drill, *, today: date | None = None) -> list[dict]:
    """The departments behind a clicked region, state, practice or stage, with their stage at the period's end."""
    require_dashboard(user)
    permissions.require(user, "assessment.read")
    today = today or clock.today()
    require_drillable(dashboard(db, user, filters, today=today), drill)
    params, _ = resolve(db, filters, today)
    params.update(drill_region=drill.region, drill_state=drill.state, drill_practice=drill.practice_id,
                  drill_stage=drill.stage, drill_limit=DRILL_LIMIT)
    return fetch(db, "drilldown", params)


def require_drillable(d: Dashboard, drill: Drill) -> None:
    """Refuse (Forbidden) to list the departments behind a figure the dashboard withholds, or one it does not draw.

    A click on a grey cell still sends its keys; listing its departments would give away the very number the
    cell hides (and, one filter change away, who they are). The cell is looked up in the suppressed aggregates.
    """
    cell = _drilled_cell(d, drill)
    if cell is not None and not cell.get("suppressed"):
        return  # a stage segment may hold few departments: its practice's 11+ are the figure's base, as drawn
    raise Forbidden(f"The departments behind that figure are not listed: it rests on fewer than {d.threshold} "
                    "departments, or is withheld so that such a number cannot be worked out. "
                    "Choose a larger group (fewer filters, a whole region or practice).")


def _drilled_cell(d: Dashboard, drill: Drill) -> dict | None:
    """The row of the clicked chart that the drill's keys name (None: no such figure is drawn)."""
    if drill.chart == "chart_heatmap":
        rows, keys = d.heatmap, {"region": drill.region, "practice_id": drill.practice_id}
    elif drill.chart == "chart_stages":
        rows, keys = d.stages, {"practice_id": drill.practice_id, "stage": drill.stage}
    elif drill.chart == "chart_trend":  # a region's line: the departments as of the period's end, its last point
        last = d.quarters[-1]
        rows, keys = [r for r in d.trend if r.get("quarter") == last], {"region": drill.region}
    elif drill.chart == "chart_map":
        rows, keys = d.map, {"state": drill.state}
    else:
        return None
    if any(v is None for v in keys.values()):
        return None
    return next((r for r in rows if all(r.get(k) == v for k, v in keys.items())), None)


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
        "urban": list(filters.urban_rural), "governance": list(filters.governance), "as_of": ends[-1], "quarter_ends": ends, "adopted": ADOPTED,
        "period_start": quarter_bounds(quarters[0])[0], "period_end": ends[-1] + timedelta(days=1),
        "first_year": int(quarters[0][:4]), "first_q": int(quarters[0][-1]), "quarters": len(quarters),
    }
    return params, quarters


def _suppress(row: dict, adopting: int, total: int) -> dict:
    """Add the share, and blank every number of a row the suppression rules withhold."""
    departments = row.get("departments") or 0
    row.update(share=adopting / total if total else None, empty=departments == 0, why=row.get("why"))
    row["suppressed"] = bool(row.get("suppressed")) or row["empty"]
    row.pop("population_adopting", None)
    if row["suppressed"]:
        row.update(departments=None, adopting=None, share=None)
    return row


def _stage_rows(current, scope: dict, totals, stages: list[dict]) -> list[dict]:
    """Per practice and stage: departments and share of the practice's assessed departments (a withheld practice: one row)."""
    names = {s["level"]: s["name"] for s in stages}
    grouped = suppression.select(current, scope).groupby(["practice_id", "stage"])
    counts = grouped["departments"].sum().to_dict() if len(current) else {}
    lessons = grouped["lessons"].sum().to_dict() if len(current) else {}
    out = []
    for t in _records(totals):
        if t["suppressed"]:
            out.append(dict(practice_id=t["practice_id"], practice=t["practice"], position=t["position"], stage=None,
                            stage_name=suppression.small_label() if t["why"] == suppression.PRIMARY else "withheld",
                            departments=None, total=None, share=None, suppressed=True, why=t["why"]))
            continue
        for level in sorted(names):
            n = int(counts.get((t["practice_id"], level), 0))
            if n:
                out.append(dict(practice_id=t["practice_id"], practice=t["practice"], position=t["position"],
                                stage=level, stage_name=names[level], departments=n, total=t["departments"],
                                share=n / t["departments"], suppressed=False, why=None,
                                lessons=int(lessons.get((t["practice_id"], level), 0))))
    return out
