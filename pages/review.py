"""Review queue: coordinators publish or send back lessons from their regions, and decide on reported ones."""

import streamlit as st

from exchange import clock
from exchange.privacy import identifying
from exchange.lessons import moderation
from exchange.ui import auth, conversation, core, markup, review_controls
from exchange.ui.identifying import identifying_review
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

SORT_LABELS = {"oldest": "Oldest first", "newest": "Newest first", "most_reported": "Most reported first"}
sort = st.session_state.get("review_sort") or moderation.DEFAULT_QUEUE_SORT
waiting = core.or_stop(lambda: moderation.queue(db, user, sort=sort))
st.title("Review queue")
core.show_flash()

regions = "all regions" if user.is_admin else "HHS " + ", ".join(f"Region {r}" for r in user.regions)
reported = sum(1 for lesson in waiting if lesson["open_reports"])
core.markdown(md("**{n} waiting** in **{regions}** ({new} new, {reported} reported). "
                 "Publishing makes a lesson visible to its audience; sending it back tells the author why, and they can "
                 "edit and resubmit. Nothing is deleted.", n=len(waiting), regions=regions, new=len(waiting) - reported,
                 reported=reported))
st.segmented_control("Sort", list(moderation.QUEUE_SORTS), format_func=SORT_LABELS.get, key="review_sort",
                     default=moderation.DEFAULT_QUEUE_SORT)
if not waiting:
    st.success("Nothing is waiting for review. Well done.", icon=":material/task_alt:")

now = clock.now()
for lesson in waiting:
    with st.container(border=True):
        core.markdown(md("### {}", lesson["title"]))
        with st.container(horizontal=True, gap="small"):
            core.kind_badge(lesson["kind"])
            if lesson["open_reports"]:
                core.badge(md("Reported ({n}){hidden}", n=lesson["open_reports"],
                              hidden=md(" · hidden") if lesson["hidden"] else ""), color="red", icon=":material/flag:")
            if lesson["is_submission"]:
                st.badge("Submission", color="blue", icon=":material/schedule:")
            core.badge(md("Waiting {}", review_controls.age(lesson["waiting_since"], now)), color="gray",
                       icon=":material/hourglass:")
        who = lesson["department_name"] or "Anonymous department"
        where = md("HHS Region {}", lesson["hhs_region"]) if lesson["hhs_region"] else "region not shown"
        core.markdown(md("{who} · {where}", who=who, where=where))
        if lesson["open_reports"]:
            core.markdown(md("**Reasons:** {}", markup.join(" · ", [md("“{}”", r) for r in lesson["report_reasons"]])))
        with st.expander("Summary"):
            core.user_text(lesson["summary"])
        st.page_link("pages/lesson.py", label="Read the whole lesson", query_params={"id": str(lesson["id"])},
                     icon=":material/article:")
        if lesson["anonymous"]:  # the coordinator sees what the author was warned about
            checked = core.outcome(lambda lid=lesson["id"]: identifying.check_lesson_text(db, user, lid))
            if checked.ok:
                identifying_review(*checked.value, key=f"identifying-{lesson['id']}")
        review_controls.decision_form(db, user, lesson)

st.divider()
conversation.review_section(db, user)  # reported questions and answers, decided here too
