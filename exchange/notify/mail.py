"""E-mail: each person's choices, the outbox, digests, the SMTP sender and the one-click unsubscribe link.

Nothing is sent from a request or from the change-log consumer. The consumer (immediate mail) and
the digest job write outbox rows — ids of notifications only, rendered when sent — and a sender
thread sends them. Each row goes pending → sending (committed before the SMTP conversation) → sent
(committed right after the server accepted it). A failure puts it back with a later attempt time
(exponential backoff) until MAX_ATTEMPTS, then "failed" (kept, and counted on the admin page).

Crash between the server's "250 OK" and our "sent" commit: the row is still "sending", and once its
lease (LEASE) runs out it is sent again, with the same Message-ID chosen when the row was written.
We chose "never lost" over "never twice" for that one window (a few milliseconds); a receiving
server or mail program that sees the Message-ID again can drop the copy. Every other failure
(refused, timed out, disconnected before the end of the message) is retried and cannot duplicate.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import smtplib
import ssl
import uuid
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Callable

from exchange import clock, config, storage
from exchange.errors import InvalidInput
from exchange.identity import permissions
from exchange.models import User
from exchange.notify import inbox
from exchange.storage.duckdb import Database, one, rows

log = logging.getLogger(__name__)

DIGESTS = {"daily": "Daily", "weekly": "Weekly", "off": "Off"}
DEFAULT_DIGEST = "weekly"
PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
DIGEST_ITEMS = 50           # the newest this many in one digest; the rest wait in the inbox
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)   # then 2, 4, 8 … minutes, at most MAX_RETRY
MAX_RETRY = timedelta(hours=2)
LEASE = timedelta(minutes=10)        # a row left "sending" this long (the sender died) is sent again
BATCH = 50
UNSUBSCRIBE_PATH = "/notify/unsubscribe"
_KEY_SETTING = "mail_unsubscribe_key"


def enabled() -> bool:
    """True when SMTP is configured (EXCHANGE_SMTP_HOST): e-mail is on."""
    return bool(config.settings().smtp_host)


# ---------------------------------------------------------------- preferences
def preferences(db: Database, user: User) -> dict:
    """The user's e-mail choices: digest (daily, weekly, off) and immediate (bool)."""
    permissions.require(user, "account.read", {"self"})
    with db.read() as cur:
        return _prefs(cur, user.id)


def set_preferences(db: Database, user: User, digest: str, immediate: bool) -> dict:
    """Change the user's digest frequency and immediate-mail choice; return what is stored."""
    permissions.require(user, "account.read", {"self"})
    if digest not in DIGESTS:
        raise InvalidInput("Choose a daily digest, a weekly digest, or none.", "digest")

    def work(cur):
        cur.execute("""INSERT INTO mail_preferences (user_id, digest, immediate) VALUES (?, ?, ?)
                       ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest, immediate = excluded.immediate,
                           unsubscribed_at = CASE WHEN excluded.digest = 'off' AND NOT excluded.immediate
                                                  THEN mail_preferences.unsubscribed_at END""",
                    [user.id, digest, bool(immediate)])
        return _prefs(cur, user.id)

    return db.write(work, entity="mail_preferences")


def _prefs(cur, user_id: int) -> dict:
    found = one(cur, "SELECT digest, immediate, last_digest_at, unsubscribed_at FROM mail_preferences WHERE user_id = ?",
                [user_id])
    return found or {"digest": DEFAULT_DIGEST, "immediate": True, "last_digest_at": None, "unsubscribed_at": None}


# ---------------------------------------------------------------- the outbox
def queue_immediate(cur, user_id: int, notification_id: int, now: datetime) -> int | None:
    """Put an immediate e-mail for one notification in the outbox (inside the consumer's transaction), if wanted."""
    if not enabled() or not _prefs(cur, user_id)["immediate"]:
        return None
    cur.execute("UPDATE notifications SET mailed_at = ? WHERE id = ?", [now, notification_id])
    return _queue(cur, user_id, "immediate", [notification_id], now)


def _queue(cur, user_id: int, kind: str, ids: list[int], now: datetime) -> int:
    domain = parseaddr(config.settings().smtp_from)[1].rpartition("@")[2] or "localhost"
    return cur.execute(
        """INSERT INTO outbox (user_id, kind, notification_ids, message_id, next_attempt_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id""",
        [user_id, kind, json.dumps(ids), f"<{uuid.uuid4().hex}@{domain}>", now, now]).fetchone()[0]


