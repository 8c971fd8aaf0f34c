"""A background job on an administrators' page (backups, the whole-dataset export): a start button, live progress
while it runs, and what happened when the job this tab started has finished."""

from __future__ import annotations

from typing import Callable

import streamlit as st

from exchange.ui import core


def panel(status: Callable[[], object], start: Callable[[], object], *, button: str, icon: str, key: str,
          doing: str, finished: Callable[[object], str] | None = None):
    """Draw the job's button and progress; return the running or last job (None if none).

    `status()` and `start()` are the service calls (jobs with id, running, fraction, step, requested_by, error);
    `doing` names the work in the progress bar ("Backing up"); `finished(job)` is the success message shown to the
    tab that started it (None when the page says so itself)."""
    job = core.or_stop(status)
    running = job is not None and job.running
    watching = f"{key}_watching"
    if job is not None and not running and st.session_state.get(watching) == job.id:
        del st.session_state[watching]  # the job started from this tab has finished: say how it went
        if job.error:
            core.error(job.error, icon=":material/error:")
        elif finished is not None:
            core.success(finished(job), icon=":material/check:")
    if st.button(button, icon=icon, type="primary", disabled=running, key=f"{key}_now"):
        started = core.outcome(start)
        if started.ok:
            st.session_state[watching] = started.value.id
            st.rerun()

    @st.fragment(run_every=1.0 if running else None)
    def progress() -> None:
        """The running job's progress, refreshed every second; the whole page again once it has finished."""
        current = status()
        if current is not None and current.running:
            fraction = min(1.0, current.fraction)
            st.progress(fraction, text=f"{doing} (asked by {current.requested_by}): {current.step} "
                                       f"— {int(fraction * 100)}%")
        elif running:  # finished since the page last ran: redraw it all, with the outcome
            st.rerun(scope="app")

    progress()
    return job
