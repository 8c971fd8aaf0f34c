"""Share a lesson: write, save a draft, see similar lessons already shared, then submit."""

from datetime import date

import streamlit as st

from exchange import browse, clock, lessons, taxonomy
from exchange.errors import ExchangeError, InvalidInput
from exchange.lesson_form import LIMITS, SECTIONS, LessonInput
from exchange.models import KIND_LABELS
from exchange.text import escape_markdown
from exchange.ui import auth, core

db = core.database()
user = auth.current_user(db)
tax = taxonomy.load(db)

PARTNER_SUGGESTIONS = ["community organizers", "community-based organizations", "tenant union", "housing authority",
                       "hospital", "health system", "school district", "faith leaders", "labor union", "transit agency",
                       "city council", "county board", "planning department", "police or corrections", "university",
                       "philanthropy", "state health department", "residents' advisory board"]

edit_id = st.query_params.get("edit")
existing, row = None, None
if edit_id:
    try:
        existing, row = lessons.editable(db, user, edit_id)
    except ExchangeError as exc:
        core.show_error(exc)
        st.stop()
elif not user.signed_in or user.department_id is None:
    st.title("Share a lesson")
    st.info("Sign in with a department account to share a lesson.", icon=":material/login:")
    st.stop()

st.title("Edit your lesson" if existing else "Share a lesson")
st.markdown("Five minutes now can save a peer months. Honest challenges help as much as successes. "
            "You can save a draft at any time and come back to it from **My lessons**.")

# Prefill the form once per lesson (or blank for a new one); one token per open form stops double posts.
form_id = f"edit-{row['id']}" if row else "new"
if st.session_state.get("post_form") != form_id:
    st.session_state["post_form"] = form_id
    st.session_state["post_token"] = lessons.new_client_token()
    st.session_state["post_lesson_id"] = row["id"] if row else None
    st.session_state.pop("post_ready", None)
    values = existing or LessonInput()
    for field, value in values.__dict__.items():
        st.session_state[f"post_{field}"] = value
    st.session_state["post_links"] = "\n".join(values.links)

if row and row["status"] == "rejected" and row.get("last_review"):
    st.warning(f"A coordinator sent this lesson back: “{escape_markdown(row['last_review']['reason'])}”. "
               "Edit it and submit again.", icon=":material/feedback:")
elif row:
    st.info(f"Status: **{row['status']}**. Saving changes to a published lesson takes it back to draft until you "
            "submit it again.", icon=":material/info:")

errors: dict[str, str] = st.session_state.get("post_errors", {})
practice_labels = {p["id"]: p["name"] for p in tax.practices if p["active"]}
action_labels = {a["id"]: f"{tax.practice_name(a['practice_id'])} › {a['name']}" for a in tax.actions if a["active"]}

with st.form("lesson_form"):
    st.text_input(f"Title (required, up to {LIMITS['title']} characters)", key="post_title")
    core.field_error(errors, "title")
    st.radio("Kind", list(KIND_LABELS), format_func=KIND_LABELS.get, key="post_kind", horizontal=True)
    st.text_area(f"Summary (required, up to {LIMITS['summary']} characters): the lesson in two sentences",
                 key="post_summary", height=80)
    core.field_error(errors, "summary")
    for key, label, hint in SECTIONS:
        required = " (required)" if key in ("context", "what_we_did", "what_happened") else ""
        st.text_area(f"{label}{required}, up to {LIMITS[key]:,} characters", key=f"post_{key}", help=hint,
                     placeholder=hint, height=120)
        core.field_error(errors, key)
    st.multiselect("Strategic practices (choose at least one)", list(practice_labels), format_func=practice_labels.get,
                   key="post_practice_ids", placeholder="Choose practices")
    core.field_error(errors, "practice_ids")
    st.multiselect("Actions (optional; each must belong to a chosen practice)", list(action_labels),
                   format_func=action_labels.get, key="post_action_ids", placeholder="Choose actions")
    core.field_error(errors, "action_ids")
    st.multiselect("Risks you took (optional)", [r["id"] for r in tax.risk_types if r["active"]],
                   format_func=tax.risk_name, key="post_risk_type_ids", placeholder="Choose risk types")
    core.field_error(errors, "risk_type_ids")
    st.multiselect("Partners involved (pick or type your own)", sorted(set(PARTNER_SUGGESTIONS) | set(st.session_state.get("post_partners") or [])),
                   key="post_partners", accept_new_options=True, placeholder="e.g. tenant union, hospital")
    core.field_error(errors, "partners")
    start, end = st.columns(2)
    start.date_input("Work started (any day in the month)", key="post_period_start", min_value=date(1990, 1, 1),
                     max_value=clock.today(), format="YYYY-MM-DD")
    end.date_input("Work ended (leave empty if ongoing)", key="post_period_end", min_value=date(1990, 1, 1),
                   max_value=clock.today(), format="YYYY-MM-DD")
    core.field_error(errors, "period_start")
    core.field_error(errors, "period_end")
    st.text_area("Links to public resources (one per line, http:// or https:// only, up to 5)", key="post_links", height=80)
    core.field_error(errors, "links")
    st.markdown("**Who can read it**")
    st.radio("Audience", ["members", "public"], key="post_visibility", label_visibility="collapsed",
             format_func={"members": "Members only: signed-in health department staff",
                          "public": "Public: anyone, including people who are not signed in"}.get)
    st.checkbox("Post anonymously", key="post_anonymous")
    st.markdown("Anonymous lessons show no department, state or author to other members, coordinators or the public. "
                "They show the HHS region and jurisdiction type only when at least 5 departments share them. "
                "Your own department's members still see it is yours. **Administrators can reveal the department; "
                "every reveal is recorded in the audit log.**")
    save = st.form_submit_button("Save draft", icon=":material/save:")
    check = st.form_submit_button("Check and submit…", type="primary", icon=":material/send:")


