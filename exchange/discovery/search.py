"""Ranked full-text search over lessons (DuckDB FTS, BM25, English stemming).

The FTS index does not follow inserts, so it is rebuilt off the request path by a
background refresher. Lessons changed since the last build are matched directly, with the
index's own tokenizer, stopwords and stemmer on both sides (one matcher), and scored with
the index's statistics, so a lesson published a moment ago is findable at once.

The index covers published, visible lessons only: its document frequencies and lengths
rank everyone's results, and must not move when someone edits a private draft.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
import time
import weakref
from datetime import datetime

import duckdb

from exchange.storage.duckdb import Database

log = logging.getLogger(__name__)

FIELDS = ("title", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice")
MAX_QUERY_CHARS = 200
_build_lock = threading.Lock()
DOCS = "search.published"      # what the index covers: a copy of the published lessons' text, rebuilt with it
FTS = "fts_search_published"   # the schema DuckDB's FTS creates for DOCS
STEMMER = "english"
# The index's tokenizer, written once and passed to create_fts_index, so the direct match splits text
# exactly as the index did: lower-case, accents stripped, anything but a-z separates words.
IGNORE = r"(\.|[^a-z])+"


def _tokens(sql_text: str) -> str:
    """SQL for the list of index tokens of a text expression (DuckDB FTS's own tokenize macro)."""
    pattern = IGNORE.replace("'", "''")
    return (f"list_filter(string_split_regex(regexp_replace(lower(strip_accents(CAST({sql_text} AS VARCHAR))), "
            f"'{pattern}', ' ', 'g'), '\\s+'), t -> t <> '')")


def terms(query: str) -> list[str]:
    """The words of a query as the index splits them (lower-case, accents stripped, letters only), at most 20."""
    plain = unicodedata.normalize("NFKD", query or "").encode("ascii", "ignore").decode().lower()
    return [w for w in re.split(r"(?:\.|[^a-z])+", plain) if w][:20]


def refresh_index(db: Database) -> None:
    """Rebuild the FTS index in one transaction (readers keep using the old one until it commits)."""
    with _build_lock:
        version = db.version

        def work(cur):
            # Transaction start, in UTC like every timestamp we store (whatever the host's time zone),
            # less a minute: a write stamped just before this snapshot but committed just after it
            # is not in the index, so lessons changed in that minute are also searched directly.
            built_at = cur.execute(
                "SELECT (current_timestamp AT TIME ZONE 'UTC') - INTERVAL 60 SECOND").fetchone()[0]
            cur.execute("DROP SCHEMA IF EXISTS fts_main_lessons CASCADE")  # the index over all lessons, before 0.x
            cur.execute("CREATE SCHEMA IF NOT EXISTS search")
            cur.execute(f"""CREATE OR REPLACE TABLE {DOCS} AS SELECT id, {', '.join(FIELDS)} FROM lessons
                            WHERE status = 'published' AND NOT hidden""")
            ignore = IGNORE.replace("'", "''")
            cur.execute(
                f"PRAGMA create_fts_index('{DOCS}', 'id', {', '.join(repr(f) for f in FIELDS)}, "
                f"stemmer='{STEMMER}', stopwords='english', ignore='{ignore}', overwrite=1)"
            )
            # Postings sorted by term: a query reads only the row groups of its own terms
            # (zone maps), instead of scanning every token as match_bm25 does (~10x faster).
            cur.execute(f"""CREATE TABLE {FTS}.postings AS
                SELECT t.termid, d.name AS lesson_id, count(*)::INTEGER AS tf, any_value(d.len)::INTEGER AS doc_len
                FROM {FTS}.terms t JOIN {FTS}.docs d ON d.docid = t.docid
                GROUP BY t.termid, d.name ORDER BY t.termid, d.name""")
            cur.execute("DELETE FROM search_index_state")
            cur.execute("INSERT INTO search_index_state VALUES (1, ?, ?)", [built_at, version])

        started = time.perf_counter()
        db.write(work, attempts=3, bump=False)  # an index build is not a data change
        _state.pop(db, None)
        log.info("search index rebuilt in %.1f s", time.perf_counter() - started)


# Keyed by the Database object itself, never id(db): a closed database's address can be reused by a new
# one, which would then inherit "index built" and query an FTS schema it does not have.
_state: "weakref.WeakKeyDictionary[Database, tuple[datetime | None, int]]" = weakref.WeakKeyDictionary()


def index_state(db: Database) -> tuple[datetime | None, int]:
    """(built_at, data version at build) of the current index."""
    cached = _state.get(db)
    if cached is None:
        with db.read() as cur:
            row = cur.execute("SELECT built_at, built_version FROM search_index_state WHERE id = 1").fetchone()
            built = cur.execute("SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [FTS]).fetchone()[0]
        # An index of an older layout (or none) counts as never built: every lesson is matched directly.
        cached = (row[0], row[1]) if row and built else (None, -1)
        _state[db] = cached
    return cached


def index_is_stale(db: Database) -> bool:
    """True when data changed since the index was built."""
    return index_state(db)[1] != db.version


def hits(cur: duckdb.DuckDBPyConnection, db: Database, query: str) -> dict[int, float]:
    """Lesson id → relevance score for every lesson matching the query (any visibility; callers filter)."""
    words = terms(query)
    if not words:
        return {}
    built_at, _ = index_state(db)
    stopwords = f"SELECT sw FROM {FTS}.stopwords" if built_at is not None else "SELECT unnest(?::VARCHAR[])"
    stop_params = [] if built_at is not None else [sorted(FALLBACK_STOPWORDS)]
    stems = [r[0] for r in cur.execute(
        f"""SELECT DISTINCT stem(t, '{STEMMER}') FROM (SELECT unnest({_tokens('?')}) AS t)
            WHERE t NOT IN ({stopwords})""", [" ".join(words), *stop_params]).fetchall()]
    if not stems:
        return {}
    scores: dict[int, float] = {}
    if built_at is not None:
        stats = cur.execute(f"SELECT num_docs, avgdl FROM {FTS}.stats").fetchone()
        found = cur.execute(f"SELECT termid, term, df FROM {FTS}.dict WHERE term IN (SELECT unnest(?::VARCHAR[]))",
                            [stems]).fetchall()
        df = {term: n for _, term, n in found}
        scores.update(_bm25(cur, stats, found))
        for (changed,) in cur.execute("SELECT id FROM lessons WHERE updated_at > ?", [built_at]).fetchall():
            scores.pop(changed, None)  # indexed text is stale; the direct match below decides
    else:
        stats, df = None, {}
    # Lessons written since the build: the same tokens, stopwords and stems as the index, any word matching.
    text = "concat_ws(' ', " + ", ".join(FIELDS) + ")"
    fresh = cur.execute(
        f"""WITH words AS (
                SELECT id, unnest({_tokens(text)}) AS t FROM lessons WHERE ?::TIMESTAMP IS NULL OR updated_at > ?),
            kept AS (SELECT id, stem(t, '{STEMMER}') AS term FROM words WHERE t NOT IN ({stopwords})),
            lengths AS (SELECT id, count(*) AS doc_len FROM kept GROUP BY id)
            SELECT k.id, k.term, count(*) AS tf, any_value(l.doc_len) AS doc_len
            FROM kept k JOIN lengths l USING (id) WHERE k.term IN (SELECT unnest(?::VARCHAR[])) GROUP BY k.id, k.term""",
        [built_at, built_at, *stop_params, stems]).fetchall()
    if fresh:
        if not stats or not stats[0]:  # no index yet: rank the fresh lessons among themselves
            lengths = {lesson_id: doc_len for lesson_id, _, _, doc_len in fresh}
            stats = (len(lengths), sum(lengths.values()) / len(lengths))
        num_docs, avgdl = stats
        for lesson_id, term, tf, doc_len in fresh:
            scores[lesson_id] = scores.get(lesson_id, 0.0) + _term_score(num_docs, avgdl, df.get(term, 0), tf, doc_len)
    return scores


# Used to drop stopwords in the direct match before any index exists (the index brings its own list).
FALLBACK_STOPWORDS = frozenset("""a about after all also an and any are as at be been but by can did do does for from
had has have how i in into is it its more most no not of on or our out over s so such than that the their them then
there these they this to too up us was we were what when where which while who will with would you your""".split())

K1, B = 1.2, 0.75  # the usual BM25 constants (DuckDB's match_bm25 defaults)


def _term_score(num_docs: int, avgdl: float, df: int, tf: int, doc_len: int) -> float:
    """One term's BM25 contribution, as DuckDB's match_bm25 computes it."""
    idf = math.log((num_docs - df + 0.5) / (df + 0.5) + 1)
    return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * doc_len / (avgdl or 1)))


