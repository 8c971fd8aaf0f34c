"""Shared Streamlit plumbing: the cached database, the result idiom for service calls, and widget helpers that escape user text."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

import streamlit as st

from exchange.discovery import search
from exchange.notify import runner as notify_runner
from exchange import config, setup
from exchange.storage.duckdb import Database
from exchange.errors import ExchangeError, InvalidInput
from exchange.ui import markup
from exchange.ui.markup import Md, md, render

T = TypeVar("T")
log = logging.getLogger("exchange.ui")


@st.cache_resource(show_spinner="Opening the exchange…", on_release=lambda db: db.close())
def database() -> Database:
    """One connection for the whole process (cursors per unit of work are taken inside services)."""
    db = setup.open_app_database()
    # The search index (built on first start, else caught up with what changed while the app was down), the
    # filter index and the in-memory search copy are built off the request path: pages are served meanwhile
    # (those that need them say "warming up", exchange/ui/warmup.py).
    setup.start_warm_up(db)
    search.start_refresher(db, interval=config.settings().search_refresh_seconds)
    notify_runner.start(db)  # notifications from the change log, and the e-mail sender (issue 11.5)
    return db


def show_error(exc: ExchangeError) -> None:
    """Show a user-facing error; for invalid input, one line per field, named by its on-screen label."""
    if isinstance(exc, InvalidInput) and len(exc.errors) > 1:
        labels = getattr(exc, "labels", {})
        lines = [md("- **{label}**: {message}", label=labels.get(field) or field.replace("_", " ").capitalize(),
                    message=message) for field, message in exc.errors.items()]
        error(md("Please fix {n} things:\n\n{lines}", n=len(exc.errors), lines=markup.join("\n", lines)),
              icon=":material/error:")
    else:
        error(exc.message, icon=":material/error:")  # a message may quote what a user typed (a name, a title): shown literally


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


def act(action: Callable[[], T], *, done: str | Md | Callable[[T], str | Md] | None = None,
        kind: str = "success", icon: str | None = None) -> Outcome[T]:
    """Run a service action from a button, then draw the page again from the data.

    After success `done` (a message, or a function of the value) is kept with `flash` and the page reruns.
    Invalid input is shown where the user is, with what they typed, and nothing reruns (the failed Outcome
    is returned); any other error means the data moved on: it is kept with `flash` and the page reruns,
    so it shows what is true now and the error survives the rerun.
    """
    result = outcome(action, show=False)
    if isinstance(result.error, InvalidInput):
        show_error(result.error)
        return result
    if not result.ok:
        flash(result.error, kind="error")
    else:
        message = done(result.value) if callable(done) else done
        if message:
            flash(message, kind=kind, icon=icon)
    st.rerun()


def or_stop(action: Callable[[], T]) -> T:
    """Run the service call a page cannot do without; on an ExchangeError show it and stop the page."""
    result = outcome(action)
    if not result.ok:
        st.stop()
    return result.value


def flash(message: str | Md | ExchangeError, *, kind: str = "success", icon: str | None = None) -> None:
    """Keep a message (or a user-facing error) for the next run of this session: it survives the st.rerun that follows an action."""
    st.session_state.setdefault("_flash", []).append((kind, message, icon))


def show_flash() -> None:
    """Show, once, the messages kept by `flash`."""
    for kind, message, icon in st.session_state.pop("_flash", []):
        if isinstance(message, ExchangeError):
            show_error(message)
        else:
            {"success": success, "error": error, "warning": warning, "info": info}[kind](message, icon=icon)


# --- widget helpers: each renders its text through markup.render (user text literally, Md as written) ---


def markdown(text: str | Md, **kwargs) -> None:
    """st.markdown of `text` (a plain str renders literally)."""
    st.markdown(render(text), **kwargs)


def title(text: str | Md, **kwargs) -> None:
    """st.title of `text` (a plain str renders literally)."""
    st.title(render(text), **kwargs)


def header(text: str | Md, **kwargs) -> None:
    """st.header of `text` (a plain str renders literally)."""
    st.header(render(text), **kwargs)


def subheader(text: str | Md, **kwargs) -> None:
    """st.subheader of `text` (a plain str renders literally)."""
    st.subheader(render(text), **kwargs)


def caption(text: str | Md, **kwargs) -> None:
    """st.caption of `text` (a plain str renders literally)."""
    st.caption(render(text), **kwargs)


def success(text: str | Md, *, icon: str | None = None) -> None:
    """A success message (a plain str renders literally)."""
    st.success(render(text), icon=icon)


def error(text: str | Md, *, icon: str | None = None) -> None:
    """An error message (a plain str renders literally)."""
    st.error(render(text), icon=icon)


def warning(text: str | Md, *, icon: str | None = None) -> None:
    """A warning (a plain str renders literally)."""
    st.warning(render(text), icon=icon)


def info(text: str | Md, *, icon: str | None = None) -> None:
    """An information box (a plain str renders literally)."""
    st.info(render(text), icon=icon)


def badge(label: str | Md, **kwargs) -> None:
    """st.badge with `label` (a plain str renders literally)."""
    st.badge(render(label), **kwargs)


def page_link(page: str, *, label: str | Md, **kwargs) -> None:
    """st.page_link with `label` (a plain str renders literally); a script path links through its registered Page."""
    from exchange.ui import links  # imported here: links imports nothing of ours, but keep core's imports as they are

    st.page_link(links.page(page), label=render(label), **kwargs)


def expander(label: str | Md, **kwargs):
    """st.expander with `label` (a plain str renders literally); use it in a `with` block."""
    return st.expander(render(label), **kwargs)


def form_panel(label: str | Md, key: str, **kwargs):
    """An expander holding a form, under a fixed `key`: it stays open across reruns, so the error, the confirmation
    and what was typed stay in view after a submit. Without a key its identity is generated from its place and
    parameters, and a submit's rerun could give it a new one: it closed and hid them (Streamlit 1.67). Opening it
    does not rerun the page (no on_change), so nothing typed right after opening is redrawn."""
    return st.expander(render(label), key=key, **kwargs)


def user_text(text: str) -> None:
    """Render text a user wrote: paragraphs kept, no HTML, no remote images, no markdown or Streamlit codes."""
    if text:
        st.markdown(markup.paragraphs(text))


def field_error(errors: dict[str, str], field: str) -> None:
    """Show the error for one field right under it, if there is one (named, so it reads on its own)."""
    if field in errors:
        error(errors[field], icon=":material/error:")


KIND_BADGE = {"success": ("Success", "green", ":material/check_circle:"),
              "challenge": ("Challenge", "orange", ":material/report:"),
              "mixed": ("Mixed", "violet", ":material/contrast:")}


def kind_badge(kind: str) -> None:
    """A coloured badge for a lesson's kind."""
    label, color, icon = KIND_BADGE.get(kind, (kind, "gray", None))
    badge(label, color=color, icon=icon)


