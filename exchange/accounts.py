"""Accounts: load the acting user. (Sign-in, lockout and management live here too.)"""

from __future__ import annotations

from .db import Database, one, rows
from .models import VISITOR, User


def load_user(db: Database, user_id: int | None) -> User:
    """The User for an id, or VISITOR when there is none or it is inactive."""
    if user_id is None:
        return VISITOR
    with db.read() as cur:
        row = one(cur, "SELECT * FROM users WHERE id = ? AND active", [user_id])
        if row is None:
            return VISITOR
        regions = tuple(r["hhs_region"] for r in rows(cur, "SELECT hhs_region FROM user_regions WHERE user_id = ? ORDER BY 1", [user_id]))
    return User(
        id=row["id"], email=row["email"], display_name=row["display_name"], role=row["role"],
        department_id=row["department_id"], regions=regions,
    )
