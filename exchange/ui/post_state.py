"""The lesson form's session state: open a form, autosave it, and merge when someone else saved first."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import streamlit as st

from exchange import lessons
from exchange.storage.duckdb import Database
from exchange.errors import ExchangeError, InvalidInput
from exchange.lessons.form import FIELD_LABELS, LessonInput
from exchange.models import KIND_LABELS, User
from exchange.ui import core, markup
from exchange.ui import timezone as reader_time
from exchange.ui.markup import Md, md

FIELDS = [f.name for f in fields(LessonInput)]
state = st.session_state


def open_form(existing: LessonInput | None, row: dict | None) -> None:
    """Fill the form once per lesson (or blank for a new one), with one token per open form against double posts."""
    form_id = f"edit-{row['id']}" if row else "new"
    # Streamlit drops a widget's state once a run does not draw it (another page was open): refill then.
    if state.get("post_form") == form_id and "post_title" in state:
        return
    values = existing or LessonInput()
    state.update(post_form=form_id, post_token=lessons.new_client_token(), post_lesson_id=row["id"] if row else None,
                 post_revision=row["revision"] if row else None, post_status=row["status"] if row else "draft",
                 post_saved_at=None, post_base=values, post_errors={}, post_notice=None, post_ready=False,
                 post_conflict=None, post_new=row is None)
    _show_in_form(values)


def close_form() -> None:
    """Forget the open form (after a submission, or to start another lesson): the next run opens a blank one."""
    state.update(post_form=None, post_new=False, post_lesson_id=None, post_ready=False)
    st.query_params.pop("edit", None)


def form_input() -> LessonInput:
    """The lesson as the form holds it now."""
    values = {f: state.get(f"post_{f}") for f in FIELDS}
    values["links"] = [line for line in (state.get("post_links") or "").splitlines() if line.strip()]
    for key in ("practice_ids", "action_ids", "risk_type_ids", "partners"):
        values[key] = list(values[key] or [])
    for key in ("title", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice"):
        values[key] = values[key] or ""
    values["kind"] = values["kind"] or "success"
    values["visibility"] = values["visibility"] or "members"
    values["anonymous"] = bool(values["anonymous"])
    return LessonInput(**values)


def saved(result: lessons.Saved, data: LessonInput) -> None:
    """Remember a successful save: the revision to edit from next, and that the form's errors are gone."""
    state.update(post_lesson_id=result.id, post_revision=result.revision, post_status=result.status, post_base=data,
                 post_saved_at=result.saved_at, post_errors={}, post_conflict=None)
    state["post_form"] = f"edit-{result.id}"
    st.query_params["edit"] = str(result.id)  # a reload (or a restart) reopens the saved draft


def save_form(db: Database, user: User, data: LessonInput) -> lessons.Saved:
    """Save the form's lesson from the revision it last saved; raise LessonChanged only for someone else's save.

    Streamlit can cut a run short after a save committed but before the run noted the new revision
    (a click starts the next run). The text this tab sent is remembered first, so that save is
    recognised as our own and not shown as a conflict with ourselves.
    """
    sent = state.setdefault("post_sent", [])
    sent.append(data)
    del sent[:-5]
    try:
        result = lessons.save(db, user, data, lesson_id=state["post_lesson_id"], revision=state["post_revision"],
                              client_token=state["post_token"])
    except lessons.LessonChanged as exc:
        if exc.current not in sent:
            raise
        result = lessons.save(db, user, data, lesson_id=state["post_lesson_id"], revision=exc.revision,
                              client_token=state["post_token"])
    saved(result, data)
    return result


def conflict(exc: lessons.LessonChanged) -> None:
    """Keep the editor's text and remember the version someone else saved, for the merge view."""
    state.update(post_conflict=exc, post_ready=False, post_notice=None)


def autosave(db: Database, user: User) -> str | None:
    """Save the draft quietly if it changed since the last save: "saved", "conflict" or None (nothing done).

    Called on every run (a field's new text reaches the server when the author leaves the field) and
    by a 30 s timer, so leaving the page or reloading loses at most the field being typed in.
    """
    data = form_input()
    if state.get("post_conflict") or data == state.get("post_base") or not data.title.strip():
        return None
    if not lessons.saves_quietly(state.get("post_status")):
        return None  # saving a published or submitted lesson would take it off the site: only on request
    try:
        save_form(db, user, data)
        state["post_autosave_paused"] = False
        return "saved"
    except lessons.LessonChanged as exc:
        conflict(exc)
        return "conflict"
    except InvalidInput:
        state["post_autosave_paused"] = True  # the errors show when the author saves
        return None
    except ExchangeError:
        return None


