"""Time each adoption-dashboard query, cold (no result cache), on a given database.

The main benchmark imports this module and calls `run(db)` against the national-scale demo
(3,000 departments x 15 practices x 12 quarters). Run it alone with:

    .venv/bin/python scripts/bench_dashboard.py /tmp/national.duckdb
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exchange import adoption, clock  # noqa: E402
from exchange.db import Database  # noqa: E402

QUERIES = ("departments", "heatmap", "stages", "map", "trend", "lessons_by_kind", "lessons_by_risk", "drilldown")


def scenarios(db: Database, today: date) -> dict[str, adoption.Filters]:
    """The filter combinations a coordinator uses most: everything, one practice, one region, a narrow slice."""
    with db.read() as cur:
        practice = cur.execute("SELECT min(id) FROM practices WHERE active").fetchone()[0]
    last = adoption.quarter_of(today)
    first = adoption.quarters_between(adoption.quarter_of(date(today.year - 3, today.month, 1)), last)[1]
    base = adoption.Filters(first_quarter=first, last_quarter=last)
    return {
        "all practices": base,
        "one practice": adoption.Filters(practice_id=practice, first_quarter=first, last_quarter=last),
        "one region": adoption.Filters(regions=(5,), first_quarter=first, last_quarter=last),
        "narrow": adoption.Filters(practice_id=practice, regions=(5, 7), jurisdiction_types=("county",),
                                   population_bands=("small", "medium"), first_quarter=first, last_quarter=last),
    }


def run(db: Database, repeats: int = 20, *, today: date | None = None) -> dict[str, tuple[float, float]]:
    """Time every dashboard query under each scenario; return {"query (scenario)": (p50 ms, p95 ms)}."""
    today = today or clock.today()
    results: dict[str, tuple[float, float]] = {}
    for label, filters in scenarios(db, today).items():
        params, _ = adoption.resolve(db, filters, today)
        params.update(drill_region=5, drill_state=None, drill_practice=None, drill_stage=None,
                      drill_limit=adoption.DRILL_LIMIT)
        for name in QUERIES:
            adoption.query(db, name, params, cached=False)  # warm DuckDB's own caches once
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                adoption.query(db, name, params, cached=False)
                timings.append((time.perf_counter() - started) * 1000)
            results[f"{name} ({label})"] = (statistics.median(timings), _p95(timings))
    return results


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def main(argv: list[str]) -> int:
    """Print the figures for the database file given on the command line."""
    if len(argv) != 1:
        print("usage: bench_dashboard.py DATABASE_FILE", file=sys.stderr)
        return 2
    db = Database(argv[0])
    try:
        figures = run(db)
    finally:
        db.close()
    width = max(map(len, figures))
    for name, (p50, p95) in figures.items():
        flag = "" if p95 <= 100 else "  over 100 ms"
        print(f"{name:<{width}}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{flag}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
