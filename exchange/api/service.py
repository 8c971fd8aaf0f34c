"""What each API route answers, as plain values: the same services, permission checks and anonymity rule as the pages.

Lessons are named by their public reference (`L-…`, anonymity.public_refs), never by id, as in
every export: neighbouring ids would tie an anonymous lesson to its department's named lessons.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass, replace
from datetime import date
from typing import Any, Mapping

from exchange import adoption, lessons, taxonomy
from exchange.adoption import url as adoption_url
from exchange.discovery import browse
from exchange.errors import NotFound
from exchange.kernel import urlcodec
from exchange.kernel.cache import VersionedCache
from exchange.models import User
from exchange.privacy.anonymity import public_refs
from exchange.storage.duckdb import Database
from exchange.transfer import exports

MAX_PER_PAGE = 100
_refs = VersionedCache("api_refs", maxsize=2)
_PER_PAGE = urlcodec.Field("per_page", lambda v: (n if 1 <= (n := urlcodec.digits(3)(v) or 0) <= MAX_PER_PAGE
                                                  else None), many=False)


def lesson_page(db: Database, user: User, params: Mapping[str, list[str]]) -> dict:
    """One page of Find lessons, from Find lessons' own URL parameters (plus per_page), as API records."""
    filters, ignored = browse.parse_params(params)
    notes = urlcodec.Notes()
    per_page = urlcodec.decode(params, (_PER_PAGE,), notes)["per_page"] or browse.PER_PAGE
    filters = replace(filters, per_page=per_page)
    found = browse.find(db, user, filters)
    records = exports.records(db, user, [lesson["id"] for lesson in found.lessons])
    return {
        "lessons": records, "total": found.total, "page": found.filters.page, "pages": found.pages,
        "per_page": per_page, "sort": found.filters.effective_sort,
        "ignored": sorted(set(ignored) | set(found.ignored) | set(notes.names())),
        "facets": {name: {str(value): count for value, count in counts.items()} for name, counts in found.facets.items()},
    }


def lesson(db: Database, user: User, ref: str) -> dict:
    """One lesson by its reference, as this user may read it (NotFound when it is not theirs to read)."""
    lesson_id = _ids(db).get(ref) if isinstance(ref, str) and len(ref) <= 20 else None
    if lesson_id is None:
        raise NotFound("That lesson does not exist or you do not have access to it.")
    return exports.record(lessons.get(db, user, lesson_id), ref)


def _ids(db: Database) -> dict[str, int]:
    def compute():
        with db.read() as cur:
            ids = [r[0] for r in cur.execute("SELECT id FROM lessons").fetchall()]
            return {ref: lesson_id for lesson_id, ref in public_refs(cur, ids).items()}
    return _refs.get(db, "refs", compute)


def vocabularies(db: Database) -> dict:
    """The taxonomy in use: categories with their active practices and actions, risk types, stages, states."""
    tax = taxonomy.load(db)
    return {
        "categories": [{"id": c["id"], "name": c["name"], "practices": [
            {"id": p["id"], "name": p["name"], "description": p["description"],
             "actions": [{"id": a["id"], "name": a["name"]} for a in tax.actions
                         if a["practice_id"] == p["id"] and a["active"]]}
            for p in tax.practices if p["category_id"] == c["id"] and p["active"]]} for c in tax.categories],
        "risk_types": [{"id": r["id"], "name": r["name"], "description": r["description"]}
                       for r in tax.risk_types if r["active"]],
        "stages": [{"level": s["level"], "name": s["name"], "meaning": s["meaning"]} for s in tax.stages],
        "states": [{"code": s["code"], "name": s["name"], "hhs_region": s["hhs_region"]} for s in tax.states],
    }


def adoption_aggregates(db: Database, user: User, params: Mapping[str, list[str]]) -> dict:
    """The adoption dashboard's aggregates (coordinators and administrators), from the dashboard's URL parameters;
    every number behind too few departments is suppressed by the dashboard service itself (its `threshold`)."""
    options = adoption.options(db, user)
    view = adoption_url.from_params(params, options)
    board = adoption.dashboard(db, user, view.filters, movement=True)  # the Movement views too: an API reader asked
    # Every field the dashboard service returns (the adoption package owns what they are), minus its cache key.
    fields = {name: value for name, value in _plain(board).items() if name != "version"}
    return {**fields, "ignored": list(view.ignored), "suppressed_below": getattr(board, "threshold", None)}


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO text, tuples as lists, nested values converted."""
    if is_dataclass(value):
        value = asdict(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars from the aggregates' frames
        value = value.item()
    if isinstance(value, float) and value != value:  # NaN: no number to show
        return None
    return value