def digest_round(db: Database, *, now: datetime | None = None) -> int:
    """Write a digest to the outbox for everyone whose day or week is up and who has unread, unmailed news."""
    if not enabled():
        return 0
    now = now or clock.now()
    with db.read() as cur:
        due = rows(cur, """
            SELECT u.id, coalesce(p.digest, ?) AS digest, p.last_digest_at
            FROM users u LEFT JOIN mail_preferences p ON p.user_id = u.id
            WHERE u.active AND coalesce(p.digest, ?) <> 'off'
              AND EXISTS (SELECT 1 FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL
                                                          AND n.mailed_at IS NULL)""",
                   [DEFAULT_DIGEST, DEFAULT_DIGEST])
    made = 0
    for person in due:
        if person["last_digest_at"] is not None and now - person["last_digest_at"] < PERIOD[person["digest"]]:
            continue

        def work(cur, user_id=person["id"]):
            prefs = _prefs(cur, user_id)
            if prefs["digest"] == "off" or (prefs["last_digest_at"] is not None
                                            and now - prefs["last_digest_at"] < PERIOD[prefs["digest"]]):
                return 0  # changed or done meanwhile
            ids = [r[0] for r in cur.execute(
                """SELECT id FROM notifications WHERE user_id = ? AND read_at IS NULL AND mailed_at IS NULL
                   ORDER BY created_at DESC, id DESC LIMIT ?""", [user_id, DIGEST_ITEMS]).fetchall()]
            cur.execute("""INSERT INTO mail_preferences (user_id, digest, last_digest_at) VALUES (?, ?, ?)
                           ON CONFLICT (user_id) DO UPDATE SET last_digest_at = excluded.last_digest_at""",
                        [user_id, prefs["digest"], now])
            if not ids:
                return 0
            cur.execute("UPDATE notifications SET mailed_at = ? WHERE id IN (SELECT unnest(?::BIGINT[]))", [now, ids])
            _queue(cur, user_id, "digest", ids, now)
            return 1

        made += db.write(work, entity="outbox")
    return made


Connect = Callable[[], smtplib.SMTP]


def connect_smtp() -> smtplib.SMTP:
    """A connection to the configured SMTP server: STARTTLS and sign-in when the settings ask for them."""
    found = config.settings()
    server = smtplib.SMTP(found.smtp_host, found.smtp_port, timeout=30)
    try:
        server.ehlo()
        if found.smtp_starttls:
            server.starttls(context=ssl.create_default_context())
            server.ehlo()
        if found.smtp_username:
            server.login(found.smtp_username, found.smtp_password)
    except BaseException:
        server.close()
        raise
    return server


def send_round(db: Database, *, now: datetime | None = None, connect: Connect | None = None) -> dict[str, int]:
    """Send what is due in the outbox (one SMTP connection per round); return counts of sent, retried, failed, dropped."""
    counts = {"sent": 0, "retried": 0, "failed": 0, "dropped": 0}
    if not enabled():
        return counts
    now = now or clock.now()
    with db.read() as cur:
        due = [r[0] for r in cur.execute(
            """SELECT id FROM outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?
               ORDER BY next_attempt_at, id LIMIT ?""", [now, BATCH]).fetchall()]
    server = None
    try:
        for outbox_id in due:
            claimed = db.write(lambda cur, i=outbox_id: _claim(cur, i, now), entity="outbox")
            if claimed is None:
                continue
            if claimed == "dropped":
                counts["dropped"] += 1
                continue
            try:
                message = compose(db, outbox_id)
                if message is None:  # nothing left to say (the notifications went): nothing to send
                    db.write(lambda cur, i=outbox_id: _finish(cur, i, "dropped", now), entity="outbox")
                    counts["dropped"] += 1
                    continue
                if server is None:
                    server = (connect or connect_smtp)()
                server.send_message(message)
            except (smtplib.SMTPException, OSError) as exc:
                server = _quietly_close(server)
                outcome = db.write(lambda cur, i=outbox_id, e=exc: _failed(cur, i, e, now), entity="outbox")
                counts[outcome] += 1
                log.warning("e-mail %s not sent (%s): %s", outbox_id, outcome, type(exc).__name__)
                continue
            db.write(lambda cur, i=outbox_id: _finish(cur, i, "sent", now), entity="outbox")
            counts["sent"] += 1
    finally:
        if server is not None:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    return counts


