"""The audit log: append-only, usable inside a transaction or alone, filterable by admins, never holding a secret."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from exchange.identity import accounts, audit, passwords
from exchange import taxonomy
from exchange.storage.duckdb import rows, scalar
from exchange.errors import Forbidden, InvalidInput
from tests.factories import make_department, make_user

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL

PASSWORD = "correct mulberry lantern"


@pytest.fixture
def admin(fresh_db):
    return make_user(fresh_db, "admin", email="admin@state.example.gov", password_hash=passwords.hash_password(PASSWORD))


def all_entries(db):
    with db.read() as cur:
        return rows(cur, "SELECT * FROM audit_log ORDER BY id")


def test_record_on_its_own_appends_one_entry(fresh_db, admin):
    audit.record(fresh_db, admin, "export", "lessons", None, True, "12 rows as CSV")
    [entry] = all_entries(fresh_db)
    assert (entry["actor_id"], entry["actor_email"], entry["event"], entry["detail"]) == (
        admin.id, admin.email, "export", "12 rows as CSV")


def test_record_inside_a_transaction_rolls_back_with_the_change_it_describes(fresh_db, admin):
    def work(cur):
        audit.record(cur, admin, "review_decision", "lesson", 7, True, "published")
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        fresh_db.write(work)
    assert all_entries(fresh_db) == []
    fresh_db.write(lambda cur: audit.record(cur, admin, "review_decision", "lesson", 7, True, "published"))
    assert all_entries(fresh_db)[0]["subject_id"] == "7"


def test_a_structured_detail_may_not_carry_a_secret(fresh_db, admin):
    with pytest.raises(ValueError, match="secrets never go in the log"):
        audit.record(fresh_db, admin, "account_created", "user", 1, True, {"email": "a@b.org", "password": "x"})
    assert all_entries(fresh_db) == []


def test_event_names_are_identifiers(fresh_db, admin):
    with pytest.raises(ValueError):
        audit.record(fresh_db, admin, "drop table; --", None)


def test_no_code_updates_or_deletes_audit_entries():
    package = Path(audit.__file__).parent
    offenders = [
        str(path.relative_to(package)) for path in package.rglob("*.py")
        if re.search(r"(UPDATE\s+audit_log|DELETE\s+FROM\s+audit_log|TRUNCATE\s+audit_log)", path.read_text(), re.I)
    ]
    assert offenders == []
    assert not [name for name in dir(audit) if re.match(r"(update|delete|remove|clear|purge)", name)]


def test_no_password_ever_appears_in_the_audit_log(fresh_db, admin):
    dept = make_department(fresh_db)
    secrets = ["first secret password", "second secret password", "third secret password", "typo secret password"]
    user_id, temporary = accounts.create_account(fresh_db, admin, email="m@county.example.gov", display_name="M",
                                                 role="member", department_id=dept, password=secrets[0])
    accounts.sign_in(fresh_db, "m@county.example.gov", secrets[0])
    for wrong in (secrets[3], secrets[1]):
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(fresh_db, "m@county.example.gov", wrong)
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(fresh_db, secrets[3], secrets[3])  # password typed into the email box
    member = accounts.load_user(fresh_db, user_id)
    with pytest.raises(InvalidInput):
        accounts.change_password(fresh_db, member, secrets[3], secrets[1], secrets[1])
    accounts.change_password(fresh_db, member, secrets[0], secrets[1], secrets[1])
    reset = accounts.reset_password(fresh_db, admin, user_id)
    accounts.change_password(fresh_db, member, reset, secrets[2], secrets[2])
    _, created_temporary = accounts.create_account(fresh_db, admin, email="c@r1.example.gov", display_name="C",
                                                   role="coordinator", regions=[1])
    with fresh_db.read() as cur:
        hashes = [r[0] for r in cur.execute("SELECT password_hash FROM users").fetchall()]
    logged = " ".join(str(value) for entry in all_entries(fresh_db) for value in entry.values())
    assert len(all_entries(fresh_db)) >= 9
    for secret in [*secrets, reset, created_temporary, *hashes]:
        assert secret not in logged
    assert "scrypt$" not in logged


def test_search_filters_by_event_actor_success_and_dates_newest_first(fresh_db, admin):
    other = make_user(fresh_db, "admin", email="other@state.example.gov")
    day = datetime(2026, 1, 10, 12, 0)
    audit.record(fresh_db, admin, "sign_in", "email", admin.email, True, now=day)
    audit.record(fresh_db, other, "sign_in", "email", other.email, False, now=day + timedelta(days=1))
    audit.record(fresh_db, admin, "role_changed", "user", 3, True, "member → admin", now=day + timedelta(days=2))
    found, total = audit.search(fresh_db, admin, event="sign_in")
    assert total == 2 and [e["actor_email"] for e in found] == [other.email, admin.email]
    assert audit.search(fresh_db, admin, actor="OTHER@")[1] == 1
    assert audit.search(fresh_db, admin, success=False)[0][0]["actor_id"] == other.id
    found, total = audit.search(fresh_db, admin, since=date(2026, 1, 11), until=date(2026, 1, 11))
    assert total == 1 and found[0]["actor_id"] == other.id
    assert audit.events(fresh_db, admin) == ["audit_read", "role_changed", "sign_in"]  # the searches were audited


def test_search_pages_through_the_log(fresh_db, admin):
    start = datetime(2026, 1, 1)
    for minute in range(7):
        audit.record(fresh_db, admin, "export", "lessons", None, True, f"export {minute}", now=start + timedelta(minutes=minute))
    page_one, total = audit.search(fresh_db, admin, event="export", page=1, per_page=3)
    page_three, _ = audit.search(fresh_db, admin, event="export", page=3, per_page=3)
    assert total == 7
    assert [e["detail"] for e in page_one] == ["export 6", "export 5", "export 4"]
    assert [e["detail"] for e in page_three] == ["export 0"]


def test_search_refuses_a_date_range_that_ends_before_it_starts(fresh_db, admin):
    with pytest.raises(InvalidInput) as caught:
        audit.search(fresh_db, admin, since=date(2026, 2, 1), until=date(2026, 1, 1), page=0)
    assert set(caught.value.errors) == {"until", "page"}


@pytest.mark.parametrize("role", ["visitor", "member", "coordinator"])
def test_only_administrators_read_the_log(fresh_db, role):
    from exchange.models import VISITOR

    dept = make_department(fresh_db)
    user = VISITOR if role == "visitor" else make_user(fresh_db, role, department_id=dept, regions=(1,))
    with pytest.raises(Forbidden):
        audit.search(fresh_db, user)
    with pytest.raises(Forbidden):
        audit.events(fresh_db, user)


def test_taxonomy_and_account_changes_are_audited_by_the_acting_administrator(fresh_db, admin):
    taxonomy.add_risk_type(fresh_db, admin, "Media attention")
    dept = make_department(fresh_db)
    accounts.create_account(fresh_db, admin, email="n@x.example.gov", display_name="N", role="member", department_id=dept)
    with fresh_db.read() as cur:
        assert scalar(cur, "SELECT count(DISTINCT event) FROM audit_log WHERE actor_id = ?", [admin.id]) == 2


def test_reading_the_log_is_itself_audited_with_what_was_looked_for(fresh_db, admin):
    audit.record(fresh_db, admin, "sign_in", "email", admin.email, False)
    found, total = audit.search(fresh_db, admin, actor="ottoline", success=False, page=1)
    assert total == 0 and found == []  # the page does not list its own reading
    reads, count = audit.search(fresh_db, admin, event="audit_read")
    assert count == 1  # the first search; the second is recorded after it answers
    assert (reads[0]["actor_id"], reads[0]["subject_type"]) == (admin.id, "audit_log")
    assert reads[0]["detail"] == "actor: ottoline; success: False; page: 1"
    assert audit.search(fresh_db, admin, event="audit_read")[1] == 2


def test_a_refused_read_of_the_log_records_no_reading(fresh_db):
    member = make_user(fresh_db, "member")
    with pytest.raises(Forbidden):
        audit.search(fresh_db, member)
    with fresh_db.read() as cur:
        assert cur.execute("SELECT count(*) FROM audit_log WHERE event = 'audit_read'").fetchone()[0] == 0
