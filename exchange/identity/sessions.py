"""Sign-in sessions kept in the database, so a reload, a new tab or a bookmark stays signed in.

The browser holds a random token in an HttpOnly cookie (set by the app's /auth/session
route, see exchange/ui/web.py); the database stores only the token's SHA-256. Every page run
resumes the session by its token and applies the rules in one place: 30 minutes idle,
12 hours in all (EXCHANGE_SESSION_IDLE_MINUTES, EXCHANGE_SESSION_MAX_HOURS), and a password
change or reset, a deactivation, or a sign-out ends it everywhere it is open.

A tab that has just checked a password cannot set an HttpOnly cookie itself, so it asks
for a one-time handoff code (valid 60 seconds, used once) and sends the browser to the
cookie route with it. The session token never appears in a URL: the handoff row holds the
token sealed with the code (XOR with the code's SHA-256), and only the code's digest.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from exchange.identity import audit
from exchange import clock, config
from exchange.storage.duckdb import Database, one
from exchange.errors import Conflict, ExchangeError
from exchange.models import User

COOKIE_NAME = "ee_session"
# The idle and total limits are settings (config.settings().session_idle / .session_max);
# IDLE_LIMIT and SESSION_LIMIT below still name them for callers (module __getattr__).
HANDOFF_LIMIT = timedelta(seconds=60)
# last_seen is written at most this often: a rerun costs no write, idle expiry is at most this early.
TOUCH_EVERY = timedelta(seconds=30)
KEEP_ENDED = timedelta(days=30)
_TOKEN_SHAPE = re.compile(r"[0-9a-f]{64}")

_LIMITS = {"IDLE_LIMIT": "session_idle", "SESSION_LIMIT": "session_max"}


def __getattr__(name: str):
    if name in _LIMITS:
        return getattr(config.settings(), _LIMITS[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _length(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = minutes // 60
    return f"{hours} hour{'s' if hours != 1 else ''}"


def lengths() -> str:
    """How long a session lasts, as the account page says it ("30 minutes without activity, or 12 hours in all")."""
    settings = config.settings()
    return f"{_length(settings.session_idle)} without activity, or {_length(settings.session_max)} in all"


class _Messages(Mapping):
    """Why a session ended, in words; the idle and total lengths are the configured ones."""

    def __init__(self, fixed: dict[str, str]):
        self._fixed = fixed

    def __getitem__(self, reason: str) -> str:
        found = config.settings()
        if reason == "idle":
            return f"You were signed out after {_length(found.session_idle)} without activity. Please sign in again."
        if reason == "too_long":
            return f"You were signed out after {_length(found.session_max)}. Please sign in again."
        return self._fixed[reason]

    def __iter__(self):
        return iter(["idle", "too_long", *self._fixed])

    def __len__(self) -> int:
        return 2 + len(self._fixed)


MESSAGES = _Messages({
    "signed_out": "You signed out (in this tab or another one).",
    "password_changed": "Your password was changed, so you were signed out. Please sign in again.",
    "inactive": "Your session ended because your account was deactivated.",
    "unknown": "Your session has ended. Please sign in again.",
})


class SessionEnded(ExchangeError):
    """The session is over (idle, too long, signed out, or the account changed); sign in again."""

    def __init__(self, reason: str):
        super().__init__(MESSAGES.get(reason, MESSAGES["unknown"]))
        self.reason = reason


@dataclass(frozen=True)
class Session:
    """A live session: who, since when."""

    user_id: int
    started_at: datetime
    last_seen_at: datetime


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def well_formed(token: str | None) -> bool:
    """True when `token` has the shape of a token we issue (checked before any lookup)."""
    return isinstance(token, str) and len(token) == 64 and bool(_TOKEN_SHAPE.fullmatch(token))


def start(db: Database, user_id: int, *, now: datetime | None = None) -> str:
    """Open a new session for a user whose credentials were just checked; return its token."""
    now = now or clock.now()
    token = secrets.token_hex(32)

    def work(cur):
        # Rows of sessions over for a month serve no rule; keep the table small.
        cur.execute("DELETE FROM sessions WHERE coalesce(ended_at, last_seen_at) < ?", [now - KEEP_ENDED])
        cur.execute("INSERT INTO sessions (id, user_id, started_at, last_seen_at) VALUES (?, ?, ?, ?)",
                    [_digest(token), user_id, now, now])

    db.write(work, bump=False)  # no cached view depends on sessions
    return token


def problem(session: Session, now: datetime) -> str | None:
    """'idle' after 30 minutes without activity, 'too_long' after 12 hours in all (as configured), else None."""
    found = config.settings()
    if now - session.last_seen_at > found.session_idle:
        return "idle"
    if now - session.started_at > found.session_max:
        return "too_long"
    return None


def resume(db: Database, token: str | None, *, now: datetime | None = None) -> int:
    """The user id of the live session `token`; SessionEnded (ending it for good) when it is over."""
    now = now or clock.now()
    if not well_formed(token):
        raise SessionEnded("unknown")
    key = _digest(token)
    with db.read() as cur:
        row = one(cur, """SELECT s.user_id, s.started_at, s.last_seen_at, s.ended_at, s.end_reason,
                                 u.active, u.must_change_password, u.password_changed_at
                          FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.id = ?""", [key])
    if row is None:
        raise SessionEnded("unknown")
    if row["ended_at"] is not None:
        raise SessionEnded(row["end_reason"] or "unknown")
    session = Session(row["user_id"], row["started_at"], row["last_seen_at"])
    reason = problem(session, now)
    if reason is None and not row["active"]:
        reason = "inactive"
    if reason is None and (row["must_change_password"] or
                           (row["password_changed_at"] is not None and row["password_changed_at"] > session.started_at)):
        reason = "password_changed"
    if reason:
        _end(db, key, reason, now)
        raise SessionEnded(reason)
    if now - session.last_seen_at >= TOUCH_EVERY:
        try:
            db.write(lambda cur: cur.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL",
                                             [now, key]), bump=False)
        except Conflict:
            pass  # another tab of this session touched it at the same moment: that write counts
    return session.user_id


def end(db: Database, token: str | None, reason: str = "signed_out", *, now: datetime | None = None) -> None:
    """End one session everywhere it is open (every tab that holds its cookie)."""
    if well_formed(token):
        _end(db, _digest(token), reason, now or clock.now())


def end_all(db: Database, user_id: int, reason: str, *, keep: str | None = None, now: datetime | None = None) -> int:
    """End every open session of a user except `keep`'s; return how many ended."""
    now = now or clock.now()
    kept = _digest(keep) if well_formed(keep) else ""

    def work(cur):
        return cur.execute("""UPDATE sessions SET ended_at = ?, end_reason = ?
                              WHERE user_id = ? AND ended_at IS NULL AND id <> ? RETURNING id""",
                           [now, reason, user_id, kept]).fetchall()

    return len(db.write(work, bump=False))


