"""My lessons: every lesson of my department with its status, review decisions, edit and withdraw."""

import streamlit as st

from exchange import lessons
from exchange.lessons import moderation
from exchange.kernel.text import escape_markdown
from exchange.ui import auth, core, timezone

db = core.database()
user = auth.current_user(db)

mine = core.or_stop(lambda: lessons.mine(db, user))
st.title("My lessons")
core.show_flash()


def withdraw(lesson_id: int) -> None:
    st.session_state.pop("withdraw_pending", None)
    result = core.outcome(lambda: lessons.withdraw(db, user, lesson_id))
    if result.ok:
        core.flash("Withdrawn. You can edit and submit it again.")
        st.rerun()


def cancel_withdraw() -> None:
    st.session_state.pop("withdraw_pending", None)


# Opened from session state, so it stays open across reruns until confirmed, cancelled or dismissed.
@st.dialog("Withdraw this published lesson?", on_dismiss=cancel_withdraw)
def confirm_withdraw(lesson: dict) -> None:
    st.markdown(f"**{escape_markdown(lesson['title'])}** will no longer be visible to anyone outside your department. "
                "It is kept as withdrawn: you can edit and submit it again later.")
    with st.container(horizontal=True, gap="small"):
        if st.button("Withdraw it", type="primary", icon=":material/archive:", key="confirm_withdraw"):
            withdraw(lesson["id"])
        if st.button("Keep it published", key="cancel_withdraw", on_click=cancel_withdraw):
            st.rerun()


STATUS = {
    "draft": ("Draft", "gray", ":material/edit_note:"),
    "submitted": ("Waiting for review", "blue", ":material/schedule:"),
    "published": ("Published", "green", ":material/public:"),
    "rejected": ("Sent back", "red", ":material/undo:"),
    "withdrawn": ("Withdrawn", "gray", ":material/archive:"),
}
counts = {s: sum(1 for m in mine if m["status"] == s) for s in STATUS}
cols = st.columns(len(STATUS))
for col, (status, (label, _, _)) in zip(cols, STATUS.items()):
    col.metric(label, counts[status])

st.page_link("pages/post.py", label="Share a new lesson", icon=":material/add:")
show = st.segmented_control("Show", ["All", *[STATUS[s][0] for s in STATUS]], default="All", key="mine_show")
if not mine:
    st.info("Your department has not shared a lesson yet. Start with a challenge you learned from.", icon=":material/lightbulb:")

for lesson in mine:
    label, color, icon = STATUS[lesson["status"]]
    if show not in (None, "All", label):
        continue
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(lesson['title'])}**")
        with st.container(horizontal=True, gap="small"):
            st.badge(label, color=color, icon=icon)
            if lesson["hidden"]:
                st.badge("Hidden after reports: a coordinator will review it", color="red", icon=":material/flag:")
            if lesson["anonymous"]:
                st.badge("Anonymous to others", color="gray", icon=":material/visibility_off:")
            st.badge("Public" if lesson["visibility"] == "public" else "Members only", color="gray")
        st.markdown(f"Last changed {timezone.local(lesson['updated_at'])} by {escape_markdown(lesson['author_name'] or 'a colleague')}")
        if lesson["status"] == "rejected" and lesson["last_reason"]:
            st.warning(f"Reviewer's reason: {escape_markdown(lesson['last_reason'])}", icon=":material/feedback:")
        with st.container(horizontal=True, gap="small"):
            st.page_link("pages/lesson.py", label="View", query_params={"id": str(lesson["id"])}, icon=":material/visibility:")
            st.page_link("pages/post.py", label="Edit", query_params={"edit": str(lesson["id"])}, icon=":material/edit:")
            if lesson["status"] in ("draft", "rejected", "withdrawn"):
                if st.button("Submit", key=f"submit_{lesson['id']}", icon=":material/send:"):
                    result = core.outcome(lambda lid=lesson["id"]: lessons.submit(db, user, lid))
                    if result.ok:
                        core.flash("Published." if result.value == "published" else "Submitted for review.")
                        st.rerun()
            if lesson["status"] in ("submitted", "published"):
                if st.button("Withdraw", key=f"withdraw_{lesson['id']}", icon=":material/archive:"):
                    if lesson["status"] == "published":
                        st.session_state["withdraw_pending"] = lesson["id"]  # it is out there: ask first
                    else:
                        withdraw(lesson["id"])
            if st.session_state.get("withdraw_pending") == lesson["id"]:
                confirm_withdraw(lesson)

reports = core.attempt(lambda: moderation.my_reports(db, user)) or []
if reports:
    st.header("Your reports")
    st.markdown("What became of the lessons you reported. Coordinators do not see who reported.")
    for item in reports:
        when = f" on {item['resolved_at']:%d %b %Y}" if item["resolved_at"] else ""
        st.markdown(f"- **{escape_markdown(item['title'])}**: “{escape_markdown(item['reason'])}” "
                    f"({item['reported_at']:%d %b %Y}) → {escape_markdown(item['outcome_text'])}{when}")
