"""Open the app's database: migrate it, seed the taxonomy, in demo mode the demo data; keep demo data out of production.

Demo data is recognised by its people: every demo account and generated demo user has an
address at example.org (RFC 2606 reserves that domain for examples, so no real person has
one). Demo lessons and self-assessments are the ones those users wrote.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from pathlib import Path

from exchange.identity import audit
from exchange import config, taxonomy
from exchange.storage import location, open_database
from exchange.storage.duckdb import Database, database_path, scalar
from exchange.errors import ExchangeError
from exchange.models import User

log = logging.getLogger(__name__)

# SQL condition for a demo user's e-mail (example.org or one of its subdomains).
DEMO_EMAIL = "(lower(email) LIKE '%@example.org' OR lower(email) LIKE '%.example.org')"
PURGE_COMMAND = "python -m exchange demo --purge"


class DemoDataInProduction(ExchangeError):
    """Production mode found demo accounts or demo data; the message says which and how to remove them."""


def production_mode() -> bool:
    """True when EXCHANGE_MODE=production: no demo accounts and no demo data."""
    return config.settings().production


def open_app_database(path: str | Path | None = None, *, with_demo: bool | None = None,
                      allow_demo_data: bool = False) -> Database:
    """Open (creating and migrating if needed) the database; add demo data to an empty one in demo mode.

    The search index is not built here (a CLI command need not wait for it): the app and `init`
    catch it up (`search.catch_up`), building it on first start.

    In production mode it refuses a database holding demo data (DemoDataInProduction) unless
    `allow_demo_data` (the command-line tools that repair or purge it).
    """
    path = location(path)  # EXCHANGE_DATABASE_URL (PostgreSQL) or the EXCHANGE_DB file, unless given
    if isinstance(path, Path) and str(path) != ":memory:":
        path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(path)  # applies outstanding migrations
    try:
        taxonomy.seed(db)
        if with_demo is None:
            with_demo = not production_mode()
        if production_mode() and not allow_demo_data:
            refuse_demo_data(db)
        if with_demo:
            with db.read() as cur:
                empty = scalar(cur, "SELECT count(*) FROM departments") == 0
            if empty:
                from exchange import demo

                log.info("Creating demo data in %s", path)
                demo.build(db)
    except BaseException:
        db.close()
        raise
    return db


class WarmUp:
    """The indexes a fresh process builds before its pages are quick (see `start_warm_up`)."""

    def __init__(self, db: Database):
        self.db = db
        self.started = time.monotonic()
        self.finished: float | None = None
        self.step = "starting"
        self.done = threading.Event()
        self.failed = False

    def ready(self) -> bool:
        """True once every index is built (or the warm-up gave up: pages then build what they need themselves)."""
        return self.done.is_set()

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` for the warm-up; True when it is over."""
        return self.done.wait(seconds)

    def run(self) -> None:
        """Build, in order: the full-text index (only if it is behind the data), the filter index and the
        first page of lessons, the in-memory search index."""
        from exchange.discovery import browse, search, textindex
        from exchange.models import VISITOR

        try:
            self.step = "the search index"
            built = search.catch_up(self.db)  # a no-op when the index is current; a full build only if it never was
            if built:
                log.info("Warm-up: search index caught up (%s)", "built" if built < 0 else f"{built} lesson(s)")
            self.step = "the lesson filters"
            browse.find(self.db, VISITOR, browse.Filters())
            self.step = "the search vocabulary"
            textindex.current(self.db)
        except Exception:  # noqa: BLE001 — a page then builds what it needs itself (and reports any error)
            self.failed = True
            log.exception("Warm-up failed at %s; pages will build what they need themselves", self.step)
        finally:
            self.finished = time.monotonic()
            self.done.set()
            log.info("Warm-up finished in %.1f s", self.finished - self.started)


_warm_ups: "weakref.WeakKeyDictionary[Database, WarmUp]" = weakref.WeakKeyDictionary()


def start_warm_up(db: Database) -> WarmUp:
    """Build the derived indexes on a background thread (once per database), so the first page is served at once."""
    found = _warm_ups.get(db)
    if found is None:
        found = _warm_ups[db] = WarmUp(db)
        threading.Thread(target=found.run, name="warm-up", daemon=True).start()
    return found


def warm_up(db: Database) -> WarmUp | None:
    """The warm-up started for this database, if any."""
    return _warm_ups.get(db)


