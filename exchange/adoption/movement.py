"""Movement between stages (issue 14.2): transitions per quarter (from -> to), time in stage, and stalled departments.

Every figure is summed from atoms (exchange/adoption/suppression.py) and passes `suppression.protect`:

- transitions: a quarter's moves are shown only when the quarter's assessed departments (the movement
  chart's base, already protected there) are shown; a move's count is a part of that base, as a stage
  segment is a part of its practice's bar;
- time in stage: per practice and stage, the median over departments of the quarters they spent at the
  stage before moving on. Only stages a department was seen entering (a change of stage) and leaving
  (a later change) count, so a first assessment's stage, whose start is unknown, never shortens a median.
  A cell rests on the departments behind its median (11+ and safe against one-filter differences);
- stalled: per practice, the departments assessed on it a year before the period's end (the base) and
  those of them below Sustaining and no higher than then.
"""

from __future__ import annotations

import pandas as pd

from exchange.adoption import suppression
from exchange.adoption import quarterly
from exchange.adoption.queries import (_ATOM, _GOVERNED, DEPARTMENT_FILTERS, SQL, _run_frame, _used, frame, group_by,
                                       latest_stage, results)
from exchange.storage.duckdb import Database

STALLED_QUARTERS = 4  # no stage progress for this many quarters (a year) or more: stalled
SUSTAINING = 4

# Per atom, quarter and (from, to): department-practice pairs whose stage at the quarter's end differs from the quarter before.
TRANSITIONS = f"""WITH records AS (
        SELECT a.department_id, a.practice_id, a.stage,
               greatest(0, (year(a.as_of) - $first_year) * 4 + quarter(a.as_of) - $first_q)::INTEGER AS k,
               lead(greatest(0, (year(a.as_of) - $first_year) * 4 + quarter(a.as_of) - $first_q)::INTEGER)
                   OVER (PARTITION BY a.department_id, a.practice_id ORDER BY a.as_of, a.id) AS next_k
        FROM assessments a
        WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
          AND a.practice_id IN (SELECT id FROM practices WHERE active)
    ),
    held AS (SELECT unnest(range(k, coalesce(next_k, $quarters))) AS k, department_id, practice_id, stage FROM records),
    steps AS (
        SELECT k, department_id, stage, lag(stage) OVER (PARTITION BY department_id, practice_id ORDER BY k) AS before
        FROM held
    )
    SELECT st.k, {_ATOM}, st.before AS from_stage, st.stage AS to_stage, count(*)::INTEGER AS moves
    FROM steps st JOIN departments d ON d.id = st.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
    WHERE st.k > 0 AND st.stage <> st.before
    {group_by(9)}"""

# The same from the quarterly table (exchange/adoption/quarterly.py): a pair's stage at each quarter's end is stored,
# so a transition is a join of one quarter's row to the quarter before (the spreading query above is the fallback).
TRANSITIONS_QUARTERLY = f"""WITH steps AS (
        SELECT q.quarter - ($first_year * 4 + $first_q - 1) AS k, q.department_id, b.stage AS before, q.stage
        FROM adoption_quarters q
             JOIN adoption_quarters b ON b.department_id = q.department_id AND b.practice_id = q.practice_id
                                     AND b.quarter = q.quarter - 1
        WHERE q.quarter BETWEEN $first_year * 4 + $first_q AND $first_year * 4 + $first_q - 2 + $quarters
          AND ($practice::INTEGER IS NULL OR q.practice_id = $practice::INTEGER)
          AND q.practice_id IN (SELECT id FROM practices WHERE active)
          AND q.stage <> b.stage
    )
    SELECT st.k::INTEGER AS k, {_ATOM}, st.before AS from_stage, st.stage AS to_stage, count(*)::INTEGER AS moves
    FROM steps st JOIN departments d ON d.id = st.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
    {group_by(9)}"""

# Per atom, practice, stage and whole quarters spent: departments (one value each: their spells at the stage summed).
TIME_IN_STAGE = f"""WITH records AS (
        SELECT a.department_id, a.practice_id, a.stage, a.as_of, a.id,
               lag(a.stage) OVER (PARTITION BY a.department_id, a.practice_id ORDER BY a.as_of, a.id) AS before
        FROM assessments a
        WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
          AND a.practice_id IN (SELECT id FROM practices WHERE active)
    ),
    spells AS (
        SELECT department_id, practice_id, stage, before, as_of AS entered,
               lead(as_of) OVER (PARTITION BY department_id, practice_id ORDER BY as_of, id) AS left_on
        FROM records WHERE before IS NULL OR before <> stage
    ),
    per_department AS (
        SELECT department_id, practice_id, stage, round(sum(left_on - entered) / 91.3125)::INTEGER AS quarters
        FROM spells
        WHERE before IS NOT NULL AND left_on IS NOT NULL AND left_on >= $period_start
        GROUP BY 1, 2, 3
    )
    SELECT {_ATOM}, pd.practice_id, pd.stage, pd.quarters, count(*)::INTEGER AS departments
    FROM per_department pd JOIN departments d ON d.id = pd.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
    {group_by(9)}"""

