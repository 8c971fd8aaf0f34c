"""The `import`, `export` and `copy-to-postgres` commands of `python -m exchange` (registered by exchange/cli.py)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from exchange.errors import ExchangeError

_DB_HELP = "Database file (default: $EXCHANGE_DB or data/exchange.duckdb); the app must be stopped."


def register(sub) -> None:
    """Add `import`, `export`, `export-dataset` and `copy-to-postgres` to the CLI's subcommands."""
    p = sub.add_parser("import", help="Import lessons (CSV or JSON) or departments (CSV) from a file in the template's "
                                      "format: checked in full first, then one transaction (all rows or none).")
    p.add_argument("kind", choices=["lessons", "departments", "template"],
                   help="What to import ('template' writes the template of --kind instead).")
    p.add_argument("file", help="The file to import (for 'template': where to write it).")
    p.add_argument("--format", choices=["csv", "json"], help="The file's format (default: from its extension).")
    p.add_argument("--kind", dest="template_kind", choices=["lessons", "departments"], default="lessons",
                   help="With 'template': which template.")
    p.add_argument("--as", dest="as_email", metavar="EMAIL",
                   help="The administrator whose import this is (required to import): imported lessons name them "
                        "as author and the audit log names them.")
    p.add_argument("--dry-run", action="store_true", help="Only check the file and say what it would do.")
    p.add_argument("--yes", action="store_true", help="Import without asking after the check.")
    p.add_argument("--db", help=_DB_HELP)
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("export", help="Export open data: every public published lesson (anonymity applied) with the "
                                      "API's columns, as CSV or JSON.")
    p.add_argument("what", choices=["open-data"])
    p.add_argument("--to", required=True, help="The file to write.")
    p.add_argument("--format", choices=["csv", "json"], help="Default: from the file's extension, else csv.")
    p.add_argument("--db", help=_DB_HELP)
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("export-dataset", help="Export the whole dataset (administrators' copy): a zip of every table "
                                              "as Parquet and CSV with a data dictionary; secrets blanked, audited.")
    p.add_argument("--to", required=True, metavar="FILE", help="The zip file to write (never overwritten).")
    p.add_argument("--db", help=_DB_HELP)
    p.set_defaults(func=_cmd_export_dataset)

    p = sub.add_parser("copy-to-postgres", help="Move the exchange from its DuckDB file to PostgreSQL: copy every "
                                                "table into an empty database in one transaction (all or nothing), "
                                                "with row counts checked. Stop the app first.")
    p.add_argument("--from", dest="source", metavar="FILE",
                   help="The DuckDB file (default: $EXCHANGE_DB or data/exchange.duckdb).")
    p.add_argument("--to", dest="target", metavar="URL", required=True,
                   help="The empty PostgreSQL database: postgresql://user@host:port/database (create it with createdb).")
    p.set_defaults(func=_cmd_copy_to_postgres)


def _format(args, path: Path) -> str:
    if args.format:
        return args.format
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "json"):
        return suffix
    raise ExchangeError(f"Say the format of {path} with --format csv or --format json.")


def _open(args):
    from exchange import setup

    return setup.open_app_database(Path(args.db) if args.db else None, with_demo=False, allow_demo_data=True)


def acting_admin(db, email: str | None):
    """The active administrator account named by --as; ExchangeError saying what is wrong otherwise."""
    from exchange.identity import accounts

    if not email:
        raise ExchangeError("Say whose import this is with --as EMAIL (an administrator's account): imported "
                            "lessons name them as author, and the audit log records them.")
    try:
        key = accounts.check_email(email)
    except ExchangeError as exc:
        raise ExchangeError(f"--as: {email!r} is not an e-mail address ({exc.message})") from exc
    with db.read() as cur:
        found = cur.execute("SELECT id, role, active FROM users WHERE lower(email) = ?", [key]).fetchone()
    if found is None:
        raise ExchangeError(f"--as: no account has the e-mail {key}. Give an administrator's e-mail "
                            "(python -m exchange users list --role admin).")
    user_id, role, active = found
    if role != "admin":
        raise ExchangeError(f"--as: {key} is a {role}'s account; imports are made by an administrator.")
    if not active:
        raise ExchangeError(f"--as: the account {key} is deactivated; give an active administrator's e-mail.")
    return accounts.load_user(db, user_id)


