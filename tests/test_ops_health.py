"""/healthz and /readyz (issue 12): the process answers; ready means the database is reachable, migrations are
current and the search index has caught up."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from exchange import config
from exchange.discovery import search
from exchange.ops import health
from exchange.storage import changes
from exchange.ui import ops_web
from tests.test_web import request, run


@pytest.fixture
def db(fresh_db, monkeypatch):
    from exchange.ui import core

    monkeypatch.setattr(core, "database", lambda: fresh_db)
    search.catch_up(fresh_db)
    return fresh_db


def _change(db, at: datetime | None = None) -> None:
    def work(cur):
        changes.record(cur, "lesson", 1)
    db.write(work)
    if at is not None:
        db.write(lambda cur: cur.execute("UPDATE changes SET changed_at = ? WHERE seq = (SELECT max(seq) FROM changes)",
                                         [at.replace(tzinfo=None)]), bump=False)


def test_healthz_answers_without_touching_the_database(monkeypatch):
    from exchange.ui import core

    monkeypatch.setattr(core, "database", lambda: (_ for _ in ()).throw(AssertionError("opened the database")))
    response = run(ops_web.healthz(request("/healthz")))
    assert response.status_code == 200 and json.loads(response.body) == {"status": "ok"}


def test_readyz_is_ready_on_a_current_database_with_the_index_caught_up(db):
    response = run(ops_web.readyz(request("/readyz")))
    body = json.loads(response.body)
    assert response.status_code == 200 and body["status"] == "ready"
    assert {k: v["ok"] for k, v in body["checks"].items()} == {"database": True, "migrations": True,
                                                                "search_index": True}
    assert response.headers["cache-control"] == "no-store"


def test_a_fresh_change_does_not_make_the_app_unready_but_an_index_left_behind_does(db):
    _change(db)
    assert health.readiness(db)["ready"]  # the refresher has a few rounds to catch up
    _change(db, at=datetime.now(timezone.utc) - timedelta(seconds=health.index_lag_limit() + 5))
    found = health.readiness(db)
    assert not found["ready"] and not found["checks"]["search_index"]["ok"]
    assert "behind" in found["checks"]["search_index"]["detail"]
    response = run(ops_web.readyz(request("/readyz")))
    assert response.status_code == 503 and json.loads(response.body)["status"] == "not ready"
    search.catch_up(db)
    assert health.readiness(db)["ready"]


def test_outstanding_migrations_make_the_app_unready(db):
    db.write(lambda cur: cur.execute("DELETE FROM schema_migrations WHERE name = (SELECT max(name) FROM "
                                     "schema_migrations)"), bump=False)
    found = health.readiness(db)
    assert not found["ready"] and found["checks"]["migrations"] == {"ok": False,
                                                                    "detail": "1 schema update(s) not applied"}


def test_a_database_that_cannot_be_opened_is_not_ready_and_says_nothing_about_where_it_is(monkeypatch, tmp_path):
    from exchange.errors import DatabaseBusy
    from exchange.ui import core

    def broken():
        raise DatabaseBusy(f"The database {tmp_path} is in use")

    monkeypatch.setattr(core, "database", broken)
    response = run(ops_web.readyz(request("/readyz")))
    assert response.status_code == 503 and str(tmp_path) not in response.body.decode()


def test_a_closed_database_is_not_ready(fresh_db):
    fresh_db.close()
    assert health.readiness(fresh_db) == {"ready": False, "checks": {
        "database": {"ok": False, "detail": "the database cannot be read"}}}


def test_the_index_lag_allowed_follows_the_refresh_setting():
    with config.override(search_refresh_seconds=100):
        assert health.index_lag_limit() == 300
    with config.override(search_refresh_seconds=1):
        assert health.index_lag_limit() == 60
