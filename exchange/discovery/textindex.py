"""The search index in memory: BM25 over numpy arrays, all-words matching, phrases, typos and taxonomy terms.

`search.py` keeps the durable, derived index in the database (postings, terms, per-lesson stems, words). Each
process holds a copy of it here, read once (about 0.3 s at national scale) and then kept at the persisted index's
change-log sequence by re-reading only the lessons the log names: their old postings are masked out of the base
arrays and their new ones kept in a small sorted delta, compacted by a full read once it grows. Scoring a query
is a few numpy gathers and `bincount`s: milliseconds even for a word in most lessons.

What a query means:
- every word must match (a lesson matches a word by the word itself, by an acronym's expansion, or by being tagged
  with a taxonomy item the query names); if no lesson has them all, lessons with some are shown, and the page says so;
- "quoted words" must appear as that phrase; unquoted words that appear as a phrase rank first among the top;
- a word no lesson has is replaced by the nearest word the lessons do have ("Did you mean …?").
Only published, visible lessons are indexed, so an unpublished draft moves nobody's ranking.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import tomllib
import weakref
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from cachetools import LRUCache

from exchange.discovery import indexstore, search
from exchange.storage import changes
from exchange.storage.duckdb import Database

log = logging.getLogger(__name__)

K1, B = search.K1, search.B
MAX_WORDS = 20
ANALYSED_QUERIES = 1024    # recent queries whose words and stems are remembered
COMPACT_AT = 2000          # lessons in the delta before the base arrays are read again
PHRASE_CHECKED = 200       # top lessons checked for an unquoted phrase (a quoted one is checked in every candidate)
PHRASE_BOOST = 1.5
LIKE_MAX_SHARE = 0.3       # more-like-this ignores words in more than this share of lessons,
LIKE_MIN_LESSONS = 200     # once there are enough lessons for shares to mean something
BACKGROUND_SORT_AT = 200_000  # postings above which the by-lesson order is built on a thread of its own
TAG_WEIGHT = 0.6           # a lesson tagged with the item a query names scores like a good mention of its words
VOCABULARY_FILE = Path(__file__).with_name("vocabulary.toml")
_WATCHED = ("lesson", "taxonomy")


@dataclass(frozen=True)
class Concept:
    """A taxonomy item (or curated phrase) a query can name, and the lessons tagged with it."""

    facet: str            # practice, action or risk
    item_id: int
    stems: frozenset


@dataclass(frozen=True)
class Snapshot:
    """The persisted index at one change-log sequence, as arrays."""

    version: int
    terms: dict                 # term -> termid
    ptr: np.ndarray             # base postings of termid t are [ptr[t], ptr[t + 1])
    docs: np.ndarray            # lesson id per base posting (int32)
    tfs: np.ndarray             # term frequency per base posting (float32)
    stale: np.ndarray           # per lesson id: its base postings are superseded (by the delta or by removal)
    d_terms: np.ndarray         # the delta: postings of lessons changed since the base was read, sorted by termid
    d_docs: np.ndarray
    d_tfs: np.ndarray
    delta_ids: frozenset
    doc_len: np.ndarray         # per lesson id (float32; 0 where not indexed)
    indexed: np.ndarray         # per lesson id
    stopwords: frozenset
    concepts: tuple = ()
    acronyms: dict = field(default_factory=dict)   # acronym (lower case) -> expansion stems
    n_docs: int = 0
    avgdl: float = 1.0
    # Derived from the base arrays alone (they never change between splices): each lesson's base postings
    # (by_lesson), computed once per full read and shared by every snapshot over the same base.
    base_memo: dict = field(default_factory=dict, compare=False, repr=False)
    # termid -> df, per snapshot (init=False: `replace` gives each new snapshot an empty one, so a splice
    # never serves the document frequencies of the snapshot before it).
    memo: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    def postings(self, termid: int | None) -> tuple[np.ndarray, np.ndarray]:
        """(lesson ids, term frequencies) of one term, base and delta together."""
        if termid is None:
            return _EMPTY_I, _EMPTY_F
        parts_d, parts_f = [], []
        if termid + 1 < len(self.ptr):
            lo, hi = self.ptr[termid], self.ptr[termid + 1]
            if hi > lo:
                docs = self.docs[lo:hi]
                keep = ~self.stale[docs]
                parts_d.append(docs[keep])
                parts_f.append(self.tfs[lo:hi][keep])
        lo, hi = np.searchsorted(self.d_terms, termid, "left"), np.searchsorted(self.d_terms, termid, "right")
        if hi > lo:
            parts_d.append(self.d_docs[lo:hi])
            parts_f.append(self.d_tfs[lo:hi])
        if not parts_d:
            return _EMPTY_I, _EMPTY_F
        return (np.concatenate(parts_d), np.concatenate(parts_f)) if len(parts_d) > 1 else (parts_d[0], parts_f[0])

    def df(self, stem: str) -> int:
        """How many indexed lessons have this term."""
        termid = self.terms.get(stem)
        return 0 if termid is None else self.df_of(termid)

    def df_of(self, termid: int) -> int:
        dfs = self.dfs()
        return int(dfs[termid]) if 0 <= termid < len(dfs) else 0

    def dfs(self) -> np.ndarray:
        """Document frequency per termid (base postings of superseded lessons left out, the delta's added)."""
        found = self.memo.get("df")
        if found is None:
            size = max(len(self.ptr) - 1, int(self.d_terms.max(initial=-1)) + 1)
            found = np.zeros(size, np.int64)
            found[:len(self.ptr) - 1] = np.diff(self.ptr)
            stale = np.nonzero(self.stale)[0]
            if len(stale):
                _, termids, _ = self._base_of(stale)
                found -= np.bincount(termids, minlength=size)[:size]
            if len(self.d_terms):
                found += np.bincount(self.d_terms, minlength=size)[:size]
            self.memo["df"] = found
        return found

    def idf_of(self, termid: int) -> float:
        return self.idf(self.df_of(termid))

    def lesson_postings(self, ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lesson id, termid, term frequency) of every current posting of these lessons: base and delta, in memory."""
        ids = np.unique(np.asarray(ids, np.int64))
        ids = ids[ids >= 0]
        current = ids[~self.stale[np.minimum(ids, len(self.stale) - 1)]] if len(self.stale) else ids[:0]
        parts = [self._base_of(current)]
        if len(self.d_docs):
            mine = np.isin(self.d_docs, ids)
            parts.append((self.d_docs[mine].astype(np.int64), self.d_terms[mine], self.d_tfs[mine]))
        return tuple(np.concatenate(column) for column in zip(*parts))

    def _base_of(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(lesson id, termid, tf) of these lessons' base postings, superseded or not."""
        lesson_ptr, terms_by_lesson, tfs_by_lesson = self._by_lesson()
        ids = ids[ids < len(lesson_ptr) - 1]
        starts = lesson_ptr[ids]
        counts = lesson_ptr[ids + 1] - starts
        at = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        return np.repeat(ids, counts), terms_by_lesson[at].astype(np.int64), tfs_by_lesson[at]

    def _by_lesson(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The base postings ordered by lesson: (lesson id -> start, termid, tf), built on first use."""
        found = self.base_memo.get("by_lesson")
        if found is not None:
            return found
        with _sort_lock:  # a reader arriving while the background sort runs waits for it instead of sorting too
            found = self.base_memo.get("by_lesson")
            if found is not None:
                return found
            order = np.argsort(self.docs, kind="stable")
            termids = np.repeat(np.arange(len(self.ptr) - 1, dtype=np.int32), np.diff(self.ptr))
            per_lesson = np.bincount(self.docs, minlength=len(self.stale)) if len(self.docs) else \
                np.zeros(len(self.stale), np.int64)
            lesson_ptr = np.concatenate([[0], np.cumsum(per_lesson)]).astype(np.int64)
            found = self.base_memo["by_lesson"] = (lesson_ptr, termids[order], self.tfs[order])
            return found


    def idf(self, n: int) -> float:
        return math.log((self.n_docs - n + 0.5) / (n + 0.5) + 1)

    def bm25(self, docs: np.ndarray, tfs: np.ndarray, idf: float) -> np.ndarray:
        """Each posting's BM25 contribution."""
        return idf * tfs * (K1 + 1) / (tfs + K1 * (1 - B + B * self.doc_len[docs] / self.avgdl))


_EMPTY_I = np.zeros(0, np.int32)
_sort_lock = threading.Lock()
_EMPTY_F = np.zeros(0, np.float32)


@dataclass(frozen=True)
class Match:
    """What a query matched: lesson ids with scores, and what the page should say about it."""

    ids: np.ndarray
    scores: np.ndarray
    mode: str = "all"                       # "all": every word; "some": no lesson had all, these have some
    words: tuple = ()                       # the words searched for (after corrections)
    corrections: tuple = ()                 # (typed, suggested) pairs
    unknown: tuple = ()                     # words no lesson has, with nothing near enough to suggest
    phrases: tuple = ()                     # quoted phrases searched for

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.ids.tolist(), self.scores.tolist()))

    @property
    def corrected_query(self) -> str:
        return " ".join(self.words)