def mail_round(db: Database) -> None:
    """What the sender thread does each round: write due digests, then send the outbox."""
    if enabled():
        digest_round(db)
        send_round(db)


def _claim(cur, outbox_id: int, now: datetime) -> str | None:
    row = one(cur, "SELECT user_id, status, attempts, next_attempt_at FROM outbox WHERE id = ?", [outbox_id])
    if row is None or row["status"] not in ("pending", "sending") or row["next_attempt_at"] > now:
        return None  # sent or claimed meanwhile
    prefs = _prefs(cur, row["user_id"])
    if prefs["unsubscribed_at"] is not None:
        cur.execute("UPDATE outbox SET status = 'dropped' WHERE id = ?", [outbox_id])
        return "dropped"
    cur.execute("UPDATE outbox SET status = 'sending', attempts = attempts + 1, next_attempt_at = ? WHERE id = ?",
                [now + LEASE, outbox_id])
    return "sending"


def _finish(cur, outbox_id: int, status: str, now: datetime) -> None:
    cur.execute("UPDATE outbox SET status = ?, sent_at = CASE WHEN ? = 'sent' THEN ? END, last_error = NULL "
                "WHERE id = ?", [status, status, now, outbox_id])


def _failed(cur, outbox_id: int, exc: BaseException, now: datetime) -> str:
    attempts = cur.execute("SELECT attempts FROM outbox WHERE id = ?", [outbox_id]).fetchone()[0]
    error = f"{type(exc).__name__}: {str(exc)[:300]}"
    if attempts >= MAX_ATTEMPTS:
        cur.execute("UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", [error, outbox_id])
        return "failed"
    delay = min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY)
    cur.execute("UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ? WHERE id = ?",
                [now + delay, error, outbox_id])
    return "retried"


def _quietly_close(server):
    if server is not None:
        try:
            server.close()
        except OSError:
            pass
    return None


# ---------------------------------------------------------------- composing
def compose(db: Database, outbox_id: int) -> EmailMessage | None:
    """The e-mail of an outbox row, rendered now for its recipient (anonymity applied); None if nothing is left."""
    found = config.settings()
    with db.read() as cur:
        row = one(cur, "SELECT id, user_id, kind, notification_ids, message_id, created_at FROM outbox WHERE id = ?",
                  [outbox_id])
        person = one(cur, """SELECT u.id, u.email, u.display_name, u.role, u.department_id,
                                    (SELECT list(hhs_region) FROM user_regions r WHERE r.user_id = u.id) AS regions
                             FROM users u WHERE u.id = ? AND u.active""", [row["user_id"]]) if row else None
        if person is None:
            return None
        user = User(id=person["id"], email=person["email"], display_name=person["display_name"], role=person["role"],
                    department_id=person["department_id"], regions=tuple(person["regions"] or ()))
        items = inbox.by_ids(db, cur, user, json.loads(row["notification_ids"]))
        token = unsubscribe_token(cur, user.id)
    if not items:
        return None
    base = found.public_url
    unsubscribe = f"{base}{UNSUBSCRIBE_PATH}?token={token}"
    if row["kind"] == "digest":
        subject = f"Equity Exchange: {len(items)} new in your inbox"
        intro = f"Here is what happened on the Equity Exchange since your last digest ({len(items)}):"
    else:
        subject = f"Equity Exchange: {items[0]['kind_label']}"
        intro = "Something on the Equity Exchange needs you:"
    lines = [f"Hello {user.display_name},", "", intro, ""]
    for item in items:
        lines.append(f"- {item['text']}")
        if item["lesson_id"] is not None:
            lines.append(f"  {base}/lesson?id={item['lesson_id']}")
    lines += ["", f"Your inbox: {base}/inbox", "",
              "--", "You get this e-mail because you have an account on the Equity Exchange.",
              f"Choose daily, weekly or no digests under Your account: {base}/account",
              f"Stop all e-mail from the exchange with one click: {unsubscribe}"]
    message = EmailMessage()
    message["From"] = found.smtp_from
    message["To"] = user.email
    message["Subject"] = subject
    message["Date"] = format_datetime(row["created_at"].replace(tzinfo=timezone.utc))
    message["Message-ID"] = row["message_id"]
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(lines))
    return message


