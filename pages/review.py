"""Review queue: coordinators publish or send back lessons from their regions, and look at reported ones."""

import streamlit as st

from exchange import limits, moderation
from exchange.text import escape_markdown
from exchange.ui import auth, core

db = core.database()
user = auth.current_user(db)

waiting = core.or_stop(lambda: moderation.queue(db, user))
st.title("Review queue")

regions = "all regions" if user.is_admin else "HHS " + ", ".join(f"Region {r}" for r in user.regions)
st.markdown(f"Lessons waiting for a decision in **{regions}**. Publishing makes a lesson visible to its audience; "
            "sending it back tells the author why, and they can edit and resubmit. Nothing is deleted.")
if not waiting:
    st.success("Nothing is waiting for review. Well done.", icon=":material/task_alt:")

for lesson in waiting:
    with st.container(border=True):
        st.markdown(f"## {escape_markdown(lesson['title'])}")
        with st.container(horizontal=True, gap="small"):
            core.kind_badge(lesson["kind"])
            if lesson["hidden"]:
                st.badge(f"Hidden after {lesson['open_reports']} reports", color="red", icon=":material/flag:")
            else:
                st.badge("New submission", color="blue", icon=":material/schedule:")
        who = escape_markdown(lesson["department_name"]) if lesson["department_name"] else "Anonymous department"
        st.markdown(f"{who} · HHS Region {lesson['hhs_region'] or 'not shown'}")
        core.user_text(lesson["summary"])
        st.page_link("pages/lesson.py", label="Read the whole lesson", query_params={"id": str(lesson["id"])},
                     icon=":material/article:")
        with st.form(f"decide_{lesson['id']}"):
            reason = st.text_area("Reason for the author (required to send back; up to 1,000 characters)",
                                  key=f"reason_{lesson['id']}", max_chars=limits.REASON)
            publish_col, reject_col = st.columns(2)
            publish = publish_col.form_submit_button("Publish" if not lesson["hidden"] else "Restore (keep published)",
                                                     type="primary", icon=":material/check:")
            reject = reject_col.form_submit_button("Send back to author", icon=":material/undo:")
        if publish or reject:
            status = core.attempt(lambda lid=lesson["id"]: moderation.decide(
                db, user, lid, "publish" if publish else "reject", reason))
            if status:
                st.toast("Published." if status == "published" else "Sent back with your reason.", icon=":material/check:")
                st.rerun()