NO_MATCH = Match(np.zeros(0, np.int64), np.zeros(0, np.float64))

# --- keeping the copy current ----------------------------------------------------------------------------

_cache: "weakref.WeakKeyDictionary[Database, Snapshot]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def current(db: Database) -> Snapshot:
    """The index at the current data version (the persisted index caught up first, then this copy)."""
    snap = _cache.get(db)
    if snap is not None and snap.version >= db.data_version():
        return snap
    try:
        search.catch_up(db)
    except Exception:  # noqa: BLE001 — a full or read-only disk must not stop search: answer from the last index
        log.exception("search index catch-up failed; answering from the index as it was")
        if snap is not None:
            return snap
        if search.index_seq(db) < 0:
            raise
    with _lock:
        snap = _cache.get(db)
        if snap is None or snap.version < db.data_version():
            snap = _advance(db, snap)
            _cache[db] = snap
    return snap


def _advance(db: Database, snap: Snapshot | None) -> Snapshot:
    with indexstore.of(db).read() as cur:  # where the index lives (beside PostgreSQL: this replica's own DuckDB)
        cur.execute("BEGIN TRANSACTION")  # the state, its postings and the change log from one snapshot
        try:
            seq = _persisted_seq(cur)
            if snap is None or snap.version > seq:
                return _load(cur, seq)
            found = [c for c in changes.since(cur, snap.version, entities=_WATCHED) if c.seq <= seq]
            if not found:
                return replace(snap, version=seq)
            if any(c.entity == changes.ANYTHING or c.entity_id is None and c.entity == "lesson" for c in found):
                return _load(cur, seq)
            concepts = _concepts(cur, snap.terms) if any(c.entity == "taxonomy" for c in found) else snap.concepts
            ids = sorted({c.entity_id for c in found if c.entity == "lesson"})
            if len(snap.delta_ids | set(ids)) > COMPACT_AT:
                return _load(cur, seq)
            return replace(_splice(cur, snap, ids), version=seq, concepts=concepts)
        finally:
            cur.execute("COMMIT")