def demo_data(db: Database) -> dict:
    """What demo data the database holds: demo accounts that can sign in, other demo users, lessons, assessments."""
    with db.read() as cur:
        sign_in = [r[0] for r in cur.execute(
            f"SELECT email FROM users WHERE {DEMO_EMAIL} AND password_hash IS NOT NULL ORDER BY email").fetchall()]
        users = scalar(cur, f"SELECT count(*) FROM users WHERE {DEMO_EMAIL}")
        demo_ids = f"(SELECT id FROM users WHERE {DEMO_EMAIL})"
        lessons = scalar(cur, f"SELECT count(*) FROM lessons WHERE author_id IN {demo_ids}")
        assessments = scalar(cur, f"SELECT count(*) FROM assessments WHERE recorded_by IN {demo_ids}")
    return {"accounts": sign_in, "users": users, "lessons": lessons, "assessments": assessments}


def refuse_demo_data(db: Database) -> None:
    """Raise DemoDataInProduction naming the demo accounts and data found, and the command that removes them."""
    found = demo_data(db)
    if not (found["users"] or found["lessons"] or found["assessments"]):
        return
    parts = []
    if found["accounts"]:
        shown = ", ".join(found["accounts"][:5]) + (" …" if len(found["accounts"]) > 5 else "")
        parts.append(f"{len(found['accounts'])} demo account(s) that can sign in ({shown})")
    others = found["users"] - len(found["accounts"])
    if others:
        parts.append(f"{others:,} other demo user(s)")
    if found["lessons"]:
        parts.append(f"{found['lessons']:,} demo lesson(s)")
    if found["assessments"]:
        parts.append(f"{found['assessments']:,} demo self-assessment record(s)")
    raise DemoDataInProduction(
        f"Production mode (EXCHANGE_MODE=production) will not start on {db.path}: it holds demo data — "
        f"{'; '.join(parts)}. Stop the app and remove them with `{PURGE_COMMAND}` (one transaction, audited; "
        "a backup is kept), or run in demo mode.")


def purge_demo_data(db: Database, actor: User) -> dict:
    """Delete every demo account and what demo users wrote, in one transaction, audited; return the counts."""
    demo_users = f"(SELECT id FROM users WHERE {DEMO_EMAIL})"
    demo_lessons = f"(SELECT id FROM lessons WHERE author_id IN {demo_users})"

    def work(cur):
        touched = [r[0] for r in cur.execute(
            f"""SELECT department_id FROM users WHERE {DEMO_EMAIL} AND department_id IS NOT NULL
                UNION SELECT department_id FROM lessons WHERE author_id IN {demo_users}
                UNION SELECT department_id FROM assessments WHERE recorded_by IN {demo_users}""").fetchall()]
        counts = {
            "accounts": scalar(cur, f"SELECT count(*) FROM users WHERE {DEMO_EMAIL} AND password_hash IS NOT NULL"),
            "users": scalar(cur, f"SELECT count(*) FROM users WHERE {DEMO_EMAIL}"),
            "lessons": scalar(cur, f"SELECT count(*) FROM lessons WHERE author_id IN {demo_users}"),
            "assessments": scalar(cur, f"SELECT count(*) FROM assessments WHERE recorded_by IN {demo_users}"),
        }
        for table in ("lesson_practices", "lesson_actions", "lesson_risks", "lesson_partners", "lesson_links",
                      "lesson_reviews", "lesson_reports"):
            cur.execute(f"DELETE FROM {table} WHERE lesson_id IN {demo_lessons}")
        cur.execute(f"DELETE FROM lesson_reports WHERE reporter_id IN {demo_users}")
        # A demo coordinator's decision on a real lesson stays in its history, without the reviewer.
        cur.execute(f"UPDATE lesson_reviews SET reviewer_id = NULL WHERE reviewer_id IN {demo_users}")
        cur.execute(f"DELETE FROM lessons WHERE author_id IN {demo_users}")
        cur.execute(f"DELETE FROM assessments WHERE recorded_by IN {demo_users}")
        cur.execute(f"DELETE FROM user_regions WHERE user_id IN {demo_users}")
        cur.execute(f"DELETE FROM sign_in_throttle WHERE key IN (SELECT 'account:' || lower(email) FROM users WHERE {DEMO_EMAIL})")
        cur.execute(f"DELETE FROM users WHERE {DEMO_EMAIL}")
        # Departments only the demo used, and now empty; a department real people use is kept.
        removed = 0
        for department_id in touched:
            in_use = scalar(cur, """SELECT (SELECT count(*) FROM users WHERE department_id = $d)
                                         + (SELECT count(*) FROM lessons WHERE department_id = $d)
                                         + (SELECT count(*) FROM assessments WHERE department_id = $d)""",
                            {"d": department_id})
            if not in_use:
                cur.execute("DELETE FROM departments WHERE id = ?", [department_id])
                removed += 1
        counts["departments"] = removed
        audit.record(cur, actor, "demo_purged", "database", None, True, counts)
        return counts

    return db.write(work)
