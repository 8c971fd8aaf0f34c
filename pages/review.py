"""Review queue: coordinators publish or send back lessons from their regions, and decide on reported ones."""

import streamlit as st

from exchange import clock
from exchange.privacy import identifying
from exchange.lessons import moderation
from exchange.kernel.text import escape_markdown
from exchange.ui import auth, core, review_controls
from exchange.ui.identifying import identifying_review

db = core.database()
user = auth.current_user(db)

SORTS = {"oldest": "Oldest first", "newest": "Newest first", "most_reported": "Most reported first"}
sort = st.session_state.get("review_sort") or "oldest"
waiting = core.or_stop(lambda: moderation.queue(db, user, sort=sort))
st.title("Review queue")
core.show_flash()

regions = "all regions" if user.is_admin else "HHS " + ", ".join(f"Region {r}" for r in user.regions)
reported = sum(1 for lesson in waiting if lesson["open_reports"])
st.markdown(f"**{len(waiting)} waiting** in **{regions}** ({len(waiting) - reported} new, {reported} reported). "
            "Publishing makes a lesson visible to its audience; sending it back tells the author why, and they can "
            "edit and resubmit. Nothing is deleted.")
st.segmented_control("Sort", list(SORTS), format_func=SORTS.get, key="review_sort", default="oldest")
if not waiting:
    st.success("Nothing is waiting for review. Well done.", icon=":material/task_alt:")

now = clock.now()
for lesson in waiting:
    with st.container(border=True):
        st.markdown(f"### {escape_markdown(lesson['title'])}")
        with st.container(horizontal=True, gap="small"):
            core.kind_badge(lesson["kind"])
            if lesson["open_reports"]:
                st.badge(f"Reported ({lesson['open_reports']})" + (" · hidden" if lesson["hidden"] else ""),
                         color="red", icon=":material/flag:")
            if lesson["status"] == "submitted":
                st.badge("Submission", color="blue", icon=":material/schedule:")
            st.badge(f"Waiting {review_controls.age(lesson['waiting_since'], now)}", color="gray",
                     icon=":material/hourglass:")
        who = escape_markdown(lesson["department_name"]) if lesson["department_name"] else "Anonymous department"
        where = f"HHS Region {lesson['hhs_region']}" if lesson["hhs_region"] else "region not shown"
        st.markdown(f"{who} · {where}")
        if lesson["open_reports"]:
            st.markdown("**Reasons:** " + " · ".join(f"“{escape_markdown(r)}”" for r in lesson["report_reasons"]))
        with st.expander("Summary"):
            core.user_text(lesson["summary"])
        st.page_link("pages/lesson.py", label="Read the whole lesson", query_params={"id": str(lesson["id"])},
                     icon=":material/article:")
        if lesson["anonymous"]:  # the coordinator sees what the author was warned about
            checked = core.attempt(lambda lid=lesson["id"]: identifying.check_lesson_text(db, user, lid))
            if checked is not None:
                identifying_review(*checked, key=f"identifying-{lesson['id']}")
        review_controls.decision_form(db, user, lesson)
