"""Accounts: the acting user, signing in (with back-off, see throttle.py), sessions, passwords, and account administration.

Times are explicit (`now`) so tests can travel: sign-in and its throttle use naive UTC datetimes
(see clock.py). Sessions themselves live in sessions.py; what ends them (a password change or
reset, a deactivation) ends them here, in the same transaction. "Try again at HH:MM" is shown
in the reader's time zone when known.

E-mail addresses are plain ASCII: surrounding spaces are removed and letters lower-cased;
any other character (the Kelvin sign K, Cyrillic look-alikes, invisible marks) is refused,
so two addresses that look the same are the same address.
"""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from email_validator import EmailNotValidError, validate_email

from exchange.identity import audit, passwords, permissions, sessions
from exchange import clock
from exchange.kernel import limits, throttle
from exchange.storage.duckdb import Database, one, rows, scalar
from exchange.errors import Conflict, ExchangeError, InvalidInput, NotFound, RateLimited
from exchange.models import HHS_REGIONS, ROLES, VISITOR, User
from exchange.kernel.text import field

ACCOUNT_ROLES = tuple(r for r in ROLES if r != "visitor")
MAX_EMAIL, MAX_NAME = limits.EMAIL, limits.DISPLAY_NAME
SIGN_IN_FAILED = "That email and password do not match an account. Check both and try again."
NOT_REGISTERED = "Your email is not registered; ask your administrator to create an account for you."
INVALID_EMAIL = "Enter a valid email address, like name@health.example.gov."

# The command line acts with the file's owner's authority; audited as "(command line)".
OPERATOR = User(id=None, email="(command line)", display_name="Command line", role="admin")
# Unknown emails are checked against this so they take as long as a wrong password.
_DUMMY_HASH = passwords.hash_password(secrets.token_hex(16))


class SignInFailed(ExchangeError):
    """Wrong email or password (one message for both, so accounts cannot be enumerated)."""


@dataclass(frozen=True)
class SignIn:
    """A successful password check; when `must_change_password`, the session may not start yet."""

    user: User
    must_change_password: bool


def normalize_email(email: str | None) -> str:
    """The form emails are stored and compared in: outer spaces removed, ASCII letters lower-cased (nothing else changed)."""
    if not isinstance(email, str):
        return ""
    email = email.strip()
    # str.lower() would turn the Kelvin sign into "k": only ASCII is case-folded.
    return email.lower() if email.isascii() else email


