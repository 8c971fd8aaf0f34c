"""Accounts: password policy and hashing, sign-in and lockout, sessions, password change and reset, administration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from exchange.identity import accounts, passwords
from exchange.kernel import throttle
from exchange.storage.duckdb import rows, scalar
from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound, RateLimited
from tests.factories import make_department, make_user

pytestmark = pytest.mark.both_backends  # issue 13: the same service on DuckDB and on PostgreSQL

PASSWORD = "correct mulberry lantern"
T0 = datetime(2026, 3, 2, 9, 0)  # naive UTC, like every time in the database
UTC = timezone.utc


@pytest.fixture
def member(fresh_db):
    dept = make_department(fresh_db)
    return make_user(fresh_db, "member", department_id=dept, email="Ana.Lee@County.example.gov",
                     password_hash=passwords.hash_password(PASSWORD))


@pytest.fixture
def admin(fresh_db):
    return make_user(fresh_db, "admin", email="admin@state.example.gov", password_hash=passwords.hash_password(PASSWORD))


def audit_rows(db, event=None):
    with db.read() as cur:
        if event:
            return rows(cur, "SELECT * FROM audit_log WHERE event = ? ORDER BY id", [event])
        return rows(cur, "SELECT * FROM audit_log ORDER BY id")


def fail(db, email, times, start, step=None, client=None):
    """Fail `times` sign-ins; without `step`, each comes as soon as the back-off allows. Returns the last one's time."""
    now = start
    for i in range(times):
        if i:
            now += step if step is not None else throttle.wait_after(i)
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(db, email, "not the password!", client=client, now=now)
    return now


# --- policy and hashing -----------------------------------------------------------------

@pytest.mark.parametrize("password, problem", [
    ("short", "at least 12"),
    ("elevenchars", "at least 12"),
    ("password1234", "too easy to guess"),
    ("PublicHealth", "too easy to guess"),
    ("aaaaaaaaaaaaaaaa", "too easy to guess"),
    ("qwertyqwerty", "too easy to guess"),
    ("123412341234", "too easy to guess"),
    ("publichealth1", "too easy to guess"),
    ("x" * 257, "at most 256"),
])
def test_password_policy_refuses_short_long_and_common_passwords(password, problem):
    with pytest.raises(InvalidInput) as caught:
        passwords.check_policy(password)
    assert problem in caught.value.errors["password"]


def test_password_policy_accepts_a_long_uncommon_password():
    passwords.check_policy("river otter at dawn")


def test_hash_is_salted_scrypt_and_verifies_only_the_right_password():
    first, second = passwords.hash_password(PASSWORD), passwords.hash_password(PASSWORD)
    assert first.startswith("scrypt$") and PASSWORD not in first
    assert first != second  # a fresh salt each time
    assert passwords.verify_password(PASSWORD, first)
    assert not passwords.verify_password(PASSWORD + " ", first)
    assert not passwords.verify_password(PASSWORD, "garbage")


# --- sign-in ------------------------------------------------------------------------------

def test_sign_in_with_the_right_password_returns_the_user_and_audits_success(fresh_db, member):
    result = accounts.sign_in(fresh_db, "  ana.lee@county.EXAMPLE.gov ", PASSWORD, now=T0)
    assert result.user.id == member.id and not result.must_change_password
    [entry] = audit_rows(fresh_db, "sign_in")
    assert entry["success"] and entry["actor_id"] == member.id and entry["occurred_at"] == T0


def test_wrong_password_and_unknown_email_give_the_same_message_and_are_both_audited(fresh_db, member):
    with pytest.raises(accounts.SignInFailed) as wrong:
        accounts.sign_in(fresh_db, member.email, "not the password!", now=T0)
    with pytest.raises(accounts.SignInFailed) as unknown:
        accounts.sign_in(fresh_db, "nobody@county.example.gov", PASSWORD, now=T0)
    assert wrong.value.message == unknown.value.message == accounts.SIGN_IN_FAILED
    entries = audit_rows(fresh_db, "sign_in")
    assert [(e["success"], e["detail"]) for e in entries] == [(False, "wrong password"), (False, "unknown email")]
    assert entries[0]["actor_id"] == member.id and entries[1]["actor_id"] is None


