"""My lessons: every lesson of my department with its status, review decisions, edit and withdraw."""

import streamlit as st

from exchange import lessons
from exchange.text import escape_markdown
from exchange.ui import auth, core

db = core.database()
user = auth.current_user(db)

mine = core.or_stop(lambda: lessons.mine(db, user))
st.title("My lessons")

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
                st.badge("Anonymous", color="gray", icon=":material/visibility_off:")
            st.badge("Public" if lesson["visibility"] == "public" else "Members only", color="gray")
        st.markdown(f"Last changed {lesson['updated_at']:%d %b %Y %H:%M} UTC by {escape_markdown(lesson['author_name'] or 'a colleague')}")
        if lesson["status"] == "rejected" and lesson["last_reason"]:
            st.warning(f"Reviewer's reason: {escape_markdown(lesson['last_reason'])}", icon=":material/feedback:")
        with st.container(horizontal=True, gap="small"):
            st.page_link("pages/lesson.py", label="View", query_params={"id": str(lesson["id"])}, icon=":material/visibility:")
            st.page_link("pages/post.py", label="Edit", query_params={"edit": str(lesson["id"])}, icon=":material/edit:")
            if lesson["status"] in ("draft", "rejected", "withdrawn"):
                if st.button("Submit", key=f"submit_{lesson['id']}", icon=":material/send:"):
                    status = core.attempt(lambda lid=lesson["id"]: lessons.submit(db, user, lid))
                    if status:
                        st.toast("Published." if status == "published" else "Submitted for review.", icon=":material/check:")
                        st.rerun()
            if lesson["status"] in ("submitted", "published"):
                if st.button("Withdraw", key=f"withdraw_{lesson['id']}", icon=":material/archive:"):
                    if core.attempt(lambda lid=lesson["id"]: lessons.withdraw(db, user, lid)) is None:
                        st.toast("Withdrawn. You can edit and submit it again.", icon=":material/check:")
                        st.rerun()
