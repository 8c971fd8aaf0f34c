"""Time the adoption dashboard: each query cold (no result cache), and whole filter changes in a browser.

The main benchmark imports this module and calls `run(db)` against the national-scale demo
(3,000 departments x 15 practices x 12 quarters). Run it alone with:

    .venv/bin/python scripts/bench_dashboard.py /tmp/national.duckdb
    .venv/bin/python scripts/bench_dashboard.py --browser [DATABASE_FILE] [--json]

`--browser` starts `streamlit run` on a free port against a copy of the file (a fresh demo
database when none is given), signs in as the demo coordinator in Chromium and times the
first load and every filter change, from the click until the script has run and the charts
are painted, with the CPU time the server and Chromium spent on each (medians: `server_cpu_p50`,
`browser_cpu_p50`), which a loaded machine moves far less than the wall clock.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from exchange.storage import open_database
from exchange import adoption, clock  # noqa: E402
from exchange.adoption import charts, movement, quarterly  # noqa: E402
from exchange.models import User  # noqa: E402
from exchange.storage.duckdb import Database  # noqa: E402

# "trend" is the spreading query (kept as the fallback and for comparison); "trend_quarterly" reads the
# quarterly table the dashboard uses (exchange/adoption/quarterly.py), brought up to date first.
QUERIES = ("current", "trend", "trend_quarterly", "movement", "transitions", "time_in_stage", "stalled", "directory",
           "lessons_by_kind", "lessons_by_risk", "drilldown")
ADMIN = User(id=1, email="bench@example.org", display_name="Bench", role="admin")


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
    quarterly.current(db)
    results: dict[str, tuple[float, float]] = {}
    for label, filters in scenarios(db, today).items():
        params, _ = adoption.resolve(db, filters, today)
        params.update(drill_region=5, drill_state=None, drill_practice=None, drill_stage=None,
                      drill_limit=adoption.DRILL_LIMIT, year_ago=movement.year_ago(params["as_of"]))
        for name in QUERIES:
            # As the dashboard's services read them: a DataFrame (a list of dicts cost ~40 ms more on the trend's
            # 12,000 atom rows, work the page never does).
            adoption.fetch_frame(db, name, params)  # warm DuckDB's own caches once
            timings = []
            for _ in range(repeats):
                started = time.perf_counter()
                adoption.fetch_frame(db, name, params)
                timings.append((time.perf_counter() - started) * 1000)
            results[f"{name} ({label})"] = (statistics.median(timings), _p95(timings))
    return results


def service_figures(db: Database, repeats: int = 5, *, today: date | None = None) -> dict[str, float]:
    """The whole service per scenario, as JSON figures (ms): cold (nothing cached), a new filter combination
    over cached atoms (what a filter change costs), a view seen before, and building its charts. Every tab but
    Movement reads `dashboard()` alone; "movement_cold" is what opening the Movement tab (or the report, or the
    API) adds on top, its own queries uncached, and "charts" builds every chart, the Movement ones included."""
    today = today or clock.today()
    figures: dict[str, float] = {}
    for label, filters in scenarios(db, today).items():
        key = "dashboard_service_" + label.replace(" ", "_")
        cold, fresh, seen, moving, built = [], [], [], [], []
        for n in range(repeats):
            adoption.query_cache.clear()
            adoption.aggregates.views.clear()
            adoption.aggregates.moving_views.clear()
            cold.append(_ms(lambda: adoption.dashboard(db, ADMIN, filters, today=today)))
            moving.append(_ms(lambda: adoption.movement_views(db, ADMIN, filters, today=today)))
            adoption.aggregates.views.clear()  # the atoms stay cached: only this view's sums and suppression run
            fresh.append(_ms(lambda: adoption.dashboard(db, ADMIN, filters, today=today)))
            seen.append(_ms(lambda: adoption.dashboard(db, ADMIN, filters, today=today)))
            d = adoption.dashboard(db, ADMIN, filters, today=today, movement=True)
            built.append(_ms(lambda: [v.spec_json for v in charts.dashboard_views(d)]))
        for name, samples in (("cold", cold), ("movement_cold", moving), ("filter_change", fresh),
                              ("seen_before", seen), ("charts", built)):
            figures[f"{key}_{name}_p50_ms"] = round(statistics.median(samples), 1)
            figures[f"{key}_{name}_p95_ms"] = round(_p95(samples), 1)
    figures.update(catch_up_figures(db, repeats))
    return figures


def catch_up_figures(db: Database, repeats: int = 5) -> dict[str, float]:
    """What the next dashboard reader pays after one new assessment: the quarterly table catching up (ms)."""
    quarterly.current(db)
    with db.read() as cur:
        department = cur.execute("SELECT min(id) FROM departments").fetchone()[0]
        practice = cur.execute("SELECT min(id) FROM practices WHERE active").fetchone()[0]
    samples = []
    for n in range(repeats):
        adoption.record(db, ADMIN, department_id=department, practice_id=practice, stage=n % 5,
                        as_of=clock.today() - timedelta(days=400 + n))
        samples.append(_ms(lambda: quarterly.current(db)))
    return {"dashboard_quarterly_catch_up_p50_ms": round(statistics.median(samples), 1),
            "dashboard_quarterly_catch_up_p95_ms": round(_p95(samples), 1)}


def _ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


# ---------------------------------------------------------------- the whole page, in a browser
# Installed before each action: the time from `start` until Streamlit has run the script and the
# browser has painted twice after it (vega-embed draws on the next frames).
_WATCH = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    const bench = window.__bench = {start: performance.now(), ran: false, end: null};
    const seen = () => {
        const state = app.getAttribute('data-test-script-state');
        if (state === 'running') bench.ran = true;
        else if (state === 'notRunning' && bench.ran && bench.end === null) {
            bench.end = 0;
            requestAnimationFrame(() => requestAnimationFrame(() => { bench.end = performance.now(); }));
        }
    };
    bench.observer = new MutationObserver(seen);
    bench.observer.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
# Done when every chart on the page is painted (all 13 stacked before issue 14's tabs; the open tab's after).
_DONE = """() => {
    if (!(window.__bench && window.__bench.end > 0)) return false;
    const charts = [...document.querySelectorAll('[data-testid=stVegaLiteChart], .vega-embed')].filter(e => e.matches('.vega-embed'));
    return charts.length > 0 && charts.every(c => c.querySelector('svg.marks'));
}"""
_ELAPSED = "() => { window.__bench.observer.disconnect(); return window.__bench.end - window.__bench.start; }"


def _cpu_ms() -> dict[str, float]:
    """CPU time (ms) used so far by this process's children: the Streamlit server and Chromium's processes.

    On a machine others load, wall-clock figures mostly measure the wait for a core; CPU time says which side
    (server script or browser rendering) an interaction costs, and moves far less with the load.
    """
    children: dict[int, list[tuple[int, str, int]]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        children.setdefault(int(fields[1]), []).append((int(entry.name), name, int(fields[11]) + int(fields[12])))
    totals, stack = {"server": 0, "browser": 0}, [os.getpid()]
    while stack:
        for pid, name, ticks in children.get(stack.pop(), []):
            stack.append(pid)
            totals["browser" if "chrom" in name else "server"] += ticks
    return {side: ticks * 1000 / os.sysconf("SC_CLK_TCK") for side, ticks in totals.items()}


CPU: dict[str, list[float]] = {}  # per case: "server"/"browser" CPU ms of each timed action (Linux only)


def _timed(page, action, case: str = "") -> float:
    page.evaluate(_WATCH)
    before = _cpu_ms() if sys.platform == "linux" else None
    action()
    page.wait_for_function(_DONE, timeout=120_000)  # a loaded machine can take a minute
    elapsed = page.evaluate(_ELAPSED)
    if before is not None and case:
        page.wait_for_timeout(200)  # the last paints' CPU lands a moment later
        after = _cpu_ms()
        for side in before:
            CPU.setdefault(f"{case} {side}", []).append(after[side] - before[side])
    return elapsed


def browser(db_path: Path | None = None, *, changes: int = 24) -> dict[str, dict[str, float]]:
    """First load and filter-change timings of the dashboard page in Chromium: {case: {p50, p95, n}} in ms."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    from exchange import setup  # noqa: PLC0415
    from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, running_app, sign_in_as, tab, wait_for_app  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exchange.duckdb"
        if db_path is None:
            setup.open_app_database(path, with_demo=True).close()
        else:
            shutil.copy(db_path, path)
            # Migrate, build the search index and catch the quarterly table up before the server starts: at national
            # scale that takes longer than the test helper waits for a server to come up (60 s).
            from exchange.discovery import search  # noqa: PLC0415

            warm = setup.open_app_database(path, with_demo=False)
            search.catch_up(warm)
            quarterly.current(warm)
            warm.close()
        with sync_playwright() as p, running_app(path, Path(folder) / "streamlit.log") as base:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            loads, filters = [], []
            with tab(chromium, base) as page:
                sign_in_as(page, "coordinator")
                for attempt in range(6):
                    if attempt:
                        page.get_by_test_id("stSidebarNav").get_by_role("link", name="Your account", exact=True).click()
                        wait_for_app(page)
                    link = page.get_by_test_id("stSidebarNav").get_by_role("link", name="Adoption dashboard", exact=True)
                    loads.append(_timed(page, link.click, "load" if attempt else ""))
                filters = _filter_changes(page, changes)
            chromium.close()
    return {"first load (demo scale)" if db_path is None else "first load": _summary(loads[1:], "load"),  # 1st warms caches
            "filter change (demo scale)" if db_path is None else "filter change": _summary(filters, "filter")}


