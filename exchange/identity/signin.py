"""Signing in and out: the password check with back-off (see throttle.py), single sign-on, the acting user.

Times are explicit (`now`) so tests can travel: sign-in and its throttle use naive UTC datetimes
(see clock.py). "Try again at HH:MM" is shown in the reader's time zone when known.
"""

from __future__ import annotations

import functools
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from exchange import clock
from exchange.errors import ExchangeError, InvalidInput, NotFound, RateLimited
from exchange.identity import audit, passwords
from exchange.identity.emails import check_email
from exchange.kernel import limits, throttle
from exchange.models import VISITOR, User
from exchange.storage.duckdb import Database, one

SIGN_IN_FAILED = "That email and password do not match an account. Check both and try again."
NOT_REGISTERED = "Your email is not registered; ask your administrator to create an account for you."
# Unknown emails are checked against this so they take as long as a wrong password.
@functools.cache
def dummy_hash() -> str:
    """A hash of a random password, made at the first sign-in (not at import: scrypt costs ~0.14 s of a cold start),
    verified when an account is unknown so that answering takes as long as for a real one."""
    return passwords.hash_password(secrets.token_hex(16))


class SignInFailed(ExchangeError):
    """Wrong email or password (one message for both, so accounts cannot be enumerated)."""


@dataclass(frozen=True)
class SignIn:
    """A successful password check; when `must_change_password`, the session may not start yet."""

    user: User
    must_change_password: bool


def load_user(db: Database, user_id: int | None) -> User:
    """The User for an id, or VISITOR when there is none or it is inactive."""
    if user_id is None:
        return VISITOR
    with db.read() as cur:
        row = one(cur, "SELECT * FROM users WHERE id = ? AND active", [user_id])
        if row is None:
            return VISITOR
        return _user(cur, row)


def _user(cur, row: dict) -> User:
    regions = tuple(r[0] for r in cur.execute("SELECT hhs_region FROM user_regions WHERE user_id = ? ORDER BY 1", [row["id"]]).fetchall())
    return User(id=row["id"], email=row["email"], display_name=row["display_name"], role=row["role"],
                department_id=row["department_id"], regions=regions)


def sign_in(db: Database, email: str, password: str, *, client: str | None = None, now: datetime | None = None,
            tz: tzinfo | None = None) -> SignIn:
    """Check a password; audit the attempt; raise SignInFailed, RateLimited (time shown in `tz`), or return the SignIn.

    `client` is the caller's address (throttle.client_address); failures back off per client and per account.
    """
    now = now or clock.now()
    # Lengths and types before anything else: nothing below may grow with an oversized value.
    if not isinstance(email, str) or len(email) > limits.EMAIL:
        raise InvalidInput(f"An email address has at most {limits.EMAIL} characters.", "email")
    if password is not None and (not isinstance(password, str) or len(password) > limits.PASSWORD):
        raise InvalidInput(f"A password has at most {limits.PASSWORD} characters.", "password")
    client = client if isinstance(client, str) and client else None
    client_counter = throttle.client_key(client) if client else None
    seen_from = f" from {client}" if client else ""
    try:
        key = check_email(email)
    except InvalidInput:
        key = None
    account_counter = throttle.account_key(key) if key else None
    with db.read() as cur:
        row = one(cur, "SELECT * FROM users WHERE lower(email) = ?", [key]) if key else None
        client_until = throttle.blocked_until(cur, client_counter, now)
        client_failing = client is None or throttle.failures(cur, client_counter, now) > 0
        account_until = throttle.blocked_until(cur, account_counter, now) if client_failing else None
    actor = User(id=row["id"], email=row["email"], display_name="", role=row["role"]) if row else None
    until = max(filter(None, (client_until, account_until)), default=None)
    if until:
        which = "this client" if client_until else "this account"
        audit.record(db, actor, "sign_in_throttled", "email", key, False,
                     f"back-off on {which}{seen_from} until {until:%H:%M:%S} UTC", actor_email=key, now=now)
        raise RateLimited(f"Too many failed sign-ins. {try_again(until, now, tz)}")
    if key is None:
        # Not an email: audit without the typed text (people type passwords into the wrong box).
        passwords.verify_password(password or "x", dummy_hash())
        _record_failure(db, None, None, f"not an email address{seen_from}", (client_counter,), now)
        raise SignInFailed(SIGN_IN_FAILED)
    matches = passwords.verify_password(password or "", row["password_hash"] if row and row["password_hash"] else dummy_hash())
    if not (row and matches):
        reason = "wrong password" if row else "unknown email"
        _record_failure(db, actor, key, reason + seen_from, (account_counter, client_counter), now)
        raise SignInFailed(SIGN_IN_FAILED)
    if not row["active"]:
        audit.record(db, actor, "sign_in", "email", key, False, "account deactivated" + seen_from, actor_email=key, now=now)
        raise SignInFailed("This account is deactivated; ask your administrator.")

    def succeed(cur):
        throttle.clear(cur, account_counter)
        detail = ", ".join(filter(None, ("must change password" if row["must_change_password"] else "",
                                         f"from {client}" if client else "")))
        audit.record(cur, actor, "sign_in", "email", key, True, detail, actor_email=key, now=now)

    db.write(succeed, bump=False)
    return SignIn(user=load_user(db, row["id"]), must_change_password=bool(row["must_change_password"]))


