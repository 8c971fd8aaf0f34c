"""The dashboard's SQL, one named query per aggregate, and running them (cached per data version).

A department's stage for a practice "as of D" is its latest assessment dated on or before D; two
records of one date resolve to the later save (the higher id): `latest_stage()`, one plain max() that
DuckDB and PostgreSQL both run (issue 13), and faster on DuckDB than its own arg_max (national: 320 vs 570 ms).
"""

from __future__ import annotations

import re

import pandas as pd

from exchange.adoption import quarterly
from exchange.kernel.cache import VersionedCache
from exchange.storage.duckdb import Database, rows

# Stage levels are 0-9 and ids below 10^11, so (days since 1900, id, stage) pack into one BIGINT whose max is the
# latest record, and its last digit that record's stage.
_PACK = "(({a}.as_of - DATE '1900-01-01')::BIGINT * 1000000000000 + {a}.id::BIGINT * 10 + {a}.stage)"


def latest_stage(alias: str = "a", where: str | None = None) -> str:
    """An aggregate: the stage of the latest of `alias`'s assessments in the group (by as_of, then id), or
    NULL when none is; `where` keeps only some rows (as a FILTER clause). Dialect-neutral (no arg_max)."""
    only = f" FILTER (WHERE {where})" if where else ""
    return f"((max({_PACK.format(a=alias)}){only}) % 10)::INTEGER"


def group_by(count: int) -> str:
    """GROUP BY the first `count` output columns (PostgreSQL has no `GROUP BY ALL`)."""
    return "GROUP BY " + ", ".join(str(i) for i in range(1, count + 1))


# Values are always parameters.
# A department's state governance (issue 14.2, after the NACCHO Profile): its profile's own choice, else its state's
# (migration 0009), else "not_recorded", so a department without one is counted under "Not recorded", never dropped.
GOVERNANCE_OF = "coalesce(nullif(dp.state_governance, ''), g.governance, 'not_recorded')"
# Joined after `departments d`: one row each (both keys are primary), so no count is doubled.
_GOVERNED = ("LEFT JOIN department_profiles dp ON dp.department_id = d.id "
             "LEFT JOIN state_governance g ON g.state_code = d.state_code")
# The department filters, on `d` (departments), `s` (states) and the governance joins.
DEPARTMENT_FILTERS = f"""(len($regions::INTEGER[]) = 0 OR list_contains($regions::INTEGER[], s.hhs_region))
      AND (len($jurisdictions::VARCHAR[]) = 0 OR list_contains($jurisdictions::VARCHAR[], d.jurisdiction_type))
      AND (len($bands::VARCHAR[]) = 0 OR list_contains($bands::VARCHAR[], d.population_band))
      AND (len($urban::VARCHAR[]) = 0 OR list_contains($urban::VARCHAR[], d.urban_rural))
      AND (len($governance::VARCHAR[]) = 0 OR list_contains($governance::VARCHAR[], {GOVERNANCE_OF}))"""
_FILTERED = f"""
filtered AS (
    SELECT d.id, d.name, d.state_code, s.hhs_region
    FROM departments d JOIN states s ON s.code = d.state_code {_GOVERNED}
    WHERE {DEPARTMENT_FILTERS}
),
chosen AS (SELECT id, name, position FROM practices WHERE active AND ($practice::INTEGER IS NULL OR id = $practice::INTEGER))"""
# Latest record: by as-of date, then by id, so two records of one date resolve to the later save.
_LATEST = """
latest AS (
    SELECT a.department_id, a.practice_id, {latest} AS stage{extra}
    FROM assessments a
    WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
    GROUP BY a.department_id, a.practice_id
),
current AS (
    SELECT l.*, f.name AS department, f.state_code, f.hhs_region
    FROM latest l JOIN filtered f ON f.id = l.department_id JOIN chosen p ON p.id = l.practice_id
)"""
_PUBLISHED = """l.status = 'published' AND NOT l.hidden
      AND l.published_at >= $period_start AND l.published_at < $period_end
      AND ($practice::INTEGER IS NULL OR l.id IN (SELECT lesson_id FROM lesson_practices WHERE practice_id = $practice::INTEGER))"""
# The atoms every department figure is summed from (exchange/adoption/suppression.py): departments grouped by
# the attributes the filters pick, over the whole directory, so one result serves every filter combination.
_ATOM = ("d.state_code AS state, s.hhs_region AS region, d.jurisdiction_type, d.population_band, d.urban_rural, "
         f"{GOVERNANCE_OF} AS governance")
