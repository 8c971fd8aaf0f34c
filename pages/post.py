"""Share a lesson: write (autosaved), see similar lessons while typing, save a draft, then submit.

No st.form: a form sends nothing until it is submitted, so the text could be neither autosaved nor
matched against similar lessons. Buttons act in callbacks (they run before the page is drawn), so
every error shown next to its field belongs to the submission just made, never to the one before.
"""

from datetime import date

import streamlit as st

from exchange.discovery import browse
from exchange.privacy import identifying
from exchange import lessons, taxonomy
from exchange.errors import ExchangeError, InvalidInput
from exchange.lessons.form import FIELD_LABELS, LIMITS, MAX_LINK_CHARS, MAX_LINKS, REQUIRED_TO_SUBMIT, SECTIONS
from exchange.models import KIND_LABELS
from exchange.ui import auth, conversation, core, post_state
from exchange.ui.identifying import identifying_findings
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)
tax = taxonomy.load(db)
state = st.session_state

PARTNER_SUGGESTIONS = ["community organizers", "community-based organizations", "tenant union", "housing authority",
                       "hospital", "health system", "school district", "faith leaders", "labor union", "transit agency",
                       "city council", "county board", "planning department", "police or corrections", "university",
                       "philanthropy", "state health department", "residents' advisory board"]
AUTOSAVE_SECONDS = 30

edit_id = st.query_params.get("edit")
if not edit_id and state.get("post_new") and state.get("post_lesson_id"):
    # A new lesson this tab started and autosaved: the browser may send the next run before its address
    # shows ?edit=, and reopening a blank form then would throw the typed text away.
    edit_id = str(state["post_lesson_id"])
existing, row = None, None
if edit_id:
    existing, row = core.or_stop(lambda: lessons.editable(db, user, edit_id))
elif not user.signed_in or user.department_id is None:
    st.title("Share a lesson")
    st.info("Sign in with a department account to share a lesson.", icon=":material/login:")
    st.stop()

post_state.open_form(existing, row)
conversation.start_from_adaptation(db, user, st.query_params.get("adapt"))  # "start our own lesson from this note"
started_here = state.get("post_new")  # a new lesson stays "Share a lesson" after its first autosave
core.title("Edit your lesson" if existing and not started_here else "Share a lesson")
st.markdown("Five minutes now can save a peer months. Honest challenges help as much as successes. "
            "Your draft is saved as you write; come back to it any time from **My lessons**.")

shown_row = None if started_here else row
if shown_row and shown_row["status"] == "rejected" and shown_row.get("last_review"):
    core.warning(md("A coordinator sent this lesson back: “{}”. Edit it and submit again.",
                    row["last_review"]["reason"]), icon=":material/feedback:")
elif shown_row:
    core.info(md("Status: **{}**. Saving changes to a published lesson takes it back to draft until you "
                 "submit it again.", row["status"]), icon=":material/info:")

practice_labels = {p["id"]: p["name"] for p in tax.practices if p["active"]}
action_labels = {a["id"]: f"{tax.practice_name(a['practice_id'])} › {a['name']}" for a in tax.actions if a["active"]}
risk_labels = {r["id"]: tax.risk_name(r["id"]) for r in tax.risk_types if r["active"]}


def save(*, submit: bool = False) -> None:
    """Save a draft (and check it for submission first); remember what happened for the page to show."""
    data = post_state.form_input()
    try:
        if submit:  # every rule for submission first, so all errors show at once and nothing is stored
            lessons.check(db, user, data, lesson_id=state["post_lesson_id"])
        post_state.save_form(db, user, data)
        state["post_ready"] = submit
        state["post_notice"] = None if submit else ("success", md("Draft saved (lesson #{}). Find it any time under "
                                                                   "My lessons.", state["post_lesson_id"]))
    except lessons.LessonChanged as exc:
        post_state.conflict(exc)
    except InvalidInput as exc:
        state["post_errors"], state["post_ready"], state["post_notice"] = exc.errors, False, ("invalid", exc)
    except ExchangeError as exc:
        state["post_ready"], state["post_notice"] = False, ("error", exc)


