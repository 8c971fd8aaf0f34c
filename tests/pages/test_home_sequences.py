"""Issue 7 part 1, as a property: any sequence of filter, search, sort, clear and page actions on Find
lessons shows no error and exactly what a fresh load of the resulting URL shows (same total, same first card).

Seeded random sequences on one AppTest each, against one demo database copy (nothing here writes).
AppTest re-serialises widget values with the latest labels, so the label-lag crash itself is covered
by the browser test (tests/browser/test_find_sequences.py); this checks the URL is the whole view.
"""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import ROOT
from tests.pages.test_home_page import total_shown

SEQUENCES = int(os.environ.get("HOME_SEQUENCES", "200"))
SEARCHES = ["housing", "community", "eviction", "trust", "policy", "", "budgeting", "xylophonequartet"]


def first_card(at) -> str:
    """The first lesson card's title link ('' when the list is empty)."""
    titles = [link.label for link in at.get("page_link") if "id" in (link.proto.query_string or "")]
    return titles[0] if titles else ""


def shown(at) -> tuple[int, str]:
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return total_shown(at), first_card(at)


def url_of(at) -> dict:
    """The app's query parameters now (AppTest keeps them as a plain dict)."""
    return dict(at.query_params)


def actions(at, pool: list) -> dict[str, list]:
    """The actions the page offers now, by kind, as (description, do) pairs."""
    offered = {"choose": [], "unchoose": [], "search": [], "sort": [], "clear": [], "page": []}
    for box in at.multiselect:
        # AppTest knows a multiselect's labels only; find the value behind each (format_func maps value -> label).
        by_label = {}
        for value in pool:
            try:
                label = box.format_func(value)
            except (KeyError, TypeError, AttributeError):
                continue
            if label in box.options:
                by_label[label] = value
        for label in box.options[:6]:  # a few values each, so that views recur and a fresh load is reused
            if label in by_label and by_label[label] not in box.value:
                offered["choose"].append((f"choose {box.label}: {label}", lambda b=box, v=by_label[label]: b.select(v)))
        for value in box.value:
            offered["unchoose"].append((f"unchoose {box.label}: {value}", lambda b=box, v=value: b.unselect(v)))
    search = next(t for t in at.text_input if t.label == "Search lessons")
    for text in SEARCHES:
        offered["search"].append((f"search {text!r}", lambda t=text: search.input(t)))
    sort = next(s for s in at.selectbox if s.label == "Sort by")
    for option in sort.options:
        offered["sort"].append((f"sort {option}", lambda o=option: sort.set_value(o.lower())))
    clear = next(b for b in at.button if b.label == "Clear all filters")
    if not clear.disabled:
        offered["clear"].append(("clear all", clear.click))
    if at.pagination:
        pager = at.pagination[0]
        last = pager.proto.num_pages
        for number in sorted({1, 2, 3, last}):
            if number <= last:
                offered["page"].append((f"page {number}", lambda n=number: pager.set_value(n)))
    return offered


def value_pool(db) -> list:
    """Every value a Find-lessons filter can take in the demo data."""
    from exchange import taxonomy
    from exchange.models import KINDS, POPULATION_BANDS

    tax = taxonomy.load(db)
    with db.read() as cur:
        jurisdictions = [r[0] for r in cur.execute("SELECT DISTINCT jurisdiction_type FROM departments").fetchall()]
    return [*sorted({p["id"] for p in tax.practices} | {a["id"] for a in tax.actions} | {r["id"] for r in tax.risk_types}
                    | set(range(1, 11)) | set(range(1990, 2031))),
            *KINDS, *POPULATION_BANDS, *(s["code"] for s in tax.states), *jurisdictions]


@pytest.fixture(scope="module", autouse=True)
def quick_apptest():
    """Share what AppTest rebuilds for every test app and every run, but which nothing here changes: the
    scan of installed packages for custom components (0.4 s per app) and the compiled scripts (40 ms a run)."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.components.v2.component_manager import BidiComponentManager

    components = BidiComponentManager()
    components.discover_and_register_components(start_file_watching=False)
    shared_cache = app_test.ScriptCache()
    original = app_test.ScriptCache
    app_test.ScriptCache = lambda: shared_cache
    QUICK["components"] = components
    yield
    app_test.ScriptCache = original
    QUICK.clear()


QUICK: dict = {}


def open_home(query: dict | None = None) -> AppTest:
    """A fresh session on the app's default page (Find lessons) at this URL: one script run."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at._bidi_component_manager = QUICK["components"]
    for name, values in (query or {}).items():
        at.query_params[name] = values
    return at.run()


@pytest.mark.parametrize("seed", [0])
def test_any_sequence_of_actions_shows_what_a_fresh_load_of_its_url_shows(pages, seed):
    rng = random.Random(seed)
    fresh: dict[tuple, tuple[int, str]] = {}
    pool = value_pool(pages.db)
    kinds: Counter = Counter()
    for sequence in range(SEQUENCES):
        at = open_home()
        steps = []
        for _ in range(rng.randint(3, 8)):
            offered = {kind: found for kind, found in actions(at, pool).items() if found}
            description, do = rng.choice(offered[rng.choice(sorted(offered))])
            steps.append(description)
            do()
            at.run()
            got = shown(at)
            url = url_of(at)
            signature = tuple(sorted((k, tuple(v) if isinstance(v, list) else (v,)) for k, v in url.items()))
            if signature not in fresh:
                fresh[signature] = shown(open_home(url))
            assert got == fresh[signature], f"sequence {sequence}: {steps} -> {url}"
            kinds.update([description.split()[0]])
    print(f"{SEQUENCES} sequences, {sum(kinds.values())} actions {dict(kinds)}, {len(fresh)} distinct URLs")