def _cmd_import(args) -> int:
    from exchange.transfer import imports

    path = Path(args.file)
    fmt = _format(args, path)
    if args.kind == "template":
        if fmt == "json" and args.template_kind == "departments":
            raise ExchangeError("Departments are imported from CSV only.")
        path.write_bytes(imports.template(args.template_kind, fmt))
        print(f"Wrote the {args.template_kind} template ({fmt.upper()}) to {path}.")
        return 0
    if args.kind == "departments" and fmt != "csv":
        raise ExchangeError("Departments are imported from CSV only.")
    data = path.read_bytes()
    started = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        print(f"\r[{fraction:4.0%}] {message[:70]:<70}", end="", file=sys.stderr, flush=True)

    db = _open(args)
    try:
        admin = acting_admin(db, args.as_email)
        checked = imports.plan(db, admin, args.kind, path.name, data, fmt, progress=progress)
        print(file=sys.stderr)
        for problem in checked.problems:
            print(problem)
        if not checked.ok or args.dry_run:
            print(checked.summary() + (" (dry run)" if checked.ok else ""))
            return 0 if checked.ok else 1
        print(checked.summary())
        if not args.yes:
            if not sys.stdin.isatty():
                raise ExchangeError("Importing needs confirmation: add --yes (or run --dry-run first).")
            if input("Import now? Type yes to go on: ").strip().lower() != "yes":
                print("Nothing was imported.")
                return 1
        done = imports.run(db, admin, args.kind, path.name, data, fmt, progress=progress, via="command line")
        print(file=sys.stderr)
    except imports.ImportRefused as refused:  # the data changed between the check and the import
        for problem in refused.plan.problems:
            print(problem)
        raise
    finally:
        db.close()
    print(f"{done.summary()} ({time.perf_counter() - started:.1f} s)")
    return 0


def _cmd_export(args) -> int:
    from exchange.transfer import exports

    path = Path(args.to)
    fmt = args.format or (path.suffix.lower().lstrip(".") if path.suffix.lower() in (".csv", ".json") else "csv")
    db = _open(args)
    try:
        data = exports.open_data_csv(db) if fmt == "csv" else exports.open_data_json(db)
        count = len(exports.open_data(db))
    finally:
        db.close()
    path.write_bytes(data)
    print(f"Wrote {count:,} public lessons ({fmt.upper()}, {len(data):,} bytes) to {path}.")
    return 0


def _cmd_export_dataset(args) -> int:
    from exchange.identity.accounts import OPERATOR
    from exchange.transfer import dataset

    target = Path(args.to)
    if target.exists():
        raise ExchangeError(f"{target} already exists; export-dataset never writes over a file. Give a new name.")
    started = time.perf_counter()

    def progress(fraction: float, message: str) -> None:
        print(f"\r[{fraction:4.0%}] {message[:70]:<70}", end="", file=sys.stderr, flush=True)

    db = _open(args)
    try:
        done = dataset.export(db, OPERATOR, target, progress=progress)
    finally:
        print(file=sys.stderr)
        db.close()
    print(f"Wrote the whole dataset to {target}: {done['tables']} tables, {done['rows']:,} rows, "
          f"{done['bytes'] / 1_000_000:,.1f} MB ({time.perf_counter() - started:.1f} s). Left out: "
          f"{', '.join(done['left_out']) or 'nothing'} (see README.md in the zip).")
    return 0


def _cmd_copy_to_postgres(args) -> int:
    from exchange.storage.duckdb import database_path
    from exchange.transfer import topostgres

    topostgres.copy(Path(args.source) if args.source else database_path(), args.target,
                    say=lambda m: print(m, flush=True))
    return 0