post_state.autosave(db, user)  # first, before anything slow: a click elsewhere may cut this run short
conversation.link_adaptation(db, user)
conflict = state.get("post_conflict")
if conflict:
    post_state.merge_panel(conflict, save, labels={"practice_ids": practice_labels, "action_ids": action_labels,
                                                   "risk_type_ids": risk_labels})

errors: dict[str, str] = state.get("post_errors") or {}
label = FIELD_LABELS.get

st.text_input(f"Title (required, up to {LIMITS['title']} characters)", key="post_title", max_chars=LIMITS["title"])
core.field_error(errors, "title")
st.radio(label("kind"), list(KIND_LABELS), format_func=KIND_LABELS.get, key="post_kind", horizontal=True)
st.text_area(f"Summary (required, up to {LIMITS['summary']} characters): the lesson in two sentences",
             key="post_summary", height=80, max_chars=LIMITS["summary"])
core.field_error(errors, "summary")


@st.fragment
def similar_while_typing() -> None:
    """Similar published lessons for the title and summary typed so far (looked up again only when they change)."""
    text = f"{state.get('post_title') or ''} {state.get('post_summary') or ''}".strip()
    if len(text) >= 12 and state.get("post_similar_for") != text:
        state["post_similar"] = core.outcome(
            lambda: browse.similar(db, user, text, exclude=state["post_lesson_id"], limit=3)).value or []
        state["post_similar_for"] = text
    found = state.get("post_similar") or [] if len(text) >= 12 else []
    # Always one expander, so the form below never jumps while the author types (an open list would close).
    with core.expander(md("Similar lessons already shared ({})", len(found)) if found else "Similar lessons already shared",
                       icon=":material/library_books:"):
        if not found:
            st.markdown("Type a title and summary: lessons like yours show here.")
        else:
            st.markdown("If one covers your experience, consider building on it.")
        for other in found:
            core.page_link("pages/lesson.py", label=other["title"], icon=":material/article:",
                           query_params={"id": str(other["id"])})


similar_while_typing()
for key, section_label, hint in SECTIONS:
    required = " (required)" if key in REQUIRED_TO_SUBMIT else ""
    st.text_area(f"{section_label}{required}, up to {LIMITS[key]:,} characters", key=f"post_{key}", help=hint,
                 placeholder=hint, height=120, max_chars=LIMITS[key])
    core.field_error(errors, key)
st.multiselect("Strategic practices (choose at least one)", list(practice_labels), format_func=practice_labels.get,
               key="post_practice_ids", placeholder="Choose practices")
core.field_error(errors, "practice_ids")
st.multiselect("Actions (optional; each must belong to a chosen practice)", list(action_labels),
               format_func=action_labels.get, key="post_action_ids", placeholder="Choose actions")
core.field_error(errors, "action_ids")
st.multiselect("Risks you took (optional)", list(risk_labels), format_func=risk_labels.get, key="post_risk_type_ids",
               placeholder="Choose risk types")
core.field_error(errors, "risk_type_ids")
st.multiselect("Partners involved (pick or type your own)",
               sorted(set(PARTNER_SUGGESTIONS) | set(state.get("post_partners") or [])), key="post_partners",
               accept_new_options=True, placeholder="e.g. tenant union, hospital")
core.field_error(errors, "partners")
start, end = st.columns(2)
# No max_value: a typed future date must reach the service and get its own message, not be erased.
with start:
    st.date_input("Work started (any day in the month)", key="post_period_start", min_value=date(1900, 1, 1),
                  max_value=date(2100, 12, 31), format="YYYY-MM-DD")
    core.field_error(errors, "period_start")
with end:
    st.date_input("Work ended (leave empty if ongoing)", key="post_period_end", min_value=date(1900, 1, 1),
                  max_value=date(2100, 12, 31), format="YYYY-MM-DD")
    core.field_error(errors, "period_end")
st.text_area(f"Links to public resources (one per line, http:// or https:// only, up to {MAX_LINKS})", key="post_links",
             height=80, max_chars=MAX_LINKS * (MAX_LINK_CHARS + 1))
