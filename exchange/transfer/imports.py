"""Importing lessons (CSV or JSON) and departments (CSV): a dry run that lists every problem, then one transaction.

`plan` reads and checks a file and says what importing it would do (create, update, unchanged)
without writing; `run` does the same inside one write transaction and stores everything, or
raises ImportRefused carrying the plan and stores nothing. Each lesson row is checked by the post
form's own rules (exchange.lessons.form.validate). A stable `external_id` column ties each row
to what it created, so importing the same file again updates those records instead of adding
copies. Administrators only; every import is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from exchange import clock, taxonomy
from exchange.errors import InvalidInput
from exchange.identity import audit, permissions
from exchange.kernel.urlcodec import fold
from exchange.lessons.form import FIELD_LABELS, LessonInput, LessonInvalid, validate
from exchange.models import User
from exchange.privacy import identifying
from exchange.storage.duckdb import Database
from exchange.transfer import importfiles, importwrites
from exchange.transfer.importfiles import Problem

Progress = Callable[[float, str], None]
KINDS = ("lessons", "departments")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the admin page's upload limit (server.maxUploadSize); the CLI takes more
MAX_EXTERNAL_ID = 100
LIST_SEPARATOR = ";"  # practices, actions, risk types, partners and place names in CSV; links by spaces
_MONTH = re.compile(r"(\d{4})-(\d{2})")

LESSON_COLUMNS = ("external_id", "department", "status", "title", "kind", "summary", "context", "what_we_did",
                  "what_happened", "do_differently", "advice", "practices", "actions", "risk_types", "partners",
                  "period_start", "period_end", "links", "visibility", "anonymous")
DEPARTMENT_COLUMNS = ("external_id", "name", "jurisdiction_type", "state_code", "population", "urban_rural",
                      "description", "place_names")
COLUMNS = {"lessons": LESSON_COLUMNS, "departments": DEPARTMENT_COLUMNS}
_LIST_COLUMNS = {"practices", "actions", "risk_types", "partners", "links", "place_names"}
_FORM_FIELD = {"practices": "practice_ids", "actions": "action_ids", "risk_types": "risk_type_ids"}
# What each column holds, for the template's documentation (README and the admin page show this).
COLUMN_NOTES = {
    "external_id": "required; your own stable id for the row (at most 100 characters): importing it again updates it",
    "department": "the department's exact name in the directory",
    "status": "published or draft",
    "kind": "success, challenge or mixed",
    "practices": "practice names separated by ';' (at least one when published)",
    "actions": "action names of the chosen practices, separated by ';'",
    "risk_types": "risk type names separated by ';'",
    "partners": "partner tags separated by ';'",
    "period_start": "month the work started, YYYY-MM (required when published)",
    "period_end": "month it ended, YYYY-MM, or empty if ongoing",
    "links": "http(s) links separated by spaces",
    "visibility": "public or members",
    "anonymous": "yes or no (JSON: true or false)",
    "jurisdiction_type": "county, city, city-county, multi-county district, state, tribal or territorial",
    "state_code": "two-letter state code, e.g. MN",
    "population": "population served, digits only",
    "urban_rural": "large central metro, large fringe metro, medium metro, small metro, micropolitan or noncore",
    "place_names": "place names the jurisdiction is known by, separated by ';'",
}
_EXAMPLES = {
    "lessons": {"external_id": "assoc-2024-001", "department": "Example County Health Department",
                "status": "published", "title": "Listening sessions before the budget", "kind": "success",
                "summary": "We held listening sessions with residents before drafting the budget.",
                "context": "Residents had asked for a say.", "what_we_did": "Six evening sessions.",
                "what_happened": "Two programs were reshaped.", "do_differently": "", "advice": "",
                "practices": ["Allocate Resources"], "actions": ["Use participatory budgeting to let communities direct funds"], "risk_types": [], "partners": ["schools"],
                "period_start": "2024-01", "period_end": None, "links": ["https://example.org/report"],
                "visibility": "public", "anonymous": False},
    "departments": {"external_id": "dir-0001", "name": "Example County Health Department", "jurisdiction_type": "county",
                    "state_code": "MN", "population": 120000, "urban_rural": "medium metro",
                    "description": "", "place_names": ["Exampleville"]},
}


@dataclass
class Plan:
    """What importing a file would do (or did): problems by row, and the rows it creates, updates or leaves."""

    kind: str
    filename: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)  # {"row", "external_id", "name", "action": create|update|unchanged}
    applied: bool = False

    @property
    def ok(self) -> bool:
        """True when the file has no problems and can be imported."""
        return not self.problems

    def count(self, action: str) -> int:
        """How many rows would be (or were) created, updated or left unchanged."""
        return sum(1 for a in self.actions if a["action"] == action)

    def summary(self) -> str:
        """One line: what it would do, or how many problems stop it."""
        if self.problems:
            return (f"{len(self.problems):,} problem{'s' if len(self.problems) != 1 else ''} in {self.filename}; "
                    "nothing was imported.")
        verb = ("Imported" if self.applied else "Would import") + f" {self.rows:,} {self.kind[:-1]} row{'s' if self.rows != 1 else ''}"
        return (f"{verb}: {self.count('create'):,} new, {self.count('update'):,} updated, "
                f"{self.count('unchanged'):,} unchanged.")


class ImportRefused(InvalidInput):
    """The file has problems; nothing was stored. `plan.problems` lists every one."""

    def __init__(self, plan: Plan):
        super().__init__({"file": plan.summary()})
        self.plan = plan
        self.message = plan.summary()
        self.args = (self.message,)


def template(kind: str, fmt: str = "csv") -> bytes:
    """The documented template of an import: its header (or keys) and one example row."""
    _check_kind(kind)
    example = _EXAMPLES[kind]
    if fmt == "csv":
        example = {c: " ".join(v) if c == "links" else "; ".join(v) if isinstance(v, list)
                   else ("yes" if v else "no") if isinstance(v, bool) else "" if v is None else str(v)
                   for c, v in example.items()}
    return importfiles.template(COLUMNS[kind], example, fmt)


def plan(db: Database, user: User, kind: str, filename: str, data: bytes, fmt: str, *,
         progress: Progress | None = None, today: date | None = None) -> Plan:
    """The dry run: every problem by row and column, and what would be created or updated. Writes nothing."""
    _authorise(user, kind)
    with db.read() as cur:
        result, _ = _prepare(cur, db, kind, filename, data, fmt, progress, today or clock.today())
    return result


def run(db: Database, user: User, kind: str, filename: str, data: bytes, fmt: str, *,
        progress: Progress | None = None, now: datetime | None = None, via: str | None = None) -> Plan:
    """Import the file in one transaction (all rows or none); ImportRefused, with every problem, if any row is wrong."""
    _authorise(user, kind)
    now = now or clock.now()

    def work(cur):
        result, operations = _prepare(cur, db, kind, filename, data, fmt, progress, now.date())
        if not result.ok:
            raise ImportRefused(result)
        writer = importwrites.lessons if kind == "lessons" else importwrites.departments
        writer(cur, user, operations, now, progress=progress)
        audit.record(cur, user, "import", kind, None, now=now, detail={
            "file": filename[:200], "format": fmt, **({"via": via} if via else {}), "rows": result.rows, "created": result.count("create"),
            "updated": result.count("update"), "unchanged": result.count("unchanged")})
        result.applied = True
        return result

    try:
        return db.write(work)
    except ImportRefused as refused:
        audit.record(db, user, "import", kind, None, success=False, now=now,
                     detail={"file": filename[:200], "format": fmt, **({"via": via} if via else {}),
                             "problems": len(refused.plan.problems)})
        raise


def require(user: User) -> None:
    """Raise Forbidden unless the user may import (administrators)."""
    permissions.require(user, "data.import")


def _authorise(user: User, kind: str) -> None:
    _check_kind(kind)
    permissions.require(user, "data.import")
    if user.id is None:  # the command line's own authority names nobody: imported lessons need a real author
        raise InvalidInput("An import is made by an administrator's account, which imported lessons name as "
                           "their author (on the command line: --as EMAIL).", "as")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise InvalidInput(f"Choose what to import: {' or '.join(KINDS)}.", "kind")


def label(column: str) -> str:
    """How a column is named in problems: the post form's label, with the column name when they differ."""
    form_label = FIELD_LABELS.get(_FORM_FIELD.get(column, column))
    if form_label is None:
        return column.replace("_", " ").capitalize()
    return form_label if fold(form_label) == fold(column.replace("_", " ")) else f"{form_label} ({column})"


