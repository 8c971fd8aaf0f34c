"""Every setting in one typed, frozen object, read from the environment (EXCHANGE_*) and checked once.

`settings()` reads the environment the first time it is called and returns the same object
after that. It reads again only if an EXCHANGE_* variable has changed since (tests set them
with monkeypatch). A value that is not allowed raises ConfigError. Its message names the
variable and says what is allowed, and the CLI and app show it as they show any ExchangeError.
Tests change settings with `override(...)`; `reload()` forgets what was read.

Every setting is listed in README.md's settings table; tests/test_config.py fails when one is
missing there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import os
import re
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from exchange.errors import ExchangeError

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE = ROOT / "data" / "exchange.duckdb"
_DEFAULT_DATABASE_TEXT = "data/exchange.duckdb"
MODES = ("demo", "production")
# scrypt's cost is 2**cost rounds of memory-hard mixing; below this, an offline guess is cheap.
PRODUCTION_MIN_HASH_COST = 14
_MAX_PROXY_CHARS = 2000


class ConfigError(ExchangeError):
    """An EXCHANGE_* setting has a value that is not allowed; the message names it and what is allowed."""


class _Why(ValueError):
    """A refused value, with the reason worth showing (int()'s own wording is not)."""


@dataclass(frozen=True)
class Settings:
    """The app's settings, typed; one field per EXCHANGE_* variable (see SETTINGS for names and defaults)."""

    database: Path
    mode: str
    search_refresh_seconds: float
    https: bool
    test_clock_file: Path | None
    trusted_proxies: tuple
    session_idle: timedelta
    session_max: timedelta
    anonymity_k: int
    password_hash_cost: int
    backup_dir: Path | None
    backup_time: tuple | None
    backup_keep_daily: int
    backup_keep_weekly: int
    log_format: str
    log_level: str
    suppression_min: int
    api_requests_per_minute: int = 120
    notify_seconds: float = 5.0
    mail_seconds: float = 30.0
    reminder_seconds: float = 3600.0
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "Equity Exchange <no-reply@localhost>"
    public_url: str = "http://localhost:8501"
    database_url: str = ""
    duckdb_memory_limit_mb: int | None = None  # None: auto (see exchange/storage/duckdb.py, auto_memory_limit_mb)
    duckdb_threads: int | None = None  # None: DuckDB's own default (one per core)

    @property
    def production(self) -> bool:
        """True in production mode: no demo accounts, no demo data, no test clock."""
        return self.mode == "production"


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.lower()
        if value not in allowed:
            raise ValueError
        return value
    return parse


def _boolean(text: str) -> bool:
    value = text.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError


def _number(kind: type, low: float, high: float) -> Callable[[str], Any]:
    def parse(text: str):
        value = kind(text)
        if not low <= value <= high:  # also refuses nan
            raise ValueError
        return value
    return parse


def _path_or_none(text: str) -> Path | None:
    return Path(text) if text else None


def _database(text: str) -> Path:
    # The default sits next to the code, wherever the app is started from; a path given is taken as given.
    return DEFAULT_DATABASE if text == _DEFAULT_DATABASE_TEXT else Path(text)


def _database_url(text: str) -> str:
    # Issue 13: PostgreSQL as the system of record; empty keeps the embedded DuckDB file.
    if text and not re.match(r"postgres(ql)?://[^\s]+$", text):
        raise _Why("it does not start with postgresql://")
    return text


def parse_networks(text: str) -> tuple:
    """IP addresses or networks, comma-separated ('' is none); ValueError names the item that is neither."""
    networks = []
    for item in text[:_MAX_PROXY_CHARS].split(","):
        item = item.strip()
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError as exc:
                raise _Why(f"{item[:80]!r} is not an IP address or network") from exc
    return tuple(networks)


def _minutes(low: int, high: int) -> Callable[[str], timedelta]:
    number = _number(int, low, high)
    return lambda text: timedelta(minutes=number(text))


def _hours(low: int, high: int) -> Callable[[str], timedelta]:
    number = _number(int, low, high)
    return lambda text: timedelta(hours=number(text))


def _time_of_day(text: str) -> tuple | None:
    """'HH:MM' as (hours, minutes), or None for 'off'."""
    if text.lower() == "off":
        return None
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(hours) < 24 and int(minutes) < 60):
        raise ValueError
    return int(hours), int(minutes)


def _host(text: str) -> str:
    if len(text) > 253 or any(c.isspace() or c in "/@:?#" for c in text):
        raise _Why("a host name has no spaces, slashes or port")
    return text


def _short_text(text: str) -> str:
    if len(text) > 500:
        raise _Why("longer than 500 characters")
    return text


def _mail_from(text: str) -> str:
    from email.utils import parseaddr

    name, address = parseaddr(text)
    if len(text) > 300 or "@" not in address or any(c in text for c in "\r\n"):
        raise _Why("no address@host in it")
    return text


