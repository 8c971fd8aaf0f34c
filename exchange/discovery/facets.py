"""An in-memory column index of published lessons: facet counts and ordering in a few milliseconds.

Counting nine facets with SQL over 100,000 lessons took hundreds of milliseconds on two cores;
numpy over one compact array per column takes a few. The index holds, for every published
lesson, two values per attribute: what its own department sees, and what everyone else sees —
the latter computed by the SQL anonymity rule (anonymity.ATTRIBUTION, evaluated for a
stranger), so the rule still lives in one place. A viewer sees the first for their own
department's lessons and the second for all others. Kept at the data version from the change log:
changed lessons are re-read one by one; a department or taxonomy change rebuilds it.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from exchange.discovery import feed
from exchange.privacy.anonymity import ATTRIBUTION, K_TABLES, joins
from exchange.storage import changes
from exchange.storage.duckdb import Database
from exchange.models import KINDS, POPULATION_BANDS

DAY_US = 86_400_000_000  # a day in microseconds (published is epoch microseconds, UTC)
# facet name -> (column as seen by the lesson's own department, column as seen by anyone else)
_SCALARS = {
    "kind": ("kind", "kind"),
    "year": ("year", "year"),
    "region": ("own_region", "hhs_region"),
    "state": ("own_state", "state_code"),
    "jurisdiction": ("own_jurisdiction", "jurisdiction_type"),
    "size": ("own_size", "population_band"),
    "department": ("department_id", "shown_department_id"),
}
_LINKS = {"practice": ("lesson_practices", "practice_id"), "action": ("lesson_actions", "action_id"),
          "risk": ("lesson_risks", "risk_type_id")}
DIMENSIONS = (*_LINKS, *_SCALARS)  # every filterable facet, the multi-valued ones first
_KNOWN_SQL = {"practice": "SELECT id FROM practices", "action": "SELECT id FROM actions",
              "risk": "SELECT id FROM risk_types", "state": "SELECT code FROM states",
              "department": "SELECT id FROM departments",
              "jurisdiction": "SELECT DISTINCT jurisdiction_type FROM departments"}


@dataclass(frozen=True)
class FacetIndex:
    """Columns of the published, visible-to-someone lessons, sorted by id."""

    version: int
    ids: np.ndarray
    published: np.ndarray
    public: np.ndarray
    department: np.ndarray
    own: dict[str, np.ndarray]
    stranger: dict[str, np.ndarray]
    vocab: dict[str, list]
    links: dict[str, tuple[np.ndarray, np.ndarray]]
    known: dict[str, frozenset]  # every value a filter may name: taxonomy ids, codes, department ids
    # Link pairs (lesson id, value) and the known values read from the database, kept so a lesson
    # change is applied without reading every lesson again.
    pairs: dict = field(repr=False, compare=False, default=None)
    known_sql: dict = field(repr=False, compare=False, default=None)
    # Freshness (issue 11): epoch microseconds of the later of publication and last confirmation; marked historical.
    confirmed: np.ndarray = field(repr=False, compare=False, default=None)
    historical: np.ndarray = field(repr=False, compare=False, default=None)
    # (department id, anonymous) -> that department's columns as its own members and as a stranger see them
    # (the anonymity rule evaluated per department: see `_directory`); current until a department changes,
    # which rebuilds the index.
    directory: dict = field(repr=False, compare=False, default=None)
    # Lookups derived from this index's arrays on first use (init=False: `replace` gives every new index
    # an empty one, so a spliced index never answers from the arrays before it).
    memo: dict = field(repr=False, compare=False, default_factory=dict, init=False)

    def query(self, *, viewer_department: int, members: bool, selected: dict[str, tuple],
              hit_ids=None, fresh_after: int | None = None) -> tuple[np.ndarray, int, dict[str, dict]]:
        """(matching row positions, total, facet counts) for a viewer and the selected filters.

        `fresh_after` (epoch microseconds): leave out lessons marked historical or last confirmed before it.
        """
        base = np.ones(len(self.ids), bool) if members else self.public.copy()
        if fresh_after is not None:
            base &= ~self.historical & (self.confirmed >= fresh_after)
        if hit_ids is not None:
            hits = hit_ids if isinstance(hit_ids, np.ndarray) else np.fromiter(hit_ids, dtype=np.int64)
            base &= self._hit_rows(hits)
        mine = self.department == viewer_department
        seen = {name: np.where(mine, self.own[name], self.stranger[name]) for name in _SCALARS}
        masks = {name: self._mask(name, values, seen) for name, values in selected.items() if values}
        every = base.copy()
        for mask in masks.values():
            every &= mask
        facets: dict[str, dict] = {}
        for name in (*_LINKS, *_SCALARS):
            if name == "department":
                continue
            rows = base.copy()
            for other, mask in masks.items():
                if other != name:
                    rows &= mask
            facets[name] = self._counts(name, rows, seen)
        return np.nonzero(every)[0], int(every.sum()), facets

    def readable(self, ids: np.ndarray, *, viewer_department: int, members: bool) -> np.ndarray:
        """For each id: is it a published lesson this viewer may read (public, or members-only for a member)?"""
        rows = self._rows(np.asarray(ids, np.int64))
        found = rows >= 0
        return found if members else found & self.public[np.maximum(rows, 0)]

    def tagged(self, name: str, value: int) -> np.ndarray:
        """Ids of the lessons linked to this practice, action or risk type."""
        by_value = self.memo.get(("tagged", name))
        if by_value is None:  # the pairs grouped by value once per index, then each item is a slice
            lesson_ids, values = self.pairs[name]
            order = np.argsort(values, kind="stable")
            grouped = values[order]
            by_value = self.memo[("tagged", name)] = (grouped, lesson_ids[order])
        grouped, lesson_ids = by_value
        return lesson_ids[np.searchsorted(grouped, value, "left"):np.searchsorted(grouped, value, "right")]

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        """The row of each lesson id (-1: not listed), by one gather from a per-id table."""
        position = self.memo.get("position")
        if position is None:
            position = self.memo["position"] = _positions(self.ids, 0) if len(self.ids) else np.full(1, -1, np.int64)
        inside = (ids >= 0) & (ids < len(position))
        return np.where(inside, position[np.where(inside, ids, 0)], -1)

    def _hit_rows(self, hits: np.ndarray) -> np.ndarray:
        """Per row: is its lesson among `hits` (search hits: a flag per lesson id, no sort of either list)?"""
        if not len(self.ids):
            return np.zeros(0, bool)
        flag = np.zeros(int(self.ids[-1]) + 1, bool)
        flag[hits[(hits >= 0) & (hits < len(flag))]] = True
        return flag[self.ids]

    def ordered_ids(self, positions: np.ndarray, sort: str, scores, *,
                    offset: int = 0, limit: int | None = None, viewer_department: int = -1) -> list[int]:
        """Lesson ids at `positions`, in the view's order (a slice of it when offset/limit are given).

        To anyone outside its department an anonymous lesson is ordered by its publish day only (as its
        coarsened time shows) and ties are broken by a scrambled id, so its place in "Newest" does not sit
        it next to the same department's named lesson published a moment before.
        """
        published, tiebreak = self._order_keys(viewer_department)
        if sort in ("newest", "oldest") and limit is not None and offset + limit < len(positions) // 4:
            # Only the first offset+limit rows matter: keep those at or before the cut-off time, then sort.
            key = published[positions] if sort == "oldest" else -published[positions]
            cut = np.partition(key, offset + limit - 1)[offset + limit - 1]
            positions = positions[key <= cut]
        ids = self.ids[positions]
        ties = tiebreak[positions]
        if sort == "relevance" and scores is not None:
            score = _scores_at(ids, scores)
            if limit is not None and offset + limit < len(ids) // 4:
                # Only the best offset+limit matter: keep those scoring at least the cut-off (ties too), then sort.
                cut = np.partition(-score, offset + limit - 1)[offset + limit - 1]
                best = -score <= cut
                ids, ties, score = ids[best], ties[best], score[best]
            order = np.lexsort((-ties, -score))
        elif sort == "helpful":  # most endorsing departments first (scores: their counts), then newest
            order = np.lexsort((-ties, -published[positions], -(_scores_at(ids, scores) if scores is not None
                                                                 else np.zeros(len(ids)))))
        elif sort == "oldest":
            order = np.lexsort((ties, published[positions]))
        else:
            order = np.lexsort((-ties, -published[positions]))
        end = None if limit is None else offset + limit
        return ids[order][offset:end].tolist()

    def _order_keys(self, viewer_department: int) -> tuple[np.ndarray, np.ndarray]:
        """(publish time, tie-break) per row as this viewer may order by them."""
        hidden = (self.stranger["department"] < 0) & (self.department != viewer_department)
        if not hidden.any():
            return self.published, self.ids
        published = np.where(hidden, self.published // DAY_US * DAY_US, self.published)
        scrambled = (self.ids * 2654435761) % 4294967291  # a fixed permutation of ids: no neighbour in time
        return published, np.where(hidden, -1 - scrambled, self.ids)

    def _mask(self, name: str, values: tuple, seen: dict[str, np.ndarray]) -> np.ndarray:
        if name in self.links:
            rows, linked = self.links[name]
            mask = np.zeros(len(self.ids), bool)
            mask[rows[np.isin(linked, np.array(values, dtype=np.int64))]] = True
            return mask
        codes = [self.vocab[name].index(v) for v in values if v in self.vocab[name]]
        return np.isin(seen[name], np.array(codes, dtype=np.int64))

    def _counts(self, name: str, rows: np.ndarray, seen: dict[str, np.ndarray]) -> dict:
        if name in self.links:
            link_rows, linked = self.links[name]
            chosen = linked[rows[link_rows]]
            if not len(chosen) or chosen.min() < 0:
                values, counts = np.unique(chosen, return_counts=True)
                return {int(v): int(c) for v, c in zip(values, counts)}
            counts = np.bincount(chosen)  # taxonomy ids are small: a count per id, no sort
            return {int(v): int(counts[v]) for v in np.nonzero(counts)[0]}
        codes = seen[name][rows]
        counts = np.bincount(codes[codes >= 0], minlength=len(self.vocab[name]))
        return {self.vocab[name][i]: int(c) for i, c in enumerate(counts) if c}


def _scores_at(ids: np.ndarray, scores) -> np.ndarray:
    """The score of each id: `scores` is a dict or a pair of arrays (ids, scores); 0 where absent."""
    if isinstance(scores, dict):
        return np.array([scores.get(int(i), 0.0) for i in ids])
    hit_ids, values = scores
    if not len(hit_ids) or not len(ids):
        return np.zeros(len(ids))
    by_id = np.zeros(max(int(hit_ids.max()), int(ids.max())) + 1)
    by_id[hit_ids] = values
    return by_id[ids]


_cache: "weakref.WeakKeyDictionary[Database, FacetIndex]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()
# Entities whose changes move the index: lessons (applied one by one), and what every lesson's
# attribution or filter vocabulary depends on (departments, states, taxonomy: rebuilt).
_WATCHED = ("lesson", "department", "taxonomy")


def current(db: Database) -> FacetIndex:
    """The index at the current data version: caught up from the change log (lessons applied one by one)."""
    index = _cache.get(db)
    if index is not None and index.version >= db.data_version():
        return index
    with _lock:
        index = _cache.get(db)
        if index is None or index.version < db.data_version():
            index = _advance(db, index)
            _cache[db] = index
    return index


def _advance(db: Database, index: FacetIndex | None) -> FacetIndex:
    """`index` moved to the current data version: rebuilt only when something other than lessons changed."""
    if index is None:
        return build(db)
    # The change log read once for every view (feed.since): a change to anything but lessons, departments and
    # taxonomy (a notification, a question, an endorsement, a sign-in ...) costs no statement of the index's own.
    found, version = feed.since(db, index.version, _WATCHED)
    if not found:
        return replace(index, version=version)
    if any(c.entity != "lesson" or c.entity_id is None for c in found):
        return build(db)
    ids = sorted({c.entity_id for c in found})
    with db.read() as cur:
        fresh, pairs = _read_changed(cur, ids, index.directory) if index.directory is not None else _read(cur, ids)
    # Changes after `version` that this read may already show are applied again next time (idempotent).
    return _splice(index, version, np.asarray(ids, dtype=np.int64), fresh, pairs)


def _splice(index: FacetIndex, version: int, changed: np.ndarray, fresh: pd.DataFrame,
            pairs: dict[str, pd.DataFrame]) -> FacetIndex:
    """The index with the `changed` lessons' rows replaced by `fresh` (array work only, no other lesson read)."""
    fresh_ids = fresh["id"].to_numpy(np.int64)
    where = np.searchsorted(index.ids, fresh_ids)
    in_place = bool(len(fresh_ids) == len(changed) and len(index.ids) and np.all(where < len(index.ids))
                    and np.array_equal(index.ids[np.minimum(where, len(index.ids) - 1)], fresh_ids))
    if in_place:
        # Every changed lesson is still listed and already was (an edit): its rows are overwritten in place.
        ids = index.ids

        def take(old, new):
            out = old.copy()
            out[where] = new
            return out
    else:
        keep = ~np.isin(index.ids, changed)
        ids = np.concatenate([index.ids[keep], fresh_ids])
        # New lessons have the highest ids, so the usual case needs no sort.
        order = None if np.all(ids[1:] > ids[:-1]) else np.argsort(ids, kind="stable")
        if order is not None:
            ids = ids[order]

        def take(old, new):
            joined = np.concatenate([old[keep], new])
            return joined if order is None else joined[order]
    vocab, own, stranger, kept_memo = {}, {}, {}, {}
    for name, (own_column, stranger_column) in _SCALARS.items():
        if in_place and _unchanged(index, name, where, fresh[own_column], fresh[stranger_column]):
            # An edit that left this attribute as it was (the usual text edit): the arrays are reused, not rebuilt.
            vocab[name], own[name], stranger[name] = index.vocab[name], index.own[name], index.stranger[name]
            kept_memo[("code", name)] = index.memo[("code", name)]
            continue
        values = list(index.vocab[name])
        old_code = {value: code for code, value in enumerate(values)}
        for value in fresh[own_column].dropna().unique().tolist():
            value = int(value) if isinstance(value, (int, float, np.integer, np.floating)) else value
            if value not in old_code:
                old_code[value] = len(values)
                values.append(value)
        integer = bool(values) and isinstance(values[0], int)
        own_codes = take(index.own[name], _looked_up(fresh[own_column], old_code, integer))
        stranger_codes = take(index.stranger[name], _looked_up(fresh[stranger_column], old_code, integer))
        # As a rebuild would have it: only values some lesson still has, in sorted order.
        used = np.bincount(own_codes[own_codes >= 0], minlength=len(values)) > 0  # O(n): no sort of every row
        present = sorted(values[i] for i in np.nonzero(used)[0])
        remap = np.full(len(values) + 1, -1, dtype=np.int64)  # the last slot maps -1 (hidden) to -1
        for new_code, value in enumerate(present):
            remap[old_code[value]] = new_code
        vocab[name], own[name], stranger[name] = present, remap[own_codes], remap[stranger_codes]
    link_pairs, links = {}, {}
    position = None
    for name in _LINKS:
        old_ids, old_values = index.pairs[name]
        stay = ~np.isin(old_ids, changed)
        new_ids, new_values = pairs[name]["lesson_id"].to_numpy(np.int64), pairs[name]["value"].to_numpy(np.int64)
        if in_place and sorted(zip(old_ids[~stay].tolist(), old_values[~stay].tolist())) == \
                sorted(zip(new_ids.tolist(), new_values.tolist())):
            # Same tags as before, same rows: the pairs, their rows and the by-tag lookup are reused.
            link_pairs[name], links[name] = index.pairs[name], index.links[name]
            if ("tagged", name) in index.memo:
                kept_memo[("tagged", name)] = index.memo[("tagged", name)]
            continue
        if position is None and len(ids):
            position = _positions(ids, max(int(index.pairs[n][0].max(initial=0)) for n in _LINKS))
        lesson_ids = np.concatenate([old_ids[stay], new_ids])
        values = np.concatenate([old_values[stay], new_values])
        link_pairs[name] = (lesson_ids, values)
        links[name] = _link_rows(ids, lesson_ids, values, position)
    if in_place and "position" in index.memo:
        kept_memo["position"] = index.memo["position"]  # the same ids in the same rows
    spliced = _spliced(index, version, ids, take, fresh, own, stranger, vocab, links, link_pairs)
    spliced.memo.update(kept_memo)
    return spliced


