"""Writing a generated demo into the database: ids from the tables' own sequences, every table bulk-inserted from a DataFrame."""

from __future__ import annotations

from typing import Callable

import pandas as pd

from exchange.demo import notifications as demo_notifications
from exchange.errors import ExchangeError
from exchange.storage.duckdb import scalar


def refuse_if_filled(cur) -> None:
    """Raise ExchangeError when the database already has departments: demo data goes only into an empty exchange."""
    if scalar(cur, "SELECT count(*) FROM departments"):
        raise ExchangeError("This database already has departments; demo data goes only into an empty exchange.")


def insert(cur, depts: list[dict], users: list[dict], lessons: dict[str, list], assessments: dict,
           say: Callable[[str], None]) -> dict[str, int]:
    """Insert the generated rows in one unit of work (refused if departments appeared meanwhile); return row counts."""
    refuse_if_filled(cur)
    # Ids come from the tables' own sequences, so later inserts (DEFAULT nextval) never collide. Every table
    # gets them here, in row order: a DEFAULT nextval inside a parallel insert larger than one row group
    # (about 122,880 rows: the national scale's assessments) numbers the rows in no fixed order.
    dept_ids = _allocate(cur, "department_ids", len(depts))
    user_ids = _allocate(cur, "user_ids", len(users))
    # Lesson ids in the order the lessons were written, as in a live exchange: never the generator's
    # plan order, which put one department's lessons (named and anonymous) side by side.
    allocated = _allocate(cur, "lesson_ids", len(lessons["lessons"]))
    lesson_ids = [0] * len(allocated)
    for rank, row in enumerate(sorted(lessons["lessons"], key=lambda r: (r["created_at"], r["local"]))):
        lesson_ids[row["local"]] = allocated[rank]
    say(f"Inserting {len(depts)} departments and {len(users)} users…")
    _bulk(cur, "departments", {
        "id": dept_ids, "name": [d["name"] for d in depts], "jurisdiction_type": [d["type"] for d in depts],
        "state_code": [d["state"] for d in depts], "population": [d["population"] for d in depts],
        "population_band": [d["band"] for d in depts], "urban_rural": [d["urban"] for d in depts],
        "description": [d["description"] for d in depts], "created_at": [d["joined"] for d in depts],
        "place_names": ["\n".join(dict.fromkeys([d["place"], d["root"], *sorted(d.get("places_used", ()))]))
                        for d in depts]})
    _bulk(cur, "users", {
        "id": user_ids, "email": [u["email"] for u in users], "display_name": [u["display_name"] for u in users],
        "role": [u["role"] for u in users],
        "department_id": pd.array([None if u["dept"] is None else dept_ids[u["dept"]] for u in users], dtype="Int64"),
        "password_hash": [u.get("password_hash") for u in users], "created_at": [u["created_at"] for u in users],
        "password_changed_at": [u["created_at"] if u.get("password_hash") else None for u in users]})
    _bulk(cur, "user_regions", {"user_id": [user_ids[i] for i, u in enumerate(users) for _ in u["regions"]],
                                "hhs_region": [r for u in users for r in u["regions"]]})
    rows = lessons["lessons"]
    say(f"Inserting {len(rows)} lessons…")
    text_columns = ("title", "kind", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice",
                    "period_start", "period_end", "status", "visibility", "anonymous", "created_at", "updated_at",
                    "submitted_at", "published_at")
    _bulk(cur, "lessons", {"id": lesson_ids, **{c: [r[c] for r in rows] for c in text_columns},
                           "author_id": [user_ids[r["author"]] for r in rows],
                           "department_id": [dept_ids[r["dept"]] for r in rows]})
    for table, key, columns in (("lesson_practices", "practices", ("practice_id",)),
                                ("lesson_actions", "actions", ("action_id",)),
                                ("lesson_risks", "risks", ("risk_type_id",)),
                                ("lesson_partners", "partners", ("partner",)),
                                ("lesson_links", "links", ("position", "url"))):
        pairs = lessons[key]
        _bulk(cur, table, {"lesson_id": [lesson_ids[p[0]] for p in pairs],
                           **{c: [p[n + 1] for p in pairs] for n, c in enumerate(columns)}})
    reviews = lessons["reviews"]
    _bulk(cur, "lesson_reviews", {
        "id": _allocate(cur, "review_ids", len(reviews)), "lesson_id": [lesson_ids[r["lesson"]] for r in reviews],
        "reviewer_id": pd.array([None if r["reviewer"] is None else user_ids[r["reviewer"]] for r in reviews],
                                dtype="Int64"),
        "decision": [r["decision"] for r in reviews], "reason": [r["reason"] for r in reviews],
        "decided_at": [r["decided_at"] for r in reviews]})
    reports = lessons["reports"]
    _bulk(cur, "lesson_reports", {
        "id": _allocate(cur, "report_ids", len(reports)), "lesson_id": [lesson_ids[r["lesson"]] for r in reports],
        "reporter_id": [user_ids[r["reporter"]] for r in reports],
        "reporter_department_id": pd.array([None if r["reporter_dept"] is None else dept_ids[r["reporter_dept"]]
                                            for r in reports], dtype="Int64"),
        "reason": [r["reason"] for r in reports], "reported_at": [r["reported_at"] for r in reports],
        "resolved_at": [r["resolved_at"] for r in reports],
        "resolved_by": pd.array([None if r["resolved_by"] is None else user_ids[r["resolved_by"]] for r in reports],
                                dtype="Int64"),
        "outcome": [r["outcome"] for r in reports]})
    say(f"Inserting {len(assessments['stage'])} self-assessments…")
    recorders = [user_ids[d["members"][0]] for d in depts]
    _bulk(cur, "assessments", {
        "id": _allocate(cur, "assessment_ids", len(assessments["stage"])),
        "department_id": [dept_ids[i] for i in assessments["dept"]], "practice_id": assessments["practice_id"],
        "stage": assessments["stage"], "as_of": assessments["as_of"], "note": assessments["note"],
        "evidence_url": assessments["evidence_url"], "recorded_by": [recorders[i] for i in assessments["dept"]],
        "recorded_at": assessments["as_of"]})
    demo_notifications.insert(cur)  # follows and inbox items of the demo accounts (issue 11.5)
    return {"departments": len(depts), "users": len(users), "lessons": len(rows),
            "assessments": len(assessments["stage"])}


def _allocate(cur, sequence: str, count: int) -> list[int]:
    """Draw `count` ids from a sequence (advancing it), in ascending order."""
    found = cur.execute(f"SELECT nextval('{sequence}') AS id FROM generate_series(1, ?) ORDER BY id", [count]).fetchall()
    return [row[0] for row in found]


_DATE_COLUMNS = {"period_start", "period_end", "as_of"}
_TIMESTAMP_COLUMNS = {"created_at", "updated_at", "submitted_at", "published_at", "decided_at", "recorded_at",
                      "reported_at", "resolved_at",
                      "password_changed_at"}


def _bulk(cur, table: str, columns: dict[str, list]) -> None:
    """INSERT every row of the given columns (names from this module, never user input) from a DataFrame."""
    if not len(next(iter(columns.values()))):
        return
    frame = pd.DataFrame({name: pd.to_datetime(values) if name in _DATE_COLUMNS | _TIMESTAMP_COLUMNS else values
                          for name, values in columns.items()})
    selected = ", ".join(f"CAST({c} AS DATE)" if c in _DATE_COLUMNS else c for c in columns)
    cur.register("demo_rows", frame)
    try:
        cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} FROM demo_rows")
    finally:
        cur.unregister("demo_rows")