def _prepare(cur, db: Database, kind: str, filename: str, data: bytes, fmt: str, progress: Progress | None,
             today: date) -> tuple[Plan, list[dict]]:
    report = progress or (lambda _f, _m: None)
    report(0.0, "Reading the file…")
    parsed = importfiles.read(data, fmt, COLUMNS[kind])
    result = Plan(kind=kind, filename=filename, rows=len(parsed.records), problems=list(parsed.problems))
    if any(p.row is None for p in parsed.problems):
        return result, []
    rows = _LessonRows(cur, db, today) if kind == "lessons" else _DepartmentRows(cur)
    operations, seen = [], {}
    total = max(1, len(parsed.records))
    for done, (row, raw) in enumerate(parsed.records):
        if done % 1000 == 0:
            report(0.8 * done / total, f"Checking row {done + 1:,} of {total:,}…")
        problems: list[Problem] = []
        values = _typed(row, raw, problems, fmt)
        unreadable = {p.field for p in problems}
        key = values.get("external_id")
        if isinstance(key, str) and key in seen:
            problems.append(Problem(row, label("external_id"), f"{key!r} is also on row {seen[key]} (a duplicate row?)."))
        elif isinstance(key, str):
            seen[key] = row
        checked: list[Problem] = []
        operation = rows.check(row, values, checked)  # every other column is still checked: all problems at once
        problems += [p for p in checked if p.field not in unreadable]
        result.problems.extend(problems)
        if operation is not None and not problems:
            operations.append(operation)
            result.actions.append({"row": row, "external_id": key, "name": operation["name"],
                                   "action": operation["action"]})
    result.problems.extend(rows.finish())
    result.problems.sort(key=lambda p: p.row or 0)  # stable: within a row, in the order the columns were checked
    report(0.8, "Checked every row.")
    return result, operations


