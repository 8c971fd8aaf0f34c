"""Open data: every public published lesson as the JSON API describes it, as CSV or JSON, anonymity applied.

The records are read through the one anonymity rule (LESSON_FACTS) as a visitor would see them,
and name lessons by their public reference (never the id: neighbouring ids would tie an anonymous
lesson to its department's named ones). The API's lesson object (exchange.api) is `record` below,
so the open-data file and the API always have the same columns. Dates only, no times.
"""

from __future__ import annotations

import json
from datetime import date

from exchange.discovery import browse
from exchange.identity import permissions
from exchange.kernel import csv
from exchange.kernel.cache import VersionedCache
from exchange.models import VISITOR, User
from exchange.privacy.anonymity import attribution_line, lesson_facts, public_refs, viewer_department
from exchange.storage.duckdb import Database, rows
from exchange.lessons import attach_tags

# The lesson object of the API and the columns of the open-data file, in order.
FIELDS = ("ref", "title", "kind", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice",
          "practices", "actions", "risk_types", "partners", "links", "period_start", "period_end", "published",
          "status", "visibility", "anonymous", "attribution", "department", "state", "hhs_region", "jurisdiction_type")
LIST_FIELDS = ("practices", "actions", "risk_types", "partners", "links")
OPEN_DATA_CSV_URL = "/api/v1/open-data/lessons.csv"
VIEW_CSV_CAP = 10_000  # a Find-lessons view as CSV: at most this many lessons (the page says so)
_CHUNK = 500
_open_data = VersionedCache("open_data", maxsize=2)  # every public lesson: read once per data version


def record(lesson: dict, ref: str) -> dict:
    """A lesson (a lesson_facts row with its tags) as the API and open data show it."""
    def month(value) -> str | None:
        return value.strftime("%Y-%m") if value else None

    published = lesson.get("published_at")
    return {
        "ref": ref, **{k: lesson.get(k) or "" for k in ("title", "kind", "summary", "context", "what_we_did",
                                                         "what_happened", "do_differently", "advice")},
        "practices": [p["name"] for p in lesson.get("practices", [])],
        "actions": [a["name"] for a in lesson.get("actions", [])],
        "risk_types": [r["name"] for r in lesson.get("risk_types", [])],
        "partners": list(lesson.get("partners", [])), "links": list(lesson.get("links", [])),
        "period_start": month(lesson.get("period_start")), "period_end": month(lesson.get("period_end")),
        "published": published.date().isoformat() if published else None,
        "status": lesson["status"], "visibility": lesson["visibility"], "anonymous": bool(lesson["anonymous"]),
        "attribution": attribution_line(lesson), "department": lesson.get("department_name"),
        "state": lesson.get("state_code"), "hhs_region": lesson.get("hhs_region"),
        "jurisdiction_type": lesson.get("jurisdiction_type"),
    }


def records(db: Database, user: User, ids: list[int]) -> list[dict]:
    """The readable published lessons among `ids`, as records, in the order given (anonymity applied for `user`)."""
    if not ids:
        return []
    found = []
    with db.read() as cur:
        refs = public_refs(cur, ids)
        for start in range(0, len(ids), _CHUNK):
            chunk = rows(cur, f"""WITH {lesson_facts("(SELECT * FROM lessons WHERE id IN (SELECT unnest($ids)))")}
                SELECT * FROM lesson_facts WHERE status = 'published' AND NOT hidden
                      AND (visibility = 'public' OR $members)""",
                         {"viewer_department": viewer_department(user), "ids": ids[start:start + _CHUNK],
                          "members": permissions.allowed(user, "lesson.read", {"published"})})
            attach_tags(cur, chunk)
            found += chunk
    order = {lesson_id: pos for pos, lesson_id in enumerate(ids)}
    found.sort(key=lambda lesson: order[lesson["id"]])
    return [record(lesson, refs[lesson["id"]]) for lesson in found]


def open_data(db: Database) -> list[dict]:
    """Every public published lesson as a visitor sees it, ordered by reference (the order says nothing of time)."""
    permissions.require(VISITOR, "lesson.read", {"published_public"})

    def compute():
        with db.read() as cur:
            ids = [r[0] for r in cur.execute("SELECT id FROM lessons WHERE status = 'published' AND NOT hidden "
                                             "AND visibility = 'public'").fetchall()]
        return sorted(records(db, VISITOR, ids), key=lambda r: r["ref"])
    return [dict(r) for r in _open_data.get(db, "lessons", compute)]


def open_data_csv(db: Database) -> bytes:
    """The open-data file as CSV (lists joined by '; ', links by spaces; formula-like cells neutralised)."""
    def cell(name, value):
        if name in LIST_FIELDS:
            return (" " if name == "links" else "; ").join(value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value

    return csv.write(FIELDS, ([cell(f, r[f]) for f in FIELDS] for r in open_data(db)))


def open_data_json(db: Database) -> bytes:
    """The open-data file as JSON: a list of the API's lesson objects."""
    return json.dumps(open_data(db), ensure_ascii=False, indent=1).encode("utf-8")


def view_csv(db: Database, user: User, filters: browse.Filters) -> bytes:
    """A Find-lessons view as CSV (at most VIEW_CSV_CAP lessons), through discovery's own export."""
    return browse.to_csv(db, user, filters, limit=VIEW_CSV_CAP)


def open_data_name(fmt: str, today: date | None = None) -> str:
    """The download's file name."""
    return f"equity-exchange-open-data-{(today or date.today()).isoformat()}.{fmt}"


__all__ = ["FIELDS", "LIST_FIELDS", "OPEN_DATA_CSV_URL", "VIEW_CSV_CAP", "open_data", "open_data_csv", "open_data_json", "open_data_name",
           "record", "records", "view_csv"]
