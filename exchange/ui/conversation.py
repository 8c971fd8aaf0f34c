"""The conversation under a lesson: endorsements with their counts, questions and answers, and their review.

Rendered from pages/lesson.py (`endorsements`, `questions`), pages/questions.py (`question_card`),
pages/review.py (`review_section`) and pages/post.py (`start_from_adaptation`, `link_adaptation`).
Every name shown comes from the services, which apply the one attribution rule.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from exchange import lessons
from exchange.conversations import endorsements as endorsing, moderation, questions as asking
from exchange.lessons.moderation import MAX_REASON_CHARS
from exchange.models import User
from exchange.storage.duckdb import Database
from exchange.ui import core, markup
from exchange.ui.markup import md

state = st.session_state
EMPTY_THREAD = "No questions yet — ask the department that shared this."


def day(when: datetime | None) -> str:
    """'3 Dec 2026' (conversations show days: an anonymous post's time is coarsened to its day anyway)."""
    return f"{when.day} {when:%b %Y}" if when else ""


counts_text = core.endorsement_counts  # one wording for cards and the lesson page


# --- endorsements ------------------------------------------------------------------------

def endorsements(db: Database, user: User, lesson: dict) -> None:
    """Counts, this department's endorsement (endorse, change, withdraw with confirmation) and, for the posting
    department, who endorsed; links to lessons adapted from this one, or the one it was adapted from."""
    found = core.outcome(lambda: endorsing.summary(db, user, lesson["id"]))
    if not found.ok:
        return
    seen = found.value
    st.header("Did it help?")
    core.markdown(counts_text(seen) or md("No department has endorsed this lesson yet."))
    for other in seen["adapted_from"]:
        core.page_link("pages/lesson.py", label=md("Adapted from: {}", other["title"]), icon=":material/call_split:",
                       query_params={"id": str(other["id"])})
    if seen["adapted_into"]:
        st.markdown("**Lessons adapted from this one**")
        for other in seen["adapted_into"]:
            core.page_link("pages/lesson.py", label=other["title"], icon=":material/call_merge:",
                           query_params={"id": str(other["id"])})
    if seen["is_posting_department"]:
        _endorsers(seen)
    mine = seen["mine"]
    if mine is not None:
        _own_endorsement(db, user, lesson, mine)
    elif seen["can_endorse"]:
        _endorse_form(db, user, lesson, None)


def _endorsers(seen: dict) -> None:
    if not seen["endorsers"] and not seen["anonymous_endorsers"]:
        return
    st.markdown("**Who endorsed your lesson**")
    lines = [md("- **{who} ({state})**: {kind}{note} · {when}", who=e["department_name"], state=e["state_code"],
                kind=e["kind_label"], note=md(" — “{}”", e["note"]) if e["note"] else "", when=day(e["created_at"]))
             for e in seen["endorsers"]]
    if seen["anonymous_endorsers"]:
        n = seen["anonymous_endorsers"]
        lines.append(md("- {n} more endorsed anonymously (counted above; nothing else is shown)", n=n))
    core.markdown(markup.join("\n", lines))


def _own_endorsement(db: Database, user: User, lesson: dict, mine: dict) -> None:
    core.success(md("Your department said: **{kind}**{anonymous}.", kind=endorsing.KINDS[mine["kind"]],
                    anonymous=md(" (anonymously: it counts and shows nothing else)") if mine["anonymous"] else ""),
                 icon=":material/thumb_up:")
    if mine["note"]:
        core.markdown(md("Your note: “{}”", mine["note"]))
    if mine["kind"] == "adapted" and mine["adapted_lesson_id"] is None:
        st.page_link("pages/post.py", label="Start our own lesson from this note", icon=":material/edit_note:",
                     query_params={"adapt": str(mine["id"])})
    pending = f"withdraw_pending_{lesson['id']}"
    if state.get(pending):
        core.warning("Withdraw your department's endorsement of this lesson? The count goes down by one.",
                     icon=":material/help:")
        with st.container(horizontal=True, gap="small"):
            if st.button("Yes, withdraw it", type="primary", key=f"withdraw_yes_{lesson['id']}"):
                state.pop(pending, None)
                core.act(lambda: endorsing.withdraw(db, user, lesson["id"]), done="Your department's endorsement "
                         "was withdrawn.")
            if st.button("Keep it", key=f"withdraw_no_{lesson['id']}"):
                state.pop(pending, None)
                st.rerun()
    else:
        with st.container(horizontal=True, gap="small"):
            if st.button("Withdraw our endorsement…", icon=":material/undo:", key=f"withdraw_{lesson['id']}"):
                state[pending] = True
                st.rerun()
        with core.form_panel("Change our endorsement", key=f"endorse_panel_{lesson['id']}"):
            _endorse_form(db, user, lesson, mine)


def _endorse_form(db: Database, user: User, lesson: dict, mine: dict | None) -> None:
    kinds = list(endorsing.KINDS)
    with st.form(f"endorse_{lesson['id']}"):
        kind = st.radio("Your department's endorsement", kinds, format_func=endorsing.KINDS.get, horizontal=True,
                        index=kinds.index(mine["kind"]) if mine else 0, key=f"endorse_kind_{lesson['id']}")
        note = st.text_area(f"{endorsing.NOTE_LABEL} (optional, for “We adapted this”; up to "
                            f"{endorsing.MAX_NOTE_CHARS:,} characters)", value=mine["note"] if mine else "",
                            max_chars=endorsing.MAX_NOTE_CHARS, key=f"endorse_note_{lesson['id']}", height=80)
        anonymous = st.checkbox("Endorse anonymously (it counts; your department is not shown, not even to the "
                                "posting department)", value=bool(mine and mine["anonymous"]),
                                key=f"endorse_anonymous_{lesson['id']}")
        sent = st.form_submit_button("Save our endorsement" if mine else "Endorse for our department",
                                     icon=":material/thumb_up:", type="primary")
    if sent:
        core.act(lambda: endorsing.endorse(db, user, lesson["id"], kind, note=note, anonymous=anonymous),
                 done=md("Thank you: your department's endorsement (“{}”) is saved.", endorsing.KINDS[kind]))


# --- questions and answers -----------------------------------------------------------------

def questions(db: Database, user: User, lesson: dict) -> None:
    """The questions under a lesson with their answers, the ask form, and what this user may do with each."""
    found = core.outcome(lambda: asking.thread(db, user, lesson["id"]))
    if not found.ok:
        return
    shown = found.value
    core.header(md("Questions to the posting department ({})", len(shown)) if shown else
                md("Questions to the posting department"))
    if not shown:
        st.markdown(EMPTY_THREAD)
    for question in shown:
        question_card(db, user, question)
    _ask_form(db, user, lesson)


def question_card(db: Database, user: User, question: dict, *, show_lesson: bool = False) -> None:
    """One question with its answers and its controls (answer, mark answered, report)."""
    qid = question["id"]
    with st.container(border=True, key=f"question_{qid}"):
        if show_lesson:
            core.page_link("pages/lesson.py", label=md("On: {}", question["lesson_title"]), icon=":material/article:",
                           query_params={"id": str(question["lesson_id"])})
        core.markdown(md("**{who}** asked · {when}", who=question["asker"], when=day(question["created_at"])))
        with st.container(horizontal=True, gap="small"):
            if question["private"]:
                st.badge("Private to the two departments", color="gray", icon=":material/lock:")
            if question["answered_at"]:
                st.badge("Answered", color="green", icon=":material/task_alt:")
            if question["hidden"]:
                st.badge("Hidden after reports: a coordinator will review it", color="red", icon=":material/flag:")
        core.user_text(question["body"])
        for item in question["answers"]:
            with st.container(border=False):
                core.markdown(md("**{who}** answered · {when}{hidden}", who=item["by"], when=day(item["created_at"]),
                                 hidden=md(" · hidden after reports") if item["hidden"] else ""))
                core.user_text(item["body"])
                if item["can_report"]:
                    _report_form(db, user, "answer", item["id"])
        if not question["answers"]:
            st.markdown("No answer yet.")
        if question["can_answer"]:
            _answer_form(db, user, qid)
        if question["can_mark_answered"]:
            if st.button("Mark answered", icon=":material/task_alt:", key=f"mark_answered_{qid}"):
                core.act(lambda: asking.mark_answered(db, user, qid), done="Marked answered. Thank you for closing the loop.")
        if question["can_report"]:
            _report_form(db, user, "question", qid)


def _ask_form(db: Database, user: User, lesson: dict) -> None:
    if not user.signed_in or user.department_id is None:
        st.markdown("Sign in with a department account to ask the department that shared this a question.")
        return
    if lesson.get("shown_department_id") == user.department_id or lesson["status"] != "published" or lesson["hidden"]:
        return  # one's own department's lesson (its questions come to you), or not out there to ask about
    key = f"ask_{lesson['id']}"
    _clear_if_sent(key, ("body", "anonymous", "private"))
    token = state.setdefault(f"{key}_token", lessons.new_client_token())
    with st.form(key):
        body = st.text_area(f"{asking.QUESTION_LABEL} (up to {asking.MAX_QUESTION_CHARS:,} characters)",
                            max_chars=asking.MAX_QUESTION_CHARS, key=f"{key}_body", height=100)
        anonymous = st.checkbox("Ask anonymously (you are shown only as, for example, “a county department in "
                                "HHS Region 5”, when enough departments share that)", key=f"{key}_anonymous")
        private = st.checkbox("Private to our two departments (others reading the lesson do not see it)",
                              key=f"{key}_private")
        sent = st.form_submit_button("Ask the posting department", icon=":material/send:", type="primary")
    if sent:
        core.act(lambda: asking.ask(db, user, lesson["id"], body, anonymous=anonymous, private=private,
                                    client_token=token),
                 done=_sent(key, "Your question was sent. Every member of the posting department can answer it; "
                                 "you will see the answer here."))


def _answer_form(db: Database, user: User, qid: int) -> None:
    key = f"answer_{qid}"
    _clear_if_sent(key, ("body",))
    token = state.setdefault(f"{key}_token", lessons.new_client_token())
    with st.form(key):
        body = st.text_area(f"{asking.ANSWER_LABEL} (up to {asking.MAX_ANSWER_CHARS:,} characters)",
                            max_chars=asking.MAX_ANSWER_CHARS, key=f"{key}_body", height=100)
        sent = st.form_submit_button("Post answer", icon=":material/reply:", type="primary")
    if sent:
        core.act(lambda: asking.answer(db, user, qid, body, client_token=token),
                 done=_sent(key, "Your answer is posted under the question; the asker will see it."))


def _report_form(db: Database, user: User, kind: str, item_id: int) -> None:
    with core.form_panel(md("Report this {}", kind), key=f"report_panel_{kind}_{item_id}"):
        with st.form(f"report_{kind}_{item_id}", clear_on_submit=True):
            reason = st.text_area(f"What is wrong with it? (up to {MAX_REASON_CHARS:,} characters)",
                                  max_chars=MAX_REASON_CHARS, key=f"report_{kind}_{item_id}_reason", height=68)
            if st.form_submit_button("Send report", icon=":material/flag:"):
                core.act(lambda: moderation.report(db, user, kind, item_id, reason),
                         done=lambda hid: "Thank you. The region's coordinators will review it."
                                          + (" It is hidden until then." if hid else ""))


def _sent(key: str, message: str):
    """act()'s `done` for a send: only a success marks the form to be emptied (an error keeps the text typed)."""
    def done(_):
        state[f"{key}_sent"] = True
        return message
    return done


def _clear_if_sent(key: str, fields: tuple[str, ...]) -> None:
    """After a successful send (the rerun act() started), empty the form before its widgets are drawn."""
    if state.pop(f"{key}_sent", False):
        for name in fields:
            state.pop(f"{key}_{name}", None)
        state[f"{key}_token"] = lessons.new_client_token()


# --- the review queue ---------------------------------------------------------------------

DONE = {"hidden": "Hidden. Its author's department sees it is hidden.", "dismissed": "Reports dismissed: it stays up."}


def review_section(db: Database, user: User) -> int:
    """Reported questions and answers in the reviewer's regions, with keep / hide; returns how many wait."""
    waiting = core.outcome(lambda: moderation.queue(db, user))
    if not waiting.ok:
        return 0
    st.header("Reported questions and answers")
    if not waiting.value:
        st.markdown("No reported questions or answers are waiting.")
    for item in waiting.value:
        kind, iid = item["kind"], item["id"]
        with st.container(border=True):
            core.markdown(md("**{kind}** by {who} · on {title}", kind=kind.capitalize(), who=item["by"],
                             title=item["lesson_title"]))
            core.badge(md("Reported ({n}){hidden}", n=item["open_reports"], hidden=md(" · hidden") if item["hidden"] else ""),
                       color="red", icon=":material/flag:")
            core.markdown(md("**Reasons:** {}", markup.join(" · ", [md("“{}”", r) for r in item["report_reasons"]])))
            core.user_text(item["body"])
            st.page_link("pages/lesson.py", label="Open the lesson", query_params={"id": str(item["lesson_id"])},
                         icon=":material/article:")
            with st.form(f"decide_{kind}_{iid}"):
                reason = st.text_area(f"Note for the record (optional, up to {MAX_REASON_CHARS:,} characters)",
                                      max_chars=MAX_REASON_CHARS, key=f"decide_{kind}_{iid}_reason", height=68)
                keep, hide = st.columns(2)
                pressed = "dismiss" if keep.form_submit_button("Keep it (dismiss reports)", icon=":material/check:",
                                                               type="primary") else None
                if hide.form_submit_button("Hide it", icon=":material/visibility_off:"):
                    pressed = "hide"
            if pressed:
                core.act(lambda: moderation.decide(db, user, kind, iid, pressed, reason), done=DONE.get)
    return len(waiting.value)


# --- starting a lesson from an adaptation note (the post form) --------------------------------

def start_from_adaptation(db: Database, user: User, endorsement_id) -> None:
    """On a blank new lesson opened with ?adapt=N: fill its empty fields from the department's adaptation note."""
    if not endorsement_id or not state.get("post_new") or state.get("post_lesson_id"):
        return
    if state.get("post_adapt") != endorsement_id:
        found = core.outcome(lambda: endorsing.adaptation_start(db, user, endorsement_id))
        if not found.ok:
            return
        for name in ("title", "context", "what_we_did"):
            if not state.get(f"post_{name}"):
                state[f"post_{name}"] = found.value[name]
        state["post_adapt"] = endorsement_id
    st.info("Started from your department's “We adapted this” note: once saved, your lesson links back to the "
            "lesson you adapted, and that lesson lists yours.", icon=":material/call_split:")


def link_adaptation(db: Database, user: User) -> None:
    """Once the adapted lesson is saved, record the link to the endorsement it started from (once per lesson)."""
    adapt, lesson_id = state.get("post_adapt"), state.get("post_lesson_id")
    if adapt and lesson_id and state.get("post_adapt_linked") != (adapt, lesson_id):
        if core.outcome(lambda: endorsing.link_adaptation(db, user, adapt, lesson_id)).ok:
            state["post_adapt_linked"] = (adapt, lesson_id)