def test_text_that_is_not_an_email_is_not_written_to_the_log(fresh_db, member):
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(fresh_db, PASSWORD, PASSWORD, now=T0)
    [entry] = audit_rows(fresh_db, "sign_in")
    assert entry["subject_id"] is None and PASSWORD not in str(entry)


def test_a_deactivated_account_cannot_sign_in(fresh_db, member, admin):
    accounts.set_active(fresh_db, admin, member.id, False)
    with pytest.raises(accounts.SignInFailed, match="deactivated"):
        accounts.sign_in(fresh_db, member.email, PASSWORD, now=T0)
    assert audit_rows(fresh_db, "sign_in")[-1]["detail"] == "account deactivated"


def test_five_failures_are_free_then_the_next_attempt_waits_two_seconds(fresh_db, member):
    fail(fresh_db, member.email, 5, T0, step=timedelta(seconds=1), client="198.51.100.7")  # 09:00:00 … 09:00:04
    with pytest.raises(RateLimited) as waiting:
        accounts.sign_in(fresh_db, member.email, PASSWORD, client="198.51.100.7", now=T0 + timedelta(seconds=5), tz=UTC)
    assert waiting.value.message == "Too many failed sign-ins. Try again in 1 second."
    [throttled] = audit_rows(fresh_db, "sign_in_throttled")
    assert not throttled["success"] and "198.51.100.7" in throttled["detail"] and throttled["subject_id"] == member.email.lower()
    later = T0 + timedelta(seconds=4 + 2)
    assert accounts.sign_in(fresh_db, member.email, PASSWORD, client="198.51.100.7", now=later).user.id == member.id


def test_the_wait_doubles_with_each_failure_and_never_exceeds_fifteen_minutes():
    waits = [throttle.wait_after(n).total_seconds() for n in range(4, 12)]
    assert waits == [0, 2, 4, 8, 16, 32, 64, 128]
    assert throttle.wait_after(100) == timedelta(minutes=15)


def test_a_correct_password_from_a_client_that_has_not_been_failing_is_never_refused(fresh_db, member):
    # Someone hammers the account from one address: that address waits (15 minutes by now)...
    last = fail(fresh_db, member.email, 30, T0, client="203.0.113.66")
    with pytest.raises(RateLimited):
        accounts.sign_in(fresh_db, member.email, PASSWORD, client="203.0.113.66", now=last + timedelta(minutes=14))
    # ...the owner, from their own address, signs in at once.
    now = last + timedelta(seconds=1)
    assert accounts.sign_in(fresh_db, member.email, PASSWORD, client="192.0.2.10", now=now).user.id == member.id


def test_the_accounts_back_off_holds_for_failing_and_unknown_clients(fresh_db, member):
    for i in range(6):  # a different address each time: the account's counter still grows
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(fresh_db, member.email, "not the password!", client=f"203.0.113.{i}", now=T0)
    with pytest.raises(RateLimited):
        accounts.sign_in(fresh_db, member.email, PASSWORD, client="203.0.113.1", now=T0 + timedelta(seconds=1))
    with pytest.raises(RateLimited):
        accounts.sign_in(fresh_db, member.email, PASSWORD, now=T0 + timedelta(seconds=1))
    assert len(audit_rows(fresh_db, "sign_in_throttled")) == 2


def test_a_client_failing_across_many_accounts_is_throttled_on_the_next_one(fresh_db, member):
    for i in range(5):
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(fresh_db, f"guess{i}@county.example.gov", "password-guess!", client="203.0.113.9", now=T0)
    with pytest.raises(RateLimited):
        accounts.sign_in(fresh_db, member.email, PASSWORD, client="203.0.113.9", now=T0 + timedelta(seconds=1))
    assert "this client" in audit_rows(fresh_db, "sign_in_throttled")[0]["detail"]