def _unchanged(index: FacetIndex, name: str, where: np.ndarray, own_values: pd.Series, stranger_values: pd.Series) -> bool:
    """True when the edited rows at `where` keep both their values of this attribute (each a known one)."""
    code = index.memo.get(("code", name))
    if code is None:
        code = index.memo[("code", name)] = {value: i for i, value in enumerate(index.vocab[name])}
    for values, old in ((own_values, index.own[name]), (stranger_values, index.stranger[name])):
        for value, before in zip(values.tolist(), old[where].tolist()):
            if value is None or value is pd.NA or (isinstance(value, float) and value != value):
                if before != -1:
                    return False
            elif code.get(int(value) if isinstance(value, (float, np.floating)) else value, -2) != before:
                return False
    return True


def _spliced(index, version, ids, take, fresh, own, stranger, vocab, links, link_pairs) -> FacetIndex:
    return replace(index, version=version, ids=ids,
                   published=take(index.published, fresh["published"].fillna(0).to_numpy(np.int64)),
                   public=take(index.public, fresh["public"].to_numpy(bool)),
                   department=take(index.department, fresh["department_id"].to_numpy(np.int64)),
                   confirmed=take(index.confirmed, fresh["confirmed"].fillna(0).to_numpy(np.int64)),
                   historical=take(index.historical, fresh["historical"].to_numpy(bool)),
                   own=own, stranger=stranger, vocab=vocab, links=links, pairs=link_pairs,
                   known={**index.known, "jurisdiction": index.known_sql["jurisdiction"] | frozenset(vocab["jurisdiction"])})