def _persisted_seq(cur) -> int:
    row = cur.execute("SELECT built_version FROM search_index_state WHERE id = 1").fetchone()
    return row[0] if row else -1


def _load(cur, seq: int) -> Snapshot:
    """Read the whole persisted index into arrays."""
    terms = dict(cur.execute("SELECT term, termid FROM search.terms").fetchall())
    postings = cur.execute("SELECT termid, lesson_id, tf FROM search.postings").fetchnumpy()
    docs = cur.execute("SELECT lesson_id, doc_len FROM search.docs").fetchnumpy()
    stopwords = frozenset(r[0] for r in cur.execute("SELECT sw FROM search.stopwords").fetchall())
    termids = np.asarray(postings["termid"], np.int64)
    order = np.argsort(termids, kind="stable")  # sorted after a build; catch-ups append
    termids = termids[order]
    lesson_ids = np.asarray(postings["lesson_id"], np.int32)[order]
    size = int(max(lesson_ids.max(initial=0), np.asarray(docs["lesson_id"]).max(initial=0))) + 1
    n_terms = int(max(terms.values(), default=0)) + 2
    doc_len = np.zeros(size, np.float32)
    indexed = np.zeros(size, bool)
    doc_len[docs["lesson_id"]] = docs["doc_len"]
    indexed[docs["lesson_id"]] = True
    snap = Snapshot(
        version=seq, terms=terms, ptr=np.searchsorted(termids, np.arange(n_terms)), docs=lesson_ids,
        tfs=np.asarray(postings["tf"], np.float32)[order], stale=np.zeros(size, bool),
        d_terms=np.zeros(0, np.int64), d_docs=_EMPTY_I, d_tfs=_EMPTY_F, delta_ids=frozenset(),
        doc_len=doc_len, indexed=indexed, stopwords=stopwords)
    snap = _with_totals(snap)
    # Each lesson's postings (related lessons, document frequencies after a change) need the base ordered by
    # lesson: a sort of every posting (a few hundred ms at national scale), done off the request path.
    if len(snap.docs) > BACKGROUND_SORT_AT:
        threading.Thread(target=snap._by_lesson, name="search-index-by-lesson", daemon=True).start()
    else:
        snap._by_lesson()
    return replace(snap, concepts=_concepts(cur, terms, stopwords), acronyms=_acronyms(cur, stopwords))