def test_a_long_wait_shows_the_time_in_the_readers_time_zone_rounded_up(fresh_db, member):
    last = fail(fresh_db, member.email, 12, T0)
    assert last == T0 + timedelta(seconds=254)  # 2 + 4 + … + 128: the 12th failure at 09:04:14, then 256 s
    with pytest.raises(RateLimited, match=r"Try again at 03:09 CST\."):  # 09:08:30 UTC is 03:08:30 in Chicago in March
        accounts.sign_in(fresh_db, member.email, PASSWORD, now=last, tz=ZoneInfo("America/Chicago"))


def test_attempts_while_waiting_do_not_extend_the_wait(fresh_db, member):
    last = fail(fresh_db, member.email, 6, T0)  # the 6th at 09:00:02; the next may come at 09:00:06
    for second in (3, 4, 5):
        with pytest.raises(RateLimited):
            accounts.sign_in(fresh_db, member.email, "still wrong!!", now=T0 + timedelta(seconds=second))
    assert accounts.sign_in(fresh_db, member.email, PASSWORD, now=last + timedelta(seconds=4)).user.id == member.id


def test_the_longest_wait_is_fifteen_minutes_and_an_hour_without_failures_forgets_the_count(fresh_db, member):
    last = fail(fresh_db, member.email, 20, T0)
    with pytest.raises(RateLimited):
        accounts.sign_in(fresh_db, member.email, PASSWORD, now=last + timedelta(minutes=14, seconds=59))
    assert accounts.sign_in(fresh_db, member.email, PASSWORD, now=last + timedelta(minutes=15)).user.id == member.id
    later = fail(fresh_db, member.email, 20, last + timedelta(minutes=16))
    fail(fresh_db, member.email, 1, later + timedelta(hours=1))  # counted from 1 again: no wait follows
    assert accounts.sign_in(fresh_db, member.email, PASSWORD, now=later + timedelta(hours=1)).user.id == member.id


def test_a_successful_sign_in_starts_the_account_count_again(fresh_db, member):
    fail(fresh_db, member.email, 5, T0)
    accounts.sign_in(fresh_db, member.email, PASSWORD, now=T0 + timedelta(seconds=2))
    fail(fresh_db, member.email, 4, T0 + timedelta(seconds=2), step=timedelta(0))
    # Without the reset this would be the 10th failure in a row and wait 32 s.
    assert accounts.sign_in(fresh_db, member.email, PASSWORD, now=T0 + timedelta(seconds=2)).user.id == member.id


def test_a_password_reset_clears_the_back_off(fresh_db, member, admin):
    last = fail(fresh_db, member.email, 20, T0)
    with pytest.raises(RateLimited):
        accounts.sign_in(fresh_db, member.email, PASSWORD, now=last + timedelta(seconds=1))
    temporary = accounts.reset_password(fresh_db, admin, member.id, now=last + timedelta(seconds=2))
    result = accounts.sign_in(fresh_db, member.email, temporary, now=last + timedelta(seconds=3))
    assert result.user.id == member.id and result.must_change_password
    assert "back-off cleared" in audit_rows(fresh_db, "password_reset")[0]["detail"]


def test_an_unknown_email_backs_off_like_a_real_one_so_throttling_reveals_no_account(fresh_db):
    fail(fresh_db, "nobody@county.example.gov", 5, T0)
    with pytest.raises(RateLimited, match="Try again in 2 seconds"):
        accounts.sign_in(fresh_db, "nobody@county.example.gov", PASSWORD, now=T0, tz=UTC)


def test_one_accounts_back_off_does_not_hold_back_another(fresh_db, member, admin):
    last = fail(fresh_db, member.email, 10, T0)
    assert accounts.sign_in(fresh_db, admin.email, PASSWORD, now=last).user.id == admin.id


