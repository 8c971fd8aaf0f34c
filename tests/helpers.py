"""Shared helpers for service tests: a valid lesson, and publishing past the review step."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from exchange import lessons
from exchange.lessons import moderation
from exchange.lessons.form import LessonInput
from exchange.models import User


def valid_lesson(**changes) -> LessonInput:
    """A lesson that passes every rule; override fields with keyword arguments."""
    base = LessonInput(
        title="Tenant protections after an eviction surge",
        kind="challenge",
        summary="We backed a just-cause eviction ordinance; council delayed it twice.",
        context="Evictions doubled in two neighborhoods after rents rose.",
        what_we_did="We testified, shared eviction data and partnered with the tenant union.",
        what_happened="The ordinance passed in a weaker form after a year.",
        do_differently="Bring landlords in earlier.",
        advice="Pair data with tenants' stories.",
        practice_ids=[14],
        action_ids=[],
        risk_type_ids=[1, 4],
        partners=["tenant union"],
        period_start=date(2023, 3, 1),
        period_end=date(2024, 2, 1),
        links=["https://www.example.org/ordinance"],
        visibility="public",
        anonymous=False,
    )
    return replace(base, **changes)


def submit_new(db, author: User, data: LessonInput, *, lesson_id: int | None = None, client_token: str | None = None,
               now=None) -> tuple[int, str]:
    """Save a lesson and submit it, as the post form does (two service calls); return (id, status)."""
    lesson_id = lessons.save_draft(db, author, data, lesson_id=lesson_id, client_token=client_token, now=now)
    return lesson_id, lessons.submit(db, author, lesson_id, now=now)


def set_review_threshold(db, value: int) -> None:
    """The setting behind moderation.needs_review: a department's first `value` lessons are reviewed (0 = all)."""
    db.write(lambda cur: cur.execute("INSERT INTO settings VALUES ('review_threshold', ?) "
                                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value", [str(value)]))


def publish(db, author: User, admin: User, data: LessonInput | None = None, **changes) -> int:
    """Post a lesson as `author` and, if it waits for review, publish it as `admin`; return its id."""
    lesson_id, status = submit_new(db, author, data or valid_lesson(**changes), client_token=lessons.new_client_token())
    if status == "submitted":
        moderation.decide(db, admin, lesson_id, "publish")
    return lesson_id


def script(name: str):
    """A module of scripts/ (not a package), loaded by path once and registered, as its dataclasses look it up."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, Path(__file__).resolve().parent.parent / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module
