"""scripts/loadtest.py against a real server for a few seconds, so the load test cannot rot (issue 13.4)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from pathlib import Path

import pytest

from exchange import config, setup
from tests.helpers import script

pytestmark = pytest.mark.xdist_group("loadtest")  # a server of its own: one worker at a time
ROOT = Path(__file__).resolve().parent.parent


def _loadtest():
    return script("loadtest")


def _run(coroutine):
    """asyncio.run in a thread of its own: in an xdist worker that also runs browser tests, Playwright holds this
    thread's event loop, and asyncio.run refuses to start inside it (seen in CI)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("load") / "exchange.duckdb"
    with config.override(password_hash_cost=4):
        setup.open_app_database(path, with_demo=True).close()
    return path


def test_two_simulated_people_browse_search_open_lessons_and_post_with_figures_reported(demo_file, tmp_path):
    lt = _loadtest()
    started = time.monotonic()
    with lt.serve(demo_file, tmp_path / "server.log", {"EXCHANGE_PASSWORD_HASH_COST": "4"}) as (base, proc):
        shown, whole = _run(lt.first_page(base, started))
        figures = _run(lt.load(base, people=2, seconds=12, think=(0.1, 0.3), pids=[proc.pid],
                                 posting_share=0.5, seed=3))
    assert 0 < shown <= whole
    assert figures["interactions"] >= 8 and figures["throughput_per_s"] > 0
    assert {"browse", "search", "lesson", "post"} <= set(figures["kinds"]), figures["kinds"]
    assert figures["posts_acknowledged"] == figures["kinds"]["post"]["n"]
    assert not figures["errors"], figures["error_examples"]
    assert figures["kinds"]["search"]["p50_ms"] > 0 and figures["servers"][str(proc.pid)]["rss_mb"] > 50
    assert figures["cpu_ms_per_interaction"] > 0
    lt.print_report(figures)  # the table prints without error


def test_the_command_line_needs_a_target():
    with pytest.raises(SystemExit):
        _loadtest().main(["--people", "2"])
