"""Find lessons: faceted filters, ranked search, sorting and pages — all through the anonymity rule.

Facet counts follow Datasette's rule: each facet counts the lessons that match every
*other* active filter, so a user sees what choosing a value would give. All facets are
computed in one query over a materialised, already-filtered-by-visibility set.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from exchange.conversations import counts as endorsement_counts
from exchange.identity import audit, permissions
from exchange.discovery import cards, facets as facet_index, indexstore, search, textindex
from exchange.kernel import csv, text, urlcodec
from exchange.privacy.anonymity import attribution_line, public_refs, viewer_department  # noqa: F401 (attribution_line re-exported)
from exchange.storage.duckdb import Database, rows
from exchange.errors import InvalidInput
from exchange.models import KINDS, POPULATION_BANDS, User
from exchange.peers import freshness

PER_PAGE = 20
SIMILAR_TEXT_CHARS = 5000
SORTS = ("relevance", "newest", "oldest", "helpful")  # helpful: most endorsing departments first


@dataclass(frozen=True)
class Filters:
    """Everything that defines a view of the lesson list (and its shareable URL)."""

    q: str = ""
    practice: tuple[int, ...] = ()
    action: tuple[int, ...] = ()
    risk: tuple[int, ...] = ()
    kind: tuple[str, ...] = ()
    region: tuple[int, ...] = ()
    state: tuple[str, ...] = ()
    jurisdiction: tuple[str, ...] = ()
    size: tuple[str, ...] = ()
    year: tuple[int, ...] = ()
    department: tuple[int, ...] = ()
    current: bool = False  # hide lessons that may be out of date or are historical (issue 11)
    sort: str = ""
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def active(self) -> dict[str, tuple]:
        """The facet filters that have values."""
        return {name: getattr(self, name) for name in DIMENSIONS if getattr(self, name)}

    @property
    def effective_sort(self) -> str:
        """Relevance when searching (unless chosen otherwise), else newest."""
        if self.sort in SORTS and (self.sort != "relevance" or self.q.strip()):
            return self.sort
        return "relevance" if self.q.strip() else "newest"

    def cleared(self) -> "Filters":
        """The same view with every filter and the search removed."""
        return Filters(sort=self.sort if self.sort != "relevance" else "", per_page=self.per_page)

# The facets, in display order; exchange/discovery/facets.py counts each.
DIMENSIONS = facet_index.DIMENSIONS


@dataclass
class Results:
    """One page of results with the facet counts and the total."""

    lessons: list[dict]
    total: int
    facets: dict[str, dict]
    filters: Filters
    pages: int = 1
    searched: bool = False
    ignored: tuple[str, ...] = ()        # filters whose values are unknown (or not for this viewer) and were dropped
    department_names: dict[int, str] = field(default_factory=dict)  # names of the departments filtered by
    match: textindex.Match | None = None  # what the search matched: all words or some, corrections


def _matching(db: Database, cur, user: User, filters: Filters):
    """(index, matching positions, total, facets, search match) for this viewer and view."""
    index = facet_index.current(db)
    found = textindex.match(db, cur, filters.q, index.tagged) if filters.q.strip() else None
    if found is not None:  # endorsements: a small, bounded boost (conversations.counts.BOOST_MAX)
        found = replace(found, scores=endorsement_counts.boosted(db, found.ids, found.scores))
    positions, total, facets = index.query(
        viewer_department=viewer_department(user),
        members=permissions.allowed(user, "lesson.read", {"published"}),
        selected={name: getattr(filters, name) for name in DIMENSIONS},
        hit_ids=found.ids if found is not None else None,
        fresh_after=freshness.cutoff_us() if filters.current else None,
    )
    return index, positions, total, facets, found


def find(db: Database, user: User, filters: Filters) -> Results:
    """The lessons this user may read that match `filters`: one page, the total and facet counts."""
    permissions.require(user, "lesson.read", {"published", "published_public"})
    # Length before any parsing: a megabyte of query text held the GIL for seconds.
    text.field(filters.q, "q", search.MAX_QUERY_CHARS, label="The search")
    filters, ignored = known_only(db, filters)
    with db.read() as cur:
        index, positions, total, facets, found = _matching(db, cur, user, filters)
        scores = _order_scores(db, filters, found)
        facets = {name: facets.get(name, {}) for name in DIMENSIONS}
        names = dict(cur.execute("SELECT id, name FROM departments WHERE id IN (SELECT unnest(?::INTEGER[]))",
                                 [list(filters.department)]).fetchall()) if filters.department else {}
        per_page = max(1, min(int(filters.per_page or PER_PAGE), 100))
        pages = max(1, -(-total // per_page))
        page = max(1, min(int(filters.page or 1), pages))
        page_ids = index.ordered_ids(positions, filters.effective_sort, scores, offset=(page - 1) * per_page,
                                     limit=per_page, viewer_department=viewer_department(user))
        lessons = cards.cards(db, cur, user, page_ids)
        if found is not None:
            on_page = np.isin(found.ids, page_ids)  # one pass over the hits, not one per column
            by_id = dict(zip(found.ids[on_page].tolist(), found.scores[on_page].tolist()))
            for lesson in lessons:
                lesson["score"] = round(by_id.get(lesson["id"], 0.0), 3)
    return Results(lessons=lessons, total=total, facets=facets, filters=replace(filters, page=page),
                   pages=pages, searched=found is not None, ignored=ignored, department_names=names, match=found)


def _order_scores(db: Database, filters: Filters, found):
    """What the view is ordered by besides time: search scores, or endorsement counts for "most helpful"."""
    if filters.effective_sort == "helpful":
        return endorsement_counts.totals(db)
    return (found.ids, found.scores) if found is not None else None


def known_only(db: Database, filters: Filters) -> tuple[Filters, tuple[str, ...]]:
    """The view without values that name nothing (unknown ids or codes), and the names of the filters that had some.

    Any existing department is a known value: filtering by one counts only the lessons that name it
    (the facet index applies the anonymity rule), so a department whose lessons are all anonymous
    shows none, exactly like a department that shared nothing.
    """
    known = facet_index.current(db).known
    changes, dropped = {}, []
    for name in DIMENSIONS:
        chosen = getattr(filters, name)
        kept = tuple(v for v in chosen if v in known[name])
        if kept != chosen:
            changes[name] = kept
            dropped.append(name)
    return (replace(filters, **changes) if changes else filters), tuple(dropped)


SAME_STORY = 0.8    # cosine of two lessons' term frequencies above which they tell the same story
TAG_SHARE = 0.12    # what each shared practice or risk type adds to a related lesson's (0–1) text score


def similar(db: Database, user: User, text: str, *, exclude: int | None = None, limit: int = 5) -> list[dict]:
    """Readable published lessons most like a piece of text (a draft's title and summary): 'already shared'."""
    if not isinstance(text, str):
        raise InvalidInput("The text to compare must be text.", "text")
    with db.read() as cur:
        snap = textindex.current(db)
        # Length before any parsing: never tokenise more than a few thousand characters.
        with indexstore.cursor(db, cur) as index_cur:
            weights = textindex.text_weights(index_cur, snap, text[:SIMILAR_TEXT_CHARS])
        if not weights:
            return []
        ids, scores = textindex.like(snap, weights)
        return _best_distinct(db, cur, user, snap, ids, scores, exclude=exclude, limit=limit)


def related(db: Database, user: User, lesson: dict, *, limit: int = 5) -> list[dict]:
    """Lessons like `lesson` in words (more-like-this over its key terms) and in tags, one per story, best first."""
    with db.read() as cur:
        snap = textindex.current(db)
        own = textindex.vectors(cur, snap, [lesson["id"]])[lesson["id"]]  # from memory: no statement
        if not own:  # not indexed (a draft its author is reading): its title and summary stand in
            with indexstore.cursor(db, cur) as index_cur:
                own = textindex.text_weights(index_cur, snap,
                                             f"{lesson['title']} {lesson['summary']}"[:SIMILAR_TEXT_CHARS])
        ids, scores = textindex.like(snap, own) if own else (np.zeros(0, np.int64), np.zeros(0))
        size = max(len(snap.doc_len), int(ids.max(initial=0)) + 1)
        total = np.zeros(size)
        if len(scores):
            total[ids] = scores / scores.max()
        index = facet_index.current(db)
        for name, key in (("practice", "practices"), ("risk", "risk_types")):
            for item in lesson.get(key, []):
                tagged = index.tagged(name, item["id"])
                tagged = tagged[tagged < size]
                total[tagged] += TAG_SHARE
        ids = np.nonzero(total)[0]
        story = textindex.vectors(cur, snap, [lesson["id"]], idf=False)[lesson["id"]]
        return _best_distinct(db, cur, user, snap, ids, total[ids], exclude=lesson["id"], limit=limit, like=story)


def _best_distinct(db: Database, cur, user: User, snap, ids: np.ndarray, scores: np.ndarray, *,
                   exclude: int | None, limit: int, like: dict | None = None) -> list[dict]:
    """The `limit` best readable lessons, skipping any that tells the same story as `like` or as one already chosen."""
    readable = facet_index.current(db).readable(ids, viewer_department=viewer_department(user),
                                                 members=permissions.allowed(user, "lesson.read", {"published"}))
    keep = readable & (ids != (exclude if exclude is not None else -1))
    ids, scores = ids[keep], scores[keep]
    wanted = limit * 6
    if len(ids) > wanted:  # only the best few are ranked: keep those scoring at least the cut-off (ties too)
        cut = np.partition(-scores, wanted - 1)[wanted - 1]
        ids, scores = ids[-scores <= cut], scores[-scores <= cut]
    order = np.lexsort((-ids, -scores))[:wanted]
    candidates = ids[order].tolist()
    # Every pair's cosine in one matrix product over the copy in memory (no statement, no loop per pair).
    between, with_like = textindex.story_cosines(snap, candidates, like)
    chosen: list[int] = []
    for position, lesson_id in enumerate(candidates):
        if like and with_like[position] > SAME_STORY:
            continue
        if chosen and (between[position, chosen] > SAME_STORY).any():
            continue
        chosen.append(position)
        if len(chosen) == limit:
            break
    return cards.cards(db, cur, user, [candidates[position] for position in chosen])


# "ref" is a stable, non-sequential reference (anonymity.public_refs), not the id: neighbouring ids would
# tie an anonymous lesson to the same department's named posts. Dates only: no times in exports.
CSV_COLUMNS = ("ref", "title", "kind", "attribution", "hhs_region", "jurisdiction_type", "practices", "risk_types",
               "period_start", "period_end", "published", "summary")


def to_csv(db: Database, user: User, filters: Filters, *, limit: int = 10_000) -> bytes:
    """The filtered list as CSV, in the view's order (anonymity applied; formula-like cells neutralised).

    Sorted by date, lessons of one day are listed by reference, so their order says nothing of who posted when.
    """
    permissions.require(user, "lesson.read", {"published", "published_public"})
    if user.signed_in:  # exports are security-relevant; a visitor's public list has no one to attribute
        audit.record(db, user, "export", "lessons_csv", None, detail=to_params(filters))
    table = []
    with db.read() as cur:
        index, positions, _, _, found = _matching(db, cur, user, filters)
        scores = _order_scores(db, filters, found)
        ids = index.ordered_ids(positions, filters.effective_sort, scores, limit=limit,
                                viewer_department=viewer_department(user))
        refs = public_refs(cur, ids)
        for start in range(0, len(ids), 500):
            for lesson in cards.cards(db, cur, user, ids[start:start + 500], cached=False):
                published = lesson["published_at"].date() if lesson.get("published_at") else None
                table.append({**lesson, "ref": refs[lesson["id"]], "published": published,
                              "practices": "; ".join(p["name"] for p in lesson["practices"]),
                              "risk_types": "; ".join(r["name"] for r in lesson["risk_types"])})
    if filters.effective_sort in ("newest", "oldest"):
        table.sort(key=lambda row: row["ref"])
        table.sort(key=lambda row: row["published"] or date.min, reverse=filters.effective_sort == "newest")
    return csv.write(CSV_COLUMNS, ([row.get(c) for c in CSV_COLUMNS] for row in table))


__all__ = ["Filters", "Results", "find", "known_only", "parse_params", "from_params", "to_params", "similar",
           "related", "to_csv", "KINDS", "POPULATION_BANDS"]


CURRENT_ONLY = "only"  # ?current=only hides lessons that may be out of date
_INT_PARAMS = {"practice", "action", "risk", "region", "year", "department"}
_MAX_VALUES = 50  # more values than any facet has: a forged or broken link
# Facets first, then the search, sort and page: the order the page names what it left out.
URL_FIELDS = tuple(
    urlcodec.Field(name, urlcodec.digits(9) if name in _INT_PARAMS else urlcodec.text(40), max_values=_MAX_VALUES)
    for name in DIMENSIONS
) + (
    urlcodec.Field("q", urlcodec.text(search.MAX_QUERY_CHARS, allow_empty=True), many=False, strip=False),
    urlcodec.Field("current", urlcodec.one_of((CURRENT_ONLY,)), many=False),
    urlcodec.Field("sort", urlcodec.one_of(SORTS), many=False, strip=False),
    urlcodec.Field("page", lambda v: urlcodec.digits(6)(v) or None, many=False, strip=False),
)


def parse_params(params: dict[str, list[str]]) -> tuple[Filters, tuple[str, ...]]:
    """Filters from URL query parameters (repeated keys for several values), and the names of the
    parameters that were ignored, wholly or in part, because they did not parse."""
    notes = urlcodec.Notes()
    values = urlcodec.decode(params, URL_FIELDS, notes)
    filters = Filters(**{name: values[name] for name in DIMENSIONS}, q=values["q"] or "", sort=values["sort"] or "",
                      page=values["page"] or 1, current=values["current"] == CURRENT_ONLY)
    return filters, notes.names()


def from_params(params: dict[str, list[str]]) -> Filters:
    """Filters from URL query parameters (repeated keys for several values); bad values are ignored."""
    return parse_params(params)[0]


def to_params(filters: Filters) -> dict[str, list[str]]:
    """The URL query parameters of a view (only what differs from the default)."""
    return urlcodec.encode({"q": filters.q.strip(), **{name: getattr(filters, name) for name in DIMENSIONS},
                            "current": CURRENT_ONLY if filters.current else None, "sort": filters.sort, "page": filters.page if filters.page and filters.page > 1 else None})
