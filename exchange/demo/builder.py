"""Building a demo: the named scales, and the one build that generates every table and commits it all at once."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Callable

from exchange import taxonomy
from exchange.demo import bulk, corpus, directory, conversations, history, peers
from exchange.demo.lessons import Lessons
from exchange.demo.world import QUARTER_ENDS
from exchange.errors import InvalidInput
from exchange.identity.passwords import hash_password
from exchange.storage.duckdb import Database

SCALES = {"demo": {"departments": len(corpus.REAL_DEPARTMENTS), "lessons": 500},
          "national": {"departments": 3000, "lessons": 100_000}}


def build(db: Database, *, scale: str = "demo", seed: int = 2017,
          progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Fill an empty, migrated, taxonomy-seeded database with demo data; return row counts."""
    if scale not in SCALES:
        raise InvalidInput(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}.", "scale")
    return build_sized(db, seed=seed, progress=progress, **SCALES[scale])


def build_sized(db: Database, *, departments: int, lessons: int, seed: int = 2017,
                progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Build a demo of any size (build() passes a named scale; tests use small ones)."""
    say = progress or (lambda message: None)
    with db.read() as cur:
        bulk.refuse_if_filled(cur)
    tax = taxonomy.load(db)
    rng = random.Random(seed)
    say(f"Generating {departments} departments and their members…")
    depts = directory.departments(rng, departments, {s["code"]: s for s in tax.states})
    users = directory.users(rng, depts)
    say(f"Composing {lessons} lessons…")
    lesson_rows = Lessons(rng, depts, users, tax).generate(lessons)
    say(f"Generating {len(QUARTER_ENDS)} quarters of self-assessments…")
    first = datetime.combine(QUARTER_ENDS[0], datetime.min.time())
    early = {l["local"]: l["dept"] for l in lesson_rows["lessons"]
             if l["status"] == "published" and l["published_at"] <= first}
    worked_on = {(early[lesson], practice) for lesson, practice in lesson_rows["practices"] if lesson in early}
    assessments = history.assessments(rng, depts, [p for p in tax.practices if p["active"]], tax, worked_on)
    say("Hashing demo account passwords…")
    for user in users:
        if user.get("password"):
            user["password_hash"] = hash_password(user["password"])
    def work(cur):
        found = bulk.insert(cur, depts, users, lesson_rows, assessments, say)
        peers.fill(cur, random.Random(seed + 11))  # issue 11: profiles and lesson freshness
        return {**found, **conversations.insert(cur, seed)}  # after the lessons, from their rows

    counts = db.write(work)
    say("Demo data committed.")
    return counts
