"""My lessons: every lesson of my department with its status, review decisions, edit and withdraw."""

import streamlit as st

from exchange import lessons
from exchange.lessons import moderation
from exchange.ui import auth, core, timezone
from exchange.ui.markup import md

db = core.database()
user = auth.current_user(db)

mine = core.or_stop(lambda: lessons.mine(db, user))
st.title("My lessons")
core.show_flash()


def withdraw(lesson_id: int) -> None:
    st.session_state.pop("withdraw_pending", None)
    core.act(lambda: lessons.withdraw(db, user, lesson_id), done=md("Withdrawn. You can edit and submit it again."))


def cancel_withdraw() -> None:
    st.session_state.pop("withdraw_pending", None)


# Opened from session state, so it stays open across reruns until confirmed, cancelled or dismissed.
@st.dialog("Withdraw this published lesson?", on_dismiss=cancel_withdraw)
def confirm_withdraw(lesson: dict) -> None:
    core.markdown(md("**{title}** will no longer be visible to anyone outside your department. "
                     "It is kept as withdrawn: you can edit and submit it again later.", title=lesson["title"]))
    with st.container(horizontal=True, gap="small"):
        if st.button("Withdraw it", type="primary", icon=":material/archive:", key="confirm_withdraw"):
            withdraw(lesson["id"])
        if st.button("Keep it published", key="cancel_withdraw", on_click=cancel_withdraw):
            st.rerun()


counts = {s: sum(1 for m in mine if m["status"] == s) for s in lessons.STATUSES}
cols = st.columns(len(lessons.STATUSES))
for col, status in zip(cols, lessons.STATUSES):
    col.metric(core.STATUS_BADGE[status][0], counts[status])

st.page_link("pages/post.py", label="Share a new lesson", icon=":material/add:")
show = st.segmented_control("Show", ["All", *[core.STATUS_BADGE[s][0] for s in lessons.STATUSES]], default="All",
                            key="mine_show")
if not mine:
    st.info("Your department has not shared a lesson yet. Start with a challenge you learned from.", icon=":material/lightbulb:")

for lesson in mine:
    if show not in (None, "All", core.STATUS_BADGE[lesson["status"]][0]):
        continue
    with st.container(border=True):
        core.markdown(md("**{}**", lesson["title"]))
        with st.container(horizontal=True, gap="small"):
            core.status_badge(lesson["status"])
            if lesson["hidden"]:
                st.badge("Hidden after reports: a coordinator will review it", color="red", icon=":material/flag:")
            if lesson["anonymous"]:
                st.badge("Anonymous to others", color="gray", icon=":material/visibility_off:")
            core.visibility_badge(lesson["visibility"], icon=False)
        core.markdown(md("Last changed {when} by {who}", when=timezone.local(lesson["updated_at"]),
                         who=lesson["author_name"] or "a colleague"))
        if lesson["status"] == "rejected" and lesson["last_reason"]:
            core.warning(md("Reviewer's reason: {}", lesson["last_reason"]), icon=":material/feedback:")
        with st.container(horizontal=True, gap="small"):
            st.page_link("pages/lesson.py", label="View", query_params={"id": str(lesson["id"])}, icon=":material/visibility:")
            if "edit" in lesson["actions"]:
                st.page_link("pages/post.py", label="Edit", query_params={"edit": str(lesson["id"])}, icon=":material/edit:")
            if "submit" in lesson["actions"]:
                if st.button("Submit", key=f"submit_{lesson['id']}", icon=":material/send:"):
                    core.act(lambda lid=lesson["id"]: lessons.submit(db, user, lid),
                             done=lambda status: md("Published.") if status == "published" else md("Submitted for review."))
            if "withdraw" in lesson["actions"]:
                if st.button("Withdraw", key=f"withdraw_{lesson['id']}", icon=":material/archive:"):
                    if lessons.is_public_now(lesson):
                        st.session_state["withdraw_pending"] = lesson["id"]  # it is out there: ask first
                    else:
                        withdraw(lesson["id"])
            if st.session_state.get("withdraw_pending") == lesson["id"]:
                confirm_withdraw(lesson)

reports = core.outcome(lambda: moderation.my_reports(db, user)).value or []
if reports:
    st.header("Your reports")
    st.markdown("What became of the lessons you reported. Coordinators do not see who reported.")
    for item in reports:
        when = md(" on {:%d %b %Y}", item["resolved_at"]) if item["resolved_at"] else ""
        core.markdown(md("- **{title}**: “{reason}” ({reported:%d %b %Y}) → {outcome}{when}", title=item["title"],
                         reason=item["reason"], reported=item["reported_at"], outcome=item["outcome_text"], when=when))
