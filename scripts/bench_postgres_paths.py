"""Time the two ways to reach PostgreSQL (issue 13) against DuckDB's own file: the figures in docs/storage.md.

    .venv/bin/python scripts/bench_postgres_paths.py /tmp/national-copy.duckdb

Starts a throwaway PostgreSQL (tests/pg_support.py), migrates it, copies the national-scale tables
a point read, a card page, a write transaction and an analytics query need, then times each
(p50 / p95 in ms) on the DuckDB file, through DuckDB's postgres extension (install
`duckdb-extension-postgres==1.5.5` for that column; it is not a requirement) and through psycopg 3
with a pool. Pass a copy of the national file: the DuckDB column writes to it.
"""

import statistics, sys, tempfile, time
from pathlib import Path

import duckdb, psycopg
from psycopg_pool import ConnectionPool

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.pg_support import Server  # noqa: E402
from exchange.storage import migrations  # noqa: E402

SOURCE = sys.argv[1] if len(sys.argv) > 1 else "/tmp/national-copy.duckdb"


def extension_path() -> str | None:
    """The postgres extension from its wheel, under the file name DuckDB's loader expects (postgres_scanner)."""
    try:
        import duckdb_extension_postgres
    except ImportError:
        return None
    shipped = Path(duckdb_extension_postgres.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "postgres.duckdb_extension"
    link = Path(tempfile.mkdtemp()) / "postgres_scanner.duckdb_extension"
    link.symlink_to(shipped)
    return str(link)


EXT = extension_path()
TABLES = ["states", "departments", "lessons", "lesson_practices", "assessments", "practices", "categories"]

def timeit(fn, n):
    fn()  # warm
    out = []
    for _ in range(n):
        t = time.perf_counter(); fn(); out.append((time.perf_counter() - t) * 1000)
    out.sort()
    return statistics.median(out), out[int(len(out) * 0.95) - 1]

s = Server().start()
try:
    url = s.create_database("m")
    with psycopg.connect(url, autocommit=True) as con:
        for name, sql in migrations.files():
            for st in migrations.statements(sql):
                con.execute(st)
    t = time.perf_counter()
    d = duckdb.connect()
    if EXT is None:
        sys.exit("Install duckdb-extension-postgres==1.5.5 to compare the extension's path.")
    d.execute(f"LOAD '{EXT}'")
    d.execute(f"ATTACH '{url}' AS pg (TYPE postgres)")
    d.execute(f"ATTACH '{SOURCE}' AS nat (READ_ONLY)")
    for tname in TABLES:
        cols = [r[0] for r in d.execute(f"select column_name from information_schema.columns where table_catalog='nat' and table_name='{tname}' and table_schema='main'").fetchall()]
        d.execute(f"INSERT INTO pg.public.{tname} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM nat.main.{tname}")
    d.execute("DETACH nat")
    with psycopg.connect(url, autocommit=True) as con:
        con.execute("CREATE INDEX ON assessments (department_id, practice_id)")
        con.execute("CREATE INDEX ON lessons (published_at)")
        con.execute("ANALYZE")
    print(f"copied national tables into PostgreSQL in {time.perf_counter()-t:.1f}s", file=sys.stderr)

    native = duckdb.connect(SOURCE)
    ext = d  # DuckDB with the postgres extension, pg attached
    pool = ConnectionPool(url, min_size=2, max_size=4, open=True)

    POINT = "SELECT id, title, status, department_id, published_at FROM lessons WHERE id = {p}"
    CARDS = """SELECT l.id, l.title, l.kind, l.summary, l.published_at, d.name, d.state_code, s.hhs_region
               FROM lessons l JOIN departments d ON d.id = l.department_id JOIN states s ON s.code = d.state_code
               WHERE l.status = 'published' AND NOT l.hidden ORDER BY l.published_at DESC, l.id DESC LIMIT 20 OFFSET 40"""
    TAGS = "SELECT lesson_id, practice_id FROM lesson_practices WHERE lesson_id IN ({ids})"
    AN_DUCK = """WITH latest AS (SELECT department_id, practice_id, arg_max(stage, (as_of, id)) AS stage FROM assessments
                 WHERE as_of <= DATE '2026-06-30' GROUP BY ALL)
                 SELECT practice_id, stage, count(*) FROM latest GROUP BY ALL ORDER BY 1, 2"""
    AN_PG = """WITH latest AS (SELECT DISTINCT ON (department_id, practice_id) department_id, practice_id, stage FROM assessments
               WHERE as_of <= DATE '2026-06-30' ORDER BY department_id, practice_id, as_of DESC, id DESC)
               SELECT practice_id, stage, count(*) FROM latest GROUP BY 1, 2 ORDER BY 1, 2"""

    def duck_point(con):
        def f():
            c = con.cursor()
            if con is ext: c.execute("USE pg")
            c.execute(POINT.format(p="?"), [4242]).fetchall(); c.close()
        return f
    def duck_cards(con):
        def f():
            c = con.cursor()
            if con is ext: c.execute("USE pg")
            found = c.execute(CARDS).fetchall()
            c.execute(TAGS.format(ids="SELECT unnest(?::INTEGER[])"), [[r[0] for r in found]]).fetchall(); c.close()
        return f
    def duck_write(con):
        def f():
            c = con.cursor()
            if con is ext: c.execute("USE pg")
            c.execute("BEGIN")
            c.execute("UPDATE lessons SET updated_at = now() WHERE id = ?", [4242])
            last = c.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
            c.execute("INSERT INTO changes VALUES (?, 'lesson', 4242, NULL, NULL, now())", [last + 1])
            c.execute("COMMIT"); c.close()
        return f
    def duck_an(con):
        def f():
            c = con.cursor()
            if con is ext: c.execute("USE pg")
            c.execute(AN_DUCK).fetchall(); c.close()
        return f
    def pg_point():
        with pool.connection() as c: c.execute(POINT.format(p="%s"), [4242]).fetchall()
    def pg_cards():
        with pool.connection() as c:
            found = c.execute(CARDS).fetchall()
            c.execute(TAGS.format(ids="SELECT unnest(%s::integer[])"), [[r[0] for r in found]]).fetchall()
    def pg_write():
        with pool.connection() as c:
            with c.transaction():
                c.execute("UPDATE lessons SET updated_at = now() WHERE id = %s", [4242])
                c.execute("SELECT pg_advisory_xact_lock(13)")
                last = c.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0]
                c.execute("INSERT INTO changes VALUES (%s, 'lesson', 4242, NULL, NULL, now())", [last + 1])
    def pg_an():
        with pool.connection() as c: c.execute(AN_PG).fetchall()

    rows = [("point read (lesson by id)", 200), ("card page (20 cards + tags)", 50), ("write transaction (update + change log)", 100), ("analytics (latest stage per dept x practice, 540k assessments)", 10)]
    fns = {"DuckDB file": [duck_point(native), duck_cards(native), duck_write(native), duck_an(native)],
           "DuckDB + postgres extension": [duck_point(ext), duck_cards(ext), duck_write(ext), duck_an(ext)],
           "psycopg 3 + pool": [pg_point, pg_cards, pg_write, pg_an]}
    print("| operation | " + " | ".join(fns) + " |")
    print("|---|" + "---|" * len(fns))
    for i, (label, n) in enumerate(rows):
        cells = []
        for name, fs in fns.items():
            try:
                p50, p95 = timeit(fs[i], n)
                cells.append(f"{p50:.2f} / {p95:.2f}")
            except Exception as e:
                cells.append(f"fails: {str(e)[:60]}")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    pool.close()
finally:
    s.stop()
