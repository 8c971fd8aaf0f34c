"""Ranked full-text search over lessons (BM25, English stemming), kept current from the change log.

The index is our own tables in the `search` schema, derived from the published, visible lessons:
`terms` (term → id and document frequency), `postings` (term, lesson, term frequency, length) and
`docs` (each indexed lesson's revision stamp and length). One tokenizer (lower-case, accents stripped,
letters only), one stopword list and one stemmer (DuckDB FTS's `stem`) serve both the index and
the query, so a word found in one is found in the other.

The index records the change-log sequence it reflects. `catch_up` applies what changed since:
lessons named by the log are re-indexed one by one (old postings out, new postings in); after a
change the log cannot name (entity 'data'), lessons whose revision differs from the index's are
found by comparing revision stamps. A full build happens only on first start or by `python -m exchange
search --rebuild`. A search catches up first, so a lesson is findable the moment it is published.

Queries are answered by textindex.py, from a copy of these tables in memory kept at the same sequence.
The index covers published, visible lessons only: its document frequencies and lengths rank
everyone's results, and must not move when someone edits a private draft.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref

import duckdb

from exchange.discovery import indexstore
from exchange.storage import changes
from exchange.worker import Periodic
from exchange.storage.duckdb import Database

log = logging.getLogger(__name__)

FIELDS = indexstore.FIELDS
MAX_QUERY_CHARS = 200
_build_lock = threading.Lock()
STEMMER = "english"
# The tokenizer: lower-case, accents stripped, anything but a-z separates words.
IGNORE = r"(\.|[^a-z])+"
INDEXED = indexstore.INDEXED
# What changes when a lesson's text does (every lesson write bumps revision; updated_at as a second witness):
# after a change the log cannot name, lessons whose stamp differs from the index's are re-indexed.
STAMP = "hash(revision, updated_at)"
_SCHEMA = """
CREATE SCHEMA IF NOT EXISTS search;
CREATE OR REPLACE TABLE search.terms (termid INTEGER NOT NULL, term VARCHAR NOT NULL, df INTEGER NOT NULL);
CREATE OR REPLACE TABLE search.postings (termid INTEGER NOT NULL, lesson_id INTEGER NOT NULL, tf INTEGER NOT NULL,
                                         doc_len INTEGER NOT NULL, positions INTEGER[] NOT NULL);