SQL = {
    # Per atom, practice and stage as of the period's end: departments, the population they serve, and the
    # named lessons on that practice they had published by then. Anonymous lessons are never counted: a count
    # by stage would say which departments an anonymous lesson could have come from.
    "current": f"""WITH latest AS (
            SELECT a.department_id, a.practice_id, {latest_stage()} AS stage
            FROM assessments a
            WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
            GROUP BY a.department_id, a.practice_id
        ),
        named AS (
            SELECT l.department_id, lp.practice_id, count(*) AS lessons
            FROM lessons l JOIN lesson_practices lp ON lp.lesson_id = l.id
            WHERE l.status = 'published' AND NOT l.hidden AND NOT l.anonymous AND l.published_at < $period_end
            GROUP BY 1, 2
        )
        SELECT {_ATOM}, l.practice_id, l.stage, count(*)::INTEGER AS departments, sum(d.population)::BIGINT AS population,
               coalesce(sum(n.lessons), 0)::INTEGER AS lessons
        FROM latest l JOIN departments d ON d.id = l.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
             JOIN practices p ON p.id = l.practice_id AND p.active
             LEFT JOIN named n ON n.department_id = l.department_id AND n.practice_id = l.practice_id
        {group_by(8)}""",
    # Per atom and quarter (k = 0 for the first): departments assessed on any chosen practice, their assessed
    # (department, practice) pairs and the pairs at Implementing or beyond, each at the quarter's end.
    # A record holds from its quarter until the quarter of the next record of that department and practice;
    # quarters are whole numbers here, so `range` spreads a record over them (cheaper than a range join).
    "trend": f"""WITH records AS (
            SELECT a.department_id, a.stage, greatest(0, (year(a.as_of) - $first_year) * 4 + quarter(a.as_of) - $first_q)::INTEGER AS k,
                   lead(greatest(0, (year(a.as_of) - $first_year) * 4 + quarter(a.as_of) - $first_q)::INTEGER)
                       OVER (PARTITION BY a.department_id, a.practice_id ORDER BY a.as_of, a.id) AS next_k
            FROM assessments a
            WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
              AND a.practice_id IN (SELECT id FROM practices WHERE active)
        ),
        held AS (SELECT unnest(range(k, coalesce(next_k, $quarters))) AS k, department_id, stage FROM records),
        per_department AS (
            SELECT k, department_id, count(*) AS pairs, count(*) FILTER (WHERE stage >= $adopted) AS adopting_pairs
            FROM held GROUP BY 1, 2
        )
        SELECT pd.k, {_ATOM}, count(*)::INTEGER AS departments, sum(pd.pairs)::INTEGER AS pairs,
               sum(pd.adopting_pairs)::INTEGER AS adopting_pairs
        FROM per_department pd JOIN departments d ON d.id = pd.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
        {group_by(7)}""",
    # The same figures from the quarterly table (exchange/adoption/quarterly.py): each pair's stage at every
    # quarter's end is stored, so this is a filtered group-by; a pair assessed before the period counts from k = 0.
    "trend_quarterly": f"""WITH per_department AS (
            SELECT q.quarter - ($first_year * 4 + $first_q - 1) AS k, q.department_id, count(*) AS pairs,
                   count(*) FILTER (WHERE q.stage >= $adopted) AS adopting_pairs
            FROM adoption_quarters q
            WHERE q.quarter BETWEEN $first_year * 4 + $first_q - 1 AND $first_year * 4 + $first_q - 2 + $quarters
              AND ($practice::INTEGER IS NULL OR q.practice_id = $practice::INTEGER)
              AND q.practice_id IN (SELECT id FROM practices WHERE active)
            GROUP BY 1, 2
        )
        SELECT pd.k::INTEGER AS k, {_ATOM}, count(*)::INTEGER AS departments, sum(pd.pairs)::INTEGER AS pairs,
               sum(pd.adopting_pairs)::INTEGER AS adopting_pairs
        FROM per_department pd JOIN departments d ON d.id = pd.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
        {group_by(7)}""",
    # Per atom and quarter: assessed (department, practice) pairs that moved up a stage since the quarter before,
    # moved back, or stalled (below Sustaining and no higher than four quarters before).
    "movement": f"""WITH records AS (
            SELECT a.department_id, a.practice_id, a.stage,
                   greatest(0, (year(a.as_of) - $first_year) * 4 + quarter(a.as_of) - $first_q)::INTEGER AS k,
                   lead(greatest(0, (year(a.as_of) - $first_year) * 4 + quarter(a.as_of) - $first_q)::INTEGER)
                       OVER (PARTITION BY a.department_id, a.practice_id ORDER BY a.as_of, a.id) AS next_k
            FROM assessments a
            WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
              AND a.practice_id IN (SELECT id FROM practices WHERE active)
        ),
        held AS (SELECT unnest(range(k, coalesce(next_k, $quarters))) AS k, department_id, practice_id, stage
                 FROM records),
        steps AS (
            SELECT k, department_id, stage, lag(stage) OVER w AS before, lag(stage, 4) OVER w AS year_ago
            FROM held WINDOW w AS (PARTITION BY department_id, practice_id ORDER BY k)
        )
        SELECT st.k, {_ATOM}, count(*) FILTER (WHERE st.stage > st.before)::INTEGER AS up,
               count(*) FILTER (WHERE st.stage < st.before)::INTEGER AS down,
               count(*) FILTER (WHERE st.stage <= st.year_ago AND st.stage < 4)::INTEGER AS stalled
        FROM steps st JOIN departments d ON d.id = st.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
        {group_by(7)}""",
    # Every department in the directory, assessed or not: the second denominator.
    "directory": f"""SELECT {_ATOM}, count(*)::INTEGER AS departments, sum(d.population)::BIGINT AS population
        FROM departments d JOIN states s ON s.code = d.state_code {_GOVERNED} {group_by(6)}""",
    "states": "SELECT code AS state, name AS state_name, hhs_region AS region, tile_col, tile_row FROM states ORDER BY code",
    "practices": "SELECT id AS practice_id, name AS practice, position FROM practices WHERE active ORDER BY position",
    # Lessons only: no department column is read, so nothing about an anonymous lesson's origin can leak.
    "lessons_by_kind": f"""
        SELECT year(l.published_at) || ' Q' || quarter(l.published_at) AS quarter, l.kind, count(*)::INTEGER AS lessons
        FROM lessons l WHERE {_PUBLISHED}
        GROUP BY 1, 2 ORDER BY 1, 2""",
    "lessons_by_risk": f"""
        SELECT year(l.published_at) || ' Q' || quarter(l.published_at) AS quarter, r.name AS risk, r.position,
               count(*)::INTEGER AS lessons
        FROM lessons l JOIN lesson_risks lr ON lr.lesson_id = l.id JOIN risk_types r ON r.id = lr.risk_type_id
        WHERE {_PUBLISHED}
        GROUP BY 1, 2, 3 ORDER BY 1, r.position""",
    "drilldown": f"""WITH {_FILTERED}, {_LATEST.format(latest=latest_stage(), extra=", max(a.as_of) AS as_of")}
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


# Per database and data version: results of the queries the dashboard draws (never the drill-down's).
results = VersionedCache("adoption.queries")


def query(db: Database, name: str, params: dict) -> list[dict]:
    """Run one named dashboard query with the parameters it uses (results cached until the next write)."""
    used = _used(name, params)
    found = results.get(db, (name, repr(sorted(used.items()))), lambda: _run(db, name, used))
    return [dict(r) for r in found]  # callers edit their rows: never the cached ones


def frame(db: Database, name: str, params: dict) -> pd.DataFrame:
    """One named query as a DataFrame, cached until the next write (read it, never change it in place)."""
    used = _used(name, params)
    return results.get(db, ("frame", name, repr(sorted(used.items()))), lambda: _run_frame(db, name, used))


def trend(db: Database, params: dict) -> pd.DataFrame:
    """The trend's atoms per quarter, from the quarterly table when it is exact for the period (cached per data version)."""
    used = _used("trend", params)

    def compute() -> pd.DataFrame:
        quarterly.current(db, used["first_year"] * 4 + used["first_q"] - 2 + used["quarters"])
        name = "trend_quarterly" if quarterly.exact_for(db, used["as_of"]) else "trend"
        return _run_frame(db, name, _used(name, used))

    return results.get(db, ("frame", "trend", repr(sorted(used.items()))), compute)


def fetch(db: Database, name: str, params: dict) -> list[dict]:
    """Run one named dashboard query uncached (drill-downs, and the benchmark's cold timings)."""
    return _run(db, name, _used(name, params))


def fetch_frame(db: Database, name: str, params: dict) -> pd.DataFrame:
    """One named dashboard query uncached, as the DataFrame the dashboard's services read (the benchmark's timings)."""
    return _run_frame(db, name, _used(name, params))


def _used(name: str, params: dict) -> dict:
    return {k: params[k] for k in dict.fromkeys(re.findall(r"\$(\w+)", SQL[name]))}


def _run_frame(db: Database, name: str, used: dict) -> pd.DataFrame:
    with db.read() as cur:
        found = cur.execute(SQL[name], used).df()
    for column in found.columns:  # the atoms' few text values: categories group and filter several times faster
        if found[column].dtype == object or str(found[column].dtype).startswith("string"):
            found[column] = found[column].astype(str).astype("category")
    return found


def _run(db: Database, name: str, used: dict) -> list[dict]:
    with db.read() as cur:
        return rows(cur, SQL[name], used)
