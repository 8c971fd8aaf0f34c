"""A thin command line over the library: every ExchangeError becomes one clean message and exit code 1."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

from exchange import storage
from exchange.storage.duckdb import classify, database_path
from exchange.errors import ExchangeError
from exchange.models import ROLE_LABELS


def _cmd_init(args) -> int:
    from exchange import setup

    path = Path(args.db) if args.db else None
    started = time.perf_counter()
    db = setup.open_app_database(path)
    from exchange.discovery import search

    search.catch_up(db)  # the full-text index: built on first run, else brought up to date
    with db.read() as cur:
        lessons = cur.execute("SELECT count(*) FROM lessons").fetchone()[0]
        departments = cur.execute("SELECT count(*) FROM departments").fetchone()[0]
    db.close()
    print(f"Database ready at {db.path}: {departments} departments, {lessons} lessons ({time.perf_counter() - started:.1f} s).")
    return 0


def _cmd_search(args) -> int:
    from exchange import setup
    from exchange.discovery import search

    started = time.perf_counter()
    db = setup.open_app_database(Path(args.db) if args.db else None, with_demo=False, allow_demo_data=True)
    try:
        if args.rebuild:
            search.refresh_index(db)
            done = "rebuilt from scratch"
        else:
            count = search.catch_up(db)
            done = "built (it did not exist yet)" if count < 0 else f"brought up to date ({count} lesson(s) re-indexed)"
        with db.read() as cur:
            indexed = cur.execute("SELECT count(*) FROM search.docs").fetchone()[0]
    finally:
        db.close()
    print(f"Search index {done}: {indexed} published lessons indexed ({time.perf_counter() - started:.1f} s).")
    return 0


def _cmd_demo(args) -> int:
    from exchange.identity import accounts
    from exchange.transfer import backups
    from exchange import setup

    path = Path(args.db) if args.db else database_path()
    if args.purge:
        backup = backups.backup_before_change(path) if path.exists() else None
        db = setup.open_app_database(path, with_demo=False, allow_demo_data=True)
        try:
            counts = setup.purge_demo_data(db, accounts.OPERATOR)
        finally:
            db.close()
        print(f"Removed the demo data from {path}: {counts['accounts']} demo accounts, {counts['users']} demo users, "
              f"{counts['lessons']} lessons, {counts['assessments']} self-assessment records, "
              f"{counts['departments']} departments only the demo used."
              + (f" Backup kept at {backup}." if backup else ""))
        return 0
    if args.db is None and not args.reset:
        raise ExchangeError("Give --db FILE for a new demo database, or --reset to reset the app's own database.")
    replacing = path.exists() or Path(f"{path}.wal").exists()
    if replacing and not (args.force or args.reset):
        raise ExchangeError(f"{path} already exists; add --force to replace it (a backup is kept first).")
    started = time.perf_counter()
    progress = lambda msg: print(msg, flush=True)  # noqa: E731
    if replacing:
        counts, backup = backups.replace_with_demo(path, scale=args.scale, confirm=_confirm(args, path),
                                                   progress=progress)
        note = f" The previous database is kept at {backup}."
    else:
        counts, note = backups.build_demo(path, scale=args.scale, progress=progress), ""
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"Built {args.scale} demo at {path}: {summary} ({time.perf_counter() - started:.1f} s).{note}")
    return 0


def _confirm(args, path: Path):
    """A callable asked once the file is known to be a demo database not in use: --yes, or 'yes' typed at a terminal."""
    def ask(found: dict) -> bool:
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise ExchangeError(f"Replacing {path} needs confirmation: add --yes (a backup is kept first).")
        answer = input(f"Replace {path} ({found['lessons']} lessons, {found['users']} demo users) with fresh demo "
                       "data? A backup is kept first. Type yes to go on: ")
        return answer.strip().lower() == "yes"

    return ask


def _open_for_accounts(args):
    from exchange import setup

    # Never adds demo data: account commands are how production gets its first administrator,
    # and they work on a database still holding demo data (so it can be repaired before a purge).
    return setup.open_app_database(Path(args.db) if args.db else None, with_demo=False, allow_demo_data=True)


def _read_password(args, prompt: str) -> str:
    """The password from one line of stdin (--password-stdin) or typed twice at a terminal; never an argument."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise ExchangeError("No password on standard input (give it as the first line).")
        return password
    if not sys.stdin.isatty():
        raise ExchangeError("No terminal to ask for the password; pipe it in with --password-stdin.")
    password = getpass.getpass(f"{prompt}: ")
    if getpass.getpass("Again: ") != password:
        raise ExchangeError("The two passwords differ; nothing was changed.")
    return password