@pytest.mark.parametrize("peer, forwarded, trusted, client", [
    ("203.0.113.5", None, "", "203.0.113.5"),
    ("203.0.113.5", "198.51.100.1", "", "203.0.113.5"),              # untrusted peer: its header is ignored
    ("10.0.0.2", "198.51.100.1", "10.0.0.0/8", "198.51.100.1"),      # trusted proxy: the client it saw
    ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.3", "10.0.0.0/8", "198.51.100.1"),  # forged left part ignored
    ("10.0.0.2", "10.0.0.9", "10.0.0.0/8", "10.0.0.9"),              # only proxies: the farthest one
    ("10.0.0.2", "not-an-ip, 198.51.100.1", "10.0.0.0/8", "198.51.100.1"),
    ("10.0.0.2", "garbage", "10.0.0.0/8", "10.0.0.2"),               # unreadable hop: the proxy itself
    ("10.0.0.2", "1.1.1.1," * 1000, "10.0.0.0/8", "10.0.0.2"),      # absurdly long header: believe none of it
    ("::ffff:0:1", None, "", "::ffff:0:1"),
    ("2001:db8::1", "2001:db8::77", "2001:db8::1/128", "2001:db8::77"),
    (None, "198.51.100.1", "0.0.0.0/0", None),
    ("not an address", None, "", None),
])
def test_the_client_address_honours_only_configured_trusted_proxies(peer, forwarded, trusted, client):
    assert throttle.client_address(peer, forwarded, trusted) == client


def test_trusted_proxies_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("EXCHANGE_TRUSTED_PROXIES", "127.0.0.1, 10.1.0.0/16")
    assert throttle.client_address("10.1.2.3", "198.51.100.4") == "198.51.100.4"
    monkeypatch.setenv("EXCHANGE_TRUSTED_PROXIES", "")
    assert throttle.client_address("10.1.2.3", "198.51.100.4") == "10.1.2.3"


def test_single_sign_on_matches_a_registered_email_case_insensitively(fresh_db, member):
    assert accounts.sign_in_external(fresh_db, "ANA.LEE@county.example.gov", verified=True).id == member.id
    assert audit_rows(fresh_db, "sign_in")[-1]["detail"] == "single sign-on"


def test_single_sign_on_refuses_unknown_and_unverified_emails_and_audits_both(fresh_db, member):
    with pytest.raises(NotFound, match="ask your administrator"):
        accounts.sign_in_external(fresh_db, "stranger@example.org", verified=True)
    for unverified in (False, None, "true", 1):  # only an explicit True from the provider counts
        with pytest.raises(NotFound):
            accounts.sign_in_external(fresh_db, member.email, verified=unverified)
    details = [e["detail"] for e in audit_rows(fresh_db, "sign_in")]
    assert details == ["single sign-on: email not registered"] + ["single sign-on: email not verified by the provider"] * 4


def test_single_sign_on_refuses_a_look_alike_of_a_registered_email(fresh_db, member):
    with pytest.raises(NotFound):  # the Kelvin sign K lower-cases to "k" in Python: never matched
        accounts.sign_in_external(fresh_db, "ana.lee@county.example.gov".replace("c", "\u0441"), verified=True)
    assert audit_rows(fresh_db, "sign_in")[-1]["detail"] == "single sign-on: not a valid email address"


# --- password change and reset --------------------------------------------------------------

def test_changing_a_password_needs_the_current_one_and_reports_every_problem_at_once(fresh_db, member):
    with pytest.raises(InvalidInput) as caught:
        accounts.change_password(fresh_db, member, "wrong current!", "short", "different")
    assert set(caught.value.errors) == {"current_password", "new_password", "confirm_password"}
    assert accounts.sign_in(fresh_db, member.email, PASSWORD, now=T0).user.id == member.id  # unchanged
    assert audit_rows(fresh_db, "password_change")[-1]["success"] is False


