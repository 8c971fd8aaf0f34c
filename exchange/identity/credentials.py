"""Changing your own password (with back-off on wrong current passwords) and making temporary ones.

A change ends every session of the account in the same transaction (sessions.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime, tzinfo

from exchange import clock
from exchange.errors import InvalidInput, RateLimited
from exchange.identity import audit, passwords, permissions, sessions
from exchange.identity.emails import normalize_email
from exchange.identity.signin import dummy_hash, try_again
from exchange.kernel import limits, throttle
from exchange.models import User
from exchange.storage.duckdb import Database, scalar


def change_password(db: Database, user: User, current: str, new: str, confirm: str, *, now: datetime | None = None,
                    tz: tzinfo | None = None) -> None:
    """Change your own password (needs the current one); every problem is reported at once."""
    permissions.require(user, "account.change_password", {"self"})
    now = now or clock.now()
    for name, value in (("current_password", current), ("new_password", new), ("confirm_password", confirm)):
        if value is not None and (not isinstance(value, str) or len(value) > limits.PASSWORD):
            raise InvalidInput(f"A password is text of at most {limits.PASSWORD} characters.", name)
    key = normalize_email(user.email)
    counter = throttle.change_key(user.id)
    with db.read() as cur:
        stored = scalar(cur, "SELECT password_hash FROM users WHERE id = ? AND active", [user.id])
        until = throttle.blocked_until(cur, counter, now)
    if until:
        audit.record(db, user, "password_change_throttled", "user", user.id, False,
                     f"back-off until {until:%H:%M:%S} UTC", now=now)
        raise RateLimited(f"Too many failed attempts. {try_again(until, now, tz)}")
    errors = {}
    if not passwords.verify_password(current or "", stored or dummy_hash()):
        errors["current_password"] = "That is not your current password."
    try:
        passwords.check_policy(new, email=user.email)
    except InvalidInput as exc:
        errors["new_password"] = exc.errors["password"]
    if "new_password" not in errors and new == current:
        errors["new_password"] = "Choose a password different from the current one."
    if new != confirm:
        errors["confirm_password"] = "The two new passwords differ."
    if errors:
        if "current_password" in errors:
            def failed(cur):
                throttle.record_failure(cur, counter, now)
                audit.record(cur, user, "password_change", "email", key, False, "wrong current password", now=now)

            db.write(failed, bump=False)
        raise InvalidInput(errors)

    def work(cur):
        cur.execute("UPDATE users SET password_hash = ?, must_change_password = FALSE, password_changed_at = ? WHERE id = ?",
                    [passwords.hash_password(new), now, user.id])
        sessions.end_for_account(cur, user.id, "password_changed", now)  # every tab and device signs in again
        throttle.clear(cur, counter, throttle.account_key(key))
        audit.record(cur, user, "password_changed", "user", user.id, True, "", now=now)

    db.write(work, entity="user")


def temporary_password() -> str:
    """A random, readable one-time password, e.g. 'kq7w-m3xt-9fhp-2rzd'."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))
