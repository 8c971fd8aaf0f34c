"""Find lessons: faceted filters, ranked search, sorting and pages — all through the anonymity rule.

Facet counts follow Datasette's rule: each facet counts the lessons that match every
*other* active filter, so a user sees what choosing a value would give. All facets are
computed in one query over a materialised, already-filtered-by-visibility set.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date

from . import audit, permissions, search
from .anonymity import ATTRIBUTION, JOINS, K_TABLES, LESSON_FACTS, attribution_line, viewer_department  # noqa: F401
from .db import Database, rows
from .lessons import attach_tags
from .models import KINDS, POPULATION_BANDS, User

PER_PAGE = 20
SORTS = ("relevance", "newest", "oldest")


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

    def without(self, name: str) -> "Filters":
        """The same view without one facet's filter (page reset)."""
        return replace(self, **{name: ()}, page=1)


# dimension -> (condition on the visible set "v", facet value expression, join for multi-valued facets)
_LINKS = {
    "practice": ("lesson_practices", "practice_id"),
    "action": ("lesson_actions", "action_id"),
    "risk": ("lesson_risks", "risk_type_id"),
}
_COLUMNS = {
    "kind": "kind", "region": "hhs_region", "state": "state_code", "jurisdiction": "jurisdiction_type",
    "size": "population_band", "year": "year", "department": "shown_department_id",
}
DIMENSIONS = (*_LINKS, *_COLUMNS)


@dataclass
class Results:
    """One page of results with the facet counts and the total."""

    lessons: list[dict]
    total: int
    facets: dict[str, dict]
    filters: Filters
    pages: int = 1
    searched: bool = False
    suggestions: list[tuple[str, int]] = field(default_factory=list)


def _conditions(filters: Filters) -> dict[str, str]:
    conds = {}
    for name, (table, column) in _LINKS.items():
        if getattr(filters, name):
            conds[name] = f"v.id IN (SELECT lesson_id FROM {table} WHERE {column} IN (SELECT unnest(${name})))"
    for name, column in _COLUMNS.items():
        if getattr(filters, name):
            conds[name] = f"v.{column} IN (SELECT unnest(${name}))"
    return conds


def _base(filters: Filters, user: User, hit_ids: list[int] | None) -> tuple[str, dict]:
    params = {
        "viewer_department": viewer_department(user),
        "members": permissions.allowed(user, "lesson.read", {"published"}),
        **{name: list(getattr(filters, name)) for name in DIMENSIONS if getattr(filters, name)},
    }
    search_cond = ""
    if hit_ids is not None:
        params["hits"] = hit_ids
        search_cond = "AND l.id IN (SELECT unnest($hits))"
    # Only the columns facets need (no text, no author): the anonymity rule comes from ATTRIBUTION.
    sql = f"""WITH {K_TABLES},
        v AS MATERIALIZED (
            SELECT l.id, l.kind, year(l.period_start) AS year, l.published_at, {ATTRIBUTION}
            {JOINS}
            WHERE l.status = 'published' AND NOT l.hidden AND (l.visibility = 'public' OR $members) {search_cond}
        )"""
    return sql, params