def _positions(ids: np.ndarray, highest: int) -> np.ndarray:
    """Lesson id -> row (-1: not listed), for ids up to `highest` (ids are sorted and unique)."""
    position = np.full(max(int(ids.max()) if len(ids) else 0, highest) + 1, -1, dtype=np.int64)
    position[ids] = np.arange(len(ids))
    return position


def _link_rows(ids: np.ndarray, lesson_ids: np.ndarray, values: np.ndarray,
               position: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(row position, linked value) for the pairs whose lesson is in the index."""
    if not len(ids) or not len(lesson_ids):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if position is None or len(position) <= int(lesson_ids.max()):
        position = _positions(ids, int(lesson_ids.max()))
    rows = position[np.maximum(lesson_ids, 0)]
    keep = rows >= 0
    return rows[keep], values[keep]


def build(db: Database) -> FacetIndex:
    """Read the published lessons' columns (and the stranger's view of them) into arrays."""
    with db.read() as cur:
        version = changes.latest(cur)
        frame, pairs = _read(cur, None)
        known = {name: frozenset(r[0] for r in cur.execute(sql).fetchall()) for name, sql in _KNOWN_SQL.items()}
        directory = _directory(cur)
    return replace(_assemble(version, frame, pairs, known), directory=directory)


# A lesson's own columns; what its department adds (as seen by its members, and by a stranger) comes from the
# directory (`_directory`), so a changed lesson is a point read, not a join through the anonymity rule's counts.
_LESSON_SQL = """SELECT l.id, epoch_us(l.published_at) AS published, l.visibility = 'public' AS public,
                        l.department_id, l.anonymous, l.kind, year(l.period_start) AS year,
                        epoch_us(greatest(l.published_at, coalesce(l.last_confirmed_at, l.published_at))) AS confirmed,
                        coalesce(l.historical, FALSE) AS historical
                 FROM lessons l
                 WHERE l.status = 'published' AND NOT l.hidden AND {only}
                 ORDER BY l.id"""
# One changed lesson (the usual write) is looked up by its key; several through a list.
_ONE, _MANY = "{column} = $id", "{column} IN (SELECT unnest($ids::INTEGER[]))"
# The department columns of a lesson row as `_read` gives them (the anonymity rule's output for a stranger).
_DEPARTMENT_COLUMNS = ("own_region", "own_state", "own_jurisdiction", "own_size", "attributed", "shown_department_id",
                       "department_name", "state_code", "state_name", "population_band", "hhs_region",
                       "jurisdiction_type")


def _only(column: str, ids: list[int]) -> str:
    return (_ONE if len(ids) == 1 else _MANY).format(column=column)


def _only_params(ids: list[int]) -> dict:
    return {"id": ids[0]} if len(ids) == 1 else {"ids": ids}


def _directory(cur) -> dict[tuple[int, bool], dict]:
    """(department id, anonymous) -> the department columns of a lesson from it, as a stranger sees them.

    The anonymity rule (ATTRIBUTION, over the K counts) evaluated once per department and per value of
    `anonymous`, over stand-in rows of exactly the columns the rule reads: for a stranger those two decide
    everything it shows of a lesson's origin. Read at each full build (a department change rebuilds).
    """
    stand_ins = """(SELECT dd.id AS department_id, v.anonymous FROM departments dd
                    CROSS JOIN (VALUES (TRUE), (FALSE)) AS v(anonymous))"""
    found = cur.execute(f"""WITH {K_TABLES}
        SELECT l.department_id, l.anonymous, s.hhs_region AS own_region, d.state_code AS own_state,
               d.jurisdiction_type AS own_jurisdiction, d.population_band AS own_size, {ATTRIBUTION}
        {joins(stand_ins)}""", {"viewer_department": -1})
    names = [column[0] for column in found.description]
    return {(row[0], bool(row[1])): dict(zip(names[2:], row[2:])) for row in found.fetchall()}


def _read_changed(cur, ids: list[int], directory: dict) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """`_read` of a few changed lessons: their own columns read, their department's from the directory."""
    found = cur.execute(_LESSON_SQL.format(only=_only("l.id", ids)), _only_params(ids))
    names = [column[0] for column in found.description]
    records = []
    for row in found.fetchall():
        lesson = dict(zip(names, row))
        department = directory.get((lesson["department_id"], bool(lesson.pop("anonymous"))))
        if department is not None:  # as the join of `_read`: a lesson of no known department is not listed
            records.append({**lesson, **department})
    columns = [name for name in names if name != "anonymous"] + list(_DEPARTMENT_COLUMNS)
    return pd.DataFrame.from_records(records, columns=columns), _links(cur, ids)