def _typed(row: int, raw: dict[str, Any], problems: list[Problem], fmt: str) -> dict[str, Any]:
    """Each value as its column's type: text, a list of text, a yes/no, or a month (a default where it is wrong).

    CSV cells are text, spelled as the template says; JSON values must be of the JSON type itself
    (a list, true/false, a number), never text that looks like one.
    """
    csv_text = fmt == "csv"
    out: dict[str, Any] = {}
    for column, value in raw.items():
        where = label(column)
        out[column] = _DEFAULTS.get(column, "")  # what the other checks see when this value is unreadable
        if column in _LIST_COLUMNS:
            if isinstance(value, str) and csv_text:
                parts = value.split() if column == "links" else value.split(LIST_SEPARATOR)
                value = [p.strip() for p in parts if p.strip()]
            elif not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                problems.append(Problem(row, where, "must be a list of text."))
                continue
        elif column == "anonymous":
            if isinstance(value, str) and csv_text and value.strip().lower() in ("yes", "no"):
                value = value.strip().lower() == "yes"
            elif not isinstance(value, bool):
                problems.append(Problem(row, where, "must be yes or no." if csv_text else "must be true or false."))
                continue
        elif column == "population":
            if isinstance(value, int) and not isinstance(value, bool) and not csv_text:
                value = str(value)
            if not (isinstance(value, str) and value.strip().isascii() and value.strip().isdigit()
                    and len(value.strip()) <= 9):
                problems.append(Problem(row, where, "must be a whole number written with digits only (no commas)."))
                continue
            value = int(value.strip())
        elif column in ("period_start", "period_end"):
            value = _month(row, where, value, problems)
            if value is False:
                continue
        elif value is None and column in ("do_differently", "advice", "description"):
            value = ""
        elif not isinstance(value, str):
            problems.append(Problem(row, where, "must be text."))
            continue
        texts = value if isinstance(value, list) else [value] if isinstance(value, str) else []
        if any(t.lstrip().startswith("=") for t in texts):
            problems.append(Problem(row, where, "starts with '=', a spreadsheet formula rather than text; "
                                                "export the values, or remove the '='."))
            continue
        out[column] = value
    return out


_DEFAULTS = {**{c: [] for c in _LIST_COLUMNS}, "anonymous": False, "population": 1, "period_start": None,
             "period_end": None}


def _month(row: int, where: str, value, problems: list[Problem]):
    if value is None or value == "":
        return None
    match = _MONTH.fullmatch(value.strip()) if isinstance(value, str) else None
    if match and 1 <= int(match.group(2)) <= 12:
        return date(int(match.group(1)), int(match.group(2)), 1)
    problems.append(Problem(row, where, f"must be a month written YYYY-MM, e.g. 2024-03 (not {str(value)[:20]!r})."))
    return False


def _external_id(row: int, value: str, problems: list[Problem]) -> str | None:
    value = value.strip()
    if not value:
        problems.append(Problem(row, label("external_id"), "required: give each row a stable id of your own."))
    elif len(value) > MAX_EXTERNAL_ID or not value.isprintable():
        problems.append(Problem(row, label("external_id"),
                                f"at most {MAX_EXTERNAL_ID} printable characters ({len(value):,} given)."))
    else:
        return value
    return None