def _splice(cur, snap: Snapshot, ids: list[int]) -> Snapshot:
    """The snapshot with these lessons' postings replaced by what the persisted index now holds for them."""
    fresh = cur.execute("""SELECT p.termid, p.lesson_id, p.tf, t.term FROM search.postings p
                           JOIN search.terms t USING (termid) WHERE p.lesson_id IN (SELECT unnest(?::INTEGER[]))""",
                        [ids]).fetchnumpy()
    lengths = cur.execute("SELECT lesson_id, doc_len FROM search.docs WHERE lesson_id IN (SELECT unnest(?::INTEGER[]))",
                          [ids]).fetchnumpy()
    changed = np.asarray(ids, np.int64)
    size = max(len(snap.stale), int(changed.max(initial=0)) + 1)
    stale, doc_len, indexed = (_grown(a, size) for a in (snap.stale, snap.doc_len, snap.indexed))
    stale[changed] = True
    doc_len[changed] = 0
    indexed[changed] = False
    doc_len[lengths["lesson_id"]] = lengths["doc_len"]
    indexed[lengths["lesson_id"]] = True
    keep = ~np.isin(snap.d_docs, changed)
    d_terms = np.concatenate([snap.d_terms[keep], np.asarray(fresh["termid"], np.int64)])
    d_docs = np.concatenate([snap.d_docs[keep], np.asarray(fresh["lesson_id"], np.int32)])
    d_tfs = np.concatenate([snap.d_tfs[keep], np.asarray(fresh["tf"], np.float32)])
    order = np.argsort(d_terms, kind="stable")
    terms = snap.terms
    new_terms = {t: int(i) for t, i in zip(fresh["term"].tolist(), fresh["termid"].tolist()) if t not in terms}
    if new_terms:
        terms = {**terms, **new_terms}
    return _with_totals(replace(snap, terms=terms, stale=stale, doc_len=doc_len, indexed=indexed,
                                d_terms=d_terms[order], d_docs=d_docs[order], d_tfs=d_tfs[order],
                                delta_ids=snap.delta_ids | frozenset(ids)))


