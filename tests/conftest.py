"""Shared fixtures: a fresh seeded database per test (a copy of one template), and one demo database per session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from exchange import config

# Hashing a password at the real cost takes about 95 ms, and the suite hashes thousands. The
# override is set here, before any test imports exchange.identity.accounts (which hashes a
# dummy password when it is imported), and holds for the whole session.
TEST_HASH_COST = 4
_CHEAP_HASHING = config.override(password_hash_cost=TEST_HASH_COST)
_CHEAP_HASHING.__enter__()

from exchange import taxonomy  # noqa: E402
from exchange.storage import open_database  # noqa: E402
from exchange.storage.duckdb import Database  # noqa: E402
from tests.pg_support import BACKENDS, fresh_postgres, pg_server, pg_template  # noqa: E402,F401  (fixtures)


def pytest_configure(config):
    config.addinivalue_line("markers", "both_backends: run the test on DuckDB and on PostgreSQL (issue 13)")


def pytest_generate_tests(metafunc):
    """A test (or module) marked both_backends gets its `fresh_db` on each backend in turn."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


def build_template(path: Path) -> Path:
    """A migrated database file with the taxonomy loaded: what `fresh_db` copies for every test.

    The one place that knows how a new database is set up: migrated by setup's open_database.
    """
    db = open_database(path)
    try:
        taxonomy.seed(db)
    finally:
        db.close()
    return path


def open_copy(template: Path, directory: Path) -> Database:
    """A Database on a private copy of `template` (copying 5 MB is cheaper than migrating and seeding)."""
    path = directory / "exchange.duckdb"
    shutil.copyfile(template, path)
    return Database(path)


@pytest.fixture(scope="session")
def template_file():
    """The fresh exchange (schema and taxonomy), built once per test process."""
    with tempfile.TemporaryDirectory(prefix="exchange-template-") as directory:
        yield build_template(Path(directory) / "template.duckdb")


@pytest.fixture
def backend(request):
    """The store a test runs on: DuckDB, unless it is marked both_backends (then each in turn)."""
    # TEST_BACKEND=postgres runs every fresh_db test on PostgreSQL (to see how far the port has got).
    return getattr(request, "param", os.environ.get("TEST_BACKEND", "duckdb"))


@pytest.fixture
def fresh_db(request, backend, template_file):
    """An empty exchange with the taxonomy loaded, private to this test."""
    if backend == "postgres":
        yield from fresh_postgres(request.getfixturevalue("pg_server"), request.getfixturevalue("pg_template"))
        return
    with tempfile.TemporaryDirectory(prefix="exchange-test-") as directory:
        db = open_copy(template_file, Path(directory))
        yield db
        db.close()


@pytest.fixture(scope="session")
def demo_db():
    """The demo exchange (built once per test session; tests must not change it)."""
    from exchange import setup

    db = setup.open_app_database(":memory:", with_demo=True)
    yield db
    db.close()