def end_for_account(cur, user_id: int, reason: str, now: datetime) -> None:
    """End every open session of an account, in the caller's transaction (password change or reset, deactivation)."""
    cur.execute("UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL",
                [now, reason, user_id])


def _end(db: Database, key: str, reason: str, now: datetime) -> None:
    def work(cur):
        ended = cur.execute("""UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL
                               RETURNING user_id""", [now, reason, key]).fetchone()
        if ended and reason != "signed_out":  # a sign-out is audited by the account service, with its actor
            actor = User(id=ended[0], email="", display_name="", role="member")  # only the id is logged
            audit.record(cur, actor, "sign_out", "user", ended[0], True, f"session ended: {reason}", now=now)

    db.write(work, bump=False)


# --- handing a tab's session to the browser's cookie -------------------------------------------

def _seal(token: str, code: str) -> str:
    pad = hashlib.sha256(("seal:" + code).encode("ascii")).digest()
    return bytes(a ^ b for a, b in zip(bytes.fromhex(token), pad)).hex()


def handoff(db: Database, token: str, *, now: datetime | None = None) -> str:
    """A one-time code (60 s) that the cookie route exchanges for `token`."""
    if not well_formed(token):
        raise ValueError("not a session token")
    now = now or clock.now()
    code = secrets.token_hex(32)

    def work(cur):
        cur.execute("DELETE FROM session_handoffs WHERE created_at < ?", [now - HANDOFF_LIMIT])
        cur.execute("INSERT INTO session_handoffs VALUES (?, ?, ?)", [_digest(code), _seal(token, code), now])

    db.write(work, bump=False)
    return code


def redeem(db: Database, code: str | None, *, now: datetime | None = None) -> str | None:
    """The live session token behind a handoff code (used up now), or None when unknown, used or stale."""
    if not well_formed(code):
        return None
    now = now or clock.now()

    def work(cur):
        return cur.execute("DELETE FROM session_handoffs WHERE id = ? RETURNING sealed_token, created_at",
                           [_digest(code)]).fetchone()

    found = db.write(work, bump=False)
    if found is None or now - found[1] > HANDOFF_LIMIT or found[1] > now + timedelta(seconds=5):
        return None
    token = _seal(found[0], code)  # XOR twice gives the token back
    try:
        resume(db, token, now=now)
    except SessionEnded:
        return None
    return token


def is_live(db: Database, token: str | None, *, now: datetime | None = None) -> bool:
    """True when `token` names a session that has not ended (no side effects)."""
    if not well_formed(token):
        return False
    with db.read() as cur:
        row = one(cur, "SELECT started_at, last_seen_at, ended_at, user_id FROM sessions WHERE id = ?", [_digest(token)])
    if row is None or row["ended_at"] is not None:
        return False
    return problem(Session(row["user_id"], row["started_at"], row["last_seen_at"]), now or clock.now()) is None