def find(db: Database, user: User, filters: Filters) -> Results:
    """The lessons this user may read that match `filters`: one page, the total and facet counts."""
    permissions.require(user, "lesson.read", {"published", "published_public"})
    with db.read() as cur:
        scores = search.hits(cur, db, filters.q) if filters.q.strip() else None
        base, params = _base(filters, user, list(scores) if scores is not None else None)
        conds = _conditions(filters)
        all_match = " AND ".join(conds.values()) or "TRUE"
        parts = [f"SELECT '_total' AS facet, NULL AS value, count(*) AS n FROM v WHERE {all_match}"]
        for name in DIMENSIONS:
            if name == "department":
                continue
            others = " AND ".join(c for d, c in conds.items() if d != name) or "TRUE"
            if name in _LINKS:
                table, column = _LINKS[name]
                parts.append(f"SELECT '{name}', CAST(t.{column} AS VARCHAR), count(*) FROM v JOIN {table} t "
                             f"ON t.lesson_id = v.id WHERE {others} GROUP BY 2")
            else:
                parts.append(f"SELECT '{name}', CAST(v.{_COLUMNS[name]} AS VARCHAR), count(*) FROM v "
                             f"WHERE {others} AND v.{_COLUMNS[name]} IS NOT NULL GROUP BY 2")
        facet_rows = cur.execute(base + "\n" + "\nUNION ALL\n".join(parts), params).fetchall()
        facets: dict[str, dict] = {name: {} for name in DIMENSIONS}
        total = 0
        for name, value, n in facet_rows:
            if name == "_total":
                total = n
            else:
                facets[name][_typed(name, value)] = n

        per_page = max(1, min(int(filters.per_page or PER_PAGE), 100))
        pages = max(1, -(-total // per_page))
        page = max(1, min(int(filters.page or 1), pages))
        page_ids = _ordered_ids(cur, base, params, all_match, filters.effective_sort, scores,
                                limit=per_page, offset=(page - 1) * per_page)
        lessons = _cards(cur, user, page_ids)
        if scores is not None:
            for lesson in lessons:
                lesson["score"] = round(scores[lesson["id"]], 3)
    return Results(lessons=lessons, total=total, facets=facets, filters=replace(filters, page=page),
                   pages=pages, searched=scores is not None)


def _ordered_ids(cur, base: str, params: dict, where: str, sort: str, scores: dict | None, *,
                 limit: int, offset: int) -> list[int]:
    if sort == "relevance" and scores is not None:
        ids = [r[0] for r in cur.execute(base + f" SELECT v.id FROM v WHERE {where}", params).fetchall()]
        ids.sort(key=lambda i: (-scores[i], -i))
        return ids[offset: offset + limit]
    order = "v.published_at DESC, v.id DESC" if sort != "oldest" else "v.published_at ASC, v.id ASC"
    return [r[0] for r in cur.execute(
        base + f" SELECT v.id FROM v WHERE {where} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}", params
    ).fetchall()]


def _cards(cur, user: User, ids: list[int]) -> list[dict]:
    if not ids:
        return []
    found = rows(cur, f"""WITH {LESSON_FACTS}
        SELECT id, title, kind, summary, period_start, period_end, published_at, visibility, anonymous,
               shown_department_id, department_name, state_code, hhs_region, jurisdiction_type
        FROM lesson_facts WHERE id IN (SELECT unnest($ids))""",
                 {"viewer_department": viewer_department(user), "ids": ids})
    attach_tags(cur, found)
    order = {lesson_id: pos for pos, lesson_id in enumerate(ids)}
    found.sort(key=lambda lesson: order[lesson["id"]])
    for lesson in found:
        lesson["attribution"] = attribution_line(lesson)
    return found


def _typed(name: str, value: str):
    if name in ("practice", "action", "risk", "region", "year", "department"):
        return int(value)
    return value


def similar(db: Database, user: User, text: str, *, exclude: int | None = None, limit: int = 5) -> list[dict]:
    """Readable published lessons most similar in text (for 'already shared' and 'related')."""
    words = search.terms(text)
    if not words:
        return []
    # Any-word match ranked by BM25; drop words too common to discriminate.
    results = find(db, user, Filters(q=" ".join(words[:20]), sort="relevance", per_page=limit + 1))
    return [lesson for lesson in results.lessons if lesson["id"] != exclude][:limit]


def related(db: Database, user: User, lesson: dict, *, limit: int = 5) -> list[dict]:
    """Lessons sharing practices or risk types with `lesson` and close in text, best first."""
    filters = Filters(practice=tuple(p["id"] for p in lesson["practices"]), per_page=limit * 4)
    by_tags = find(db, user, filters).lessons
    risk_ids = {r["id"] for r in lesson["risk_types"]}
    text_ids = {m["id"] for m in similar(db, user, f"{lesson['title']} {lesson['summary']}", exclude=lesson["id"], limit=limit * 2)}
    scored = []
    for other in by_tags + [m for m in similar(db, user, lesson["title"], exclude=lesson["id"], limit=limit)]:
        if other["id"] == lesson["id"]:
            continue
        score = len({p["id"] for p in other["practices"]} & set(filters.practice)) \
            + len({r["id"] for r in other["risk_types"]} & risk_ids) + (2 if other["id"] in text_ids else 0)
        scored.append((score, other["published_at"] or date.min, other))
    seen, best = set(), []
    for _, _, other in sorted(scored, key=lambda s: (s[0], s[1]), reverse=True):
        if other["id"] not in seen:
            seen.add(other["id"])
            best.append(other)
    return best[:limit]


CSV_COLUMNS = ("id", "title", "kind", "attribution", "hhs_region", "jurisdiction_type", "practices", "risk_types",
               "period_start", "period_end", "published_at", "summary")


def to_csv(db: Database, user: User, filters: Filters, *, limit: int = 10_000) -> bytes:
    """The filtered list as CSV, in the view's order (anonymity applied; formula-like cells neutralised)."""
    permissions.require(user, "lesson.read", {"published", "published_public"})
    if user.signed_in:  # exports are security-relevant; a visitor's public list has no one to attribute
        audit.record(db, user, "export", "lessons_csv", None, detail=to_params(filters))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    with db.read() as cur:
        scores = search.hits(cur, db, filters.q) if filters.q.strip() else None
        base, params = _base(filters, user, list(scores) if scores is not None else None)
        where = " AND ".join(_conditions(filters).values()) or "TRUE"
        ids = _ordered_ids(cur, base, params, where, filters.effective_sort, scores, limit=limit, offset=0)
        for start in range(0, len(ids), 500):
            for lesson in _cards(cur, user, ids[start:start + 500]):
                row = {**lesson, "practices": "; ".join(p["name"] for p in lesson["practices"]),
                       "risk_types": "; ".join(r["name"] for r in lesson["risk_types"])}
                writer.writerow([neutralise(row.get(c)) for c in CSV_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def neutralise(value) -> str:
    """A CSV cell that no spreadsheet will run as a formula."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


__all__ = ["Filters", "Results", "find", "similar", "related", "to_csv", "neutralise", "KINDS", "POPULATION_BANDS"]


_INT_PARAMS = {"practice", "action", "risk", "region", "year", "department"}


def from_params(params: dict[str, list[str]]) -> Filters:
    """Filters from URL query parameters (repeated keys for several values); bad values are ignored."""
    values: dict = {}
    for name in DIMENSIONS:
        raw = params.get(name) or []
        if isinstance(raw, str):
            raw = [raw]
        parsed = []
        for item in raw:
            item = str(item).strip()
            if name in _INT_PARAMS:
                if item.isdigit() and len(item) < 10:
                    parsed.append(int(item))
            elif item and len(item) <= 40:
                parsed.append(item)
        values[name] = tuple(dict.fromkeys(parsed))
    q = params.get("q") or [""]
    q = q if isinstance(q, str) else q[0]
    sort = params.get("sort") or [""]
    sort = sort if isinstance(sort, str) else sort[0]
    page = params.get("page") or ["1"]
    page = page if isinstance(page, str) else page[0]
    return Filters(q=str(q)[: search.MAX_QUERY_CHARS], sort=sort if sort in SORTS else "",
                   page=int(page) if str(page).isdigit() and len(str(page)) < 7 else 1, **values)


def to_params(filters: Filters) -> dict[str, list[str]]:
    """The URL query parameters of a view (only what differs from the default)."""
    params: dict[str, list[str]] = {}
    if filters.q.strip():
        params["q"] = [filters.q.strip()]
    for name in DIMENSIONS:
        if getattr(filters, name):
            params[name] = [str(v) for v in getattr(filters, name)]
    if filters.sort:
        params["sort"] = [filters.sort]
    if filters.page and filters.page > 1:
        params["page"] = [str(filters.page)]
    return params
