"""The reviewer's decision form, shared by the review queue and a lesson's own page."""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from exchange.lessons import moderation
from exchange.storage.duckdb import Database
from exchange.models import User
from exchange.ui import core

DONE = {"published": "Published.", "rejected": "Sent back to the author with your reason.",
        "dismissed": "Reports dismissed: the lesson stays published.", "hidden": "Hidden. The author is told."}


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


def decision_form(db: Database, user: User, lesson: dict) -> None:
    """Publish / send back a submission, or dismiss / hide / send back a reported lesson, with a reason."""
    lesson_id = lesson["id"]
    reported = lesson["status"] == "published"
    with st.form(f"decide_{lesson_id}"):
        reason = st.text_area(f"Reason for the author (required to send back; up to {moderation.MAX_REASON_CHARS:,} "
                              "characters)", key=f"reason_{lesson_id}", max_chars=moderation.MAX_REASON_CHARS,
                              height=68)
        columns = st.columns(3 if reported else 2)
        choices = ([("dismiss", "Dismiss reports (keep published)", ":material/check:"),
                    ("hide", "Hide", ":material/visibility_off:")] if reported
                   else [("publish", "Publish", ":material/check:")])
        choices.append(("reject", "Send back to author", ":material/undo:"))
        pressed = None
        for column, (decision, label, icon) in zip(columns, choices):
            if column.form_submit_button(label, icon=icon, type="primary" if decision in ("publish", "dismiss")
                                         else "secondary"):
                pressed = decision
    if pressed:
        result = core.outcome(lambda: moderation.decide(db, user, lesson_id, pressed, reason))
        if result.ok:
            core.flash(DONE[result.value])
            st.rerun()