def _cmd_users_create(args) -> int:
    from exchange.identity import accounts

    password = _read_password(args, f"Password for {args.email} (at least 12 characters)")
    db = _open_for_accounts(args)
    try:
        user_id, _ = accounts.create_account(
            db, accounts.OPERATOR, email=args.email, display_name=args.name, role=args.role,
            department_id=args.department_id, regions=args.region or (), password=password)
    finally:
        db.close()
    print(f"Created {ROLE_LABELS[args.role].lower()} {accounts.normalize_email(args.email)} (id {user_id}).")
    return 0


def _cmd_users_list(args) -> int:
    from exchange.identity import accounts

    db = _open_for_accounts(args)
    try:
        found = accounts.list_accounts(db, accounts.OPERATOR, role=args.role,
                                       active=None if args.all else True)
    finally:
        db.close()
    print(f"{'id':>5}  {'role':<12} {'email':<40} {'department / regions':<40} status")
    for a in found:
        place = a["department"] or ", ".join(f"Region {r}" for r in a["regions"]) or "-"
        status = ("active" if a["active"] else "deactivated") + (", must change password" if a["must_change_password"] else "")
        print(f"{a['id']:>5}  {a['role']:<12} {printable(a['email']):<40} {printable(place)[:40]:<40} {status}")
    print(f"{len(found)} account{'s' if len(found) != 1 else ''}.")
    return 0


def _cmd_users_reset_password(args) -> int:
    from exchange.identity import accounts

    chosen = _read_password(args, f"Temporary password for {args.email}") if args.password_stdin else None
    db = _open_for_accounts(args)
    try:
        user_id = accounts.account_id(db, accounts.OPERATOR, args.email)
        temporary = accounts.reset_password(db, accounts.OPERATOR, user_id, temporary=chosen)
    finally:
        db.close()
    print(f"Reset the password of {accounts.normalize_email(args.email)}; they must choose a new one at next sign-in.")
    if chosen is None:
        print(f"Temporary password (shown once): {temporary}")
    return 0


def _cmd_backup(args) -> int:
    from exchange.transfer import backup_commands

    return backup_commands.backup(args)


def _cmd_restore(args) -> int:
    from exchange.transfer import backup_commands

    return backup_commands.restore(args)