CREATE OR REPLACE TABLE search.docs (lesson_id INTEGER NOT NULL, stamp UBIGINT NOT NULL, doc_len INTEGER NOT NULL);
CREATE OR REPLACE TABLE search.words (word VARCHAR NOT NULL, term VARCHAR NOT NULL);
CREATE OR REPLACE TABLE search.stopwords (sw VARCHAR NOT NULL)
"""
# After the one bulk insert of a build: a lesson's postings found (and deleted) in milliseconds, not by a
# scan of every posting (380 ms at national scale).
_INDEXES = "CREATE INDEX search_postings_lesson ON search.postings (lesson_id)"
_OLD = ("DROP SCHEMA IF EXISTS fts_main_lessons CASCADE", "DROP SCHEMA IF EXISTS fts_search_published CASCADE",
        "DROP TABLE IF EXISTS search.published")


def _tokens(sql_text: str) -> str:
    """SQL for the list of index tokens of a text expression (DuckDB FTS's own tokenize macro)."""
    pattern = IGNORE.replace("'", "''")
    return (f"list_filter(string_split_regex(regexp_replace(lower(strip_accents(CAST({sql_text} AS VARCHAR))), "
            f"'{pattern}', ' ', 'g'), '\\s+'), t -> t <> '')")


def refresh_index(db: Database) -> None:
    """Build the index from scratch in one transaction (readers keep the old one until it commits)."""
    with _build_lock:
        _build(db)


def _build(db: Database) -> None:
    index = indexstore.of(db)
    seq = db.data_version()  # read before the lessons are: the index reflects at least this sequence
    stopwords = _stopwords(index)

    def work(cur):
        if indexstore.is_local(db):  # PostgreSQL: the lessons' text copied into this replica's own DuckDB first
            indexstore.copy_all(db, cur, seq)
        for statement in _OLD:
            cur.execute(statement)
        for statement in _SCHEMA.split(";"):
            cur.execute(statement)
        cur.execute("INSERT INTO search.stopwords SELECT unnest(?::VARCHAR[])", [stopwords])
        _index(cur, "TRUE")  # one insert into empty tables: postings sorted by term (zone maps work)
        cur.execute(_INDEXES)
        _set_state(cur, seq)

    started = time.perf_counter()
    index.write(work, attempts=3, bump=False)  # an index build is not a data change
    _state.pop(db, None)
    log.info("search index built in %.1f s", time.perf_counter() - started)


def catch_up(db: Database) -> int:
    """Apply the changes since the index's sequence (building it if it never was); return lessons re-indexed."""
    if index_seq(db) == db.data_version():
        return 0
    index = indexstore.of(db)
    with _build_lock:
        seq, built = _read_state(index)
        if not built:  # first start: nothing to catch up from
            _build(db)
            return -1
        target = db.data_version()
        if seq == target:
            _state.pop(db, None)
            return 0

        def work(cur):
            if indexstore.is_local(db):  # the mirrored lessons brought up to PostgreSQL's change log first
                found = [c for c in indexstore.mirror(db, cur, seq) if c.entity in ("lesson", changes.ANYTHING)]
            else:
                found = changes.since(cur, seq, entities=("lesson",))
            if any(c.entity == changes.ANYTHING for c in found):
                ids = [r[0] for r in cur.execute(f"""
                    SELECT coalesce(l.id, d.lesson_id) FROM (SELECT id, {STAMP} AS stamp FROM lessons WHERE {INDEXED}) l
                    FULL JOIN search.docs d ON d.lesson_id = l.id
                    WHERE l.id IS NULL OR d.lesson_id IS NULL OR l.stamp <> d.stamp""").fetchall()]
            else:
                ids = sorted({c.entity_id for c in found if c.entity_id is not None})
            if ids:
                _reindex(cur, ids)
            _set_state(cur, target)
            return len(ids)

        done = index.write(work, attempts=3, bump=False)
        _state.pop(db, None)
    return done


def _reindex(cur: duckdb.DuckDBPyConnection, ids: list[int]) -> None:
    """Take these lessons' old postings out of the index and put their current ones in (if still indexed)."""
    cur.execute("CREATE OR REPLACE TEMP TABLE search_touched AS SELECT unnest(?::INTEGER[]) AS id", [ids])
    cur.execute("""UPDATE search.terms SET df = search.terms.df - o.n
                   FROM (SELECT termid, count(*) AS n FROM search.postings
                         WHERE lesson_id IN (SELECT id FROM search_touched) GROUP BY termid) o
                   WHERE search.terms.termid = o.termid""")
    cur.execute("DELETE FROM search.postings WHERE lesson_id IN (SELECT id FROM search_touched)")
    cur.execute("DELETE FROM search.docs WHERE lesson_id IN (SELECT id FROM search_touched)")
    _index(cur, "id IN (SELECT id FROM search_touched)")
    cur.execute("DROP TABLE search_touched")


def _index(cur: duckdb.DuckDBPyConnection, where: str) -> None:
    """Add postings for the indexed lessons matching `where` (their old postings must be gone)."""
    text = "concat_ws(' ', " + ", ".join(FIELDS) + ")"
    # Every kept word with its place in the text (stopwords keep their places: a phrase is words at given distances).
    cur.execute(f"""CREATE OR REPLACE TEMP TABLE search_kept AS
        WITH toks AS (SELECT id, {_tokens(text)} AS words FROM lessons WHERE {INDEXED} AND ({where})),
             placed AS (SELECT id, unnest(words) AS word, generate_subscripts(words, 1) AS pos FROM toks)
        SELECT id, pos, word, stem(word, '{STEMMER}') AS term FROM placed
        WHERE word NOT IN (SELECT sw FROM search.stopwords)""")
    cur.execute("""CREATE OR REPLACE TEMP TABLE search_fresh AS
        WITH lengths AS (SELECT id, count(*) AS doc_len FROM search_kept GROUP BY id)
        SELECT k.id, k.term, count(*)::INTEGER AS tf, any_value(l.doc_len)::INTEGER AS doc_len,
               list(k.pos)::INTEGER[] AS positions
        FROM search_kept k JOIN lengths l USING (id) GROUP BY k.id, k.term""")
    # The words as written (for "Did you mean …?"): a word never leaves this list; suggestions check its term.
    cur.execute("""INSERT INTO search.words
        SELECT DISTINCT word, term FROM search_kept
        WHERE length(word) > 2 AND word NOT IN (SELECT word FROM search.words)""")
    cur.execute("""INSERT INTO search.terms
        SELECT (SELECT coalesce(max(termid), 0) FROM search.terms) + row_number() OVER (ORDER BY term), term, 0
        FROM (SELECT DISTINCT term FROM search_fresh WHERE term NOT IN (SELECT term FROM search.terms))""")
    cur.execute("""UPDATE search.terms SET df = search.terms.df + f.n
        FROM (SELECT term, count(*) AS n FROM search_fresh GROUP BY term) f WHERE search.terms.term = f.term""")
    cur.execute("""INSERT INTO search.postings SELECT t.termid, f.id, f.tf, f.doc_len, f.positions
        FROM search_fresh f JOIN search.terms t USING (term) ORDER BY t.termid, f.id""")
    cur.execute(f"""INSERT INTO search.docs
        SELECT l.id, {STAMP.replace('revision', 'l.revision').replace('updated_at', 'l.updated_at')},
               coalesce(n.doc_len, 0) FROM lessons l
        LEFT JOIN (SELECT id, any_value(doc_len) AS doc_len FROM search_fresh GROUP BY id) n USING (id)
        WHERE l.{INDEXED.replace(' AND NOT ', ' AND NOT l.')} AND (l.{where if where != 'TRUE' else 'id IS NOT NULL'})""")
    cur.execute("DROP TABLE search_fresh")
    cur.execute("DROP TABLE search_kept")


def _stopwords(db: Database) -> list[str]:
    """DuckDB FTS's English stopword list, read from an FTS index over a one-row table (made and dropped
    in statements of their own: DuckDB refuses to commit an FTS index created and dropped in one transaction)."""
    with db.read() as cur:
        cur.execute("CREATE OR REPLACE TEMP TABLE search_stopword_probe (id INTEGER, body VARCHAR)")
        cur.execute("INSERT INTO search_stopword_probe VALUES (1, 'probe')")
        cur.execute("PRAGMA create_fts_index('search_stopword_probe', 'id', 'body', stopwords='english', overwrite=1)")
        words = [r[0] for r in cur.execute("SELECT sw FROM fts_main_search_stopword_probe.stopwords").fetchall()]
        cur.execute("DROP SCHEMA IF EXISTS fts_main_search_stopword_probe CASCADE")
        cur.execute("DROP TABLE search_stopword_probe")
    return words


def _set_state(cur: duckdb.DuckDBPyConnection, seq: int) -> None:
    cur.execute("DELETE FROM search_index_state")
    cur.execute("INSERT INTO search_index_state VALUES (1, current_timestamp AT TIME ZONE 'UTC', ?)", [seq])


def _read_state(db: Database) -> tuple[int, bool]:
    with db.read() as cur:
        row = cur.execute("SELECT built_version FROM search_index_state WHERE id = 1").fetchone()
        # The current layout: positions in the postings and the words list (older layouts are rebuilt).
        built = cur.execute("""SELECT count(*) = 2 FROM duckdb_columns() WHERE schema_name = 'search'
                               AND (table_name, column_name) IN (('postings', 'positions'), ('words', 'word'))""").fetchone()[0]
    # An index of an older layout (or none) counts as never built.
    return (row[0] if row else -1), bool(row and built)


# Keyed by the Database object itself, never id(db): a closed database's address can be reused by a new
# one, which would then inherit "index built" and query tables it does not have.
_state: "weakref.WeakKeyDictionary[Database, int]" = weakref.WeakKeyDictionary()


def index_seq(db: Database) -> int:
    """The change-log sequence the index reflects (-1: never built)."""
    cached = _state.get(db)
    if cached is None:
        seq, built = _read_state(indexstore.of(db))
        cached = _state[db] = seq if built else -1
    return cached


def index_is_stale(db: Database) -> bool:
    """True when data changed since the index last caught up."""
    return index_seq(db) != db.data_version()


K1, B = 1.2, 0.75  # the usual BM25 constants (DuckDB's match_bm25 defaults); textindex.py scores with them


_refreshers: "weakref.WeakKeyDictionary[Database, Periodic]" = weakref.WeakKeyDictionary()


def start_refresher(db: Database, interval: float = 20.0) -> None:
    """Catch the index up in the background whenever the data changed (checked every `interval` s)."""
    running = _refreshers.get(db)
    if running is not None and running.is_alive():
        return
    # Only a head start: a search catches up by itself first.
    refresher = Periodic(db, "search-index-catch-up", catch_up, interval)
    _refreshers[db] = refresher
    refresher.start()


__all__ = ["refresh_index", "catch_up", "start_refresher", "index_is_stale", "index_seq"]