def _grown(array: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, array.dtype)
    out[:len(array)] = array
    return out


def _with_totals(snap: Snapshot) -> Snapshot:
    n = int(snap.indexed.sum())
    return replace(snap, n_docs=n, avgdl=float(snap.doc_len[snap.indexed].mean()) if n else 1.0)


# --- the vocabulary: taxonomy items and acronyms ------------------------------------------------------------

def _vocabulary() -> dict:
    with VOCABULARY_FILE.open("rb") as handle:
        return tomllib.load(handle)


def analyse(cur, texts: list[str], stopwords: frozenset | None = None) -> list[list[tuple[str, str, int]]]:
    """Each text as (word, stem, place) triples, split and stemmed by the index's own SQL tokenizer, stopwords
    left out (but counted in the places, as in the index's positions)."""
    if not texts:
        return []
    if stopwords is None:
        stopwords = frozenset(r[0] for r in cur.execute("SELECT sw FROM search.stopwords").fetchall())
    row = cur.execute(f"""SELECT toks, list_transform(toks, seg -> list_transform(seg, t -> stem(t, '{search.STEMMER}')))
                          FROM (SELECT list_transform(?::VARCHAR[], s -> {search._tokens('s')}) AS toks)""",
                      [texts]).fetchone()
    return [[(w, s, place) for place, (w, s) in enumerate(zip(words, stems), start=1) if w not in stopwords]
            for words, stems in zip(row[0], row[1])]


def _concepts(cur, terms: dict, stopwords: frozenset | None = None) -> tuple:
    """The taxonomy items a query can name: each item's name, and the key phrases the vocabulary file gives it."""
    items = cur.execute("""SELECT 'practice', id, name FROM practices UNION ALL SELECT 'action', id, name FROM actions
                           UNION ALL SELECT 'risk', id, name FROM risk_types""").fetchall()
    phrases = _vocabulary().get("phrases", {})
    texts, owners = [], []
    for facet, item_id, name in items:
        for text in [name, *phrases.get(name, [])]:
            texts.append(text)
            owners.append((facet, item_id))
    found = []
    for (facet, item_id), pairs in zip(owners, analyse(cur, texts, stopwords)):
        stems = frozenset(s for _, s, _ in pairs)
        if stems:
            found.append(Concept(facet, item_id, stems))
    return tuple(found)


def _acronyms(cur, stopwords: frozenset) -> dict:
    """Acronym (lower case) -> the stems of what it stands for."""
    acronyms = _vocabulary().get("acronyms", {})
    keys = list(acronyms)
    analysed = analyse(cur, [acronyms[k] for k in keys], stopwords)
    return {k.lower(): tuple(s for _, s, _ in pairs) for k, pairs in zip(keys, analysed) if pairs}


# --- answering a query --------------------------------------------------------------------------------------

_QUOTED = re.compile(r'"([^"]*)"')


def parse(query: str) -> tuple[str, list[str]]:
    """(the words outside quotes, the quoted phrases)."""
    phrases = [p.strip() for p in _QUOTED.findall(query) if p.strip()]
    rest = _QUOTED.sub(" ", query).replace('"', " ")
    return rest, phrases


def match(db: Database, cur, query: str, tagged=None) -> Match:
    """The indexed lessons matching `query`, scored. `tagged(facet, item_id)` gives the lesson ids tagged with an item.
    `cur` reads `db`; the index's own statements run where the index lives (indexstore.cursor)."""
    with indexstore.cursor(db, cur) as index_cur:
        return _match(db, index_cur, query, tagged)