def _filter_changes(page, changes: int) -> list[float]:
    """Alternate the practice, a region, a jurisdiction type, a size and the period, as a coordinator exploring would."""
    from tests.browser.helpers import wait_for_app  # noqa: PLC0415

    samples = []
    practice = page.get_by_role("combobox", name="Practice", exact=True)

    def pick(box, option):
        box.click()
        page.get_by_role("option", name=option, exact=True).first.click()

    names = ["Allocate Resources", "Build Organizational Capacity", "Change the Conversation", "All practices"]
    # Never a combination the small-number rule refuses (fewer than 11 departments: a region and a jurisdiction
    # type already can be, at demo scale): that page has no charts. Regions toggle on and off.
    multis = [("HHS regions", "Region 5"), ("HHS regions", "Region 4"), ("HHS regions", "Region 9")]
    for i in range(changes):
        if i % 2 == 0:
            samples.append(_timed(page, lambda: pick(practice, names[(i // 2) % len(names)]), "filter"))
        else:
            label, option = multis[(i // 2) % len(multis)]
            box = page.get_by_role("combobox", name=label, exact=True)
            chip = page.get_by_role("button", name=f"Remove {option}")  # toggle: remove it when chosen
            if chip.count():
                samples.append(_timed(page, lambda: chip.first.click(), "filter"))
            else:
                samples.append(_timed(page, lambda: pick(box, option), "filter"))
            page.keyboard.press("Escape")
        wait_for_app(page)
    return samples


def _summary(samples: list[float], case: str = "") -> dict[str, float]:
    """p50, p95 and n of the wall-clock samples; with the CPU medians (server and browser, ms) where measured."""
    out = {"p50": round(statistics.median(samples), 1), "p95": round(_p95(samples), 1), "n": len(samples)}
    for side in ("server", "browser"):
        if CPU.get(f"{case} {side}"):
            out[f"{side}_cpu_p50"] = round(statistics.median(CPU.pop(f"{case} {side}")), 1)
    return out


def main(argv: list[str]) -> int:
    """Print the figures for the database file given on the command line (or time the page with --browser)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", help="database file (required without --browser)")
    parser.add_argument("--browser", action="store_true", help="time first load and filter changes in Chromium")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--changes", type=int, default=24, help="filter changes to time with --browser")
    args = parser.parse_args(argv)
    if args.browser:
        figures = browser(Path(args.database) if args.database else None, changes=args.changes)
        if args.json:
            print(json.dumps({"dashboard_browser_ms": figures}, indent=2))
        else:
            for name, f in figures.items():
                cpu = (f"  CPU p50: server {f['server_cpu_p50']:6.0f} ms, browser {f['browser_cpu_p50']:6.0f} ms"
                       if "browser_cpu_p50" in f else "")
                print(f"dashboard page: {name:<28} p50 {f['p50']:7.1f} ms  p95 {f['p95']:7.1f} ms  (n={f['n']}){cpu}")
        return 0
    if not args.database:
        parser.error("give a DATABASE_FILE (or --browser)")
    db = open_database(args.database)
    try:
        figures = run(db)
        service = service_figures(db)
    finally:
        db.close()
    if args.json:
        print(json.dumps({"dashboard_query_ms": {k: {"p50": round(a, 1), "p95": round(b, 1)} for k, (a, b) in figures.items()},
                          "dashboard_service_ms": service}, indent=2))
        return 0
    width = max(map(len, figures))
    for name, (p50, p95) in figures.items():
        flag = "" if p95 <= 100 else "  over 100 ms"
        print(f"{name:<{width}}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms{flag}")
    for name, ms in service.items():
        print(f"{name:<{width}}  {ms:7.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
