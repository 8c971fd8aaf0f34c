"""Tiny builders for test data: departments and users with sensible defaults."""

from __future__ import annotations

import itertools

from exchange.storage.duckdb import Database
from exchange.models import User, population_band

_seq = itertools.count(1)


def make_department(db: Database, *, name: str | None = None, state: str = "MN", jurisdiction_type: str = "county",
                    population: int = 120_000, urban_rural: str = "medium metro", description: str = "") -> int:
    """Insert a department; return its id."""
    name = name or f"Test County {next(_seq)} Health Department"

    def work(cur):
        return cur.execute(
            """INSERT INTO departments (name, jurisdiction_type, state_code, population, population_band, urban_rural, description)
               VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id""",
            [name, jurisdiction_type, state, population, population_band(population), urban_rural, description],
        ).fetchone()[0]

    return db.write(work)


def make_user(db: Database, role: str = "member", *, department_id: int | None = None, regions: tuple[int, ...] = (),
              email: str | None = None, password_hash: str | None = None) -> User:
    """Insert a user; return it as the acting User."""
    email = email or f"user{next(_seq)}@example.org"

    def work(cur):
        uid = cur.execute(
            "INSERT INTO users (email, display_name, role, department_id, password_hash) VALUES (?, ?, ?, ?, ?) RETURNING id",
            [email, email.split("@")[0].title(), role, department_id, password_hash],
        ).fetchone()[0]
        for region in regions:
            cur.execute("INSERT INTO user_regions VALUES (?, ?)", [uid, region])
        return uid

    uid = db.write(work)
    return User(id=uid, email=email, display_name=email.split("@")[0].title(), role=role,
                department_id=department_id, regions=tuple(regions))
