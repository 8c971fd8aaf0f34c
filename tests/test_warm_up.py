"""A fresh process serves pages at once and builds its indexes behind them (issue 13.3: cold start)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from exchange import setup
from exchange.discovery import facets, search, textindex


def test_the_warm_up_builds_a_missing_search_index_and_the_filter_and_search_copies(fresh_db):
    db = fresh_db
    with db.read() as cur:  # the template has never been indexed
        assert cur.execute("SELECT count(*) FROM search_index_state").fetchone()[0] == 0
    warm = setup.start_warm_up(db)
    assert setup.start_warm_up(db) is warm  # once per database
    assert warm.wait(60) and not warm.failed
    assert search.index_seq(db) == db.data_version()
    assert facets._cache[db].version == db.data_version()
    assert textindex._cache[db].version == db.data_version()


def test_a_current_search_index_is_not_rebuilt_at_start(fresh_db, monkeypatch):
    search.catch_up(fresh_db)  # built once, as a previous run of the app would have
    monkeypatch.setattr(search, "_build", lambda db: pytest.fail("rebuilt an index that was current"))
    warm = setup.start_warm_up(fresh_db)
    assert warm.wait(60) and not warm.failed


def test_a_failing_warm_up_lets_pages_run_and_says_so_in_the_log(fresh_db, monkeypatch, caplog):
    monkeypatch.setattr(search, "catch_up", lambda db: 1 / 0)
    warm = setup.start_warm_up(fresh_db)
    assert warm.wait(60) and warm.failed and warm.ready()
    assert "Warm-up failed at the search index" in caplog.text


class _Building:
    """A warm-up that is still building."""

    step = "the search index"
    started = 0.0

    def ready(self):
        return False

    def wait(self, seconds):
        return False


def _gated_page(path: str):
    import streamlit as st

    from exchange.ui import warmup

    warmup.gate(object(), path)
    st.markdown("the page itself")


def _run(monkeypatch, path: str, warm) -> AppTest:
    from exchange.ui import warmup

    monkeypatch.setattr(setup, "warm_up", lambda db: warm)
    monkeypatch.setattr(warmup, "LONGEST_WAIT", 1.0)
    at = AppTest.from_function(_gated_page, args=(path,), default_timeout=30)
    return at.run()


def test_a_page_that_needs_the_indexes_says_warming_up_while_they_build(monkeypatch):
    at = _run(monkeypatch, "home", _Building())
    assert "Warming up" in at.info[0].value and "preparing the search index" in at.info[0].value
    assert at.markdown[-1].value == "the page itself"  # after the longest wait the page runs anyway


def test_pages_that_need_no_index_and_warm_processes_never_wait(monkeypatch):
    assert not _run(monkeypatch, "account", _Building()).info
    done = setup.WarmUp(None)
    done.done.set()
    assert not _run(monkeypatch, "home", done).info