def check_email(email, name: str = "email") -> str:
    """The normalised address, or InvalidInput: checked for length first, then plain ASCII, then by email-validator."""
    if email is None:
        email = ""
    if not isinstance(email, str):
        raise InvalidInput("An email address must be text.", name)
    if len(email) > limits.EMAIL:
        raise InvalidInput(f"An email address has at most {limits.EMAIL} characters.", name)
    key = normalize_email(email)
    if not key:
        raise InvalidInput("Enter an email address.", name)
    if not key.isascii() or not key.isprintable():
        raise InvalidInput("Use only plain letters, digits and punctuation in an email address "
                           "(look-alike characters such as the Kelvin sign are refused).", name)
    try:
        checked = validate_email(key, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise InvalidInput(INVALID_EMAIL, name) from None
    return checked.normalized.lower()


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


# --- signing in ---------------------------------------------------------------------------

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
        raise RateLimited(f"Too many failed sign-ins. {_try_again(until, now, tz)}")
    if key is None:
        # Not an email: audit without the typed text (people type passwords into the wrong box).
        passwords.verify_password(password or "x", _DUMMY_HASH)
        _record_failure(db, None, None, f"not an email address{seen_from}", (client_counter,), now)
        raise SignInFailed(SIGN_IN_FAILED)
    matches = passwords.verify_password(password or "", row["password_hash"] if row and row["password_hash"] else _DUMMY_HASH)
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


def _try_again(until: datetime, now: datetime, tz: tzinfo | None) -> str:
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


# --- passwords ----------------------------------------------------------------------------

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
        raise RateLimited(f"Too many failed attempts. {_try_again(until, now, tz)}")
    errors = {}
    if not passwords.verify_password(current or "", stored or _DUMMY_HASH):
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

    db.write(work)


def temporary_password() -> str:
    """A random, readable one-time password, e.g. 'kq7w-m3xt-9fhp-2rzd'."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def reset_password(db: Database, admin: User, user_id: int, *, temporary: str | None = None,
                   now: datetime | None = None) -> str:
    """Set a temporary password the user must change at next sign-in; return it (shown once, never logged)."""
    permissions.require(admin, "users.manage")
    temporary = temporary if temporary is not None else temporary_password()
    now = now or clock.now()

    def work(cur):
        row = _account_row(cur, user_id)
        passwords.check_policy(temporary, email=row["email"])
        cur.execute("UPDATE users SET password_hash = ?, must_change_password = TRUE, password_changed_at = ? WHERE id = ?",
                    [passwords.hash_password(temporary), now, user_id])
        sessions.end_for_account(cur, user_id, "password_changed", now)
        # A reset is how an administrator lets someone back in: their back-off goes too.
        throttle.clear(cur, throttle.account_key(normalize_email(row["email"])), throttle.change_key(user_id))
        audit.record(cur, admin, "password_reset", "user", user_id, True,
                     f"{row['email']}: temporary password set; must change at next sign-in; sign-in back-off cleared",
                     now=now)

    db.write(work)
    return temporary


# --- account administration ---------------------------------------------------------------

def list_accounts(db: Database, admin: User, *, text: str = "", role: str | None = None, active: bool | None = None,
                  department_id: int | None = None, region: int | None = None) -> list[dict]:
    """Accounts matching the filters, without any password data; administrators only."""
    permissions.require(admin, "users.manage")
    text = field(text, "text", limits.ACCOUNT_SEARCH, label="The search")
    where, params = ["TRUE"], []
    if text:
        where.append("(contains(lower(u.email), lower(?)) OR contains(lower(u.display_name), lower(?)))")
        params += [text, text]
    if role:
        where.append("u.role = ?")
        params.append(role)
    if active is not None:
        where.append("u.active = ?")
        params.append(active)
    if department_id is not None:
        where.append("u.department_id = ?")
        params.append(department_id)
    if region is not None:
        where.append("u.id IN (SELECT user_id FROM user_regions WHERE hhs_region = ?)")
        params.append(region)
    with db.read() as cur:
        return rows(cur, f"""
            SELECT u.id, u.email, u.display_name, u.role, u.department_id, d.name AS department,
                   coalesce((SELECT list(hhs_region ORDER BY hhs_region) FROM user_regions r WHERE r.user_id = u.id), []) AS regions,
                   u.active, u.must_change_password, u.created_at,
                   (SELECT max(occurred_at) FROM audit_log a WHERE a.event = 'sign_in' AND a.success
                      AND a.actor_id = u.id) AS last_sign_in
            FROM users u LEFT JOIN departments d ON d.id = u.department_id
            WHERE {' AND '.join(where)} ORDER BY lower(u.email)""", params)


def account_id(db: Database, admin: User, email: str) -> int:
    """The id of the account with this email (any case); administrators only."""
    permissions.require(admin, "users.manage")
    key = check_email(email)
    with db.read() as cur:
        found = scalar(cur, "SELECT id FROM users WHERE lower(email) = ?", [key])
    if found is None:
        raise NotFound(f"No account with the email {key}.")
    return found


def department_choices(db: Database, admin: User) -> list[dict]:
    """Departments (id, name, state) to place a member in; administrators only."""
    permissions.require(admin, "users.manage")
    with db.read() as cur:
        return rows(cur, "SELECT id, name, state_code FROM departments ORDER BY name")


def create_account(db: Database, admin: User, *, email: str, display_name: str, role: str,
                   department_id: int | None = None, regions=(), password: str | None = None,
                   now: datetime | None = None) -> tuple[int, str | None]:
    """Create an account; without a password, a temporary one is set and returned (shown once)."""
    permissions.require(admin, "users.manage")
    now = now or clock.now()
    email_problem = None
    try:
        key = check_email(email)
    except InvalidInput as exc:
        key, email_problem = None, exc.errors["email"]
    temporary = None if password is not None else temporary_password()

    def work(cur):
        errors, fields = _check_profile(cur, display_name, role, department_id, regions)
        if email_problem:
            errors["email"] = email_problem
        elif scalar(cur, "SELECT 1 FROM users WHERE lower(email) = ?", [key]):
            errors["email"] = "An account with this email already exists."
        try:
            passwords.check_policy(password if password is not None else temporary, email=key)
        except InvalidInput as exc:
            errors["password"] = exc.errors["password"]
        if errors:
            raise InvalidInput(errors)
        user_id = cur.execute(
            """INSERT INTO users (email, display_name, role, department_id, password_hash, must_change_password,
                                  created_at, password_changed_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [key, fields["display_name"], role, fields["department_id"],
             passwords.hash_password(password if password is not None else temporary), temporary is not None, now, now],
        ).fetchone()[0]
        for region in fields["regions"]:
            cur.execute("INSERT INTO user_regions VALUES (?, ?)", [user_id, region])
        audit.record(cur, admin, "account_created", "user", user_id, True,
                     {"email": key, "role": role, "department": _department_label(cur, fields["department_id"]),
                      "regions": fields["regions"]}, now=now)
        return user_id

    return db.write(work), temporary


def update_account(db: Database, admin: User, user_id: int, *, display_name: str, role: str,
                   department_id: int | None, regions=(), now: datetime | None = None) -> list[str]:
    """Change name, role, department or regions; one audit entry per change; return the events recorded."""
    permissions.require(admin, "users.manage")
    now = now or clock.now()

    def work(cur):
        row = _account_row(cur, user_id)
        errors, fields = _check_profile(cur, display_name, role, department_id, regions)
        if row["role"] == "admin" and role != "admin" and row["active"] and _active_admins(cur) <= 1:
            errors["role"] = "This is the last active administrator; make someone else an administrator first."
        if errors:
            raise InvalidInput(errors)
        old_regions = tuple(r[0] for r in cur.execute("SELECT hhs_region FROM user_regions WHERE user_id = ? ORDER BY 1", [user_id]).fetchall())
        changes = []
        if row["display_name"] != fields["display_name"]:
            changes.append(("name_changed", audit.change(row["display_name"], fields["display_name"])))
        if row["role"] != role:
            changes.append(("role_changed", audit.change(row["role"], role)))
        if row["department_id"] != fields["department_id"]:
            changes.append(("department_changed", audit.change(_department_label(cur, row["department_id"]),
                                                               _department_label(cur, fields["department_id"]))))
        if old_regions != fields["regions"]:
            changes.append(("regions_changed", audit.change(old_regions, fields["regions"])))
        cur.execute("UPDATE users SET display_name = ?, role = ?, department_id = ? WHERE id = ?",
                    [fields["display_name"], role, fields["department_id"], user_id])
        cur.execute("DELETE FROM user_regions WHERE user_id = ?", [user_id])
        for region in fields["regions"]:
            cur.execute("INSERT INTO user_regions VALUES (?, ?)", [user_id, region])
        for event, detail in changes:
            audit.record(cur, admin, event, "user", user_id, True, f"{row['email']}: {detail}", now=now)
        return [event for event, _ in changes]

    return db.write(work)


def set_active(db: Database, admin: User, user_id: int, active: bool, *, now: datetime | None = None) -> None:
    """Deactivate (signs the account out everywhere) or reactivate an account; never deletes it."""
    permissions.require(admin, "users.manage")
    now = now or clock.now()

    def work(cur):
        row = _account_row(cur, user_id)
        if row["active"] == active:
            raise Conflict(f"{row['email']} is already {'active' if active else 'deactivated'}.")
        if not active and admin.id == user_id:
            raise InvalidInput("You cannot deactivate your own account.", "account")
        if not active and row["role"] == "admin" and _active_admins(cur) <= 1:
            raise InvalidInput("This is the last active administrator; it cannot be deactivated.", "account")
        cur.execute("UPDATE users SET active = ? WHERE id = ?", [active, user_id])
        if not active:  # a later reactivation must not bring the old sessions back
            sessions.end_for_account(cur, user_id, "inactive", now)
        audit.record(cur, admin, "account_reactivated" if active else "account_deactivated", "user", user_id, True,
                     row["email"], now=now)

    db.write(work)


def profile(db: Database, user: User) -> dict:
    """What the signed-in user may see about their own account (no password data)."""
    permissions.require(user, "account.read", {"self"})
    with db.read() as cur:
        row = one(cur, """SELECT u.email, u.display_name, u.role, d.name AS department, u.password_changed_at
                          FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?""", [user.id])
    if row is None:
        raise NotFound("Your account no longer exists.")
    return {**row, "regions": user.regions}


def demo_sign_ins(db: Database) -> list[dict]:
    """The demo accounts (email, password, role …) to list on the sign-in page; none in production mode."""
    from exchange import setup

    if setup.production_mode():
        return []
    try:
        from exchange.demo import DEMO_ACCOUNTS
    except ImportError:
        return []
    with db.read() as cur:
        present = {r[0] for r in cur.execute("SELECT lower(email) FROM users WHERE active").fetchall()}
    return [dict(account) for account in DEMO_ACCOUNTS if normalize_email(account["email"]) in present]


def _account_row(cur, user_id) -> dict:
    row = one(cur, "SELECT * FROM users WHERE id = ?", [user_id]) if isinstance(user_id, int) else None
    if row is None:
        raise NotFound(f"No account with id {user_id}.")
    return row


def _active_admins(cur) -> int:
    return scalar(cur, "SELECT count(*) FROM users WHERE role = 'admin' AND active")


def _department_label(cur, department_id: int | None) -> str:
    if department_id is None:
        return "none"
    name = scalar(cur, "SELECT name FROM departments WHERE id = ?", [department_id])
    return f"{name} (id {department_id})"


def _check_profile(cur, display_name: str, role: str, department_id, regions) -> tuple[dict, dict]:
    """Every problem with name, role, department and regions, and the cleaned values.

    Regions belong to coordinators only: for other roles they are dropped, not refused,
    so changing a coordinator into a member does not need two steps.
    """
    errors = {}
    name = display_name if isinstance(display_name, str) and len(display_name) <= MAX_NAME else None
    name = field(name, "display_name", MAX_NAME) if name is not None else ""
    if not name:
        errors["display_name"] = f"Give a name of 1 to {MAX_NAME} characters."
    if role not in ACCOUNT_ROLES:
        errors["role"] = "Choose member, coordinator or admin."
    if department_id is not None and (not isinstance(department_id, int) or isinstance(department_id, bool)
                                      or not scalar(cur, "SELECT 1 FROM departments WHERE id = ?", [department_id])):
        errors["department"] = f"No department with id {department_id}."
    elif role == "member" and department_id is None:
        errors["department"] = "A member belongs to a department; choose one."
    cleaned = []
    if isinstance(regions, (str, bytes)) or not hasattr(regions or (), "__iter__"):
        errors["regions"], regions = "HHS regions are numbered 1 to 10.", ()
    for region in regions or ():
        if isinstance(region, bool) or not isinstance(region, int) or region not in HHS_REGIONS:
            errors["regions"] = "HHS regions are numbered 1 to 10."
            break
        cleaned.append(region)
    if role == "coordinator" and not cleaned and "regions" not in errors:
        errors["regions"] = "A regional coordinator needs at least one HHS region."
    regions_out = tuple(sorted(set(cleaned))) if role == "coordinator" else ()
    return errors, {"display_name": name, "department_id": department_id, "regions": regions_out}

