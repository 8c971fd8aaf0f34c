"""Shared helpers for service tests: a valid lesson, and publishing past the review step."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

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


def publish(db, author: User, admin: User, data: LessonInput | None = None, **changes) -> int:
    """Post a lesson as `author` and, if it waits for review, publish it as `admin`; return its id."""
    lesson_id, status = lessons.post(db, author, data or valid_lesson(**changes), client_token=lessons.new_client_token())
    if status == "submitted":
        moderation.decide(db, admin, lesson_id, "publish")
    return lesson_id