def _form_message(column_label: str, form_label: str, message: str) -> str:
    # The form says "Summary is 312 characters; …": the problem already names the column.
    prefix = f"{form_label} is "
    return message[len(prefix):] if message.startswith(prefix) and message[len(prefix):][:1].isdigit() else message


class _LessonRows:
    """Checks lesson rows against the directory, the taxonomy and the post form; remembers what each row does."""

    def __init__(self, cur, db: Database, today: date):
        self.cur = cur
        self.profiles: dict[int, identifying.Profile] = {}
        self.today = today
        self.taxonomy = taxonomy.load(db)
        self.departments = {fold(name): did for did, name in cur.execute("SELECT id, name FROM departments").fetchall()}
        self.practices = {fold(p["name"]): p["id"] for p in self.taxonomy.practices if p["active"]}
        self.risks = {fold(r["name"]): r["id"] for r in self.taxonomy.risk_types if r["active"]}
        self.actions: dict[tuple[int, str], list[int]] = {}
        for a in self.taxonomy.actions:
            if a["active"]:
                self.actions.setdefault((a["practice_id"], fold(a["name"])), []).append(a["id"])
        self.existing = importwrites.existing_lessons(cur)
        self.titles: dict[tuple[int, str], int] = {}

    def check(self, row: int, v: dict[str, Any], problems: list[Problem]) -> dict | None:
        key = _external_id(row, v["external_id"], problems)
        department = self.departments.get(fold(v["department"]))
        if department is None:
            problems.append(Problem(row, label("department"), f"no department is named {v['department'][:80]!r} "
                                                              "(import the directory first, or fix the name)."))
        if v["status"] not in ("published", "draft"):
            problems.append(Problem(row, label("status"), f"must be published or draft (not {v['status'][:20]!r})."))
        practice_ids = self._names(row, "practices", v["practices"], self.practices, "practice", problems)
        risk_ids = self._names(row, "risk_types", v["risk_types"], self.risks, "risk type", problems)
        action_ids = []
        for name in v["actions"]:
            found = [a for p in practice_ids for a in self.actions.get((p, fold(name)), [])]
            if len(found) == 1:
                action_ids.append(found[0])
            else:
                problems.append(Problem(row, label("actions"), f"no action {name[:80]!r} belongs to the chosen practices."
                                        if not found else f"{name[:80]!r} names actions of two chosen practices."))
        data = LessonInput(title=v["title"], kind=v["kind"], summary=v["summary"], context=v["context"],
                           what_we_did=v["what_we_did"], what_happened=v["what_happened"],
                           do_differently=v["do_differently"], advice=v["advice"], practice_ids=practice_ids,
                           action_ids=action_ids, risk_type_ids=risk_ids, partners=v["partners"],
                           period_start=v["period_start"], period_end=v["period_end"], links=v["links"],
                           visibility=v["visibility"], anonymous=v["anonymous"])
        try:
            data = validate(data, self.taxonomy, today=self.today, for_submit=v["status"] == "published")
        except LessonInvalid as invalid:
            columns = {f: c for c, f in _FORM_FIELD.items()}
            for form_field, message in invalid.errors.items():
                column = columns.get(form_field, form_field)
                if column in ("practices", "actions", "risk_types") and any(p.field == label(column) for p in problems):
                    continue  # already said by name
                problems.append(Problem(row, label(column), _form_message(label(column), FIELD_LABELS[form_field],
                                                                          message)))
        if department is not None and not problems and data.anonymous:
            self._anonymous_means_anonymous(row, department, data, problems)
        if department is not None and not problems:
            same = self.titles.setdefault((department, fold(data.title)), row)
            if same != row:
                problems.append(Problem(row, label("title"), f"row {same} has the same title for the same department "
                                                             "(a duplicate row with another external id?)."))
        if problems or key is None:
            return None
        existing = self.existing.get(key)
        action = "create" if existing is None else ("unchanged" if existing["input"] == importwrites.comparable(data) and
                                                    existing["department_id"] == department and
                                                    existing["status"] == v["status"] else "update")
        return {"action": action, "external_id": key, "name": data.title, "department_id": department,
                "status": v["status"], "input": data, "lesson_id": existing["id"] if existing else None}

    def _anonymous_means_anonymous(self, row: int, department: int, data: LessonInput, problems: list[Problem]) -> None:
        """An anonymous lesson whose own words name its department is refused, as the post form warns its author."""
        if department not in self.profiles:
            self.profiles[department] = identifying.department_profile(self.cur, department)
        columns = {f: c for c, f in _FORM_FIELD.items()}
        for finding in identifying.find(self.profiles[department], identifying.lesson_fields(data))[:5]:
            instead = f" (say {finding.replacement!r} instead)" if finding.replacement else ""
            problems.append(Problem(row, label(columns.get(finding.field, finding.field)),
                                    f"the lesson is anonymous, but {finding.text[:80]!r} is {finding.why}{instead}; "
                                    "reword it, or import the lesson with anonymous = no."))

    def _names(self, row, column, names, table, noun, problems) -> list[int]:
        ids = []
        for name in names:
            found = table.get(fold(name))
            if found is None:
                problems.append(Problem(row, label(column), f"unknown {noun} {name[:80]!r} (see the taxonomy page for "
                                                            "the names)."))
            else:
                ids.append(found)
        return ids

    def finish(self) -> list[Problem]:
        return []