def _bm25(cur: duckdb.DuckDBPyConnection, stats, found: list[tuple]) -> dict[int, float]:
    """BM25 over the index's postings: any query term matches; more, rarer, denser terms rank higher."""
    if not found or not stats or not stats[0]:
        return {}
    num_docs, avgdl = stats
    idf = {termid: math.log((num_docs - n + 0.5) / (n + 0.5) + 1) for termid, _, n in found}
    weight = "CASE termid " + " ".join("WHEN ? THEN ?" for _ in idf) + " END"
    params = [v for pair in idf.items() for v in pair]
    rows_ = cur.execute(
        f"""SELECT lesson_id, sum({weight} * tf * {K1 + 1} / (tf + {K1} * ({1 - B} + {B} * doc_len / ?)))
            FROM {FTS}.postings WHERE termid IN ({', '.join('?' for _ in idf)}) GROUP BY 1""",
        [*params, avgdl, *idf]).fetchall()
    return {lesson_id: float(score) for lesson_id, score in rows_}


class _Refresher(threading.Thread):
    def __init__(self, db: Database, interval: float):
        super().__init__(name="search-index-refresher", daemon=True)
        self._db = weakref.ref(db)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        # A full rebuild takes ~1 s on the demo data but ~2 minutes at national scale, so
        # rebuild at most once per ten build-durations; fresh lessons are searched directly meanwhile.
        next_allowed = 0.0
        while not self.stopped.wait(self.interval):
            db = self._db()
            if db is None:
                return
            try:
                if index_is_stale(db) and time.monotonic() >= next_allowed:
                    started = time.monotonic()
                    refresh_index(db)
                    next_allowed = time.monotonic() + 10 * (time.monotonic() - started)
            except duckdb.ConnectionException:
                return  # the database was closed
            except Exception:  # noqa: BLE001 — keep refreshing; searches still cover fresh rows
                log.exception("search index refresh failed")
            del db


_refreshers: "weakref.WeakKeyDictionary[Database, _Refresher]" = weakref.WeakKeyDictionary()


def start_refresher(db: Database, interval: float = 20.0) -> None:
    """Rebuild the index in the background whenever the data changed (checked every `interval` s)."""
    running = _refreshers.get(db)
    if running is not None and running.is_alive():
        return
    refresher = _Refresher(db, interval)
    _refreshers[db] = refresher
    refresher.start()


__all__ = ["hits", "refresh_index", "start_refresher", "terms", "index_is_stale"]