# Each pair's stage at the period's end and a year before (NULL: not assessed by then).
_PAIRS = f"""pairs AS (
        SELECT a.department_id, a.practice_id,
               {latest_stage()} AS stage,
               {latest_stage(where="a.as_of <= $year_ago")} AS year_ago,
               max(a.as_of) AS last_assessed
        FROM assessments a
        WHERE a.as_of <= $as_of AND ($practice::INTEGER IS NULL OR a.practice_id = $practice::INTEGER)
          AND a.practice_id IN (SELECT id FROM practices WHERE active)
        GROUP BY 1, 2
    )"""
_IS_STALLED = f"p.year_ago IS NOT NULL AND p.stage < {SUSTAINING} AND p.stage <= p.year_ago"

# Per atom and practice: departments assessed a year before the period's end, and those of them stalled.
STALLED = f"""WITH {_PAIRS}
    SELECT {_ATOM}, p.practice_id, count(*)::INTEGER AS departments,
           count(*) FILTER (WHERE {_IS_STALLED})::INTEGER AS stalled
    FROM pairs p JOIN departments d ON d.id = p.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
    WHERE p.year_ago IS NOT NULL
    {group_by(7)}"""

# The stalled departments themselves, in the given regions and filters, only those who share their stages
# ({listable} is the fixed condition exchange.adoption.stalled.LISTABLE).
STALLED_LIST = f"""WITH {_PAIRS}
    SELECT d.id AS department_id, d.name AS department, d.state_code AS state, s.hhs_region AS region,
           pr.id AS practice_id, pr.name AS practice, p.stage, st.name AS stage_name, p.year_ago,
           ya.name AS year_ago_name, p.last_assessed
    FROM pairs p JOIN departments d ON d.id = p.department_id JOIN states s ON s.code = d.state_code {_GOVERNED}
         JOIN practices pr ON pr.id = p.practice_id
         LEFT JOIN adoption_stages st ON st.level = p.stage LEFT JOIN adoption_stages ya ON ya.level = p.year_ago
    WHERE {_IS_STALLED} AND {{listable}}
      AND list_contains($list_regions::INTEGER[], s.hhs_region) AND {DEPARTMENT_FILTERS}
    ORDER BY s.hhs_region, d.name, pr.position
    LIMIT $list_limit"""


# Named beside the dashboard's own queries, so `queries.frame` runs and caches them per data version.
SQL.update(transitions=TRANSITIONS, transitions_quarterly=TRANSITIONS_QUARTERLY, time_in_stage=TIME_IN_STAGE,
           stalled=STALLED)


