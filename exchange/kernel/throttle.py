"""Sign-in throttling per client and per account, with exponential back-off instead of a lock (OWASP ASVS V2.2).

A hard lock after N failures lets anyone keep an account out by failing on purpose. Here each
client (IP address) and each account has a failure counter; after FREE_FAILURES the next
attempt waits FIRST_WAIT, doubling with every further failure up to MAX_WAIT. A counter is
forgotten after an hour without failures; a successful sign-in or a password reset clears the
account's. The account's back-off applies only to clients that are failing themselves (or
unknown), so a correct password from a clean client is never refused.
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta

from exchange import config

FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=2)
MAX_WAIT = timedelta(minutes=15)
WINDOW = timedelta(hours=1)  # longer than MAX_WAIT, so waiting out the longest back-off does not reset the count
MAX_FORWARDED_CHARS = 2000


def account_key(email: str) -> str:
    """The counter of failed sign-ins for one account (by normalised e-mail)."""
    return f"account:{email}"


def client_key(client: str) -> str:
    """The counter of failed sign-ins from one client address."""
    return f"client:{client}"


def change_key(user_id: int) -> str:
    """The counter of wrong current passwords on the change-password form of one account."""
    return f"change:{user_id}"


def wait_after(failures: int) -> timedelta:
    """How long the next attempt must wait after `failures` consecutive failures."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 20), MAX_WAIT)


def failures(cur, key: str | None, now: datetime) -> int:
    """Consecutive failures counted for `key` (0 once WINDOW has passed without one)."""
    if key is None:
        return 0
    row = cur.execute("SELECT failures, last_failure FROM sign_in_throttle WHERE key = ?", [key]).fetchone()
    return 0 if row is None or now - row[1] >= WINDOW else row[0]


def blocked_until(cur, key: str | None, now: datetime) -> datetime | None:
    """When `key` may try again, or None when it may try now."""
    if key is None:
        return None
    row = cur.execute("SELECT failures, last_failure FROM sign_in_throttle WHERE key = ?", [key]).fetchone()
    if row is None or now - row[1] >= WINDOW:
        return None
    until = row[1] + wait_after(row[0])
    return until if until > now else None


def record_failure(cur, key: str | None, now: datetime) -> None:
    """Count one failure for `key` (in the caller's transaction; a quiet WINDOW starts it again at 1)."""
    if key is None:
        return
    cur.execute(
        """INSERT INTO sign_in_throttle (key, failures, last_failure) VALUES (?, 1, ?)
           ON CONFLICT (key) DO UPDATE SET
             failures = CASE WHEN sign_in_throttle.last_failure <= ? THEN 1 ELSE sign_in_throttle.failures + 1 END,
             last_failure = excluded.last_failure""",
        [key, now, now - WINDOW],
    )


def clear(cur, *keys: str) -> None:
    """Forget the counters (a successful sign-in or a password reset)."""
    for key in keys:
        cur.execute("DELETE FROM sign_in_throttle WHERE key = ?", [key])


def trusted_proxies(setting: str | None = None) -> list:
    """The networks of reverse proxies whose X-Forwarded-For is believed: `setting`, or $EXCHANGE_TRUSTED_PROXIES (config)."""
    if setting is None:
        return list(config.settings().trusted_proxies)
    try:
        return list(config.parse_networks(setting))
    except ValueError as exc:
        raise ValueError(f"EXCHANGE_TRUSTED_PROXIES: {exc}") from exc


def client_address(ip_address: str | None, forwarded_for: str | None = None, trusted: str | list | None = None) -> str | None:
    """The client's IP address: the peer's, or — only when the peer is a trusted proxy — the nearest untrusted X-Forwarded-For hop."""
    networks = trusted_proxies(trusted) if trusted is None or isinstance(trusted, str) else trusted
    peer = _ip(ip_address)
    if peer is None:
        return None
    if not forwarded_for or not _within(peer, networks):
        return peer.compressed
    if len(forwarded_for) > MAX_FORWARDED_CHARS:
        # Longer than any honest proxy chain: believe none of it.
        return peer.compressed
    hops = [_ip(h) for h in forwarded_for.split(",")]
    # Walk from the nearest hop outwards: everything left of the first untrusted hop could be forged.
    for hop in reversed(hops):
        if hop is None:
            return peer.compressed
        if not _within(hop, networks):
            return hop.compressed
    return hops[0].compressed if hops and hops[0] else peer.compressed


def _ip(text: str | None):
    if not isinstance(text, str) or len(text) > 64:
        return None
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _within(ip, networks) -> bool:
    return any(ip.version == n.version and ip in n for n in networks)