def test_a_new_password_must_differ_from_the_current_one(fresh_db, member):
    with pytest.raises(InvalidInput) as caught:
        accounts.change_password(fresh_db, member, PASSWORD, PASSWORD, PASSWORD)
    assert caught.value.errors == {"new_password": "Choose a password different from the current one."}


def test_after_a_password_change_only_the_new_password_signs_in(fresh_db, member):
    accounts.change_password(fresh_db, member, PASSWORD, "quiet harbour morning", "quiet harbour morning")
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(fresh_db, member.email, PASSWORD, now=T0)
    assert accounts.sign_in(fresh_db, member.email, "quiet harbour morning", now=T0).user.id == member.id
    assert len(audit_rows(fresh_db, "password_changed")) == 1


def test_a_visitor_cannot_change_a_password(fresh_db):
    from exchange.models import VISITOR

    with pytest.raises(Forbidden):
        accounts.change_password(fresh_db, VISITOR, PASSWORD, "quiet harbour morning", "quiet harbour morning")


def test_an_admin_reset_sets_a_temporary_password_that_must_be_changed_at_next_sign_in(fresh_db, member, admin):
    temporary = accounts.reset_password(fresh_db, admin, member.id)
    passwords.check_policy(temporary)
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(fresh_db, member.email, PASSWORD, now=T0)
    first = accounts.sign_in(fresh_db, member.email, temporary, now=T0)
    assert first.must_change_password
    accounts.change_password(fresh_db, first.user, temporary, "quiet harbour morning", "quiet harbour morning")
    assert not accounts.sign_in(fresh_db, member.email, "quiet harbour morning", now=T0).must_change_password
    [reset] = audit_rows(fresh_db, "password_reset")
    assert reset["actor_id"] == admin.id and reset["subject_id"] == str(member.id) and temporary not in reset["detail"]


# --- administration -----------------------------------------------------------------------

def _admin_calls(member_id, dept):
    return {
        "list": lambda db, u: accounts.list_accounts(db, u),
        "create": lambda db, u: accounts.create_account(db, u, email="new@x.example.gov", display_name="New", role="admin"),
        "update": lambda db, u: accounts.update_account(db, u, member_id, display_name="X", role="admin", department_id=dept),
        "deactivate": lambda db, u: accounts.set_active(db, u, member_id, False),
        "reset": lambda db, u: accounts.reset_password(db, u, member_id),
        "departments": lambda db, u: accounts.department_choices(db, u),
    }


@pytest.mark.parametrize("call", ["list", "create", "update", "deactivate", "reset", "departments"])
@pytest.mark.parametrize("role", ["member", "coordinator"])
def test_only_administrators_manage_accounts_and_a_refusal_changes_nothing(fresh_db, member, role, call):
    actor = make_user(fresh_db, role, department_id=member.department_id, regions=(5,) if role == "coordinator" else ())
    with fresh_db.read() as cur:
        before = rows(cur, "SELECT * FROM users ORDER BY id")
    with pytest.raises(Forbidden):
        _admin_calls(member.id, member.department_id)[call](fresh_db, actor)
    with fresh_db.read() as cur:
        assert rows(cur, "SELECT * FROM users ORDER BY id") == before
    assert audit_rows(fresh_db) == []


def test_creating_an_account_reports_every_invalid_field_at_once(fresh_db, admin, member):
    with pytest.raises(InvalidInput) as caught:
        accounts.create_account(fresh_db, admin, email="ANA.LEE@county.example.gov", display_name=" ", role="member",
                                department_id=None, password="short")
    assert set(caught.value.errors) == {"email", "display_name", "department", "password"}
    with pytest.raises(InvalidInput) as caught:
        accounts.create_account(fresh_db, admin, email="not an email", display_name="C", role="coordinator",
                                regions=[11])
    assert set(caught.value.errors) == {"email", "regions"}
    with fresh_db.read() as cur:
        assert scalar(cur, "SELECT count(*) FROM users") == 2


