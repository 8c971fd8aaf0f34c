"""Notification widgets shared by pages: the inbox list, what you follow, e-mail choices, and the admin's e-mail status."""

from __future__ import annotations

import streamlit as st

from exchange.errors import ExchangeError
from exchange.notify import follows, inbox, mail
from exchange.ui import core
from exchange.ui.markup import md


def inbox_title(db, user) -> str:
    """The Inbox's navigation title, carrying the unread count: 'Inbox (3 unread)'."""
    try:
        unread = inbox.unread_count(db, user)
    except ExchangeError:  # the count is a courtesy: the page itself says what is wrong
        unread = 0
    return f"Inbox ({unread} unread)" if unread else "Inbox"


def inbox_page(db, user) -> st.Page:
    """The Inbox's navigation entry (its title carries the unread count)."""
    title = inbox_title(db, user)
    icon = ":material/mark_email_unread:" if title != "Inbox" else ":material/inbox:"
    return st.Page("pages/inbox.py", title=title, icon=icon, url_path="inbox")


def inbox_list(db, user, items: list[dict]) -> None:
    """Each notification: its text, when, a link to its place (which marks it read), and 'Mark read'."""
    for item in items:
        with st.container(border=True, key=f"notification_{item['id']}"):
            with st.container(horizontal=True, gap="small", vertical_alignment="center"):
                if not item["read"]:
                    st.badge("New", color="blue", icon=":material/fiber_new:")
                core.markdown(md("**{}** · {when:%d %b %Y, %H:%M} UTC", item["kind_label"], when=item["created_at"]))
            core.markdown(item["text"])
            with st.container(horizontal=True, gap="small"):
                if item["lesson_id"] is not None:
                    if st.button("Open the lesson", key=f"open_{item['id']}", icon=":material/arrow_forward:"):
                        core.outcome(lambda: inbox.mark_read(db, user, item["id"]))
                        st.switch_page("pages/lesson.py", query_params={"id": str(item["lesson_id"])})
                if not item["read"]:
                    if st.button("Mark read", key=f"read_{item['id']}", icon=":material/done:"):
                        core.act(lambda: inbox.mark_read(db, user, item["id"]))


def following_list(db, user) -> None:
    """'What you follow': each follow with a link to its lessons and a confirmed 'Stop following'."""
    found = core.outcome(lambda: follows.following(db, user)).value or []
    if not found:
        st.markdown("You follow nothing yet. Follow a practice, a risk type or a region from a lesson page, or a "
                    "search with its filters from Find lessons (**Follow this view**).")
        return
    for item in found:
        with st.container(horizontal=True, gap="small", vertical_alignment="center", key=f"followed_{item['id']}"):
            core.page_link("pages/home.py", label=md("{kind}: {label}", kind=item["kind_label"], label=item["label"]),
                           query_params=item["query"], icon=":material/search:")
            with st.popover("Stop following", icon=":material/notifications_off:", key=f"unfollow_menu_{item['id']}"):
                core.markdown(md("Stop following **{}**?", item["label"]))
                if st.button("Yes, stop following", key=f"unfollow_{item['id']}"):
                    core.act(lambda: follows.unfollow(db, user, item["id"]),
                             done=md("You no longer follow {}.", item["label"]))


def email_preferences(db, user) -> None:
    """Your account: daily, weekly or no digest, and immediate mail for what needs action."""
    st.subheader("E-mail")
    prefs = core.outcome(lambda: mail.preferences(db, user)).value
    if prefs is None:
        return
    if not mail.enabled():
        st.markdown("This exchange sends no e-mail at the moment (its administrator has not set it up); your "
                    "Inbox still collects everything. Your choices below apply once it does.")
    if prefs["unsubscribed_at"]:
        core.markdown(md("You unsubscribed from all e-mail on {:%d %b %Y}. Choose a digest below to get e-mail again.",
                         prefs["unsubscribed_at"]))
    with st.form("mail_preferences"):
        options = list(mail.DIGESTS)
        digest = st.radio("Digest of what is new in your Inbox", options, index=options.index(prefs["digest"]),
                          format_func=lambda d: {"daily": "Daily", "weekly": "Weekly (the default)",
                                                 "off": "No digest"}[d], horizontal=True)
        immediate = st.checkbox("E-mail me at once when something needs me (a question to my department, a lesson "
                                "sent back)", value=prefs["immediate"])
        if st.form_submit_button("Save e-mail choices", icon=":material/save:"):
            core.act(lambda: mail.set_preferences(db, user, digest, immediate), done="Your e-mail choices are saved.")


def email_status(db, user) -> None:
    """For administrators: whether e-mail is on, and what waits or failed in the outbox."""
    found = core.outcome(lambda: mail.status(db, user), show=False).value
    if found is None:
        return
    if not found["enabled"]:
        st.info("E-mail is off: no SMTP server is set (EXCHANGE_SMTP_HOST). Members still get every notification in "
                "their Inbox; digests and immediate mail start once the SMTP settings (see the README) are set.",
                icon=":material/mail_lock:")
        return
    message = md("E-mail is on through {host}:{port}. Outbox: {sent:,} sent, {pending:,} waiting, {failed:,} failed.",
                 host=found["host"], port=found["port"], sent=found["sent"], pending=found["pending"] + found["sending"],
                 failed=found["failed"])
    (core.warning if found["failed"] else core.info)(message, icon=":material/mail:")