def _public_url(text: str) -> str:
    from urllib.parse import urlparse

    parsed = urlparse(text)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query or parsed.fragment:
        raise ValueError
    return text.rstrip("/")


_SIZE_UNITS = {"kb": 1 / 1000, "mb": 1, "gb": 1000, "tb": 1_000_000,
               "kib": 1024 / 1_000_000, "mib": 1.048576, "gib": 1073.741824, "tib": 1_099_511.627776}
MIN_DUCKDB_MEMORY_MB = 256  # below this a national-scale index build or dashboard query runs out at once


def _memory_size(text: str) -> int | None:
    """'auto' (None) or a size such as 2GB, 1.5GiB, 800MB, as whole megabytes."""
    if text.lower() == "auto":
        return None
    import re

    match = re.fullmatch(r"(\d{1,9}(?:\.\d{1,3})?)\s*([kmgt]i?b)", text.strip().lower())
    if not match:
        raise _Why("write a number and a unit: MB, GB, MiB or GiB")
    megabytes = int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])
    if not MIN_DUCKDB_MEMORY_MB <= megabytes <= 16_000_000:
        raise _Why(f"at least {MIN_DUCKDB_MEMORY_MB} MB")
    return megabytes


def _threads(text: str) -> int | None:
    return None if text.lower() == "auto" else _number(int, 1, 256)(text)


@dataclass(frozen=True)
class Setting:
    """One environment variable: the field it fills, its default (as text) and what is allowed."""

    field: str
    env: str
    default: str
    allowed: str
    parse: Callable[[str], Any]


SETTINGS: tuple[Setting, ...] = (
    Setting("database", "EXCHANGE_DB", _DEFAULT_DATABASE_TEXT, "a file path", _database),
    Setting("mode", "EXCHANGE_MODE", "demo", "demo or production", _choice(*MODES)),
    Setting("search_refresh_seconds", "EXCHANGE_SEARCH_REFRESH_SECONDS", "20", "a number of seconds from 0.1 to 86400",
            _number(float, 0.1, 86400)),
    Setting("https", "EXCHANGE_HTTPS", "0", "1, true, yes, on or 0, false, no, off", _boolean),
    Setting("test_clock_file", "EXCHANGE_TEST_CLOCK_FILE", "", "a file path, or empty (ignored in production)",
            _path_or_none),
    Setting("trusted_proxies", "EXCHANGE_TRUSTED_PROXIES", "", "IP addresses or networks, comma-separated",
            parse_networks),
    Setting("session_idle", "EXCHANGE_SESSION_IDLE_MINUTES", "30", "a whole number of minutes from 1 to 1440",
            _minutes(1, 1440)),
    Setting("session_max", "EXCHANGE_SESSION_MAX_HOURS", "12", "a whole number of hours from 1 to 720", _hours(1, 720)),
    Setting("anonymity_k", "EXCHANGE_ANONYMITY_K", "5", "a whole number from 2 to 1000", _number(int, 2, 1000)),
    Setting("password_hash_cost", "EXCHANGE_PASSWORD_HASH_COST", str(PRODUCTION_MIN_HASH_COST),
            f"a whole number from 4 to 16 ({PRODUCTION_MIN_HASH_COST} or more in production)", _number(int, 4, 16)),
    Setting("backup_dir", "EXCHANGE_BACKUP_DIR", "", "a folder path, or empty (backups/ beside the database)",
            _path_or_none),
    Setting("backup_time", "EXCHANGE_BACKUP_TIME", "02:00", "a UTC time of day as HH:MM, or off", _time_of_day),
    Setting("backup_keep_daily", "EXCHANGE_BACKUP_KEEP_DAILY", "14", "a whole number from 0 to 3660",
            _number(int, 0, 3660)),
    Setting("backup_keep_weekly", "EXCHANGE_BACKUP_KEEP_WEEKLY", "8", "a whole number from 0 to 520",
            _number(int, 0, 520)),
    Setting("log_format", "EXCHANGE_LOG_FORMAT", "json", "json or text", _choice("json", "text")),
    Setting("log_level", "EXCHANGE_LOG_LEVEL", "info", "debug, info, warning or error",
            _choice("debug", "info", "warning", "error")),
    # The CMS cell-size rule: no figure based on 1 to 10 (here: departments) is shown.
    Setting("suppression_min", "EXCHANGE_SUPPRESSION_MIN", "11", "a whole number from 2 to 1000", _number(int, 2, 1000)),
    Setting("api_requests_per_minute", "EXCHANGE_API_REQUESTS_PER_MINUTE", "120",
            "a whole number from 1 to 100000", _number(int, 1, 100_000)),
    # Issue 11.5: notifications and e-mail.
    Setting("notify_seconds", "EXCHANGE_NOTIFY_SECONDS", "5", "a number of seconds from 0.1 to 3600",
            _number(float, 0.1, 3600)),
    Setting("mail_seconds", "EXCHANGE_MAIL_SECONDS", "30", "a number of seconds from 0.1 to 86400",
            _number(float, 0.1, 86400)),
    Setting("reminder_seconds", "EXCHANGE_REMINDER_SECONDS", "3600", "a number of seconds from 0.1 to 86400",
            _number(float, 0.1, 86400)),
    Setting("smtp_host", "EXCHANGE_SMTP_HOST", "", "a host name or address, or empty (e-mail off)", _host),
    Setting("smtp_port", "EXCHANGE_SMTP_PORT", "587", "a port number from 1 to 65535", _number(int, 1, 65535)),
    Setting("smtp_starttls", "EXCHANGE_SMTP_STARTTLS", "1", "1, true, yes, on or 0, false, no, off", _boolean),
    Setting("smtp_username", "EXCHANGE_SMTP_USERNAME", "", "a user name, or empty (no sign-in)", _short_text),
    Setting("smtp_password", "EXCHANGE_SMTP_PASSWORD", "", "a password, or empty", _short_text),
    Setting("smtp_from", "EXCHANGE_SMTP_FROM", "Equity Exchange <no-reply@localhost>",
            "an address, optionally with a name: Name <address@host>", _mail_from),
    Setting("public_url", "EXCHANGE_PUBLIC_URL", "http://localhost:8501",
            "an http:// or https:// address without a query", _public_url),
    Setting("database_url", "EXCHANGE_DATABASE_URL", "",
            "a postgresql:// URL (libpq form), or empty (the EXCHANGE_DB file)", _database_url),
)
SETTINGS += (
    # Issue 13: what one DuckDB-backed process may take, so several processes fit on one machine.
    Setting("duckdb_memory_limit_mb", "EXCHANGE_DUCKDB_MEMORY_LIMIT", "auto",
            "auto, or a size of at least 256 MB such as 2GB, 1.5GiB or 800MB", _memory_size),
    Setting("duckdb_threads", "EXCHANGE_DUCKDB_THREADS", "auto", "auto, or a whole number from 1 to 256", _threads),
)
ENV_NAMES = tuple(s.env for s in SETTINGS)


