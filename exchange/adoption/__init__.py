"""Adoption of equity practices: departments' dated self-assessments and the coordinators' aggregates.

A department's stage for a practice "as of D" is its latest assessment dated on or before D
(ties on one date go to the record saved last). A share is the number of departments at
Implementing or Sustaining over the number of departments with an assessment. Any share,
count or point based on fewer than MIN_DEPARTMENTS departments leaves this module as
"suppressed" with its numbers removed, so no chart, table or download can single one out.
Lesson counts (the movement's pulse) never touch departments at all, so anonymous lessons
stay anonymous.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from exchange import clock, taxonomy
from exchange.identity import permissions
from exchange.kernel import serial
from exchange.storage.duckdb import Database, one, rows
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound
from exchange.models import JURISDICTION_TYPES, POPULATION_BANDS, URBAN_RURAL_LEVELS, User
from exchange.kernel.text import field, is_http_url

ADOPTED = 3  # Implementing
MIN_DEPARTMENTS = 5
SUPPRESSED = "fewer than 5"
NOTE_LIMIT = 1000
URL_LIMIT = 2000
EARLIEST = date(2000, 1, 1)
DRILL_LIMIT = 2000  # rows in a drill-down; a region x all practices can be 9,000 at national scale


# ---------------------------------------------------------------- SQL (values are always parameters)
# Latest record first: by as-of date, then by id so two records of one date resolve to the later save.
_ORDER_KEY = "(a.as_of - DATE '2000-01-01')::BIGINT * 4294967296 + a.id"
_FILTERED = """
filtered AS (
    SELECT d.id, d.name, d.state_code, s.hhs_region
    FROM departments d JOIN states s ON s.code = d.state_code
    WHERE (len($regions::INTEGER[]) = 0 OR list_contains($regions::INTEGER[], s.hhs_region))
      AND (len($jurisdictions::VARCHAR[]) = 0 OR list_contains($jurisdictions::VARCHAR[], d.jurisdiction_type))
      AND (len($bands::VARCHAR[]) = 0 OR list_contains($bands::VARCHAR[], d.population_band))
      AND (len($urban::VARCHAR[]) = 0 OR list_contains($urban::VARCHAR[], d.urban_rural))
),
chosen AS (SELECT id, name, position FROM practices WHERE active AND ($practice::INTEGER IS NULL OR id = $practice::INTEGER))"""
_LATEST = f"""
latest AS (
    SELECT a.department_id, a.practice_id, arg_max(a.stage, {_ORDER_KEY}) AS stage{{extra}}
    FROM assessments a
    WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
    GROUP BY a.department_id, a.practice_id
),
current AS (
    SELECT l.*, f.name AS department, f.state_code, f.hhs_region
    FROM latest l JOIN filtered f ON f.id = l.department_id JOIN chosen p ON p.id = l.practice_id
)"""
_CURRENT = _FILTERED + "," + _LATEST.format(extra="")
_PUBLISHED = """l.status = 'published' AND NOT l.hidden
      AND l.published_at >= $period_start AND l.published_at < $period_end
      AND ($practice::INTEGER IS NULL OR l.id IN (SELECT lesson_id FROM lesson_practices WHERE practice_id = $practice::INTEGER))"""
SQL = {
    "history": """
        SELECT a.id, a.practice_id, p.name AS practice, a.stage, st.name AS stage_name, a.as_of, a.note,
               a.evidence_url, a.recorded_at
        FROM assessments a JOIN practices p ON p.id = a.practice_id LEFT JOIN adoption_stages st ON st.level = a.stage
        WHERE a.department_id = $department ORDER BY a.as_of DESC, a.id DESC""",
    "departments": f"WITH {_CURRENT} SELECT count(DISTINCT department_id)::INTEGER AS departments FROM current",
    "heatmap": f"""WITH {_CURRENT}
        SELECT c.hhs_region AS region, p.id AS practice_id, p.name AS practice, p.position,
               count(*)::INTEGER AS departments, count(*) FILTER (WHERE c.stage >= $adopted)::INTEGER AS adopting
        FROM current c JOIN chosen p ON p.id = c.practice_id
        GROUP BY ALL ORDER BY region, p.position""",
    "stages": f"""WITH {_CURRENT}
        SELECT p.id AS practice_id, p.name AS practice, p.position, c.stage, count(*)::INTEGER AS departments
        FROM current c JOIN chosen p ON p.id = c.practice_id
        GROUP BY ALL ORDER BY p.position, c.stage""",
    # One row per state; with all practices the share pools every assessed (department, practice) pair.
    "map": f"""WITH {_CURRENT},
        per_department AS (
            SELECT department_id, count(*) AS pairs, count(*) FILTER (WHERE stage >= $adopted) AS adopting_pairs
            FROM current GROUP BY department_id
        )
        SELECT s.code AS state, s.name AS state_name, s.hhs_region AS region, s.tile_col, s.tile_row,
               count(pd.department_id)::INTEGER AS departments, coalesce(sum(pd.pairs), 0)::INTEGER AS pairs,
               coalesce(sum(pd.adopting_pairs), 0)::INTEGER AS adopting_pairs
        FROM states s LEFT JOIN filtered f ON f.state_code = s.code LEFT JOIN per_department pd ON pd.department_id = f.id
        GROUP BY ALL ORDER BY s.code""",
    # Each record holds from its as-of date until the department's next record for that practice;
    # a range join with the quarter ends picks the record current at each quarter's end.
    "trend": "WITH " + _FILTERED + """,
        ends AS (SELECT unnest($quarter_ends::DATE[]) AS quarter_end),
        spans AS (
            SELECT a.department_id, a.stage, a.as_of,
                   coalesce(lead(a.as_of) OVER (PARTITION BY a.department_id, a.practice_id ORDER BY a.as_of, a.id),
                            DATE '9999-12-31') AS until
            FROM assessments a
            WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
              AND a.department_id IN (SELECT id FROM filtered) AND a.practice_id IN (SELECT id FROM chosen)
        ),
        per_department AS (
            SELECT e.quarter_end, s.department_id, count(*) AS pairs,
                   count(*) FILTER (WHERE s.stage >= $adopted) AS adopting_pairs
            FROM spans s JOIN ends e ON e.quarter_end >= s.as_of AND e.quarter_end < s.until
            GROUP BY ALL
        )
        SELECT p.quarter_end, f.hhs_region AS region, count(*)::INTEGER AS departments,
               sum(p.pairs)::INTEGER AS pairs, sum(p.adopting_pairs)::INTEGER AS adopting_pairs
        FROM per_department p JOIN filtered f ON f.id = p.department_id
        GROUP BY ALL ORDER BY 1, 2""",
    # Lessons only: no department column is read, so nothing about an anonymous lesson's origin can leak.
    "lessons_by_kind": f"""
        SELECT year(l.published_at) || ' Q' || quarter(l.published_at) AS quarter, l.kind, count(*)::INTEGER AS lessons
        FROM lessons l WHERE {_PUBLISHED}
        GROUP BY ALL ORDER BY 1, 2""",
    "lessons_by_risk": f"""
        SELECT year(l.published_at) || ' Q' || quarter(l.published_at) AS quarter, r.name AS risk, r.position,
               count(*)::INTEGER AS lessons
        FROM lessons l JOIN lesson_risks lr ON lr.lesson_id = l.id JOIN risk_types r ON r.id = lr.risk_type_id
        WHERE {_PUBLISHED}
        GROUP BY ALL ORDER BY 1, r.position""",
    "drilldown": f"""WITH {_FILTERED}, {_LATEST.format(extra=", max(a.as_of) AS as_of")}
        SELECT c.department_id, c.department, c.state_code AS state, c.hhs_region AS region, p.id AS practice_id,
               p.name AS practice, c.stage, st.name AS stage_name, c.as_of
        FROM current c JOIN chosen p ON p.id = c.practice_id LEFT JOIN adoption_stages st ON st.level = c.stage
        WHERE ($drill_region::INTEGER IS NULL OR c.hhs_region = $drill_region::INTEGER)
          AND ($drill_state::VARCHAR IS NULL OR c.state_code = $drill_state::VARCHAR)
          AND ($drill_practice::INTEGER IS NULL OR c.practice_id = $drill_practice::INTEGER)
          AND ($drill_stage::INTEGER IS NULL OR c.stage = $drill_stage::INTEGER)
        ORDER BY c.department, p.position
        LIMIT $drill_limit""",
}


# ---------------------------------------------------------------- quarters
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


# ---------------------------------------------------------------- self-assessment
@dataclass(frozen=True)
class SelfAssessment:
    """What the self-assessment page shows: the scale, the practices with their current stage, the history."""

    department_id: int
    department_name: str
    stages: list[dict]
    sections: list[tuple[dict, list[dict]]]  # (category, practices with current stage or None)
    history: list[dict]
    note_limit: int = NOTE_LIMIT


def self_assessment(db: Database, user: User, department_id: int | None = None) -> SelfAssessment:
    """The department's scale, current stage per practice (grouped by category) and full history."""
    department_id = user.department_id if department_id is None else department_id
    if department_id is None:
        raise Forbidden("Self-assessment is for members of a health department; your account has none.")
    permissions.require(user, "assessment.read", permissions.department_relations(user, department_id))
    tax = taxonomy.load(db)
    with db.read() as cur:
        dept = one(cur, "SELECT id, name FROM departments WHERE id = ?", [department_id])
        if dept is None:
            raise NotFound("That department does not exist.")
        history = rows(cur, SQL["history"], {"department": department_id})
    current: dict[int, dict] = {}
    for record in history:  # newest first, so the first seen per practice is current
        current.setdefault(record["practice_id"], record)
    sections = [(c, [dict(p, current=current.get(p["id"])) for p in ps]) for c, ps in tax.practices_by_category() if ps]
    return SelfAssessment(department_id, dept["name"], tax.stages, sections, history)