def _match(db: Database, cur, query: str, tagged) -> Match:
    snap = current(db)
    rest, phrases = parse(query[:search.MAX_QUERY_CHARS])
    analysed = _analysed(cur, (rest, *phrases), snap.stopwords)
    words = analysed[0] + [triple for phrase in analysed[1:] for triple in phrase]
    seen, groups = set(), []
    for word, stem, _ in words:
        if stem not in seen:
            seen.add(stem)
            groups.append([word, stem])
    groups = groups[:MAX_WORDS]
    if not groups or not snap.n_docs:
        return replace(NO_MATCH, words=tuple(w for w, _ in groups))
    corrections, unknown = [], []
    for group in groups:
        word, stem = group
        if snap.df(stem) or word in snap.acronyms or _tagged_by(snap, {stem}, stem):
            continue
        suggestion = _suggest(cur, snap, word)
        if suggestion:
            corrections.append((word, suggestion[0]))
            group[:] = suggestion
        else:
            unknown.append(word)
    stems = [stem for _, stem in groups]
    fixed = {typed: suggested for typed, suggested in corrections}
    corrected = {word: stem for word, stem in groups}
    size = len(snap.doc_len)
    score = np.zeros(size, np.float64)
    satisfied = []
    scored = set()

    def add_term(stem: str) -> np.ndarray:
        docs, tfs = snap.postings(snap.terms.get(stem))
        present = np.zeros(size, bool)
        if len(docs):
            present[docs] = True
            if stem not in scored:
                scored.add(stem)
                score[:] += np.bincount(docs, weights=snap.bm25(docs, tfs, snap.idf(len(docs))), minlength=size)
        return present

    concepts = [c for c in snap.concepts if c.stems <= set(stems)]
    for word, stem in groups:
        ok = add_term(stem)
        expansion = snap.acronyms.get(word)
        if expansion:
            alt = np.ones(size, bool)
            for other in expansion:
                alt &= add_term(other)
            ok |= alt
            concepts += [c for c in snap.concepts if c.stems <= set(expansion) and c not in concepts]
        for concept in concepts:
            if stem in concept.stems or (expansion and concept.stems <= set(expansion)):
                ids = tagged(concept.facet, concept.item_id) if tagged else None
                if ids is not None and len(ids):
                    ids = ids[ids < size]
                    ok[ids[snap.indexed[ids]]] = True
        satisfied.append(ok)
    for concept in concepts:  # the tag bonus, once per item named
        ids = tagged(concept.facet, concept.item_id) if tagged else None
        if ids is not None and len(ids):
            ids = ids[(ids < size)]
            ids = ids[snap.indexed[ids]]
            bonus = TAG_WEIGHT * max(snap.idf(snap.df(s)) for s in concept.stems)
            score[ids] += bonus
    every = np.logical_and.reduce(satisfied) & snap.indexed
    def placed(triples):  # (place, stem) with corrections applied
        return [(place, corrected.get(fixed.get(word, word), stem)) for word, stem, place in triples]

    quoted = [placed(phrase) for phrase in analysed[1:] if len(phrase) > 1]
    if quoted and every.any():
        every &= _with_phrases(cur, snap, quoted, size)
    mode = "all"
    if not every.any():
        every = np.logical_or.reduce(satisfied) & snap.indexed
        mode = "some" if every.any() and len(groups) > 1 else "all"
    ids = np.nonzero(every)[0]
    scores = score[ids]
    if len(analysed[0]) > 1 and len(ids) and mode == "all":
        scores = _phrase_first(cur, snap, ids, scores, placed(analysed[0]))
    return Match(ids=ids.astype(np.int64), scores=np.round(scores, 9), mode=mode,
                 words=tuple(w for w, _ in groups), corrections=tuple(corrections), unknown=tuple(unknown),
                 phrases=tuple(phrases))


_queries: LRUCache = LRUCache(ANALYSED_QUERIES)
_queries_lock = threading.Lock()


