"""A thin command line over the library: every ExchangeError becomes one clean message and exit code 1."""

from __future__ import annotations

import argparse
import getpass
import sys
import time
from pathlib import Path

import duckdb

from .errors import ExchangeError
from .models import ROLE_LABELS


def _cmd_init(args) -> int:
    from . import setup

    path = Path(args.db) if args.db else None
    started = time.perf_counter()
    db = setup.open_app_database(path)
    with db.read() as cur:
        lessons = cur.execute("SELECT count(*) FROM lessons").fetchone()[0]
        departments = cur.execute("SELECT count(*) FROM departments").fetchone()[0]
    db.close()
    print(f"Database ready at {db.path}: {departments} departments, {lessons} lessons ({time.perf_counter() - started:.1f} s).")
    return 0


def _cmd_demo(args) -> int:
    from . import demo, search, setup

    path = Path(args.db)
    if path.exists() and not args.force:
        raise ExchangeError(f"{path} already exists; add --force to replace it.")
    if path.exists():
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    started = time.perf_counter()
    db = setup.open_app_database(path, with_demo=False)
    counts = demo.build(db, scale=args.scale, progress=lambda msg: print(msg, flush=True))
    search.refresh_index(db)
    db.close()
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    print(f"Built {args.scale} demo at {path}: {summary} ({time.perf_counter() - started:.1f} s).")
    return 0


def _open_for_accounts(args):
    from . import setup

    # Never adds demo data: account commands are how production gets its first administrator.
    return setup.open_app_database(Path(args.db) if args.db else None, with_demo=False)


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
    from . import accounts

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
    from . import accounts

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
        print(f"{a['id']:>5}  {a['role']:<12} {a['email']:<40} {place[:40]:<40} {status}")
    print(f"{len(found)} account{'s' if len(found) != 1 else ''}.")
    return 0


def _cmd_users_reset_password(args) -> int:
    from . import accounts

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

    p = sub.add_parser("demo", help="Build a demo database at a given scale (demo or national).")
    p.add_argument("--scale", choices=["demo", "national"], default="demo")
    p.add_argument("--db", required=True, help="Where to write the new database file.")
    p.add_argument("--force", action="store_true", help="Replace the file if it exists.")
    p.set_defaults(func=_cmd_demo)

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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; print ExchangeErrors cleanly and return a non-zero exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ExchangeError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 1
    except duckdb.Error as exc:
        print(f"Error: the database reported a problem: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"Error: {exc.strerror or exc} ({exc.filename or 'file'}).", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; nothing partial was committed.", file=sys.stderr)
        return 130
