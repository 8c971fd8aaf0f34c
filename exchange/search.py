"""Ranked full-text search over lessons (DuckDB FTS, BM25, English stemming).

The FTS index does not follow inserts, so it is rebuilt off the request path by a
background refresher. Lessons changed since the last build are searched directly
(stemmed substring match), so a lesson published a moment ago is findable at once.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
import weakref
from datetime import datetime

import duckdb

from .db import Database

log = logging.getLogger(__name__)

FIELDS = ("title", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice")
MAX_QUERY_CHARS = 200
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_build_lock = threading.Lock()
# Words too common to mean anything in the direct match (the index drops English stopwords itself).
STOPWORDS = frozenset("""a about after all also an and any are as at be been but by can did do does for from had has
have how i in into is it its more most no not of on or our out over so such than that the their them then there these
they this to too up us was we were what when where which while who will with would you your""".split())


def terms(query: str) -> list[str]:
    """The words of a query (letters and digits), lower-cased, at most 20."""
    return [w.lower() for w in _WORD.findall(query or "")][:20]


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
            cur.execute(
                f"PRAGMA create_fts_index('lessons', 'id', {', '.join(repr(f) for f in FIELDS)}, "
                "stemmer='english', stopwords='english', overwrite=1)"
            )
            # Postings sorted by term: a query reads only the row groups of its own terms
            # (zone maps), instead of scanning every token as match_bm25 does (~10x faster).
            cur.execute("""CREATE TABLE fts_main_lessons.postings AS
                SELECT t.termid, d.name AS lesson_id, count(*)::INTEGER AS tf, any_value(d.len)::INTEGER AS doc_len
                FROM fts_main_lessons.terms t JOIN fts_main_lessons.docs d ON d.docid = t.docid
                GROUP BY t.termid, d.name ORDER BY t.termid, d.name""")
            cur.execute("DELETE FROM search_index_state")
            cur.execute("INSERT INTO search_index_state VALUES (1, ?, ?)", [built_at, version])

        started = time.perf_counter()
        db.write(work, attempts=3, bump=False)  # an index build is not a data change
        _state.pop(id(db), None)
        log.info("search index rebuilt in %.1f s", time.perf_counter() - started)


_state: dict[int, tuple[datetime | None, int]] = {}


def index_state(db: Database) -> tuple[datetime | None, int]:
    """(built_at, data version at build) of the current index."""
    cached = _state.get(id(db))
    if cached is None:
        with db.read() as cur:
            row = cur.execute("SELECT built_at, built_version FROM search_index_state WHERE id = 1").fetchone()
        cached = (row[0], row[1]) if row else (None, -1)
        _state[id(db)] = cached
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
    scores: dict[int, float] = {}
    if built_at is not None:
        scores.update(_bm25(cur, words))
        for (changed,) in cur.execute("SELECT id FROM lessons WHERE updated_at > ?", [built_at]).fetchall():
            scores.pop(changed, None)  # indexed text is stale; the direct match below decides
    # Lessons written since the build: stemmed substring match of any word.
    content = [w for w in words if w not in STOPWORDS and len(w) > 1] or words
    stems = [r[0] for r in cur.execute(
        "SELECT stem(w, 'english') FROM unnest(?::VARCHAR[]) AS t(w)", [content]
    ).fetchall()]
    haystack = "lower(concat_ws(' ', " + ", ".join(FIELDS) + "))"
    conditions = " OR ".join("contains(text, ?)" for _ in stems)  # any word, as BM25 matches
    matched_chars = " + ".join("(length(text) - length(replace(text, ?, '')))" for _ in stems)
    recent = cur.execute(
        f"""SELECT id, {matched_chars} FROM (
                SELECT id, {haystack} AS text FROM lessons WHERE ?::TIMESTAMP IS NULL OR updated_at > ?
            ) WHERE {conditions}""",
        [*stems, built_at, built_at, *stems],
    ).fetchall()
    for lesson_id, chars in recent:
        # Rough BM25-like scale: matched characters / 10, so fresh lessons interleave sensibly.
        scores[lesson_id] = max(scores.get(lesson_id, 0.0), 1.0 + (chars or 0) / 10.0)
    return scores


K1, B = 1.2, 0.75  # the usual BM25 constants (DuckDB's match_bm25 defaults)


def _bm25(cur: duckdb.DuckDBPyConnection, words: list[str]) -> dict[int, float]:
    """BM25 over the index's postings: any query term matches; more, rarer, denser terms rank higher."""
    stats = cur.execute("SELECT num_docs, avgdl FROM fts_main_lessons.stats").fetchone()
    found = cur.execute(
        "SELECT termid, df FROM fts_main_lessons.dict WHERE term IN (SELECT stem(unnest(?::VARCHAR[]), 'english'))",
        [words]).fetchall()
    if not found or not stats:
        return {}
    num_docs, avgdl = stats
    idf = {termid: math.log((num_docs - df + 0.5) / (df + 0.5) + 1) for termid, df in found}
    weight = "CASE termid " + " ".join("WHEN ? THEN ?" for _ in idf) + " END"
    params = [v for pair in idf.items() for v in pair]
    rows_ = cur.execute(
        f"""SELECT lesson_id, sum({weight} * tf * {K1 + 1} / (tf + {K1} * ({1 - B} + {B} * doc_len / ?)))
            FROM fts_main_lessons.postings WHERE termid IN ({', '.join('?' for _ in idf)}) GROUP BY 1""",
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


_refreshers: dict[int, _Refresher] = {}


def start_refresher(db: Database, interval: float = 20.0) -> None:
    """Rebuild the index in the background whenever the data changed (checked every `interval` s)."""
    if id(db) in _refreshers and _refreshers[id(db)].is_alive():
        return
    refresher = _Refresher(db, interval)
    _refreshers[id(db)] = refresher
    refresher.start()


__all__ = ["hits", "refresh_index", "start_refresher", "terms", "index_is_stale"]