def _analysed(cur, texts: tuple, stopwords: frozenset) -> list:
    """`analyse` for a query, remembered: the next page, sort or facet click on the same words needs no statement
    (the tokenizer and stemmer are fixed, so the same text with the same stopwords always analyses the same)."""
    key = (texts, stopwords)
    with _queries_lock:
        found = _queries.get(key)
    if found is None:
        found = analyse(cur, list(texts), stopwords)
        with _queries_lock:
            _queries[key] = found
    return found


def _tagged_by(snap: Snapshot, stems: set, stem: str) -> bool:
    return any(c.stems <= stems for c in snap.concepts if stem in c.stems)


def _suggest(cur, snap: Snapshot, word: str) -> tuple[str, str] | None:
    """The nearest word (by edits, then by how many lessons use it) that some indexed lesson has."""
    if len(word) < 4:
        return None
    limit = 1 if len(word) <= 5 else 2
    rows_ = cur.execute("""SELECT word, term, damerau_levenshtein(word, ?) AS d FROM search.words
                           WHERE length(word) BETWEEN ? AND ? AND d <= ? ORDER BY d, word LIMIT 50""",
                        [word, len(word) - limit, len(word) + limit, limit]).fetchall()
    best = [(d, -snap.df(term), w, term) for w, term, d in rows_ if snap.df(term)]
    if not best:
        return None
    _, _, suggested, term = min(best)
    return suggested, term


def _contains(cur, snap: Snapshot, ids: np.ndarray | None, phrase: list[tuple[int, str]]) -> np.ndarray:
    """The lessons (among `ids`, if given) with the phrase's terms at its distances: (place, stem) pairs."""
    tids = [snap.terms.get(stem) for _, stem in phrase]
    if any(t is None for t in tids) or (ids is not None and not len(ids)):
        return np.zeros(0, np.int64)
    # One term's places per lesson, joined on distance; the postings are sorted by term, so each read is short.
    parts = [f"(SELECT lesson_id, unnest(positions) - {place - phrase[0][0]} AS start FROM search.postings "
             f"WHERE termid = {int(tid)}{'' if ids is None else ' AND lesson_id IN (SELECT unnest($ids))'}) p{n}"
             for n, ((place, _), tid) in enumerate(zip(phrase, tids))]
    sql = "SELECT DISTINCT p0.lesson_id FROM " + parts[0] + "".join(
        f" JOIN {part} USING (lesson_id, start)" for part in parts[1:])
    found = cur.execute(sql, {} if ids is None else {"ids": np.asarray(ids, np.int64).tolist()}).fetchnumpy()
    return np.asarray(found["lesson_id"], np.int64)


def _with_phrases(cur, snap: Snapshot, phrases: list, size: int) -> np.ndarray:
    keep = np.ones(size, bool)
    for phrase in phrases:
        mask = np.zeros(size, bool)
        found = _contains(cur, snap, None, phrase)
        mask[found[found < size]] = True
        keep &= mask
    return keep


def _phrase_first(cur, snap: Snapshot, ids: np.ndarray, scores: np.ndarray, phrase: list) -> np.ndarray:
    """Among the best-scored lessons, those with the query's words as written, in order, rank higher."""
    top = np.argsort(-scores, kind="stable")[:PHRASE_CHECKED]
    with_phrase = np.isin(ids[top], _contains(cur, snap, ids[top], phrase))
    boosted = scores.copy()
    boosted[top[with_phrase]] *= PHRASE_BOOST
    return boosted


# --- more like this ------------------------------------------------------------------------------------------