def year_ago(as_of):
    """The day STALLED_QUARTERS quarters before `as_of` (29 February falls back to the 28th)."""
    try:
        return as_of.replace(year=as_of.year - STALLED_QUARTERS // 4)
    except ValueError:
        return as_of.replace(year=as_of.year - STALLED_QUARTERS // 4, day=28)


def views(db: Database, params: dict, scope: dict, moves: pd.DataFrame, labels: dict[int, str],
          practices: pd.DataFrame) -> dict[str, list[dict]]:
    """The three movement aggregates, suppressed: {"transitions", "time_in_stage", "stalled"} (rows for the Dashboard)."""
    params = {**params, "year_ago": year_ago(params["as_of"])}
    return {"transitions": _transitions(transition_atoms(db, params), scope, moves, labels),
            "time_in_stage": _time_in_stage(frame(db, "time_in_stage", params), scope, practices,
                                            base=_per_department_base(db, params)),
            "stalled": _stalled(frame(db, "stalled", params), scope, practices)}


def transition_atoms(db: Database, params: dict) -> pd.DataFrame:
    """The transitions' atoms, from the quarterly table when it is exact for the period (cached per data version)."""
    used = _used("transitions", params)

    def compute() -> pd.DataFrame:
        quarterly.current(db, used["first_year"] * 4 + used["first_q"] - 2 + used["quarters"])
        name = "transitions_quarterly" if quarterly.exact_for(db, used["as_of"]) else "transitions"
        return _run_frame(db, name, _used(name, used))

    return results.get(db, ("frame", "transitions", repr(sorted(used.items()))), compute)


def _transitions(atoms: pd.DataFrame, scope: dict, moves: pd.DataFrame, labels: dict[int, str]) -> list[dict]:
    """Per quarter and (from, to): moves, or one withheld row for a quarter whose base is withheld."""
    picked = suppression.select(atoms, scope)
    counts = (picked.groupby(["k", "from_stage", "to_stage"], observed=True)["moves"].sum()
              if len(picked) else pd.Series(dtype=int))
    out = []
    for base in moves.sort_values("k").to_dict("records"):
        k = int(base["k"])
        if k == 0:
            continue
        if base["suppressed"]:
            out.append(dict(k=k, quarter=labels[k], from_stage=None, to_stage=None, moves=None, suppressed=True,
                            why=base["why"]))
            continue
        for (kk, before, after), n in counts.items():
            if int(kk) == k and n:
                out.append(dict(k=k, quarter=labels[k], from_stage=int(before), to_stage=int(after), moves=int(n),
                                suppressed=False, why=None))
    return out


def _per_department_base(db: Database, params: dict) -> pd.DataFrame:
    """Time-in-stage atoms without their quarters (what suppression counts), summed once per data version."""
    used = _used("time_in_stage", params)
    atoms = frame(db, "time_in_stage", params)
    keys = [c for c in atoms.columns if c not in ("quarters", "departments")]
    return results.get(db, ("frame", "time_in_stage_base", repr(sorted(used.items()))),
                       lambda: atoms.groupby(keys, as_index=False, observed=True)["departments"].sum())


def _time_in_stage(atoms: pd.DataFrame, scope: dict, practices: pd.DataFrame, base: pd.DataFrame | None = None) -> list[dict]:
    """Per practice and stage: the median quarters spent there before moving on, over 11+ departments."""
    if not len(atoms):
        return []
    base = atoms if base is None else base
    cells = suppression.protect(base, scope, ["practice_id", "stage"], ("departments",))  # no line total is shown
    spread = suppression.select(atoms, scope).groupby(["practice_id", "stage", "quarters"], observed=True)["departments"].sum()
    histograms: dict[tuple, list] = {}
    for (pid, stage, quarters), n in spread.items():
        if n:
            histograms.setdefault((int(pid), int(stage)), []).append((int(quarters), int(n)))
    names = practices.set_index("practice_id")
    out = []
    for cell in cells.to_dict("records"):
        pid, stage = int(cell["practice_id"]), int(cell["stage"])
        if pid not in names.index:
            continue
        row = dict(practice_id=pid, practice=names.at[pid, "practice"], position=int(names.at[pid, "position"]),
                   stage=stage, suppressed=bool(cell["suppressed"]), why=cell["why"] if cell["suppressed"] else None,
                   departments=None, median=None)
        if not row["suppressed"]:
            histogram = histograms.get((pid, stage), [])
            row.update(departments=sum(n for _, n in histogram), median=_weighted_median(histogram))
        out.append(row)
    return sorted(out, key=lambda r: (r["position"], r["stage"]))


def _weighted_median(histogram: list[tuple[int, int]]) -> float:
    """The median of values counted in a histogram [(value, count)] (the mean of the middle two for an even count)."""
    ordered = sorted(histogram)
    total = sum(n for _, n in ordered)

    def nth(i: int) -> int:  # the i-th value (0-based) in sorted order
        for value, n in ordered:
            if i < n:
                return value
            i -= n
        raise IndexError(i)

    mid = total // 2
    return float(nth(mid)) if total % 2 else (nth(mid - 1) + nth(mid)) / 2


def _stalled(atoms: pd.DataFrame, scope: dict, practices: pd.DataFrame) -> list[dict]:
    """Per practice: departments assessed a year before the period's end, how many stalled, and the share."""
    if not len(atoms):
        return []
    cells = suppression.protect(atoms, scope, ["practice_id"], ("departments", "stalled"))
    cells = cells.merge(practices, on="practice_id").sort_values("position")
    out = []
    for cell in cells.to_dict("records"):
        shown = not cell["suppressed"]
        base, stalled = int(cell["departments"]), int(cell["stalled"])
        out.append(dict(practice_id=int(cell["practice_id"]), practice=cell["practice"], position=int(cell["position"]),
                        departments=base if shown else None, stalled=stalled if shown else None,
                        share=stalled / base if shown and base else None, suppressed=not shown, why=cell["why"] if cell["suppressed"] else None))
    return out
