"""One lesson: every section and tag, who shared it (as anonymity allows), related lessons."""

import streamlit as st

from exchange.discovery import browse
from exchange import lessons
from exchange.lessons import moderation
from exchange.errors import ExchangeError
from exchange.lessons.form import SECTIONS
from exchange.models import POPULATION_BAND_LABELS
from exchange.kernel.text import escape_markdown, safe_link
from exchange.ui import auth, core, review_controls

db = core.database()
user = auth.current_user(db)

lesson_id = st.query_params.get("id")
try:
    lesson = lessons.get(db, user, lesson_id)
except ExchangeError as exc:
    core.show_error(exc)
    st.page_link("pages/home.py", label="Back to all lessons", icon=":material/arrow_back:")
    st.stop()

st.page_link("pages/home.py", label="All lessons", icon=":material/arrow_back:")
st.title(escape_markdown(lesson["title"]))
core.show_flash()
with st.container(horizontal=True, gap="small"):
    core.kind_badge(lesson["kind"])
    st.badge("Public" if lesson["visibility"] == "public" else "Members only", color="gray",
             icon=":material/public:" if lesson["visibility"] == "public" else ":material/lock:")
    if lesson["status"] != "published" or lesson["hidden"]:
        st.badge("Hidden after reports" if lesson["hidden"] else lesson["status"].capitalize(), color="red")

who, where, when = st.columns(3)
with who:
    st.markdown("**Shared by**")
    if lesson["department_name"]:
        st.page_link("pages/home.py", label=f"{escape_markdown(lesson['department_name'])} ({lesson['state_code']})",
                     query_params={"department": str(lesson["shown_department_id"])}, icon=":material/apartment:")
    else:
        st.markdown(escape_markdown(browse.attribution_line(lesson)))
    if lesson["anonymous"] and lesson["attributed"]:
        st.info("Posted anonymously: only your department's members see this department name.", icon=":material/visibility_off:")
with where:
    st.markdown("**Where**")
    bits = []
    if lesson["hhs_region"]:
        st.page_link("pages/home.py", label=f"HHS Region {lesson['hhs_region']}", query_params={"region": str(lesson["hhs_region"])})
    if lesson["jurisdiction_type"]:
        bits.append(lesson["jurisdiction_type"].capitalize())
    if lesson["population_band"]:
        bits.append(POPULATION_BAND_LABELS[lesson["population_band"]])
    st.markdown(" · ".join(bits) or "Not shown for this anonymous lesson")
with when:
    st.markdown("**When**")
    st.markdown(core.period_text(lesson))

st.header("Summary")
core.user_text(lesson["summary"])
for key, label, _ in SECTIONS:
    if lesson.get(key):
        st.header(label)
        core.user_text(lesson[key])

st.header("Tags")
tag_groups = [("Strategic practices", "practice", lesson["practices"]), ("Actions", "action", lesson["actions"]),
              ("Risk types", "risk", lesson["risk_types"])]
for title, param, items in tag_groups:
    if items:
        st.markdown(f"**{title}**")
        with st.container(horizontal=True, gap="small"):
            for item in items:
                st.page_link("pages/home.py", label=escape_markdown(item["name"]), query_params={param: str(item["id"])},
                             icon=":material/sell:")
if lesson["partners"]:
    st.markdown("**Partners involved:** " + escape_markdown(", ".join(lesson["partners"])))
if lesson["links"]:
    st.markdown("**Public resources**")
    st.markdown("\n".join(f"- {safe_link(url, url)}" for url in lesson["links"]))

if lesson["can_edit"]:
    st.page_link("pages/post.py", label="Edit this lesson", icon=":material/edit:", query_params={"edit": str(lesson["id"])})
if lesson["can_review"]:
    with st.container(border=True):
        st.subheader("Your decision as reviewer")
        review_controls.decision_form(db, user, lesson)


def cancel_reveal() -> None:
    st.session_state.pop("reveal_pending", None)


@st.dialog("Reveal who posted this anonymous lesson?", on_dismiss=cancel_reveal)
def confirm_reveal() -> None:
    st.markdown("The department chose to post anonymously. Revealing it is recorded in the audit log with your "
                "name and your reason.")
    why = st.text_area(f"Why do you need to know? (required, up to {moderation.MAX_REASON_CHARS:,} characters)",
                       key="reveal_reason", max_chars=moderation.MAX_REASON_CHARS)
    if st.button("Reveal and log it", type="primary", icon=":material/visibility:", key="confirm_reveal"):
        name = core.attempt(lambda: moderation.reveal_department(db, user, lesson["id"], why))
        if name:
            cancel_reveal()
            core.flash(f"Posted by {escape_markdown(name)}. This reveal was logged.", kind="warning")
            st.rerun()


if lesson["can_reveal"]:
    with st.expander("Administrator: reveal the posting department"):
        st.markdown("Revealing who posted an anonymous lesson is recorded in the audit log with your name and reason.")
        if st.button("Reveal department…", icon=":material/visibility:", key="reveal"):
            st.session_state["reveal_pending"] = lesson["id"]
    if st.session_state.get("reveal_pending") == lesson["id"]:
        confirm_reveal()  # opened from session state: stays open across reruns until done or dismissed
if lesson["can_report"]:
    with st.expander("Report this lesson"):
        with st.form("report", clear_on_submit=True):
            reason = st.text_area(f"What is wrong with it? (up to {moderation.MAX_REASON_CHARS:,} characters)",
                                  key="report_reason", max_chars=moderation.MAX_REASON_CHARS)
            if st.form_submit_button("Send report", icon=":material/flag:"):
                hidden = core.attempt(lambda: moderation.report(db, user, lesson["id"], reason))
                if hidden is not None:
                    st.success("Thank you. The region's coordinators will review it; you will see the outcome under "
                               "My lessons › Your reports." + (" It is now hidden until then." if hidden else ""),
                               icon=":material/check:")

st.divider()
st.header("Related lessons")
related = core.attempt(lambda: browse.related(db, user, lesson))
if related:
    for other in related:
        core.lesson_card(other)
elif related is not None:
    st.markdown("No related lessons yet.")
