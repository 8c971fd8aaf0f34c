"""The Inbox page, follow controls on Find lessons and the lesson page, e-mail choices and the admin's e-mail notice."""

from __future__ import annotations

from exchange import config
from exchange.identity import accounts
from exchange.notify import follows, inbox
from exchange.ui import notifications

MEMBER = "member@demo.example.org"


def _user(pages, email=MEMBER):
    return accounts.load_user(pages.db, pages.user_id(email))


def _texts(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_a_visitor_opening_the_inbox_is_asked_to_sign_in(pages):
    at = pages.open("inbox")
    assert not at.exception
    assert "sign in" in " ".join([t.value for t in at.title] + [i.value for i in at.info] + [e.value for e in at.error]).lower()


def test_the_demo_member_sees_their_notifications_and_what_they_follow(pages):
    at = pages.open("inbox", email=MEMBER)
    assert not at.exception
    assert at.title[0].value == "Inbox"
    assert "3 unread" in _texts(at)
    assert "New lesson “" in _texts(at)
    assert "HHS Region 5" in _texts(at)  # a follow listed under What you follow
    assert notifications.inbox_title(pages.db, _user(pages)) == "Inbox (3 unread)"


def test_mark_read_then_mark_all_read(pages):
    me = _user(pages)
    first_unread = next(i for i in inbox.items(pages.db, me) if not i["read"])
    at = pages.open("inbox", email=MEMBER)
    at.button(key=f"read_{first_unread['id']}").click().run()
    assert not at.exception and "2 unread" in _texts(at)
    at.button(key="inbox_mark_all").click().run()
    assert not at.exception
    assert "Everything is read." in _texts(at) and "Marked 2 as read." in " ".join(s.value for s in at.success)
    assert inbox.unread_count(pages.db, me) == 0


def test_an_account_with_nothing_shows_the_empty_state(pages):
    pages.db.write(lambda cur: cur.execute(
        "INSERT INTO users (email, display_name, role, department_id) SELECT 'quiet@demo.example.org', 'Quiet', 'member', "
        "department_id FROM users WHERE email = ?", [MEMBER]))
    at = pages.open("inbox", email="quiet@demo.example.org")
    assert not at.exception
    assert "Nothing here yet" in _texts(at) and "You follow nothing yet" in _texts(at)


def test_following_a_practice_from_the_lesson_page_and_stopping_from_the_inbox(pages):
    with pages.db.read() as cur:
        lesson_id, practice_id, name = cur.execute(
            """SELECT l.id, p.id, p.name FROM lessons l JOIN lesson_practices lp ON lp.lesson_id = l.id
               JOIN practices p ON p.id = lp.practice_id WHERE l.status = 'published' AND NOT l.hidden
               AND l.visibility = 'public' AND p.id NOT IN (12, 13) ORDER BY l.id LIMIT 1""").fetchone()
    at = pages.open("lesson", email=MEMBER, query={"id": str(lesson_id)})
    assert not at.exception
    follow_key = next(b.key for b in at.button if b.label == f"Follow {name}")
    at.button(key=follow_key).click().run()
    assert not at.exception
    me = _user(pages)
    assert follows.follow_id(pages.db, me, "practice", practice_id) is not None
    assert any(f"You follow {name}" in s.value for s in at.success)
    box = pages.open("inbox", email=MEMBER)
    followed = next(f for f in follows.following(pages.db, me) if f["target"] == str(practice_id))
    box.button(key=f"unfollow_{followed['id']}").click().run()
    assert not box.exception
    assert follows.follow_id(pages.db, me, "practice", practice_id) is None


def test_follow_this_view_on_find_lessons(pages):
    at = pages.open("home", email=MEMBER, query={"region": "9", "q": "eviction"})
    assert not at.exception
    at.button(key=next(b.key for b in at.button if b.label == "Follow this view")).click().run()
    assert not at.exception
    views = [f for f in follows.following(pages.db, _user(pages)) if f["kind"] == "view"]
    assert len(views) == 1 and views[0]["label"] == "Search “eviction” · Region: 9"
    visitor = pages.open("home", query={"region": "9"})
    assert not any(b.label == "Follow this view" for b in visitor.button)


def test_email_choices_are_saved_on_your_account(pages):
    at = pages.open("account", email=MEMBER)
    assert not at.exception
    assert "sends no e-mail at the moment" in _texts(at)
    at.radio[0].set_value("daily")
    at.checkbox[0].uncheck()
    at.button(key="FormSubmitter:mail_preferences-Save e-mail choices").click().run()
    assert not at.exception
    with pages.db.read() as cur:
        assert cur.execute("SELECT digest, immediate FROM mail_preferences WHERE user_id = ?",
                           [pages.user_id(MEMBER)]).fetchone() == ("daily", False)


def test_the_accounts_page_tells_administrators_whether_e_mail_is_on(pages):
    at = pages.open("admin_users", email="admin@demo.example.org")
    assert not at.exception
    assert any("E-mail is off" in i.value for i in at.info)
    with config.override(smtp_host="mail.example.org"):
        at = pages.open("admin_users", email="admin@demo.example.org")
        assert any("E-mail is on through mail.example.org:587" in i.value.replace("\\", "") for i in at.info)