def from_environment(environ: Mapping[str, str]) -> Settings:
    """Settings from these variables (unset or blank means the default); ConfigError for a value not allowed."""
    values = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env, "")
        text = raw.strip() or setting.default
        try:
            values[setting.field] = setting.parse(text)
        except ValueError as exc:
            detail = f" ({exc})" if isinstance(exc, _Why) else ""
            raise ConfigError(f"{setting.env}={raw.strip()[:80]!r} is not allowed{detail}: "
                              f"use {setting.allowed}.") from None
    found = Settings(**values)
    if found.production and found.password_hash_cost < PRODUCTION_MIN_HASH_COST:
        raise ConfigError(f"EXCHANGE_PASSWORD_HASH_COST={found.password_hash_cost} is too cheap for production "
                          f"(EXCHANGE_MODE=production): use {PRODUCTION_MIN_HASH_COST} to 16, or leave it unset.")
    return found


_read: tuple[tuple, Settings] | None = None  # (the EXCHANGE_* values read, the settings made from them)
_overrides: dict[str, Any] = {}
_overridden: tuple[Settings, Settings] | None = None  # (base, base with _overrides)


def settings() -> Settings:
    """The settings (read from the environment once; again only if an EXCHANGE_* variable changed since)."""
    global _read, _overridden
    key = tuple(os.environ.get(name) for name in ENV_NAMES)
    read = _read
    if read is None or read[0] != key:
        read = _read = (key, from_environment(os.environ))
    base = read[1]
    if not _overrides:
        return base
    done = _overridden
    if done is None or done[0] is not base:
        done = _overridden = (base, dataclasses.replace(base, **_overrides))
    return done[1]


def reload() -> Settings:
    """Forget what was read and read the environment again now."""
    global _read, _overridden
    _read = _overridden = None
    return settings()


@contextlib.contextmanager
def override(**changes: Any) -> Iterator[Settings]:
    """For tests: these fields replace what the environment says until the block ends.

    The values are used as given (typed, e.g. `password_hash_cost=4`); the production rule on
    the hash cost guards the environment a deployment is configured by, not a test's choice.
    """
    global _overridden
    unknown = set(changes) - {s.field for s in SETTINGS}
    if unknown:
        raise TypeError(f"not a setting: {', '.join(sorted(unknown))}")
    before = dict(_overrides)
    _overrides.update(changes)
    _overridden = None
    try:
        yield settings()
    finally:
        _overrides.clear()
        _overrides.update(before)
        _overridden = None


def exit_on_error() -> None:
    """Check the settings now; on a bad value print the message (no traceback) and exit with status 2."""
    try:
        settings()
    except ConfigError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        raise SystemExit(2) from None
