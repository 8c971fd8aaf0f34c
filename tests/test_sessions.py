"""Database-backed sign-in sessions: the rules (idle, 12 hours, sign-out, password, deactivation) and the handoff."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from exchange.identity import accounts, passwords, sessions
from exchange.storage.duckdb import rows
from tests.factories import make_department, make_user

T0 = datetime(2026, 3, 2, 9, 0)  # naive UTC
PASSWORD = "correct mulberry lantern"


@pytest.fixture
def member(fresh_db):
    dept = make_department(fresh_db)
    return make_user(fresh_db, "member", department_id=dept, password_hash=passwords.hash_password(PASSWORD))


def stored(db) -> list[dict]:
    with db.read() as cur:
        return rows(cur, "SELECT * FROM sessions ORDER BY started_at")


def test_a_new_session_resumes_to_its_user_and_stores_only_a_digest_of_the_token(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    assert sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=5)) == member.id
    (row,) = stored(fresh_db)
    assert token not in str(row) and len(row["id"]) == 64


def test_activity_keeps_a_session_alive_past_thirty_minutes(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    for minute in range(20, 200, 20):
        assert sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=minute)) == member.id


def test_thirty_minutes_without_activity_end_the_session_for_good(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=31))
    assert ended.value.reason == "idle"
    with pytest.raises(sessions.SessionEnded) as again:  # not revived by a later clock or a retry
        sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=1))
    assert again.value.reason == "idle" and stored(fresh_db)[0]["end_reason"] == "idle"
    with fresh_db.read() as cur:
        logged = rows(cur, "SELECT actor_id, event, detail FROM audit_log WHERE event = 'sign_out'")
    assert logged == [{"actor_id": member.id, "event": "sign_out", "detail": "session ended: idle"}]


def test_a_session_ends_after_twelve_hours_even_when_active(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    for minute in range(20, 12 * 60, 20):
        sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=minute))
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(fresh_db, token, now=T0 + timedelta(hours=12, minutes=1))
    assert ended.value.reason == "too_long"


def test_signing_out_ends_the_session_in_every_tab_that_holds_it(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    sessions.end(fresh_db, token, now=T0 + timedelta(minutes=1))
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=2))
    assert ended.value.reason == "signed_out" and not sessions.is_live(fresh_db, token, now=T0)


def test_a_password_change_ends_every_older_session_of_the_account(fresh_db, member):
    laptop = sessions.start(fresh_db, member.id, now=T0)
    phone = sessions.start(fresh_db, member.id, now=T0 + timedelta(minutes=1))
    accounts.change_password(fresh_db, member, PASSWORD, "quiet harbour morning", "quiet harbour morning",
                             now=T0 + timedelta(minutes=2))
    for token in (laptop, phone):
        with pytest.raises(sessions.SessionEnded) as ended:
            sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=3))
        assert ended.value.reason == "password_changed"
    fresh = sessions.start(fresh_db, member.id, now=T0 + timedelta(minutes=3))
    assert sessions.resume(fresh_db, fresh, now=T0 + timedelta(minutes=4)) == member.id


def test_an_administrator_reset_or_deactivation_ends_the_accounts_sessions(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    accounts.reset_password(fresh_db, accounts.OPERATOR, member.id, now=T0 + timedelta(minutes=1))
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=2))
    assert ended.value.reason == "password_changed"
    other = make_user(fresh_db, "member", department_id=member.department_id, email="second@county.example.gov")
    token = sessions.start(fresh_db, other.id, now=T0)
    accounts.set_active(fresh_db, accounts.OPERATOR, other.id, False, now=T0 + timedelta(minutes=1))
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=2))
    assert ended.value.reason == "inactive"


def test_end_all_keeps_only_the_named_session(fresh_db, member):
    keep = sessions.start(fresh_db, member.id, now=T0)
    others = [sessions.start(fresh_db, member.id, now=T0) for _ in range(3)]
    assert sessions.end_all(fresh_db, member.id, "signed_out", keep=keep, now=T0) == 3
    assert sessions.resume(fresh_db, keep, now=T0) == member.id
    assert not any(sessions.is_live(fresh_db, t, now=T0) for t in others)


@pytest.mark.parametrize("token", [None, "", "abc", "x" * 64, "A" * 64, "0" * 63, "0" * 10_000, "0" * 64 + "\n"])
def test_malformed_or_unknown_tokens_end_nothing_and_sign_no_one_in(fresh_db, token):
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(fresh_db, token)
    assert ended.value.reason == "unknown"


def test_a_handoff_code_gives_the_token_back_once_and_never_stores_it_in_the_clear(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    code = sessions.handoff(fresh_db, token, now=T0)
    with fresh_db.read() as cur:
        (row,) = rows(cur, "SELECT * FROM session_handoffs")
    assert token not in str(row) and code not in str(row)
    assert sessions.redeem(fresh_db, code, now=T0 + timedelta(seconds=2)) == token
    assert sessions.redeem(fresh_db, code, now=T0 + timedelta(seconds=3)) is None


def test_a_handoff_code_expires_after_a_minute_and_never_revives_an_ended_session(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    late = sessions.handoff(fresh_db, token, now=T0)
    assert sessions.redeem(fresh_db, late, now=T0 + timedelta(seconds=61)) is None
    code = sessions.handoff(fresh_db, token, now=T0)
    sessions.end(fresh_db, token, now=T0)
    assert sessions.redeem(fresh_db, code, now=T0 + timedelta(seconds=1)) is None
    assert sessions.redeem(fresh_db, "not-a-code") is None


def test_parallel_redeems_of_one_code_give_the_token_to_exactly_one(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    code = sessions.handoff(fresh_db, token, now=T0)
    barrier, results = threading.Barrier(8), []

    def race():
        barrier.wait()
        try:
            results.append(sessions.redeem(fresh_db, code, now=T0 + timedelta(seconds=1)))
        except Exception as exc:  # noqa: BLE001 — a conflict is a refusal, never a second token
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(token) == 1


def test_resuming_writes_last_seen_at_most_every_thirty_seconds(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    sessions.resume(fresh_db, token, now=T0 + timedelta(seconds=10))
    assert stored(fresh_db)[0]["last_seen_at"] == T0
    sessions.resume(fresh_db, token, now=T0 + timedelta(seconds=40))
    assert stored(fresh_db)[0]["last_seen_at"] == T0 + timedelta(seconds=40)


def test_deactivating_then_reactivating_an_account_does_not_bring_its_old_sessions_back(fresh_db, member):
    token = sessions.start(fresh_db, member.id, now=T0)
    accounts.set_active(fresh_db, accounts.OPERATOR, member.id, False, now=T0 + timedelta(minutes=1))
    accounts.set_active(fresh_db, accounts.OPERATOR, member.id, True, now=T0 + timedelta(minutes=2))
    with pytest.raises(sessions.SessionEnded) as ended:
        sessions.resume(fresh_db, token, now=T0 + timedelta(minutes=3))
    assert ended.value.reason == "inactive"
