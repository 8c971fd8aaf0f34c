"""The SQL of imports: what earlier imports created (by external id), and the bulk writes of one import.

Everything here runs inside the import's one transaction (exchange.transfer.imports.run). New rows
go in as column lists (`unnest`), a few statements per 5,000 rows, not one statement per row:
50,000 lessons in one transaction is seconds, not minutes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Callable

from exchange.lessons.form import LessonInput
from exchange.models import User, population_band
from exchange.storage import changes

CHUNK = 5000
MAX_DEPARTMENT_NAME = 120
MAX_DESCRIPTION = 2000
PER_ROW_CHANGES = 500  # above this many lessons, one "anything changed" entry: derived views rebuild once
_TEXT = ("title", "kind", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice",
         "period_start", "period_end", "visibility", "anonymous")
_TAGS = (("lesson_practices", "practice_ids"), ("lesson_actions", "action_ids"), ("lesson_risks", "risk_type_ids"),
         ("lesson_partners", "partners"))


def comparable(data: LessonInput) -> LessonInput:
    """The lesson as stored and read back (partners in name order), so an unchanged row compares equal."""
    return replace(data, partners=sorted(data.partners))


def existing_lessons(cur) -> dict[str, dict]:
    """Lessons an earlier import made, by external id: id, department, status and their form values."""
    found = cur.execute(f"""
        SELECT x.external_id, l.id, l.department_id, l.status, {', '.join('l.' + c for c in _TEXT)},
          (SELECT list(practice_id ORDER BY practice_id) FROM lesson_practices WHERE lesson_id = l.id),
          (SELECT list(action_id ORDER BY action_id) FROM lesson_actions WHERE lesson_id = l.id),
          (SELECT list(risk_type_id ORDER BY risk_type_id) FROM lesson_risks WHERE lesson_id = l.id),
          (SELECT list(partner ORDER BY partner) FROM lesson_partners WHERE lesson_id = l.id),
          (SELECT list(url ORDER BY position) FROM lesson_links WHERE lesson_id = l.id)
        FROM external_ids x JOIN lessons l ON l.id = x.entity_id WHERE x.kind = 'lesson'""").fetchall()
    out = {}
    for external_id, lesson_id, department_id, status, *rest in found:
        text, (practices, actions, risks, partners, links) = rest[:len(_TEXT)], rest[len(_TEXT):]
        data = LessonInput(**dict(zip(_TEXT, text)), practice_ids=practices or [], action_ids=actions or [],
                           risk_type_ids=risks or [], partners=partners or [], links=links or [])
        out[external_id] = {"id": lesson_id, "department_id": department_id, "status": status, "input": data}
    return out


def existing_departments(cur) -> tuple[dict[str, dict], dict[str, dict]]:
    """Departments by external id, and every department by folded name (with its external id, if any)."""
    from exchange.kernel.urlcodec import fold

    found = cur.execute("""
        SELECT d.id, d.name, d.jurisdiction_type, d.state_code, d.population, d.urban_rural, d.description,
               coalesce(d.place_names, '') AS place_names, x.external_id
        FROM departments d LEFT JOIN external_ids x ON x.kind = 'department' AND x.entity_id = d.id""")
    names = [c[0] for c in found.description]
    rows = [dict(zip(names, r)) for r in found.fetchall()]
    return ({r["external_id"]: r for r in rows if r["external_id"] is not None},
            {fold(r["name"]): r for r in rows})


def lessons(cur, user: User, operations: list[dict], now: datetime, *, progress: Callable | None = None) -> None:
    """Create and update the lessons of a checked import (as `user`, the importing administrator)."""
    report = progress or (lambda _f, _m: None)
    new = [o for o in operations if o["action"] == "create"]
    changed = [o for o in operations if o["action"] == "update"]
    if new:
        ids = [r[0] for r in cur.execute("SELECT nextval('lesson_ids') FROM generate_series(1, ?)", [len(new)]).fetchall()]
        for op, lesson_id in zip(new, ids):
            op["lesson_id"] = lesson_id
    for start in range(0, len(new), CHUNK):
        chunk = new[start:start + CHUNK]
        report(0.8 + 0.2 * start / max(1, len(new)), f"Saving lessons {start + 1:,}–{start + len(chunk):,} of {len(new):,}…")
        published = [o["status"] == "published" for o in chunk]
        cur.execute(f"""
            INSERT INTO lessons (id, {', '.join(_TEXT)}, status, author_id, department_id, created_at, updated_at,
                                 updated_by, submitted_at, published_at)
            SELECT unnest($ids), {', '.join(f'unnest(${c})' for c in _TEXT)}, unnest($status), $author,
                   unnest($department), $now, $now, $author, unnest($at), unnest($at)""",
                    {"ids": [o["lesson_id"] for o in chunk],
                     **{c: [getattr(o["input"], c) for o in chunk] for c in _TEXT},
                     "status": [o["status"] for o in chunk], "author": user.id,
                     "department": [o["department_id"] for o in chunk], "now": now,
                     "at": [now if p else None for p in published]})
        _insert_tags(cur, chunk)
        _link(cur, "lesson", chunk, now)
    for op in changed:
        cur.execute(f"""UPDATE lessons SET {', '.join(f'{c} = ?' for c in _TEXT)}, status = ?, department_id = ?,
                        updated_at = ?, updated_by = ?, revision = revision + 1,
                        published_at = CASE WHEN ? = 'published' THEN coalesce(published_at, ?) ELSE published_at END
                        WHERE id = ?""",
                    [*[getattr(op["input"], c) for c in _TEXT], op["status"], op["department_id"], now, user.id,
                     op["status"], now, op["lesson_id"]])
        for table in ("lesson_practices", "lesson_actions", "lesson_risks", "lesson_partners", "lesson_links"):
            cur.execute(f"DELETE FROM {table} WHERE lesson_id = ?", [op["lesson_id"]])
    _insert_tags(cur, changed)
    touched = new + changed
    if len(touched) > PER_ROW_CHANGES:
        changes.record(cur, changes.ANYTHING)
    else:
        for op in touched:
            changes.record(cur, "lesson", op["lesson_id"])
    report(1.0, "Saved.")


def _insert_tags(cur, ops: list[dict]) -> None:
    for table, attribute in _TAGS:
        pairs = [(o["lesson_id"], v) for o in ops for v in getattr(o["input"], attribute)]
        if pairs:
            cur.execute(f"INSERT INTO {table} SELECT unnest($a), unnest($b)",
                        {"a": [p[0] for p in pairs], "b": [p[1] for p in pairs]})
    links = [(o["lesson_id"], i, u) for o in ops for i, u in enumerate(o["input"].links, 1)]
    if links:
        cur.execute("INSERT INTO lesson_links SELECT unnest($a), unnest($b), unnest($c)",
                    {"a": [x[0] for x in links], "b": [x[1] for x in links], "c": [x[2] for x in links]})


def _link(cur, kind: str, ops: list[dict], now: datetime) -> None:
    key = "lesson_id" if kind == "lesson" else "department_id"
    cur.execute("DELETE FROM external_ids WHERE kind = $kind AND external_id IN (SELECT unnest($keys))",
                {"kind": kind, "keys": [o["external_id"] for o in ops]})
    cur.execute("INSERT INTO external_ids SELECT $kind, unnest($keys), unnest($ids), $now",
                {"kind": kind, "keys": [o["external_id"] for o in ops], "ids": [o[key] for o in ops], "now": now})


def departments(cur, user: User, operations: list[dict], now: datetime, *, progress: Callable | None = None) -> None:
    """Create and update the departments of a checked import, and tie each to its external id."""
    report = progress or (lambda _f, _m: None)
    columns = ("name", "jurisdiction_type", "state_code", "population", "urban_rural", "description", "place_names")
    touched = []
    for done, op in enumerate(operations):
        if done % 1000 == 0:
            report(0.8 + 0.2 * done / max(1, len(operations)), f"Saving department {done + 1:,} of {len(operations):,}…")
        values = op["values"]
        band = population_band(values["population"])
        if op["action"] == "create":
            op["department_id"] = cur.execute(
                f"INSERT INTO departments ({', '.join(columns)}, population_band) VALUES "
                f"({', '.join('?' for _ in columns)}, ?) RETURNING id", [*[values[c] for c in columns], band]).fetchone()[0]
        elif op["action"] == "update":
            cur.execute(f"UPDATE departments SET {', '.join(f'{c} = ?' for c in columns)}, population_band = ? WHERE id = ?",
                        [*[values[c] for c in columns], band, op["department_id"]])
        if op["action"] != "unchanged":
            touched.append(op)
    if touched:
        _link(cur, "department", touched, now)
        for op in touched:
            changes.record(cur, "department", op["department_id"])
    report(1.0, "Saved.")