def printable(text) -> str:
    """Text safe for a terminal: escape codes, controls and invisible characters shown as \\x1b, \\u202e …"""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in str(text))


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one clean message and exit code 1 like every other error."""

    def error(self, message: str):  # noqa: D401 — argparse's hook
        self.exit(1, f"Error: {message}\n(see: {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the test that checks every command is documented)."""
    parser = _Parser(prog="python -m exchange", description="Equity Exchange command line.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="Create or migrate the database (with demo data unless EXCHANGE_MODE=production).")
    p.add_argument("--db", help="Database file (default: $EXCHANGE_DB or data/exchange.duckdb).")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("demo", help="Build a demo database (--db FILE), reset the app's one to fresh demo data "
                                    "(--reset), or remove all demo data (--purge).")
    p.add_argument("--scale", choices=["demo", "national"], default="demo")
    p.add_argument("--db", help="The database file (default with --reset/--purge: $EXCHANGE_DB or data/exchange.duckdb).")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--force", action="store_true",
                        help="Replace the file if it exists: only a demo database not in use, after a backup.")
    action.add_argument("--reset", action="store_true",
                        help="Replace the app's database with fresh demo data (refused if it is in use or holds "
                             "real data; a backup is kept in backups/ beside it).")
    action.add_argument("--purge", action="store_true",
                        help="Remove every demo account and what demo users wrote, in one audited transaction "
                             "(for production; a backup is kept first).")
    p.add_argument("--yes", action="store_true", help="Do not ask before replacing a database (a backup is still kept).")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("search", help="Bring the full-text search index up to date from the change log "
                                      "(--rebuild: build it from scratch; the app must be stopped).")
    p.add_argument("--rebuild", action="store_true", help="Rebuild the whole index instead of catching up.")
    p.add_argument("--db", help="Database file (default: $EXCHANGE_DB or data/exchange.duckdb).")
    p.set_defaults(func=_cmd_search)

    p = sub.add_parser("backup", help="Take a consistent backup with a manifest (works while the app is serving: "
                                      "the app takes it), or list the backups (--list).")
    p.add_argument("--to", metavar="DIR", help="Folder to write the backup into (default: $EXCHANGE_BACKUP_DIR or "
                                               "backups/ beside the database).")
    p.add_argument("--list", action="store_true", help="List the backups in the backup folder instead.")
    p.add_argument("--wait", type=float, default=30.0, metavar="SECONDS",
                   help="While the app runs: how long to wait for it to pick up the request (default 30).")
    p.add_argument("--db", help="Database file (default: $EXCHANGE_DB or data/exchange.duckdb).")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser("restore", help="Verify a backup against its manifest and restore it into a new database "
                                       "file (migrated if older); never writes over an existing file.")
    p.add_argument("backup", metavar="BACKUP", help="The backup folder `backup` printed (or its manifest.json).")
    p.add_argument("--db", required=True, metavar="NEW_FILE", help="The new database file to create.")
    p.set_defaults(func=_cmd_restore)

    users = sub.add_parser("users", help="Create, list and reset accounts (works in production mode; the app must be stopped).")
    users_sub = users.add_subparsers(dest="users_command", required=True)
    p = users_sub.add_parser("create", help="Create an account; asks for its password (or reads it with --password-stdin).")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True, help="Display name.")
    p.add_argument("--role", required=True, choices=["admin", "coordinator", "member"])
    p.add_argument("--department-id", type=int, help="The member's department (required for members).")
    p.add_argument("--region", type=int, nargs="+", action="extend", metavar="N",
                   help="HHS region(s) 1-10 of a coordinator (required for coordinators).")
    p.add_argument("--password-stdin", action="store_true", help="Read the password from the first line of stdin.")
    p.add_argument("--db", help="Database file (default: $EXCHANGE_DB or data/exchange.duckdb).")
    p.set_defaults(func=_cmd_users_create)

    p = users_sub.add_parser("list", help="List active accounts (--all includes deactivated ones).")
    p.add_argument("--role", choices=["admin", "coordinator", "member"])
    p.add_argument("--all", action="store_true", help="Include deactivated accounts.")
    p.add_argument("--db", help="Database file (default: $EXCHANGE_DB or data/exchange.duckdb).")
    p.set_defaults(func=_cmd_users_list)

    p = users_sub.add_parser("reset-password", help="Set a temporary password the user must change at next sign-in.")
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true",
                   help="Read the temporary password from stdin instead of generating one.")
    p.add_argument("--db", help="Database file (default: $EXCHANGE_DB or data/exchange.duckdb).")
    p.set_defaults(func=_cmd_users_reset_password)

    from exchange.transfer import commands as transfer_commands

    transfer_commands.register(sub)  # import, export (issue 12)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; print ExchangeErrors cleanly and return a non-zero exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ExchangeError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 1
    except storage.DatabaseError as exc:  # either store's driver (issue 13)
        fault = classify(exc, getattr(args, "db", None) or str(database_path()))
        message = fault.message if isinstance(fault, ExchangeError) else f"the database reported a problem: {exc}"
        print(f"Error: {message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Error: {exc.strerror or exc} ({exc.filename or 'file'}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; nothing partial was committed.", file=sys.stderr)
        return 130
