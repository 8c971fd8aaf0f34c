"""Shared fixtures: a fresh seeded database per test, and one demo database per session."""

from __future__ import annotations

import pytest

from exchange.storage import open_database
from exchange import taxonomy
from exchange.storage.duckdb import Database


@pytest.fixture
def fresh_db():
    """An empty in-memory exchange with the taxonomy loaded."""
    db = open_database(":memory:")
    taxonomy.seed(db)
    yield db
    db.close()


@pytest.fixture(scope="session")
def demo_db():
    """The demo exchange (built once per test session; tests must not change it)."""
    from exchange import setup

    db = setup.open_app_database(":memory:", with_demo=True)
    yield db
    db.close()
