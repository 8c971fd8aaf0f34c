"""The reviewer's decision form, shared by the review queue and a lesson's own page."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from exchange.lessons import moderation
from exchange.storage.duckdb import Database
from exchange.models import User
from exchange.ui import core
from exchange.ui.markup import md

DONE = {"published": md("Published."), "rejected": md("Sent back to the author with your reason."),
        "dismissed": md("Reports dismissed: the lesson stays published."), "hidden": md("Hidden. The author is told.")}


def age(since: datetime | None, now: datetime) -> str:
    """How long an item has waited, in the largest whole unit ("3 days", "5 h", "12 min")."""
    if since is None:
        return "—"
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes >= 2 * 24 * 60:
        return f"{minutes // (24 * 60)} days"
    if minutes >= 60:
        return f"{minutes // 60} h"
    return f"{minutes} min"


CHOICES = {"publish": ("Publish", ":material/check:"), "dismiss": ("Dismiss reports (keep published)", ":material/check:"),
           "hide": ("Hide", ":material/visibility_off:"), "reject": ("Send back to author", ":material/undo:")}


def decision_form(db: Database, user: User, lesson: dict) -> None:
    """The decisions the service offers for this lesson (publish / send back, or dismiss / hide / send back), with a reason."""
    lesson_id = lesson["id"]
    decisions = moderation.decisions_for(lesson)
    with st.form(f"decide_{lesson_id}"):
        reason = st.text_area(f"Reason for the author (required to send back; up to {moderation.MAX_REASON_CHARS:,} "
                              "characters)", key=f"reason_{lesson_id}", max_chars=moderation.MAX_REASON_CHARS,
                              height=68)
        pressed = None
        for position, (column, decision) in enumerate(zip(st.columns(len(decisions)), decisions)):
            label, icon = CHOICES[decision]
            if column.form_submit_button(label, icon=icon, type="primary" if position == 0 else "secondary"):
                pressed = decision
    if pressed:
        core.act(lambda: moderation.decide(db, user, lesson_id, pressed, reason), done=DONE.get)