def _read(cur, ids: list[int] | None) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Rows of the published lessons (only `ids`, if given) and their practice/action/risk links."""
    only = "" if ids is None else "AND l.id IN (SELECT unnest($ids::INTEGER[]))"
    params = {"viewer_department": -1} | ({} if ids is None else {"ids": ids})
    frame = cur.execute(f"""WITH {K_TABLES}
        SELECT l.id, epoch_us(l.published_at) AS published, l.visibility = 'public' AS public,
               l.department_id, l.kind, year(l.period_start) AS year,
               s.hhs_region AS own_region, d.state_code AS own_state, d.jurisdiction_type AS own_jurisdiction,
               d.population_band AS own_size, {ATTRIBUTION},
               epoch_us(greatest(l.published_at, coalesce(l.last_confirmed_at, l.published_at))) AS confirmed,
               coalesce(l.historical, FALSE) AS historical
        {joins()}
        WHERE l.status = 'published' AND NOT l.hidden {only}
        ORDER BY l.id""", params).df()
    return frame, _links(cur, ids)


def _links(cur, ids: list[int] | None) -> dict[str, pd.DataFrame]:
    """The practice/action/risk links of the lessons `ids` (None: of every lesson), as (lesson_id, value) frames."""
    # The three link tables in one statement (each statement costs DuckDB a few ms of its own).
    where = "" if ids is None else "WHERE " + _only("lesson_id", ids)
    linked = cur.execute(" UNION ALL ".join(
        f"SELECT {n} AS facet, lesson_id, {column} AS value FROM {table} {where}"
        for n, (table, column) in enumerate(_LINKS.values())), {} if ids is None else _only_params(ids)).fetchnumpy()
    facet = np.asarray(linked["facet"])
    pairs = {name: pd.DataFrame({"lesson_id": np.asarray(linked["lesson_id"], np.int64)[facet == n],
                                 "value": np.asarray(linked["value"], np.int64)[facet == n]})
             for n, name in enumerate(_LINKS)}
    return pairs


def _assemble(version: int, frame: pd.DataFrame, pairs: dict[str, pd.DataFrame], known: dict) -> FacetIndex:
    ids = frame["id"].to_numpy(np.int64)
    pairs = {name: (pairs[name]["lesson_id"].to_numpy(np.int64), pairs[name]["value"].to_numpy(np.int64))
             for name in _LINKS}
    links = {name: _link_rows(ids, *pairs[name]) for name in _LINKS}
    vocab, own, stranger = {}, {}, {}
    for name, (own_column, stranger_column) in _SCALARS.items():
        values = frame[own_column].dropna().unique().tolist()
        vocab[name] = sorted(int(v) if isinstance(v, (int, float, np.integer, np.floating)) else v for v in values)
        own[name] = _codes(frame[own_column], vocab[name])
        stranger[name] = _codes(frame[stranger_column], vocab[name])
    return FacetIndex(
        version=version, ids=ids, published=frame["published"].fillna(0).to_numpy(np.int64),
        public=frame["public"].to_numpy(bool), department=frame["department_id"].to_numpy(np.int64),
        own=own, stranger=stranger, vocab=vocab, links=links,
        known={**known, "kind": frozenset(KINDS), "size": frozenset(POPULATION_BANDS),
               "region": frozenset(range(1, 11)), "year": frozenset(range(1900, 2101)),
               "jurisdiction": known["jurisdiction"] | frozenset(vocab["jurisdiction"])},
        pairs=pairs, known_sql=known, confirmed=frame["confirmed"].fillna(0).to_numpy(np.int64),
        historical=frame["historical"].to_numpy(bool),
    )


def _looked_up(column: pd.Series, code: dict, integer: bool) -> np.ndarray:
    """`_codes` for the few rows of a splice: a dict lookup per value (a Categorical over 3,000 departments
    validated its categories each time: 6 ms a column)."""
    out = []
    for value in column.tolist():
        if value is None or value is pd.NA or (isinstance(value, float) and value != value):
            out.append(-1)
        else:
            out.append(code.get(int(value) if integer else value, -1))
    return np.array(out, dtype=np.int64)


def _codes(column: pd.Series, vocab: list) -> np.ndarray:
    """Position of each value in `vocab`; -1 where the value is hidden (null) from the viewer."""
    if vocab and isinstance(vocab[0], int):
        column = column.astype("Int64")
    return pd.Categorical(column, categories=vocab).codes.astype(np.int64)
