"""Demo follows and inbox items for the demo accounts, so the Inbox and "What you follow" show on first run.

Inserted with the rest of the demo (no change-log events). Each member follows the practices of
their department's newest lesson and their HHS region; their inbox holds the newest lessons by
other departments that those follows would have brought, some already read. Demo notifications carry a negative event number
(they came from no event), so a real event can never collide with them.
"""

from __future__ import annotations

from exchange.demo.accounts import DEMO_ACCOUNTS
from exchange.storage.duckdb import rows

PER_MEMBER = 5   # inbox items per demo member
READ = 2         # the oldest of them already read


def insert(cur) -> int:
    """Add follows and inbox items for the demo accounts (ids read back from this transaction); return the items."""
    emails = [a["email"] for a in DEMO_ACCOUNTS]
    people = rows(cur, """SELECT u.id, u.email, u.role, u.department_id, s.hhs_region
                          FROM users u LEFT JOIN departments d ON d.id = u.department_id
                          LEFT JOIN states s ON s.code = d.state_code
                          WHERE u.email IN (SELECT unnest(?::VARCHAR[])) ORDER BY u.id""", [emails])
    made = 0
    for person in people:
        if person["department_id"] is None:
            continue
        practices = [r[0] for r in cur.execute(
            """SELECT lp.practice_id FROM lesson_practices lp JOIN lessons l ON l.id = lp.lesson_id
               WHERE l.department_id = ? ORDER BY l.created_at DESC, l.id DESC, lp.practice_id LIMIT 2""",
            [person["department_id"]]).fetchall()] or [1]
        follows = [("practice", str(p)) for p in dict.fromkeys(practices)] + [("region", str(person["hhs_region"]))]
        follow_ids = []
        for kind, target in follows:
            follow_ids.append(cur.execute(
                """INSERT INTO follows (user_id, kind, target, created_at)
                   SELECT ?, ?, ?, created_at FROM users WHERE id = ? RETURNING id""",
                [person["id"], kind, target, person["id"]]).fetchone()[0])
        # The newest public, attributed or anonymous lessons of other departments on those practices.
        found = rows(cur, """
            SELECT DISTINCT l.id, l.published_at FROM lessons l JOIN lesson_practices lp ON lp.lesson_id = l.id
            WHERE l.status = 'published' AND NOT l.hidden AND l.department_id <> ?
              AND lp.practice_id IN (SELECT unnest(?::INTEGER[]))
            ORDER BY l.published_at DESC, l.id DESC LIMIT ?""", [person["department_id"], practices, PER_MEMBER])
        for rank, lesson in enumerate(reversed(found)):
            cur.execute("""INSERT INTO notifications (user_id, kind, event_seq, lesson_id, detail, created_at, read_at)
                           VALUES (?, 'followed_lesson', ?, ?, ?, ?, ?)""",
                        [person["id"], -lesson["id"], lesson["id"], f'{{"follows": [{follow_ids[0]}]}}',
                         lesson["published_at"], lesson["published_at"] if rank < READ else None])
            made += 1
    return made
