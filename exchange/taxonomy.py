"""The taxonomy (categories → practices → actions, risk types, stages, states) is data.

It is seeded from data/taxonomy.json into a new database; administrators edit it later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from exchange.identity import audit, permissions
from exchange.kernel import limits
from exchange.kernel.cache import VersionedCache
from exchange.storage import changes
from exchange.storage.duckdb import ROOT, Database, rows, scalar
from exchange.errors import Conflict, InvalidInput, NotFound
from exchange.models import User
from exchange.kernel.text import field

TAXONOMY_FILE = ROOT / "data" / "taxonomy.json"


@dataclass(frozen=True)
class Taxonomy:
    """A snapshot of the vocabularies, for forms and facets."""

    categories: list[dict]
    practices: list[dict]
    actions: list[dict]
    risk_types: list[dict]
    stages: list[dict]
    states: list[dict]

    def practice_name(self, practice_id: int) -> str:
        """Name of a practice by id."""
        return self._by_id(self.practices, practice_id)["name"]

    def action_name(self, action_id: int) -> str:
        """Name of an action by id."""
        return self._by_id(self.actions, action_id)["name"]

    def risk_name(self, risk_id: int) -> str:
        """Name of a risk type by id."""
        return self._by_id(self.risk_types, risk_id)["name"]

    def state(self, code: str) -> dict:
        """A state or territory by its postal code."""
        for s in self.states:
            if s["code"] == code:
                return s
        raise NotFound(f"Unknown state or territory: {code!r}.")

    def practices_by_category(self) -> list[tuple[dict, list[dict]]]:
        """Categories in order, each with its active practices."""
        return [
            (c, [p for p in self.practices if p["category_id"] == c["id"] and p["active"]])
            for c in self.categories
        ]

    def actions_of(self, practice_ids) -> list[dict]:
        """Active actions of the given practices (all when none given)."""
        ids = set(practice_ids or [])
        return [a for a in self.actions if a["active"] and (not ids or a["practice_id"] in ids)]

    @staticmethod
    def _by_id(items: list[dict], item_id: int) -> dict:
        for item in items:
            if item["id"] == item_id:
                return item
        raise NotFound(f"Unknown id {item_id}.")


def seed(db: Database, path: Path = TAXONOMY_FILE) -> bool:
    """Load the taxonomy file into an empty database; return False if one is already there."""
    data = json.loads(Path(path).read_text())

    def work(cur):
        if cur.execute("SELECT count(*) FROM practices").fetchone()[0]:
            return False
        changes.record(cur, "taxonomy")
        practice_id = action_id = 0
        for c_pos, category in enumerate(data["categories"], start=1):
            cur.execute("INSERT INTO categories VALUES (?, ?, ?)", [c_pos, category["name"], c_pos])
            for practice in category["practices"]:
                practice_id += 1
                cur.execute(
                    "INSERT INTO practices (id, category_id, name, description, confirmed, position) VALUES (?, ?, ?, ?, ?, ?)",
                    [practice_id, c_pos, practice["name"], practice["description"], practice["confirmed"], practice_id],
                )
                for a_pos, action in enumerate(practice["actions"], start=1):
                    action_id += 1
                    cur.execute(
                        "INSERT INTO actions (id, practice_id, name, position) VALUES (?, ?, ?, ?)",
                        [action_id, practice_id, action, a_pos],
                    )
        for pos, risk in enumerate(data["risk_types"], start=1):
            cur.execute(
                "INSERT INTO risk_types (id, name, description, position) VALUES (?, ?, ?, ?)",
                [pos, risk["name"], risk["description"], pos],
            )
        for stage in data["adoption_stages"]:
            cur.execute("INSERT INTO adoption_stages VALUES (?, ?, ?)", [stage["level"], stage["name"], stage["meaning"]])
        cur.executemany("INSERT INTO states VALUES (?, ?, ?, ?, ?, ?)", data["states"])
        return True

    return db.write(work, bump=False)  # a change only when it seeded (recorded above): not on every open


# One snapshot per database and data version (a few kept: a reader may still hold the previous one).
snapshots = VersionedCache("taxonomy", maxsize=4)


def load(db: Database) -> Taxonomy:
    """The current taxonomy (cached until the next write)."""
    return snapshots.get(db, "taxonomy", lambda: _read(db))


def _read(db: Database) -> Taxonomy:
    with db.read() as cur:
        return Taxonomy(
            categories=rows(cur, "SELECT * FROM categories ORDER BY position"),
            practices=rows(cur, "SELECT * FROM practices ORDER BY position, id"),
            actions=rows(cur, "SELECT * FROM actions ORDER BY practice_id, position, id"),
            risk_types=rows(cur, "SELECT * FROM risk_types ORDER BY position, id"),
            stages=rows(cur, "SELECT * FROM adoption_stages ORDER BY level"),
            states=rows(cur, "SELECT * FROM states ORDER BY code"),
        )


_TABLES = {"practice": "practices", "action": "actions", "risk_type": "risk_types", "category": "categories"}
_DESCRIBED = {"practice", "risk_type"}
# Where lessons point at each kind; deactivating keeps those rows intact.
_USES = {
    "practice": "SELECT practice_id, count(*) FROM lesson_practices GROUP BY 1",
    "action": "SELECT action_id, count(*) FROM lesson_actions GROUP BY 1",
    "risk_type": "SELECT risk_type_id, count(*) FROM lesson_risks GROUP BY 1",
}
MAX_NAME, MAX_DESCRIPTION = limits.TAXONOMY_NAME, limits.TAXONOMY_DESCRIPTION


def rename(db: Database, user: User, kind: str, item_id: int, name: str, description: str | None = None, *,
           category_id: int | None = None, seen: dict | None = None) -> None:
    """Rename, re-describe and (for a practice) re-place an item in one transaction; administrators only; audited.

    With `seen` (the item's name, description and category as the editor first saw them), refuse with Conflict
    when another administrator changed any of them meanwhile: nobody's edit is silently overwritten.
    """
    permissions.require(user, "taxonomy.edit")
    table = _table(kind)
    errors = {}
    name = _check_name(name, errors)
    description = _check_description(description, errors) if description is not None else None
    if category_id is not None and kind != "practice":
        errors["category"] = "Only practices belong to a category."
    if errors:
        raise InvalidInput(errors)

    def work(cur):
        old = _item(cur, kind, item_id)
        changed = [f for f in ("name", "description", "category_id") if seen and f in seen and f in old
                   and seen[f] != old[f]]
        if changed:
            raise Conflict(f"Another administrator changed this item while you were editing: it is now called "
                           f"“{old['name']}”. Your text is still in the form; save again to replace their version "
                           "with yours, or choose the item again to start from theirs.")
        scope = ("practice_id", old["practice_id"]) if kind == "action" else None
        _refuse_duplicate(cur, kind, name, item_id, scope)
        if name != old["name"]:
            cur.execute(f"UPDATE {table} SET name = ? WHERE id = ?", [name, item_id])
            audit.record(cur, user, "taxonomy_renamed", kind, item_id, True, audit.change(old["name"], name))
        if description is not None and kind in _DESCRIBED and description != old["description"]:
            cur.execute(f"UPDATE {table} SET description = ? WHERE id = ?", [description, item_id])
            audit.record(cur, user, "taxonomy_described", kind, item_id, True, f"{name}: description changed")
        if category_id is not None:
            _move(cur, user, old, category_id)

    db.write(work, entity="taxonomy")


def add_practice(db: Database, user: User, category_id: int, name: str, description: str = "") -> int:
    """Add a practice at the end of a category; return its id. Administrators only; audited."""
    permissions.require(user, "taxonomy.edit")
    errors = {}
    name = _check_name(name, errors)
    description = _check_description(description, errors)

    def work(cur):
        if not _exists(cur, "categories", category_id):
            errors["category"] = "Choose one of the four categories."
        if "name" not in errors:
            _refuse_duplicate(cur, "practice", name, None, None, errors)
        if errors:
            raise InvalidInput(errors)
        new_id = _next(cur, "practices", "id")
        cur.execute(
            "INSERT INTO practices (id, category_id, name, description, confirmed, position) VALUES (?, ?, ?, ?, TRUE, ?)",
            [new_id, category_id, name, description, _next(cur, "practices", "position")],
        )
        audit.record(cur, user, "taxonomy_added", "practice", new_id, True, f"{name} (category {category_id})")
        return new_id

    return db.write(work, entity="taxonomy")


def add_action(db: Database, user: User, practice_id: int, name: str) -> int:
    """Add an action to a practice; return its id. Administrators only; audited."""
    permissions.require(user, "taxonomy.edit")
    errors = {}
    name = _check_name(name, errors)

    def work(cur):
        if not _exists(cur, "practices", practice_id):
            errors["practice"] = "Choose the practice this action belongs to."
        elif "name" not in errors:
            _refuse_duplicate(cur, "action", name, None, ("practice_id", practice_id), errors)
        if errors:
            raise InvalidInput(errors)
        new_id = _next(cur, "actions", "id")
        position = scalar(cur, "SELECT coalesce(max(position), 0) + 1 FROM actions WHERE practice_id = ?", [practice_id])
        cur.execute("INSERT INTO actions (id, practice_id, name, position) VALUES (?, ?, ?, ?)",
                    [new_id, practice_id, name, position])
        audit.record(cur, user, "taxonomy_added", "action", new_id, True, f"{name} (practice {practice_id})")
        return new_id

    return db.write(work, entity="taxonomy")


def add_risk_type(db: Database, user: User, name: str, description: str = "") -> int:
    """Add a risk type; return its id. Administrators only; audited."""
    permissions.require(user, "taxonomy.edit")
    errors = {}
    name = _check_name(name, errors)
    description = _check_description(description, errors)

    def work(cur):
        if "name" not in errors:
            _refuse_duplicate(cur, "risk_type", name, None, None, errors)
        if errors:
            raise InvalidInput(errors)
        new_id = _next(cur, "risk_types", "id")
        cur.execute("INSERT INTO risk_types (id, name, description, position) VALUES (?, ?, ?, ?)",
                    [new_id, name, description, _next(cur, "risk_types", "position")])
        audit.record(cur, user, "taxonomy_added", "risk_type", new_id, True, name)
        return new_id

    return db.write(work, entity="taxonomy")


def _move(cur, user: User, practice: dict, category_id) -> None:
    if not _exists(cur, "categories", category_id):
        raise InvalidInput("Choose one of the four categories.", "category")
    if practice["category_id"] == category_id:
        return
    names = dict(cur.execute("SELECT id, name FROM categories").fetchall())
    cur.execute("UPDATE practices SET category_id = ? WHERE id = ?", [category_id, practice["id"]])
    audit.record(cur, user, "taxonomy_moved", "practice", practice["id"], True,
                 f"{practice['name']}: {audit.change(names[practice['category_id']], names[category_id])}")


def set_active(db: Database, user: User, kind: str, item_id: int, active: bool) -> None:
    """Deactivate (hidden from new lessons, kept on old ones) or reactivate; nothing is ever deleted."""
    permissions.require(user, "taxonomy.edit")
    table = _table(kind)
    if kind == "category":
        raise InvalidInput("Categories cannot be deactivated; deactivate their practices instead.", "kind")

    def work(cur):
        old = _item(cur, kind, item_id)
        if old["active"] == active:
            return
        cur.execute(f"UPDATE {table} SET active = ? WHERE id = ?", [active, item_id])
        audit.record(cur, user, "taxonomy_reactivated" if active else "taxonomy_deactivated", kind, item_id, True, old["name"])

    db.write(work, entity="taxonomy")


def usage(db: Database, user: User) -> dict[str, dict[int, int]]:
    """How many lessons use each practice, action and risk type (so admins see what a change touches)."""
    permissions.require(user, "taxonomy.edit")
    with db.read() as cur:
        return {kind: dict(cur.execute(sql).fetchall()) for kind, sql in _USES.items()}


def _table(kind: str) -> str:
    table = _TABLES.get(kind) if isinstance(kind, str) else None
    if table is None:
        raise InvalidInput(f"Unknown taxonomy kind {kind!r}.", "kind")
    return table


def _item(cur, kind: str, item_id) -> dict:
    found = rows(cur, f"SELECT * FROM {_table(kind)} WHERE id = ?", [item_id]) if isinstance(item_id, int) else []
    if not found:
        raise NotFound(f"No {kind.replace('_', ' ')} with id {item_id}.")
    return found[0]


def _exists(cur, table: str, item_id) -> bool:
    return isinstance(item_id, int) and cur.execute(f"SELECT 1 FROM {table} WHERE id = ?", [item_id]).fetchone() is not None


def _next(cur, table: str, column: str) -> int:
    return scalar(cur, f"SELECT coalesce(max({column}), 0) + 1 FROM {table}")


def _check_name(name, errors: dict) -> str:
    try:
        name = field(name, "name", MAX_NAME)
    except InvalidInput as exc:
        errors.update(exc.errors)
        return ""
    if not name:
        errors["name"] = f"Give a name of 1 to {MAX_NAME} characters."
    return name


def _check_description(description, errors: dict) -> str:
    try:
        return field(description, "description", MAX_DESCRIPTION, multiline=True)
    except InvalidInput as exc:
        errors.update(exc.errors)
        return ""


def _refuse_duplicate(cur, kind: str, name: str, item_id, scope, errors: dict | None = None) -> None:
    sql = f"SELECT 1 FROM {_TABLES[kind]} WHERE lower(name) = lower(?) AND id IS DISTINCT FROM ?"
    params = [name, item_id]
    if scope:
        sql += f" AND {scope[0]} = ?"
        params.append(scope[1])
    if cur.execute(sql, params).fetchone():
        message = f"Another {kind.replace('_', ' ')} is already called {name!r}."
        if errors is None:
            raise InvalidInput(message, "name")
        errors["name"] = message
