"""Time Find-lessons interactions in a real browser: click a filter, sort or page until the results update.

Starts `streamlit run app.py` on a free loopback port against a fresh copy of the demo database, opens
Debian's Chromium through Playwright, and for each sample loads a view (untimed) then times one action
from the click until Streamlit reports the script run finished and the lesson count is drawn.

    .venv/bin/python scripts/bench_home_browser.py [--samples 30] [--json]

`scripts/benchmark.py --browser` runs the same measurement as one section of the benchmark.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# (URL to start from, action): the interactions people use most on the page.
ACTIONS = (
    ("", ("choose", "Kind", "Challenge")),
    ("?risk=4", ("choose", "HHS region", "Region 5")),
    ("", ("sort", "Oldest")),
    ("?kind=challenge", ("page", "2")),
    ("?region=9", ("choose", "Kind", "Success")),
    ("?q=housing", ("sort", "Newest")),
)

_WATCH_RUN = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.__benchDone = false;
    // Any change of the script state means the run began (changes can arrive batched, so the
    // callback may see only the final 'notRunning').
    const observer = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'notRunning') {
            observer.disconnect();
            window.__benchDone = true;
        }
    });
    observer.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def _act(page, action) -> None:
    kind, *args = action
    if kind == "choose":
        label, option = args
        toggle = page.get_by_role("button", name="Filters")  # on narrow screens the filters sit in an expander
        box = page.get_by_role("combobox", name=label, exact=True)
        if not box.is_visible() and toggle.count():
            toggle.first.click()
        box.click()
        page.keyboard.type(option)
        page.get_by_role("option", name=re.compile("^" + option)).first.click()
        page.keyboard.press("Escape")  # a multiselect commits its choice when its menu closes
    elif kind == "sort":
        page.get_by_role("combobox", name="Sort by", exact=True).click()
        page.get_by_role("option", name=args[0], exact=True).click()
    elif kind == "page":
        page.get_by_role("button", name=f"Page {args[0]}", exact=True).first.click()


def measure(samples: int = 30, verbose: bool = False) -> dict:
    """p50/p95 (ms) of `samples` home-page interactions at demo scale, with each action's timings."""
    from playwright.sync_api import sync_playwright

    from exchange import setup
    from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, goto, running_app

    folder = Path(tempfile.mkdtemp(prefix="bench-home-"))
    try:
        path = folder / "exchange.duckdb"
        setup.open_app_database(path, with_demo=True).close()
        timings: list[float] = []
        with running_app(path, folder / "streamlit.log") as base, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.base = base
            goto(page, "")  # warm up the server (first run imports pandas, Altair…)
            for i in range(samples + len(ACTIONS)):
                start, action = ACTIONS[i % len(ACTIONS)]
                goto(page, start)
                page.get_by_text("Sort by").first.wait_for()
                page.evaluate(_WATCH_RUN)
                started = time.perf_counter()
                _act(page, action)
                if verbose:
                    print(start, action, flush=True)
                page.wait_for_function("() => window.__benchDone", polling="raf")
                page.get_by_text("lesson").first.wait_for()
                if i >= len(ACTIONS):  # the first round warms every code path
                    timings.append((time.perf_counter() - started) * 1000)
            browser.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    ordered = sorted(timings)
    return {"samples": len(timings), "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
    parser.add_argument("--verbose", action="store_true", help="Print each action as it is timed.")
    args = parser.parse_args()
    result = measure(args.samples, args.verbose)
    if args.json:
        print(json.dumps({"home_browser": result}))
    else:
        print(f"home page interaction in the browser: p50 {result['p50_ms']} ms   p95 {result['p95_ms']} ms"
              f"   (n={result['samples']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
