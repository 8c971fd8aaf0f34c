"""While a fresh process builds its indexes, pages that need them say "warming up" and open by themselves when ready."""

from __future__ import annotations

import time

import streamlit as st

from exchange import setup
from exchange.storage.duckdb import Database
from exchange.ui import core
from exchange.ui.markup import md

# Pages that read the filter or search indexes; the others (signing in, the inbox, admin pages) never wait.
NEEDS_INDEXES = {"home", "lesson", "post"}
LONGEST_WAIT = 300.0  # seconds; then the page runs and builds what it needs itself


def gate(db: Database, url_path: str) -> None:
    """On a page that needs the indexes, while they build: show a note, wait for them, then draw the page."""
    warm = setup.warm_up(db)
    if warm is None or warm.ready() or url_path not in NEEDS_INDEXES:
        return
    note = st.empty()
    deadline = time.monotonic() + LONGEST_WAIT
    while not warm.wait(0.5) and time.monotonic() < deadline:
        waited = time.monotonic() - warm.started
        # Redrawn every half second: each redraw also lets Streamlit stop this run if the person clicks elsewhere.
        with note.container():
            core.info(md("**Warming up.** The exchange has just restarted and is preparing {step} ({waited} s so "
                         "far). This page opens by itself when it is ready; signing in and your account work "
                         "meanwhile.", step=warm.step, waited=f"{waited:.0f}"), icon=":material/hourglass_top:")
    if warm.ready():
        note.empty()  # else (still building after LONGEST_WAIT) the note stays above the page, which runs anyway
