"""Opening a PostgreSQL store: a server that refuses is reported at once; one still starting up is waited for."""

from __future__ import annotations

import time

import psycopg
import pytest

from exchange.errors import DatabaseBusy
from exchange.storage import postgres


def test_a_refused_connection_is_reported_at_once_by_what_was_asked_for():
    started = time.monotonic()
    with pytest.raises(DatabaseBusy, match="cannot reach its PostgreSQL database") as caught:
        postgres.PostgresDatabase("postgresql://nobody:secret@127.0.0.1:1/none")
    assert time.monotonic() - started < 10  # the pool alone would have retried for 30 s
    assert "secret" not in str(caught.value)  # the password never reaches a message


def test_a_server_still_starting_up_is_waited_for(monkeypatch):
    attempts = []

    class Connection:
        def close(self):
            pass

    def connect(url, **kwargs):
        attempts.append(kwargs)
        if len(attempts) < 3:
            raise psycopg.OperationalError(f"connection failed: FATAL:  {postgres.STARTING_UP}")
        return Connection()

    monkeypatch.setattr(postgres.psycopg, "connect", connect)
    monkeypatch.setattr(postgres.time, "sleep", lambda seconds: None)
    postgres._reachable("postgresql://x@127.0.0.1:5432/x")
    assert len(attempts) == 3 and all(a["connect_timeout"] == 10 for a in attempts)


def test_a_server_starting_up_for_too_long_is_reported(monkeypatch):
    def connect(url, **kwargs):
        raise psycopg.OperationalError(postgres.STARTING_UP)

    monkeypatch.setattr(postgres.psycopg, "connect", connect)
    monkeypatch.setattr(postgres.time, "sleep", lambda seconds: None)
    with pytest.raises(psycopg.OperationalError):
        postgres._reachable("postgresql://x@127.0.0.1:5432/x", wait=0)