core.field_error(errors, "links")
st.markdown("**Who can read it**")
st.radio("Audience", ["members", "public"], key="post_visibility", label_visibility="collapsed",
         format_func={"members": "Members only: signed-in health department staff",
                      "public": "Public: anyone, including people who are not signed in"}.get)
st.checkbox("Post anonymously", key="post_anonymous")
st.markdown("Anonymous lessons show no department, state or author to other members, coordinators or the public. "
            "They show the HHS region and jurisdiction type only when at least 5 departments share them, and they "
            "are always reviewed before they are published. Your own department's members still see it is yours. "
            "**Administrators can reveal the department; every reveal is recorded in the audit log.**")



def replace_identifying(values: dict) -> None:
    """Put the neutral phrases into the form (a button callback: runs before the widgets are drawn again)."""
    for name, value in values.items():
        if name == "links":
            state["post_links"] = "\n".join(value)
        elif name == "partners":
            state["post_partners"] = list(value)
        else:
            state[f"post_{name}"] = value
    state["post_ack_identifying"] = False


findings = []
if state.get("post_anonymous"):
    # What in the words would tell readers who wrote it: checked as the author writes, fixed in one click.
    st.markdown("**Anonymity check**")
    draft = post_state.form_input()
    findings = core.outcome(lambda: identifying.check(db, user, draft)).value or []
    identifying_findings(findings, identifying.lesson_fields(draft), on_replace=replace_identifying,
                         key="post_identifying")

with st.container(horizontal=True, gap="small", vertical_alignment="center"):
    st.button("Save draft", icon=":material/save:", key="post_save", on_click=save)
    st.button("Check and submit…", type="primary", icon=":material/send:", key="post_check",
              on_click=save, kwargs={"submit": True})
    if started_here and state.get("post_lesson_id"):
        st.button("Start another lesson", icon=":material/add:", key="post_new_lesson", on_click=post_state.close_form)

    @st.fragment(run_every=AUTOSAVE_SECONDS)
    def autosave() -> None:
        """Every 30 s: save the draft server-side if its text changed since the last save, and say when it was."""
        if post_state.autosave(db, user) == "conflict":
            st.rerun(scope="app")  # show the merge view at once
        core.markdown(post_state.saved_line(), help="Drafts are saved in the exchange, not in this browser tab.")

    autosave()

notice = state.get("post_notice")
if notice:
    kind, payload = notice
    if kind == "success":
        core.success(payload, icon=":material/check:")
    else:
        core.show_error(payload)

if state.get("post_ready") and state.get("post_lesson_id"):
    lesson_id = state["post_lesson_id"]
    with st.container(border=True):
        st.header("Before you submit: similar lessons already shared")
        text = f"{state.get('post_title', '')} {state.get('post_summary', '')}"
        similar = core.outcome(lambda: browse.similar(db, user, text, exclude=lesson_id)).value or []
        if similar:
            st.markdown("If one of these covers your experience, consider adding to the conversation rather than repeating it.")
            for other in similar:
                core.lesson_card(other)
        else:
            st.markdown("Nothing similar has been shared yet: yours will be the first.")
        acknowledged = True
        if findings:
            acknowledged = st.checkbox(f"Submit anyway: I have read the anonymity check ({len(findings)} "
                                       f"finding{'s' if len(findings) != 1 else ''}) and a coordinator will see it too",
                                       key="post_ack_identifying")
        if st.button("Submit now", type="primary", icon=":material/send:", key="post_submit", disabled=not acknowledged):
            result = core.outcome(lambda: lessons.submit(db, user, lesson_id, revision=state["post_revision"]),
                                  show=False)
            if isinstance(result.error, lessons.LessonChanged):
                post_state.conflict(result.error)
                st.rerun()
            elif not result.ok:
                core.show_error(result.error)
            else:
                post_state.close_form()  # the next visit starts a fresh form
                if result.value == "published":
                    st.success("Published. Thank you for sharing.", icon=":material/celebration:")
                else:
                    st.success("Submitted. A regional coordinator will review it; you'll see the decision in My lessons.",
                               icon=":material/schedule:")
                st.page_link("pages/lesson.py", label="View your lesson", query_params={"id": str(lesson_id)},
                             icon=":material/article:")
