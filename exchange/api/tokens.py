"""Personal API tokens: created and revoked by their owner on "Your account", kept only as a hash, shown once.

A token acts as its owner (the same role, department and regions), read-only: the API has no
route that writes. A deactivated account's tokens stop working at once; revoking is final.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from exchange import clock
from exchange.errors import InvalidInput, NotFound, RateLimited
from exchange.identity import audit, permissions
from exchange.identity.signin import load_user
from exchange.kernel.text import field
from exchange.models import VISITOR, User
from exchange.storage.duckdb import Database, rows

PREFIX = "eex_"
MAX_NAME = 60
MAX_LIVE = 10  # live tokens per account: enough for a few scripts, few enough to review
MAX_TOKEN_CHARS = 100
_USE_GRANULARITY = timedelta(minutes=10)  # last use is recorded at most this often (a write per request is waste)


def _digest(token: str) -> str:
    # The token is 256 random bits: a plain hash cannot be reversed by guessing, and is quick to check.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create(db: Database, user: User, name: str, *, now: datetime | None = None) -> str:
    """A new token for the user's own account; returns the token text, which is never stored or shown again."""
    permissions.require(user, "account.api_tokens", {"self"})
    name = field(name, "name", MAX_NAME, label="The token's name", required=True)
    now = now or clock.now()
    token = PREFIX + secrets.token_urlsafe(32)

    def work(cur):
        live = cur.execute("SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL",
                           [user.id]).fetchone()[0]
        if live >= MAX_LIVE:
            raise InvalidInput(f"You already have {MAX_LIVE} tokens; revoke one you no longer use first.", "name")
        token_id = cur.execute("INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at) "
                               "VALUES (?, ?, ?, ?, ?) RETURNING id",
                               [user.id, name, _digest(token), token[:len(PREFIX) + 4], now]).fetchone()[0]
        audit.record(cur, user, "api_token_created", "api_token", token_id, detail={"name": name}, now=now)

    db.write(work, bump=False)
    return token


def mine(db: Database, user: User) -> list[dict]:
    """The user's tokens (never their text): name, how it starts, created, last used, revoked."""
    permissions.require(user, "account.api_tokens", {"self"})
    with db.read() as cur:
        return rows(cur, "SELECT id, name, prefix, created_at, last_used_at, revoked_at FROM api_tokens "
                         "WHERE user_id = ? ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC", [user.id])


def revoke(db: Database, user: User, token_id: int, *, now: datetime | None = None) -> None:
    """Revoke one of the user's own tokens (revoking twice is a no-op); another's token is NotFound."""
    permissions.require(user, "account.api_tokens", {"self"})
    now = now or clock.now()

    def work(cur):
        found = cur.execute("SELECT revoked_at FROM api_tokens WHERE id = ? AND user_id = ?",
                            [int(token_id), user.id]).fetchone()
        if found is None:
            raise NotFound("That token does not exist.")
        if found[0] is None:
            cur.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", [now, int(token_id)])
            audit.record(cur, user, "api_token_revoked", "api_token", token_id, now=now)

    db.write(work, bump=False)


class BadToken(NotFound):
    """The Authorization header names no live token (the API answers 401)."""


def user_for(db: Database, authorization: str | None, *, now: datetime | None = None) -> tuple[User, int | None]:
    """The acting user for an `Authorization: Bearer …` header (VISITOR without one) and the token's id.

    A header that is present but names no live token of an active account is refused (BadToken), never
    silently treated as a visitor: a script with a revoked token should hear so.
    """
    if not authorization:
        return VISITOR, None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(PREFIX) or len(token) > MAX_TOKEN_CHARS:
        raise BadToken("The Authorization header must be 'Bearer <token>' with a token from Your account.")
    now = now or clock.now()
    with db.read() as cur:
        found = cur.execute("SELECT t.id, t.user_id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id "
                            "WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.active", [_digest(token)]).fetchone()
    if found is None:
        raise BadToken("That API token is not valid: it was revoked, its account is deactivated, or it was mistyped.")
    token_id, user_id, last_used = found
    if last_used is None or now - last_used >= _USE_GRANULARITY:
        db.write(lambda cur: cur.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", [now, token_id]),
                 bump=False)
    user = load_user(db, user_id)
    if not user.signed_in:
        raise BadToken("That API token is not valid: its account is deactivated.")
    return user, token_id


__all__ = ["PREFIX", "MAX_NAME", "MAX_LIVE", "BadToken", "create", "mine", "revoke", "user_for", "RateLimited"]