def _record_failure(db: Database, actor: User | None, key: str | None, reason: str, counters, now: datetime) -> None:
    def work(cur):
        for counter in counters:
            throttle.record_failure(cur, counter, now)
        audit.record(cur, actor, "sign_in", "email", key, False, reason, actor_email=key, now=now)

    db.write(work, bump=False)


def sign_in_external(db: Database, email: str, *, verified: bool = False, now: datetime | None = None) -> User:
    """Match an identity provider's email to an active account (audited); NotFound unless the provider verified it."""
    try:
        key = check_email(email)
    except InvalidInput:
        key = None
    with db.read() as cur:
        row = one(cur, "SELECT id, email, role, active FROM users WHERE lower(email) = ?", [key]) if key else None
    # Only an explicit True counts: a provider that says nothing has not verified the address.
    verified = verified is True
    if key is None or row is None or not row["active"] or not verified:
        problem = ("not a valid email address" if key is None else "email not verified by the provider" if not verified
                   else "account deactivated" if row else "email not registered")
        audit.record(db, None, "sign_in", "email", key, False, f"single sign-on: {problem}", actor_email=key, now=now)
        raise NotFound(NOT_REGISTERED)
    user = load_user(db, row["id"])
    audit.record(db, user, "sign_in", "email", key, True, "single sign-on", now=now)
    return user


def sign_out(db: Database, user: User, *, reason: str = "", now: datetime | None = None) -> None:
    """Audit a sign-out (sessions.end has ended the session itself)."""
    if user.signed_in:
        audit.record(db, user, "sign_out", "user", user.id, True, reason, now=now)


def try_again(until: datetime, now: datetime, tz: tzinfo | None) -> str:
    """'Try again in 8 seconds.' for a short wait, else 'Try again at HH:MM.' (rounded up, so never too early)."""
    seconds = math.ceil((until - now).total_seconds())
    if seconds < 60:
        return f"Try again in {seconds} second{'s' if seconds != 1 else ''}."
    rounded = until if until.second == until.microsecond == 0 else until.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return f"Try again at {_clock_time(rounded, tz)}."


def _clock_time(utc: datetime, tz: tzinfo | None) -> str:
    """'HH:MM ZONE' of a naive UTC time in `tz` (the server's zone when None), the zone named so it is never misread."""
    shown = utc.replace(tzinfo=timezone.utc).astimezone(tz)
    return f"{shown:%H:%M} {shown.tzname() or 'UTC'}"