class _DepartmentRows:
    """Checks department rows against the states and vocabularies; names must stay unique."""

    def __init__(self, cur):
        from exchange.models import JURISDICTION_TYPES, URBAN_RURAL_LEVELS

        self.jurisdictions, self.levels = JURISDICTION_TYPES, URBAN_RURAL_LEVELS
        self.states = {code for (code,) in cur.execute("SELECT code FROM states").fetchall()}
        self.existing, self.by_name = importwrites.existing_departments(cur)
        self.names: dict[str, int] = {}

    def check(self, row: int, v: dict[str, Any], problems: list[Problem]) -> dict | None:
        key = _external_id(row, v["external_id"], problems)
        name = " ".join(v["name"].split())
        if not name:
            problems.append(Problem(row, label("name"), "required."))
        elif len(name) > importwrites.MAX_DEPARTMENT_NAME:
            problems.append(Problem(row, label("name"), f"{len(name):,} characters; the limit is "
                                                        f"{importwrites.MAX_DEPARTMENT_NAME}."))
        elif fold(name) in self.names:
            problems.append(Problem(row, label("name"), f"row {self.names[fold(name)]} has the same name."))
        else:
            self.names[fold(name)] = row
        for column, allowed in (("jurisdiction_type", self.jurisdictions), ("urban_rural", self.levels)):
            if v[column] not in allowed:
                problems.append(Problem(row, label(column), f"must be one of: {', '.join(allowed)} "
                                                            f"(not {v[column][:40]!r})."))
        if v["state_code"] not in self.states:
            problems.append(Problem(row, label("state_code"), f"unknown state code {v['state_code'][:10]!r} "
                                                              "(two capital letters, e.g. MN)."))
        if not 1 <= v["population"] <= 500_000_000:
            problems.append(Problem(row, label("population"), "must be between 1 and 500,000,000."))
        if len(v["description"]) > importwrites.MAX_DESCRIPTION:
            problems.append(Problem(row, label("description"), f"{len(v['description']):,} characters; the limit is "
                                                               f"{importwrites.MAX_DESCRIPTION:,}."))
        if problems or key is None:
            return None
        values = {"name": name, "jurisdiction_type": v["jurisdiction_type"], "state_code": v["state_code"],
                  "population": v["population"], "urban_rural": v["urban_rural"],
                  "description": v["description"].strip(), "place_names": "\n".join(v["place_names"])}
        existing = self.existing.get(key)
        holder = self.by_name.get(fold(name))
        if holder is not None and (existing is None or holder["id"] != existing["id"]):
            if holder["external_id"] is not None and holder["external_id"] != key:
                problems.append(Problem(row, label("name"), f"{name!r} is already the department of external id "
                                                            f"{holder['external_id']!r}."))
                return None
            existing = existing or holder  # a department already in the directory: linked to this id from now on
        action = "create" if existing is None else (
            "unchanged" if all(existing[k] == v2 for k, v2 in values.items()) and existing["external_id"] == key
            else "update")
        return {"action": action, "external_id": key, "name": name, "values": values,
                "department_id": existing["id"] if existing else None}

    def finish(self) -> list[Problem]:
        return []


__all__ = ["COLUMNS", "COLUMN_NOTES", "DEPARTMENT_COLUMNS", "KINDS", "LESSON_COLUMNS", "MAX_UPLOAD_BYTES",
           "ImportRefused", "Plan", "Problem", "label", "plan", "require", "run", "template"]