def saved_line() -> str | Md:
    """"Saved 12:03" in the reader's time zone, or what autosave is waiting for."""
    when = state.get("post_saved_at")
    if not lessons.saves_quietly(state.get("post_status")):
        return "Autosave is off while the lesson is published or in review: save to change it."
    if state.get("post_autosave_paused"):
        return "Autosave is paused: press Save draft to see what needs fixing."
    if when is None:
        return "Not saved yet: drafts are saved every 30 seconds once they have a title."
    try:
        zone = ZoneInfo(st.context.timezone or "UTC")
    except Exception:  # noqa: BLE001 — an unknown zone name from the browser: fall back to UTC
        zone = ZoneInfo("UTC")
    local = when.replace(tzinfo=timezone.utc).astimezone(zone)
    return md(":material/cloud_done: Saved {:%H:%M} {}", local, local.tzname())


def merge_panel(changed: lessons.LessonChanged, save, *, labels: dict[str, dict]) -> None:
    """Side by side, field by field: what I wrote and what was saved meanwhile; keep mine or take theirs."""
    mine = form_input()
    differing = changed.changed_fields(mine)
    with st.container(border=True, key="post_merge"):
        core.warning(changed.message, icon=":material/merge:")
        if not differing:
            core.markdown(md("The text is the same; only its status changed (now **{}**).", changed.status))
        for field in differing:
            core.markdown(md("**{}**", FIELD_LABELS.get(field, field)))
            yours, theirs = st.columns(2)
            with yours:
                st.caption("Yours")
                core.markdown(_shown(field, getattr(mine, field), labels))
            with theirs:
                core.caption(md("Saved by {who} at {when}", who=changed.updated_by or "someone",
                                when=reader_time.local(changed.updated_at, "%H:%M")))
                core.markdown(_shown(field, getattr(changed.current, field), labels))
            st.radio(f"Keep for {FIELD_LABELS.get(field, field)}", ["mine", "theirs"], key=f"merge_{field}",
                     horizontal=True, format_func={"mine": "Keep mine", "theirs": "Take theirs"}.get,
                     label_visibility="collapsed")
        with st.container(horizontal=True, gap="small"):
            st.button("Save the merged version", type="primary", icon=":material/merge:", key="merge_save",
                      on_click=_merge, args=(differing, save))
            st.button("Overwrite with mine", icon=":material/save_as:", key="merge_overwrite",
                      on_click=_merge, args=([], save))
            st.button("Discard mine, load theirs", icon=":material/restore:", key="merge_discard",
                      on_click=_discard)


def _merge(differing: list[str], save) -> None:
    changed: lessons.LessonChanged = state["post_conflict"]
    taken = LessonInput(**{f: getattr(changed.current, f) if f in differing and state.get(f"merge_{f}") == "theirs"
                           else getattr(form_input(), f) for f in FIELDS})
    _show_in_form(taken)
    state.update(post_revision=changed.revision, post_conflict=None)  # knowingly, from the version just shown
    save()


def _discard() -> None:
    changed: lessons.LessonChanged = state["post_conflict"]
    _show_in_form(changed.current)
    state.update(post_revision=changed.revision, post_status=changed.status, post_base=changed.current,
                 post_conflict=None, post_notice=("success", "Loaded the version saved meanwhile."))


def _show_in_form(values: LessonInput) -> None:
    for field in FIELDS:
        state[f"post_{field}"] = getattr(values, field)
    state["post_links"] = "\n".join(values.links)


def _shown(field: str, value, labels: dict[str, dict]) -> str | Md:
    if field in labels:
        return md("{}", ", ".join(labels[field].get(v, str(v)) for v in value)) or md("*(none)*")
    if isinstance(value, list):
        return md("{}", ", ".join(value)) or md("*(none)*")
    if isinstance(value, (date, datetime)):
        return md("{:%B %Y}", value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field == "kind":
        return KIND_LABELS.get(value, value)
    return markup.paragraphs(value) or md("*(empty)*")