def test_an_admin_creates_a_coordinator_with_regions_and_a_temporary_password(fresh_db, admin):
    user_id, temporary = accounts.create_account(fresh_db, admin, email="Coord@Region5.example.gov",
                                                 display_name="Cora Ord", role="coordinator", regions=[5, 3, 5])
    user = accounts.load_user(fresh_db, user_id)
    assert (user.email, user.role, user.regions) == ("coord@region5.example.gov", "coordinator", (3, 5))
    assert accounts.sign_in(fresh_db, "coord@region5.example.gov", temporary, now=T0).must_change_password
    [created] = audit_rows(fresh_db, "account_created")
    assert "role: coordinator" in created["detail"] and "regions: 3, 5" in created["detail"]


def test_changing_role_and_regions_records_old_and_new_values(fresh_db, admin, member):
    events = accounts.update_account(fresh_db, admin, member.id, display_name="Ana Lee", role="coordinator",
                                     department_id=member.department_id, regions=[4, 5])
    assert events == ["name_changed", "role_changed", "regions_changed"]
    assert audit_rows(fresh_db, "role_changed")[0]["detail"].endswith("member → coordinator")
    assert audit_rows(fresh_db, "regions_changed")[0]["detail"].endswith("none → 4, 5")
    user = accounts.load_user(fresh_db, member.id)
    assert (user.role, user.regions) == ("coordinator", (4, 5))


def test_a_member_needs_a_department_and_loses_regions(fresh_db, admin):
    coordinator = make_user(fresh_db, "coordinator", regions=(2,))
    with pytest.raises(InvalidInput) as caught:
        accounts.update_account(fresh_db, admin, coordinator.id, display_name="C", role="member", department_id=None)
    assert set(caught.value.errors) == {"department"}
    dept = make_department(fresh_db)
    accounts.update_account(fresh_db, admin, coordinator.id, display_name="C", role="member", department_id=dept, regions=[2])
    assert accounts.load_user(fresh_db, coordinator.id).regions == ()


def test_a_forged_department_or_account_id_is_refused(fresh_db, admin, member):
    with pytest.raises(InvalidInput, match="No department with id 999"):
        accounts.update_account(fresh_db, admin, member.id, display_name="A", role="member", department_id=999)
    with pytest.raises(NotFound):
        accounts.set_active(fresh_db, admin, 999, False)


def test_the_last_active_administrator_cannot_be_demoted_or_deactivated(fresh_db, admin, member):
    with pytest.raises(InvalidInput, match="last active administrator"):
        accounts.update_account(fresh_db, admin, admin.id, display_name="A", role="member", department_id=member.department_id)
    with pytest.raises(InvalidInput, match="last active administrator"):
        accounts.set_active(fresh_db, accounts.OPERATOR, admin.id, False)
    assert accounts.load_user(fresh_db, admin.id).role == "admin"


def test_an_administrator_cannot_deactivate_their_own_account(fresh_db, admin):
    make_user(fresh_db, "admin")
    with pytest.raises(InvalidInput, match="your own account"):
        accounts.set_active(fresh_db, admin, admin.id, False)


def test_deactivate_and_reactivate_are_audited_and_repeating_is_a_conflict(fresh_db, admin, member):
    accounts.set_active(fresh_db, admin, member.id, False)
    with pytest.raises(Conflict, match="already deactivated"):
        accounts.set_active(fresh_db, admin, member.id, False)
    accounts.set_active(fresh_db, admin, member.id, True)
    assert [e["event"] for e in audit_rows(fresh_db) if e["event"].startswith("account_")] == [
        "account_deactivated", "account_reactivated"]


