"""The taxonomy (categories → practices → actions, risk types, stages, states) is data.

It is seeded from data/taxonomy.json into a new database; administrators edit it later.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import permissions
from .db import ROOT, Database, rows
from .errors import InvalidInput, NotFound
from .models import User

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

    return db.write(work)


_cache: dict[tuple[int, int], Taxonomy] = {}


def load(db: Database) -> Taxonomy:
    """The current taxonomy (cached until the next write)."""
    key = (id(db), db.version)
    if key not in _cache:
        with db.read() as cur:
            snapshot = Taxonomy(
                categories=rows(cur, "SELECT * FROM categories ORDER BY position"),
                practices=rows(cur, "SELECT * FROM practices ORDER BY position, id"),
                actions=rows(cur, "SELECT * FROM actions ORDER BY practice_id, position, id"),
                risk_types=rows(cur, "SELECT * FROM risk_types ORDER BY position, id"),
                stages=rows(cur, "SELECT * FROM adoption_stages ORDER BY level"),
                states=rows(cur, "SELECT * FROM states ORDER BY code"),
            )
        _cache.clear()
        _cache[key] = snapshot
    return _cache[key]


_TABLES = {"practice": "practices", "action": "actions", "risk_type": "risk_types", "category": "categories"}


def rename(db: Database, user: User, kind: str, item_id: int, name: str, description: str | None = None) -> None:
    """Rename (and optionally re-describe) a taxonomy item; administrators only."""
    permissions.require(user, "taxonomy.edit")
    table = _TABLES.get(kind)
    if table is None:
        raise InvalidInput(f"Unknown taxonomy kind {kind!r}.", "kind")
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("Give a name of 1 to 120 characters.", "name")

    def work(cur):
        if not cur.execute(f"SELECT 1 FROM {table} WHERE id = ?", [item_id]).fetchone():
            raise NotFound(f"No {kind.replace('_', ' ')} with id {item_id}.")
        clash = cur.execute(f"SELECT 1 FROM {table} WHERE lower(name) = lower(?) AND id <> ?", [name, item_id]).fetchone()
        if clash:
            raise InvalidInput(f"Another {kind.replace('_', ' ')} is already called {name!r}.", "name")
        cur.execute(f"UPDATE {table} SET name = ? WHERE id = ?", [name, item_id])
        if description is not None and kind != "category" and kind != "action":
            cur.execute(f"UPDATE {table} SET description = ? WHERE id = ?", [description.strip(), item_id])

    db.write(work)