# How each status of lessons.STATUSES looks: label, colour, icon.
STATUS_BADGE = {
    "draft": ("Draft", "gray", ":material/edit_note:"),
    "submitted": ("Waiting for review", "blue", ":material/schedule:"),
    "published": ("Published", "green", ":material/public:"),
    "rejected": ("Sent back", "red", ":material/undo:"),
    "withdrawn": ("Withdrawn", "gray", ":material/archive:"),
}


def status_badge(status: str) -> None:
    """A coloured badge for a lesson's status, as its department sees it."""
    label, color, icon = STATUS_BADGE.get(status, (status, "gray", None))
    badge(label, color=color, icon=icon)


def visibility_badge(visibility: str, *, icon: bool = True) -> None:
    """'Public' or 'Members only', in grey."""
    public = visibility == "public"
    badge("Public" if public else "Members only", color="gray",
          icon=(":material/public:" if public else ":material/lock:") if icon else None)


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


def endorsement_counts(card: dict) -> str:
    """'Helped 3 departments · Adapted by 1' (endorsement counts of a card or lesson), or '' when there are none."""
    parts = []
    if card.get("helped"):
        parts.append(f"Helped {card['helped']} department{'s' if card['helped'] != 1 else ''}")
    if card.get("adapted"):
        parts.append(f"Adapted by {card['adapted']}")
    return " · ".join(parts)


def lesson_card(lesson: dict, *, key_prefix: str = "card") -> None:
    """A readable card: title (a heading and a link), kind, who (anonymity applied), date, practices, summary."""
    with st.container(border=True):
        with st.container(key=f"lesson_title_{key_prefix}_{lesson['id']}"):
            page_link("pages/lesson.py", label=lesson["title"], icon=":material/article:",
                      query_params={"id": str(lesson["id"])})
        st.html(_CARD_HEADINGS, unsafe_allow_javascript=True)
        with st.container(horizontal=True, gap="small"):
            kind_badge(lesson["kind"])
            if lesson.get("visibility") == "members":
                st.badge("Members only", color="gray", icon=":material/lock:")
        meta = [lesson.get("attribution", "")]
        if lesson.get("hhs_region") and lesson.get("department_name"):  # anonymous attributions name it already
            meta.append(md("HHS Region {}", lesson["hhs_region"]))
        meta += [md("{}", card_date(lesson)), md("Work: {}", period_text(lesson)), endorsement_counts(lesson)]
        markdown(markup.join(" · ", meta))
        if lesson.get("practices"):
            markdown(md("**Practices:** {}", ", ".join(p["name"] for p in lesson["practices"])))
        user_text(lesson.get("summary", ""))
