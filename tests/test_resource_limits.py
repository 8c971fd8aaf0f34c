"""DuckDB's memory limit and threads (issue 13): a setting each, applied to every connection, bad values named."""

from __future__ import annotations

import pytest

from exchange import config
from exchange.storage import duckdb as store


def _setting(cur, name: str) -> str:
    return cur.execute(f"SELECT current_setting('{name}')").fetchone()[0]


def test_the_memory_limit_setting_is_applied_to_the_connection():
    with config.override(duckdb_memory_limit_mb=1000, duckdb_threads=1):
        db = store.Database()
    try:
        with db.read() as cur:
            assert _setting(cur, "memory_limit") == "953.6 MiB"  # DuckDB shows 1000 MB in MiB
            assert _setting(cur, "threads") == 1
    finally:
        db.close()


def test_without_a_setting_each_process_gets_its_share_of_the_machine_not_duckdbs_80_percent(monkeypatch):
    db = store.Database()
    try:
        with db.read() as cur:
            shown = _setting(cur, "memory_limit")
        expected = store.auto_memory_limit_mb()
        value, unit = shown.split()
        in_mb = float(value) * {"MiB": 1.048576, "GiB": 1073.741824}[unit]
        assert abs(in_mb - expected) / expected < 0.01
    finally:
        db.close()
    monkeypatch.setattr(store.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(store.os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 4_000_000}[name])
    assert store.auto_memory_limit_mb() == int(16_384 * 0.4 / 4)  # 16 GB, 4 cores: 1.6 GB each
    monkeypatch.setattr(store.os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": 250_000}[name])
    assert store.auto_memory_limit_mb() == 512  # a small machine still gets enough for an index build


@pytest.mark.parametrize("text, megabytes", [("2GB", 2000), ("1.5GiB", 1610), ("800 MB", 800), ("auto", None),
                                             ("AUTO", None), ("", None)])
def test_memory_limits_are_read_in_the_units_people_write(text, megabytes):
    assert config.from_environment({"EXCHANGE_DUCKDB_MEMORY_LIMIT": text}).duckdb_memory_limit_mb == megabytes


@pytest.mark.parametrize("text, why", [("lots", "a number and a unit"), ("4", "a number and a unit"),
                                       ("100MB", "at least 256 MB"), ("-2GB", "a number and a unit")])
def test_a_memory_limit_that_is_not_allowed_is_named_with_what_is(text, why):
    with pytest.raises(config.ConfigError) as raised:
        config.from_environment({"EXCHANGE_DUCKDB_MEMORY_LIMIT": text})
    assert raised.value.message.startswith(f"EXCHANGE_DUCKDB_MEMORY_LIMIT={text!r} is not allowed")
    assert why in raised.value.message and "such as 2GB" in raised.value.message


def test_threads_are_auto_or_a_whole_number():
    assert config.from_environment({}).duckdb_threads is None
    assert config.from_environment({"EXCHANGE_DUCKDB_THREADS": "2"}).duckdb_threads == 2
    with pytest.raises(config.ConfigError, match="EXCHANGE_DUCKDB_THREADS='0' is not allowed"):
        config.from_environment({"EXCHANGE_DUCKDB_THREADS": "0"})