# ---------------------------------------------------------------- one-click unsubscribe
def unsubscribe_token(cur, user_id: int) -> str:
    """A token that stops this person's e-mail without signing in: their id and an HMAC under the exchange's key."""
    return f"{user_id}.{_signature(cur, user_id)}"


def unsubscribe(db: Database, token: str, *, now: datetime | None = None) -> str:
    """Stop every e-mail to the token's person (digest off, no immediate mail, queued mail dropped); return their address
    masked. InvalidInput for a token that is not valid."""
    now = now or clock.now()
    user_id = _token_user(token)

    def work(cur):
        email = _verified_email(cur, user_id, token)
        cur.execute("""INSERT INTO mail_preferences (user_id, digest, immediate, unsubscribed_at) VALUES (?, 'off', FALSE, ?)
                       ON CONFLICT (user_id) DO UPDATE SET digest = 'off', immediate = FALSE,
                           unsubscribed_at = coalesce(mail_preferences.unsubscribed_at, excluded.unsubscribed_at)""",
                    [user_id, now])
        cur.execute("UPDATE outbox SET status = 'dropped' WHERE user_id = ? AND status = 'pending'", [user_id])
        return email

    return db.write(work, entity="mail_preferences")


def unsubscribe_address(db: Database, token: str) -> str:
    """The masked address a valid unsubscribe token stands for, changing nothing (the page a link opens asks first:
    mail scanners fetch links, and a fetch must not unsubscribe anyone). InvalidInput as `unsubscribe`."""
    user_id = _token_user(token)
    with db.read() as cur:
        return _verified_email(cur, user_id, token)


def _token_user(token: str) -> int:
    user_part, _, signature = str(token or "")[:200].partition(".")
    if not (user_part.isascii() and user_part.isdigit() and len(user_part) <= 9 and signature):
        raise InvalidInput("This unsubscribe link is not complete. Copy the whole link from the e-mail, or change "
                           "your e-mail choices under Your account.", "token")
    return int(user_part)


def _verified_email(cur, user_id: int, token: str) -> str:
    signature = str(token or "")[:200].partition(".")[2]
    if not hmac.compare_digest(_signature(cur, user_id), signature):
        raise InvalidInput("This unsubscribe link is not valid. Copy the whole link from the e-mail, or change "
                           "your e-mail choices under Your account.", "token")
    email = cur.execute("SELECT email FROM users WHERE id = ?", [user_id]).fetchone()
    return _masked(email[0]) if email else "your address"


def _signature(cur, user_id: int) -> str:
    return hmac.new(_key(cur), f"unsubscribe:{int(user_id)}".encode(), hashlib.sha256).hexdigest()[:32]


def _key(cur) -> bytes:
    found = cur.execute("SELECT value FROM settings WHERE key = ?", [_KEY_SETTING]).fetchone()
    if found is None:
        try:  # made once per exchange; a concurrent first mail may win the race, so read it back
            cur.execute("INSERT INTO settings VALUES (?, ?) ON CONFLICT DO NOTHING", [_KEY_SETTING, secrets.token_hex(32)])
        except storage.INSERT_RACE:
            pass
        found = cur.execute("SELECT value FROM settings WHERE key = ?", [_KEY_SETTING]).fetchone()
    return bytes.fromhex(found[0])


def _masked(email: str) -> str:
    name, _, domain = email.partition("@")
    return f"{name[:1]}…@{domain}" if domain else "your address"


# ---------------------------------------------------------------- for administrators
def status(db: Database, user: User) -> dict:
    """Whether e-mail is on, through which server, and the outbox's counts by status (administrators)."""
    permissions.require(user, "users.manage")
    with db.read() as cur:
        counts = dict(cur.execute("SELECT status, count(*) FROM outbox GROUP BY 1").fetchall())
    found = config.settings()
    return {"enabled": enabled(), "host": found.smtp_host, "port": found.smtp_port,
            **{name: counts.get(name, 0) for name in ("pending", "sending", "sent", "failed", "dropped")}}