UNCHECKED = object()  # record(latest_seen=...) default: the caller did not say what it had seen


def record(db: Database, user: User, *, department_id: int, practice_id, stage, as_of, note: str = "",
           evidence_url: str = "", latest_seen=UNCHECKED, now: datetime | None = None) -> int:
    """Add a dated stage for one practice of a department (history is never overwritten); return its id.

    `latest_seen` is the id of the newest record of that practice the form showed (None: none): if
    another was added since, Conflict, so two colleagues never silently record over each other.
    """
    permissions.require(user, "assessment.write", permissions.department_relations(user, department_id))
    now = now or clock.now()
    tax = taxonomy.load(db)
    errors: dict[str, str] = {}
    practice = next((p for p in tax.practices if p["id"] == _as_int(practice_id)), None)
    if practice is None or not practice["active"]:
        errors["practice"] = "Choose one of the practices in the list."
    levels = {s["level"] for s in tax.stages}
    if _as_int(stage) not in levels:
        errors["stage"] = f"Choose a stage from the scale ({', '.join(s['name'] for s in tax.stages)})."
    if not isinstance(as_of, date) or isinstance(as_of, datetime):
        errors["as_of"] = "Give the date this stage applies from."
    elif as_of > now.date():
        errors["as_of"] = "The as-of date cannot be in the future."
    elif as_of < EARLIEST:
        errors["as_of"] = f"The as-of date must be on or after {EARLIEST:%-d %B %Y}."
    try:
        note = field(note, "note", NOTE_LIMIT, multiline=True, label="The note")
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        evidence_url = field(evidence_url, "evidence_url", URL_LIMIT, label="The evidence link")
    except InvalidInput as exc:
        errors.update(exc.errors)
    else:
        if evidence_url and not is_http_url(evidence_url):
            errors["evidence_url"] = "Give a full web address starting with http:// or https://, or leave it empty."
    if errors:
        raise InvalidInput(errors)

    def work(cur):
        if not cur.execute("SELECT 1 FROM departments WHERE id = ?", [department_id]).fetchone():
            raise NotFound("That department does not exist.")
        if latest_seen is not UNCHECKED:
            _check_latest(cur, department_id, practice, latest_seen, now)
        return cur.execute(
            """INSERT INTO assessments (department_id, practice_id, stage, as_of, note, evidence_url, recorded_by, recorded_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [department_id, practice["id"], int(stage), as_of, note, evidence_url, user.id, now],
        ).fetchone()[0]

    return db.write(work, attempts=serial.ATTEMPTS)


def _check_latest(cur, department_id: int, practice: dict, latest_seen, now: datetime) -> None:
    # The claim serialises two saves for one practice: the second one sees the first's record.
    serial.claim(cur, "department_practice", department_id * 1_000_000 + practice["id"], now)
    newest = one(cur, """SELECT a.id, a.recorded_at, st.name AS stage_name, u.display_name FROM assessments a
                         LEFT JOIN adoption_stages st ON st.level = a.stage LEFT JOIN users u ON u.id = a.recorded_by
                         WHERE a.department_id = ? AND a.practice_id = ? ORDER BY a.id DESC LIMIT 1""",
                 [department_id, practice["id"]])
    if newest and newest["id"] != latest_seen:
        raise Conflict(f"{newest['display_name'] or 'A colleague'} recorded {practice['name']} as "
                       f"{newest['stage_name']} at {newest['recorded_at']:%H:%M} UTC, after you opened this page. "
                       "Nothing was saved: check the history, then save again if yours still applies.")


def _as_int(value) -> int | None:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- dashboard
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
    version = db.version  # read first: a write during the reads below can only make the key older, never stale
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
    return query(db, "drilldown", params, cached=False)


def drill_from_selection(chart: str, selection) -> Drill | None:
    """Turn a chart's point selection ({name: [{field: value}]}) into a Drill, or None when nothing is picked."""
    for picked in (selection or {}).values():
        if isinstance(picked, dict):  # the {field: [values]} shape
            picked = [{k: (v[0] if isinstance(v, list) and v else v) for k, v in picked.items()}] if picked else []
        point = picked[0] if picked else {}
        state = point.get("state")
        drill = Drill(chart=chart, region=_as_int(point.get("region")), practice_id=_as_int(point.get("practice_id")),
                      stage=_as_int(point.get("stage")), state=str(state).upper() if isinstance(state, str) else None)
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


# Per database (weakly held, so a new Database never sees another's results) -> {key: rows}.
_caches: "weakref.WeakKeyDictionary[Database, OrderedDict]" = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()


def query(db: Database, name: str, params: dict, *, cached: bool = True) -> list[dict]:
    """Run one named dashboard query with the parameters it uses (results cached until the next write)."""
    sql = SQL[name]
    used = {k: params[k] for k in dict.fromkeys(re.findall(r"\$(\w+)", sql))}
    key = (db.version, name, repr(sorted(used.items())))
    with _cache_lock:
        cache = _caches.setdefault(db, OrderedDict())
        hit = cache.get(key) if cached else None
    if hit is None:
        with db.read() as cur:
            hit = rows(cur, sql, used)
        if cached:
            with _cache_lock:
                cache[key] = hit
                while len(cache) > 256:
                    cache.popitem(last=False)
    return [dict(r) for r in hit]


def clear_cache() -> None:
    """Forget cached aggregates (the benchmark times cold queries)."""
    with _cache_lock:
        _caches.clear()


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
