"""What a replica's own search index costs beside PostgreSQL at national scale: the full build at start, the memory
it takes, and catching up after one edit (issue 13; docs/storage.md).

Copies the indexed lessons' text, the taxonomy and the change log from a national DuckDB file (default
bench/national.duckdb, opened read-only) into a throwaway PostgreSQL (tests/pg_support.py), then times
`search.refresh_index` and `search.catch_up` on a PostgresDatabase, which build the index in an in-memory DuckDB
of this process (exchange/discovery/indexstore.py).

    .venv/bin/python scripts/bench_replica_index.py [--db bench/national.duckdb]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from exchange.discovery import indexstore, search, textindex  # noqa: E402
from exchange.storage import changes  # noqa: E402
from exchange.storage.postgres import PostgresDatabase  # noqa: E402
from tests.pg_support import Server  # noqa: E402

_LESSONS = """CREATE TABLE lessons (id INTEGER PRIMARY KEY, status VARCHAR, hidden BOOLEAN, revision INTEGER,
              updated_at TIMESTAMP, title VARCHAR, summary VARCHAR, context VARCHAR, what_we_did VARCHAR,
              what_happened VARCHAR, do_differently VARCHAR, advice VARCHAR)"""


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "bench" / "national.duckdb"))
    args = parser.parse_args()
    source = duckdb.connect(args.db, read_only=True)
    columns = "id, status, hidden, revision, updated_at, " + ", ".join(indexstore.FIELDS)
    lessons = source.execute(f"SELECT {columns} FROM lessons").fetchall()
    taxonomy = {t: source.execute(f"SELECT id, name FROM {t}").fetchall() for t in ("practices", "actions", "risk_types")}
    newest = source.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
    source.close()
    server = Server().start()
    try:
        import psycopg

        url = server.create_database("bench_replica")
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(_LESSONS)
            for table in taxonomy:
                con.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, name VARCHAR)")
            con.execute("CREATE TABLE changes (seq BIGINT PRIMARY KEY, entity VARCHAR NOT NULL, entity_id BIGINT, "
                        "event VARCHAR, payload JSON, changed_at TIMESTAMP NOT NULL)")
            with con.cursor() as cur:
                with cur.copy(f"COPY lessons ({columns}) FROM STDIN") as copy:
                    for row in lessons:
                        copy.write_row(row)
                for table, found in taxonomy.items():
                    cur.executemany(f"INSERT INTO {table} VALUES (%s, %s)", found)
                cur.execute("INSERT INTO changes VALUES (%s, 'data', NULL, NULL, NULL, now())", [max(newest, 1)])
            con.execute("ANALYZE")
        db = PostgresDatabase(url)
        db.after_migrations()  # change_seq after the newest change, as migrate() leaves it
        print(f"{len(lessons):,} lessons copied into PostgreSQL; process RSS {_rss_mb():.0f} MB before the index")
        started = time.perf_counter()
        with db.read() as cur:
            cur.execute(f"SELECT {', '.join(c for c, _ in indexstore._LESSON_COLUMNS)} FROM lessons "
                        f"WHERE {indexstore.INDEXED}").fetchall()
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        search.refresh_index(db)
        build_s = time.perf_counter() - started
        started = time.perf_counter()
        textindex.current(db)
        memory_s = time.perf_counter() - started
        print(f"reading the indexed lessons' text from PostgreSQL   {read_s:6.1f} s")
        print(f"full build of the replica's index (read + index)   {build_s:6.1f} s")
        print(f"index read into numpy (textindex.current)          {memory_s:6.1f} s")
        print(f"process peak RSS after the build                   {_rss_mb():6.0f} MB")
        with db.read() as cur:
            target = cur.execute(f"SELECT max(id) FROM lessons WHERE {indexstore.INDEXED}").fetchone()[0]
        samples = []
        for n in range(6):
            def edit(cur, n=n):
                cur.execute("UPDATE lessons SET summary = summary || ?, revision = revision + 1 WHERE id = ?",
                            [f" replicamarker{n}", target])
                changes.record(cur, "lesson", target)

            db.write(edit)
            started = time.perf_counter()
            search.catch_up(db)
            textindex.current(db)
            samples.append((time.perf_counter() - started) * 1000)
        print(f"catch-up after one edit (index + copy in memory)   p50 {sorted(samples)[len(samples) // 2]:6.0f} ms  "
              f"max {max(samples):6.0f} ms")
        db.close()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
