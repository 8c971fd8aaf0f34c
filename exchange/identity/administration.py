"""Account administration: listing, creating, changing, (de)activating accounts and resetting passwords.

Administrators only, every change audited. What ends sessions (a reset, a deactivation) ends them
here, in the same transaction. The last active administrator can be neither demoted nor deactivated.
"""

from __future__ import annotations

from datetime import datetime

from exchange import clock
from exchange.errors import Conflict, InvalidInput, NotFound
from exchange.identity import audit, passwords, permissions, sessions
from exchange.identity.credentials import temporary_password
from exchange.identity.emails import check_email, normalize_email
from exchange.kernel import limits, throttle
from exchange.kernel.text import field
from exchange.models import HHS_REGIONS, ROLES, User
from exchange.storage.duckdb import Database, one, rows, scalar

ACCOUNT_ROLES = tuple(r for r in ROLES if r != "visitor")
MAX_NAME = limits.DISPLAY_NAME


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

    db.write(work, entity="user")
    return temporary


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

    return db.write(work, entity="user"), temporary


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

    return db.write(work, entity="user")


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

    db.write(work, entity="user")


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
