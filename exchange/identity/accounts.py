"""Accounts: the public face of identity, and the account's own view of itself.

Split by concern: `emails` (what an address is), `signin` (signing in and out, the acting user),
`credentials` (changing your password), `administration` (managing accounts). Every public name
is re-exported here, so `from exchange.identity import accounts; accounts.sign_in(...)` keeps working.
"""

from __future__ import annotations

from exchange.identity import permissions
from exchange.identity.administration import (ACCOUNT_ROLES, MAX_NAME, account_id, create_account,
                                              department_choices, list_accounts, reset_password, set_active,
                                              update_account)
from exchange.identity.credentials import change_password, temporary_password
from exchange.identity.emails import INVALID_EMAIL, check_email, normalize_email
from exchange.identity.signin import (NOT_REGISTERED, SIGN_IN_FAILED, SignIn, SignInFailed, dummy_hash, load_user,
                                      sign_in, sign_in_external, sign_out, try_again)
from exchange.kernel import limits
from exchange.models import User
from exchange.storage.duckdb import Database, one

MAX_EMAIL = limits.EMAIL
# The command line acts with the file's owner's authority; audited as "(command line)".
OPERATOR = User(id=None, email="(command line)", display_name="Command line", role="admin")

__all__ = [
    "ACCOUNT_ROLES", "INVALID_EMAIL", "MAX_EMAIL", "MAX_NAME", "NOT_REGISTERED", "OPERATOR", "SIGN_IN_FAILED",
    "SignIn", "SignInFailed", "account_id", "change_password", "check_email", "create_account", "demo_sign_ins",
    "department_choices", "dummy_hash", "list_accounts", "load_user", "normalize_email", "profile", "reset_password", "set_active",
    "sign_in", "sign_in_external", "sign_out", "temporary_password", "try_again", "update_account",
]


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
