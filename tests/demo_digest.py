"""Deterministic digests of every table of a demo database: the demo's output, compared byte for byte.

Run as a script to print the digests of the stored samples (or write them with --write), e.g.
    .venv/bin/python -m tests.demo_digest --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from exchange import taxonomy
from exchange.storage import open_database
from exchange.storage.duckdb import Database

FIXTURE = Path(__file__).parent / "fixtures" / "demo_digests.json"
# The samples the fixture holds: the demo scale as the app builds it, and a build larger than the real
# department list, which runs the national-scale generator (synthetic departments) on a small sample.
SAMPLES = {"demo": {}, "national-sample": {"departments": 450, "lessons": 300, "seed": 2017}}
# Setup's own bookkeeping (which migrations ran and when, when the search index was built): not demo content.
BOOKKEEPING = {"schema_migrations", "search_index_state", "changes", "change_consumers",
               "adoption_quarters"}  # derived-view bookkeeping and derived data (the quarterly table)
# Columns whose value is not the demo's to decide: a salted password hash is random by design and its cost
# is a setting (tests hash cheaply), so only its algorithm is kept.
_MASKED = {("users", "password_hash"): lambda value: value.split("$", 1)[0]}


def _masked(table: str, column: str, value):
    mask = _MASKED.get((table, column))
    return mask(value) if mask and value is not None else value


def table_digests(db: Database, *, skip: set[str] = BOOKKEEPING) -> dict[str, str]:
    """A row count and sha256 per table (main schema): its column names and every row, ordered by all columns."""
    out: dict[str, str] = {}
    with db.read() as cur:
        tables = [r[0] for r in cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        for table in (t for t in tables if t not in skip):
            result = cur.execute(f'SELECT * FROM "{table}" ORDER BY ALL')
            columns = [d[0] for d in result.description]
            digest = hashlib.sha256(repr(columns).encode())
            count = 0
            for row in result.fetchall():
                masked = tuple(_masked(table, c, v) for c, v in zip(columns, row))
                digest.update(repr(masked).encode() + b"\n")
                count += 1
            out[table] = f"{count}:{digest.hexdigest()}"
    return out


def build_sample(name: str) -> Database:
    """The named sample's database: the demo as open_app_database builds it, or a custom-size build."""
    if name == "demo":
        from exchange import setup

        return setup.open_app_database(":memory:", with_demo=True)
    from exchange import demo

    db = open_database(":memory:")
    taxonomy.seed(db)
    demo.build_sized(db, **SAMPLES[name])
    return db


def sample_digests(name: str) -> dict[str, str]:
    """The digests of one sample, built afresh."""
    db = build_sample(name)
    try:
        return table_digests(db)
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"store the digests in {FIXTURE}")
    args = parser.parse_args(argv)
    digests = {name: sample_digests(name) for name in SAMPLES}
    text = json.dumps(digests, indent=2, sort_keys=True) + "\n"
    if args.write:
        FIXTURE.write_text(text)
        print(f"wrote {FIXTURE}")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