def weights(snap: Snapshot, ids, *, idf: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lesson id, termid, weight) of these lessons' terms: tf-idf, or (idf=False) log term frequency alone,
    which says how much of the same text two lessons share. Read from the copy in memory, no statement."""
    lesson_ids, termids, tfs = snap.lesson_postings(ids)
    weight = 1 + np.log(tfs.astype(np.float64))
    if idf and len(termids):
        df = snap.dfs()[termids].astype(np.float64)
        weight *= np.log((snap.n_docs - df + 0.5) / (df + 0.5) + 1)
    return lesson_ids, termids, weight


def vectors(cur, snap: Snapshot, ids, *, idf: bool = True) -> dict[int, dict[int, float]]:
    """Each lesson's term weights by term id (see `weights`); `cur` is unused, kept for callers."""
    out: dict[int, dict[int, float]] = {int(i): {} for i in ids}
    for lesson_id, termid, weight in zip(*(a.tolist() for a in weights(snap, list(out), idf=idf))):
        out[lesson_id][termid] = weight
    return out


def cosine(a: dict[int, float], b: dict[int, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def story_cosines(snap: Snapshot, ids: list[int], like: dict[int, float] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(cosine between every two of these lessons' log-tf vectors, cosine of each with `like`), as matrices:
    one product instead of a Python loop per pair."""
    n = len(ids)
    lesson_ids, termids, weight = weights(snap, ids, idf=False)
    like = like or {}
    like_terms = np.fromiter(like.keys(), np.int64, len(like))
    vocabulary, columns = np.unique(np.concatenate([termids, like_terms]), return_inverse=True)
    rows = np.searchsorted(np.asarray(ids, np.int64)[np.argsort(ids)], lesson_ids)
    rows = np.argsort(ids)[rows] if n else rows
    matrix = np.zeros((n + 1, len(vocabulary)))
    matrix[rows, columns[:len(termids)]] = weight
    matrix[n, columns[len(termids):]] = np.fromiter(like.values(), np.float64, len(like))
    norms = np.linalg.norm(matrix, axis=1)
    unit = np.divide(matrix, norms[:, None], out=np.zeros_like(matrix), where=norms[:, None] > 0)
    product = unit @ unit.T
    return product[:n, :n], product[:n, n]


def like(snap: Snapshot, weights: dict[int, float], *, terms: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Lessons sharing the heaviest of these terms, scored by BM25 weighted by each term's weight (more-like-this)."""
    size = len(snap.doc_len)
    # Words in most lessons say little about which are alike (and cost the most to score): left out.
    telling = {t: w for t, w in weights.items() if self_share(snap, t) <= LIKE_MAX_SHARE} \
        if snap.n_docs >= LIKE_MIN_LESSONS else weights
    docs, contributions = [], []
    for termid, weight in sorted(telling.items(), key=lambda kv: -kv[1])[:terms]:
        found, tfs = snap.postings(termid)
        if len(found):
            docs.append(found)
            contributions.append(snap.bm25(found, tfs, 1.0) * weight)
    if not docs:
        return np.zeros(0, np.int64), np.zeros(0)
    # One bincount over every term's postings (summed in the same order as term by term).
    score = np.bincount(np.concatenate(docs), weights=np.concatenate(contributions), minlength=size)
    score[:size][~snap.indexed] = 0
    ids = np.nonzero(score)[0]
    return ids.astype(np.int64), score[ids]


def self_share(snap: Snapshot, termid: int) -> float:
    """The share of indexed lessons that have this term."""
    return snap.df_of(termid) / snap.n_docs if snap.n_docs else 0.0


def text_weights(cur, snap: Snapshot, text: str) -> dict[int, float]:
    """The tf-idf weights of a piece of text (a draft's title and summary), by termid."""
    triples = analyse(cur, [text], snap.stopwords)[0]
    counts: dict[int, int] = {}
    for _, stem, _ in triples:
        termid = snap.terms.get(stem)
        if termid is not None:
            counts[termid] = counts.get(termid, 0) + 1
    return {t: (1 + math.log(n)) * snap.idf_of(t) for t, n in counts.items()}


def reset(db: Database) -> None:
    """Forget this database's copy (the next search reads it again)."""
    _cache.pop(db, None)


__all__ = ["Match", "Snapshot", "current", "match", "parse", "analyse", "weights", "vectors", "cosine", "story_cosines",
           "like", "text_weights",
           "reset"]