def test_the_account_list_filters_and_never_carries_password_data(fresh_db, admin, member):
    make_user(fresh_db, "coordinator", regions=(7,), email="coord@r7.example.gov")
    found = accounts.list_accounts(fresh_db, admin, role="coordinator")
    assert [a["email"] for a in found] == ["coord@r7.example.gov"] and found[0]["regions"] == [7]
    assert [a["email"] for a in accounts.list_accounts(fresh_db, admin, text="ana.")] == [member.email]
    assert [a["email"] for a in accounts.list_accounts(fresh_db, admin, region=7)] == ["coord@r7.example.gov"]
    assert all("password_hash" not in a for a in accounts.list_accounts(fresh_db, admin))


# --- issue 8 parts 3 and 9: e-mail normalisation and input hygiene ---------------------------

@pytest.mark.parametrize("look_alike", [
    "\u212aate@county.example.gov",          # KELVIN SIGN: "K".lower() == "k"
    "kate@county.ex\u0430mple.gov",          # Cyrillic a
    "ka\u200bte@county.example.gov",         # zero-width space
    "kate@county.example.gov\u202e",         # bidi override
    "ｋａｔｅ@county.example.gov",            # full-width letters (NFKC would fold them)
])
def test_look_alike_and_invisible_characters_in_an_email_are_refused_never_folded(fresh_db, admin, look_alike):
    accounts.create_account(fresh_db, admin, email="kate@county.example.gov", display_name="Kate", role="admin",
                            password=PASSWORD)
    with pytest.raises(InvalidInput, match="look-alike") as refused:
        accounts.create_account(fresh_db, admin, email=look_alike, display_name="Fake", role="admin", password=PASSWORD)
    assert "email" in refused.value.errors
    with pytest.raises(accounts.SignInFailed):
        accounts.sign_in(fresh_db, look_alike, PASSWORD, now=T0)
    with pytest.raises(NotFound):
        accounts.sign_in_external(fresh_db, look_alike, verified=True)


def test_emails_are_stored_trimmed_and_lower_cased(fresh_db, admin):
    user_id, _ = accounts.create_account(fresh_db, admin, email="  Kate.Lee@County.EXAMPLE.gov ", display_name="Kate",
                                         role="admin", password=PASSWORD)
    assert accounts.account_id(fresh_db, admin, "KATE.LEE@county.example.gov") == user_id
    assert accounts.sign_in(fresh_db, "kate.lee@COUNTY.example.gov", PASSWORD, now=T0).user.id == user_id


def test_names_are_stored_without_control_bidi_or_invisible_characters(fresh_db, admin):
    user_id, _ = accounts.create_account(fresh_db, admin, email="kate@county.example.gov", role="admin",
                                         display_name="Kate\u202e\u2060\x1b[31m Lee\ufeff\U000e0041", password=PASSWORD)
    accounts.update_account(fresh_db, admin, user_id, display_name="Kate\x00 \u061cLee", role="admin",
                            department_id=None)
    with fresh_db.read() as cur:
        assert scalar(cur, "SELECT display_name FROM users WHERE id = ?", [user_id]) == "Kate Lee"


def test_a_password_typed_into_the_email_box_reaches_no_log(fresh_db, member, caplog):
    secret = "my-Secret password 2026"
    with caplog.at_level("DEBUG"):
        with pytest.raises(accounts.SignInFailed):
            accounts.sign_in(fresh_db, secret, secret, client="192.0.2.1", now=T0)
    assert secret not in caplog.text
    assert all(secret not in str(entry) for entry in audit_rows(fresh_db))
    assert audit_rows(fresh_db, "sign_in")[-1]["detail"] == "not an email address from 192.0.2.1"


def test_every_public_name_of_the_identity_modules_split_out_of_accounts_is_still_an_accounts_name():
    from exchange.identity import administration, credentials, emails, signin

    for module in (administration, credentials, emails, signin):
        public = {n for n, v in vars(module).items() if not n.startswith("_") and getattr(v, "__module__", None)
                  == module.__name__}
        assert public and public <= set(accounts.__all__), module.__name__
        assert all(getattr(accounts, n) is getattr(module, n) for n in public)
