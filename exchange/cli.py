"""A thin command line over the library: every ExchangeError becomes one clean message and exit code 1."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import ExchangeError


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the test that checks every command is documented)."""
    parser = argparse.ArgumentParser(prog="python -m exchange", description="Equity Exchange command line.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="Create or migrate the database (with demo data unless EXCHANGE_MODE=production).")
    p.add_argument("--db", help="Database file (default: $EXCHANGE_DB or data/exchange.duckdb).")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("demo", help="Build a demo database at a given scale (demo or national).")
    p.add_argument("--scale", choices=["demo", "national"], default="demo")
    p.add_argument("--db", required=True, help="Where to write the new database file.")
    p.add_argument("--force", action="store_true", help="Replace the file if it exists.")
    p.set_defaults(func=_cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; print ExchangeErrors cleanly and return a non-zero exit code."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ExchangeError as exc:
        print(f"Error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; nothing partial was committed.", file=sys.stderr)
        return 130
