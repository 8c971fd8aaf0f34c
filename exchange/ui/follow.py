"""Follow controls for any page: a button to follow, and for what you follow a menu that asks before it stops."""

from __future__ import annotations

import hashlib

import streamlit as st

from exchange.notify import follows
from exchange.ui import core
from exchange.ui.markup import md


def _key(kind: str, target) -> str:
    return "follow_" + hashlib.blake2s(f"{kind}:{target}".encode(), digest_size=6).hexdigest()


def follow_button(db, user, kind: str, target_id, label: str) -> None:
    """'Follow <label>', or 'Following <label>' with a confirmed 'Stop following'; nothing for a visitor."""
    if not user.signed_in:
        return
    key = _key(kind, target_id)
    current = follows.follow_id(db, user, kind, target_id)
    if current is None:
        if st.button(core.render(md("Follow {}", label)), key=key, icon=":material/notifications:",
                     help="New lessons that match appear in your Inbox (and your e-mail digest)."):
            core.act(lambda: follows.follow(db, user, kind, target_id),
                     done=md("You follow {}. New lessons that match will appear in your Inbox.", label))
        return
    with st.popover(core.render(md("Following {}", label)), icon=":material/notifications_active:", key=f"{key}_menu"):
        core.markdown(md("Stop following **{}**? You will no longer hear about new lessons that match it.", label))
        if st.button("Stop following", key=f"{key}_stop", icon=":material/notifications_off:"):
            core.act(lambda: follows.unfollow(db, user, current), done=md("You no longer follow {}.", label))


def lesson_follows(db, user, lesson: dict) -> None:
    """Follow controls for a lesson's practices, risk types and region (as shown to this reader)."""
    if not user.signed_in:
        return
    targets = [("practice", p["id"], p["name"]) for p in lesson.get("practices", [])]
    targets += [("risk", r["id"], r["name"]) for r in lesson.get("risk_types", [])]
    if lesson.get("hhs_region"):
        targets.append(("region", lesson["hhs_region"], f"HHS Region {lesson['hhs_region']}"))
    if not targets:
        return
    core.markdown(md("**Follow new lessons on these**"))
    with st.container(horizontal=True, gap="small", key="lesson_follows"):
        for kind, target, label in targets:
            follow_button(db, user, kind, target, label)


def view_follow(db, user, filters) -> None:
    """'Follow this view' for a Find-lessons view with a search or a filter."""
    if not user.signed_in or not (filters.active or filters.q.strip()):
        return
    follow_button(db, user, "view", follows.view_query(filters), "this view")
