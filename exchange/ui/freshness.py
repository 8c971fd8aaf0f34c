"""The lesson page's freshness note ("Last confirmed …", "may be out of date", "historical") and its department's controls."""

from __future__ import annotations

import streamlit as st

from exchange.models import User
from exchange.peers import freshness
from exchange.storage.duckdb import Database
from exchange.ui import core
from exchange.ui.markup import md

_ICONS = {"current": ":material/verified:", "stale": ":material/history_toggle_off:", "historical": ":material/inventory_2:"}


def note(db: Database, user: User, lesson: dict) -> None:
    """Show how current the lesson is; to its department's members, Confirm / Update / Mark historical."""
    if lesson.get("status") != "published":
        return
    told = freshness.describe(lesson)
    if told["text"]:
        shown = {"current": core.markdown, "stale": core.warning, "historical": core.info}[told["state"]]
        if told["state"] == "current":
            shown(md(":material/verified: {}", told["text"]))
        else:
            shown(told["text"], icon=_ICONS[told["state"]])
    if not freshness.can_confirm(db, user, lesson["id"]):
        return
    with st.container(border=True, key="freshness_controls"):
        core.markdown(md("**{}** Your department is asked once a year; peers see the answer.", freshness.QUESTION))
        with st.container(horizontal=True, gap="small"):
            if st.button("Confirm it is current", icon=":material/check:", key="freshness_confirm"):
                core.act(lambda: freshness.confirm(db, user, lesson["id"]),
                         done=lambda when: md("Confirmed as current ({:%B %Y}). Thank you.", when),
                         icon=":material/check:")
            if lesson.get("can_edit"):
                st.page_link("pages/post.py", label="Update it", icon=":material/edit:",
                             query_params={"edit": str(lesson["id"])})
            if not lesson.get("historical") and st.button("Mark as historical", icon=":material/inventory_2:",
                                                          key="freshness_historical"):
                core.act(lambda: freshness.mark_historical(db, user, lesson["id"]),
                         done="Marked as historical: it stays readable, labelled as no longer current. "
                              "Confirm it to make it current again.", icon=":material/inventory_2:")
