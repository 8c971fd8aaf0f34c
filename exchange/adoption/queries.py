"""The dashboard's SQL, one named query per aggregate, and running them (cached per data version).

A department's stage for a practice "as of D" is its latest assessment dated on or before D; two
records of one date resolve to the later save (the higher id): `arg_max(stage, (as_of, id))`.
"""

from __future__ import annotations

import re

from exchange.kernel.cache import VersionedCache
from exchange.storage.duckdb import Database, rows

# Values are always parameters.
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
# Latest record: by as-of date, then by id, so two records of one date resolve to the later save.
_LATEST = """
latest AS (
    SELECT a.department_id, a.practice_id, arg_max(a.stage, (a.as_of, a.id)) AS stage{extra}
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


# Per database and data version: results of the queries the dashboard draws (never the drill-down's).
results = VersionedCache("adoption.queries")


def query(db: Database, name: str, params: dict) -> list[dict]:
    """Run one named dashboard query with the parameters it uses (results cached until the next write)."""
    used = _used(name, params)
    found = results.get(db, (name, repr(sorted(used.items()))), lambda: _run(db, name, used))
    return [dict(r) for r in found]  # callers edit their rows: never the cached ones


def fetch(db: Database, name: str, params: dict) -> list[dict]:
    """Run one named dashboard query uncached (drill-downs, and the benchmark's cold timings)."""
    return _run(db, name, _used(name, params))


def _used(name: str, params: dict) -> dict:
    return {k: params[k] for k in dict.fromkeys(re.findall(r"\$(\w+)", SQL[name]))}


def _run(db: Database, name: str, used: dict) -> list[dict]:
    with db.read() as cur:
        return rows(cur, SQL[name], used)