def form_input() -> LessonInput:
    s = st.session_state
    return LessonInput(
        **{f: s.get(f"post_{f}") or "" for f in ("title", "summary", "context", "what_we_did", "what_happened",
                                                   "do_differently", "advice")},
        kind=s.get("post_kind") or "success", visibility=s.get("post_visibility") or "members",
        anonymous=bool(s.get("post_anonymous")),
        practice_ids=list(s.get("post_practice_ids") or []), action_ids=list(s.get("post_action_ids") or []),
        risk_type_ids=list(s.get("post_risk_type_ids") or []), partners=list(s.get("post_partners") or []),
        period_start=s.get("post_period_start"), period_end=s.get("post_period_end"),
        links=[line for line in (s.get("post_links") or "").splitlines() if line.strip()],
    )


if save or check:
    try:
        if check:  # every rule for submission first, so all errors show at once and nothing is stored
            lessons.check(db, user, form_input())
        lesson_id = lessons.save_draft(db, user, form_input(), lesson_id=st.session_state["post_lesson_id"],
                                       client_token=st.session_state["post_token"])
        st.session_state["post_lesson_id"] = lesson_id
        st.session_state["post_errors"] = {}
        st.session_state["post_ready"] = bool(check)
        if save:
            st.success(f"Draft saved (lesson #{lesson_id}). Find it any time under My lessons.", icon=":material/check:")
    except InvalidInput as exc:
        st.session_state["post_errors"] = exc.errors
        st.session_state["post_ready"] = False
        core.show_error(exc)
    except ExchangeError as exc:
        core.show_error(exc)

if st.session_state.get("post_ready") and st.session_state.get("post_lesson_id"):
    lesson_id = st.session_state["post_lesson_id"]
    with st.container(border=True):
        st.header("Before you submit: similar lessons already shared")
        text = f"{st.session_state.get('post_title', '')} {st.session_state.get('post_summary', '')}"
        similar = core.attempt(lambda: browse.similar(db, user, text, exclude=lesson_id)) or []
        if similar:
            st.markdown("If one of these covers your experience, consider adding to the conversation rather than repeating it.")
            for other in similar:
                core.lesson_card(other)
        else:
            st.markdown("Nothing similar has been shared yet: yours will be the first.")
        if st.button("Submit now", type="primary", icon=":material/send:", key="post_submit"):
            status = core.attempt(lambda: lessons.submit(db, user, lesson_id))
            if status:
                st.session_state["post_ready"] = False
                st.session_state["post_form"] = None  # the next visit starts a fresh form
                if status == "published":
                    st.success("Published. Thank you for sharing.", icon=":material/celebration:")
                else:
                    st.success("Submitted. A regional coordinator will review it; you'll see the decision in My lessons.",
                               icon=":material/schedule:")
                st.page_link("pages/lesson.py", label="View your lesson", query_params={"id": str(lesson_id)},
                             icon=":material/article:")
