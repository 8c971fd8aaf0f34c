"""Demo conversations: questions (answered, open, private, anonymous, on anonymous lessons), answers and endorsements.

Generated after the lessons are inserted, in the same unit of work, from the rows just written and a
random stream of its own (so the rest of the demo is unchanged). The demo members' departments get a
question list worth opening on first run: questions to them, open and answered, and questions they asked.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from exchange.demo.accounts import DEMO_ACCOUNTS
from exchange.demo.world import NOW

QUESTIONS = 70
ENDORSEMENTS = 220
NUDGE_AFTER = timedelta(days=14)

ASKED = [
    "How did you get your leadership to sign off on this, and how long did it take?",
    "What did the first year cost, roughly, and which budget lines did it come from?",
    "Who were the first community partners you brought in, and how did you approach them?",
    "Did you meet pushback from elected officials? How did you respond?",
    "Would you share the template or agreement you used with partners?",
    "How did you measure whether it worked? Which indicators did you track?",
    "What would you do in the first three months if you started again?",
    "How many staff hours a week did this take once it was running?",
    "Did residents get paid for their time? How did you handle the paperwork?",
    "We are a smaller department: which parts would you drop if you had half the staff?",
]
ANSWERS = [
    "We started with a one-page brief and a short meeting with each decision-maker. It took about four months.",
    "Roughly one staff position and a small partner fund; most of it came from flexible prevention dollars.",
    "We began with two organizations we already trusted and asked them who else should be at the table.",
    "Yes. We kept the data public, met critics in person, and let residents tell their own stories.",
    "Happy to share it. Write to our equity lead and we will send the current version.",
    "We tracked participation, partner satisfaction and two policy milestones; the milestones mattered most.",
    "Spend the first months listening. We moved too fast and had to rebuild trust later.",
    "About ten hours a week across two people once it was running; more during the launch.",
    "Yes, with gift cards at first and then a stipend through a partner organization, which was simpler.",
    "Keep the partner meetings and the public data; drop the formal evaluation until you have capacity.",
]
ADAPTED = [
    "We used the partner agreement almost as is; shortening the timeline to six months worked well.",
    "We ran it with school districts instead of housing groups. Attendance was lower but the policy win was real.",
    "We adapted the training for rural staff and added a session on working with county boards.",
    "We copied the data dashboard approach; residents now check it before council meetings.",
    "We kept the steering committee idea but paid members from day one, which made recruiting easier.",
]


def insert(cur, seed: int) -> dict[str, int]:
    """Add demo questions, answers and endorsements to the lessons just inserted; return their row counts."""
    rng = random.Random(seed * 31 + 11)
    lessons = cur.execute("""SELECT id, department_id, anonymous, published_at FROM lessons
                             WHERE status = 'published' AND NOT hidden ORDER BY id""").fetchall()
    members: dict[int, list[int]] = {}
    for uid, dept in cur.execute("SELECT id, department_id FROM users WHERE department_id IS NOT NULL AND role = 'member' "
                                 "ORDER BY id").fetchall():
        members.setdefault(dept, []).append(uid)
    if not lessons or len(members) < 2:
        return {"questions": 0, "answers": 0, "endorsements": 0}
    demo = dict(cur.execute("SELECT u.email, u.department_id FROM users u WHERE u.email IN (SELECT unnest(?::VARCHAR[]))",
                            [[a["email"] for a in DEMO_ACCOUNTS]]).fetchall())
    featured = [d for d in (demo.get(a["email"]) for a in DEMO_ACCOUNTS) if d is not None]
    departments = sorted(members)
    question_rows, answer_rows = [], []
    plan = [(l, None) for l in rng.sample(lessons, min(QUESTIONS, len(lessons)))]
    # The demo members' own lessons get questions from the other demo department, and it asks some too.
    for mine, theirs in zip(featured, featured[1:] + featured[:1]):
        own = [l for l in lessons if l[1] == mine][:4]
        plan += [(l, theirs) for l in own]
    for n, ((lesson_id, posting, lesson_anonymous, published), asker_dept) in enumerate(plan):
        asker_dept = asker_dept or rng.choice([d for d in departments if d != posting])
        if asker_dept == posting:
            continue
        asked = _after(published, rng.randint(2, 300))
        answered = n % 5 != 4 and rng.random() < 0.7
        qid = len(question_rows) + 1
        question_rows.append([qid, lesson_id, asker_dept, rng.choice(members[asker_dept]), n % 4 == 1, n % 6 == 2,
                              ASKED[n % len(ASKED)], asked, asked, None, None])
        if answered and posting in members:
            when = asked
            for k in range(1 if rng.random() < 0.7 else 2):
                when = _after(when, rng.randint(1, 10))
                answer_rows.append([len(answer_rows) + 1, qid, lesson_id, posting, rng.choice(members[posting]),
                                    ANSWERS[(n + k) % len(ANSWERS)], when, when])
            if rng.random() < 0.55:
                question_rows[-1][9] = _after(when, rng.randint(0, 5))  # marked answered
        elif asked < NOW - NUDGE_AFTER:
            question_rows[-1][10] = asked + NUDGE_AFTER  # already nudged once: the worker does not nudge the demo
    endorsement_rows, taken = [], set()
    for lesson_id, posting, _, published in rng.sample(lessons, len(lessons)):
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            dept = rng.choice(departments)
            if dept == posting or (lesson_id, dept) in taken or len(endorsement_rows) >= ENDORSEMENTS:
                continue
            taken.add((lesson_id, dept))
            adapted = rng.random() < 0.3
            when = _after(published, rng.randint(5, 400))
            endorsement_rows.append([len(endorsement_rows) + 1, lesson_id, dept, rng.choice(members[dept]),
                                     "adapted" if adapted else "helped",
                                     rng.choice(ADAPTED) if adapted and rng.random() < 0.8 else "",
                                     rng.random() < 0.2, when, when])
    asked_ids = _insert(cur, "questions", "question_ids", ("id", "lesson_id", "department_id", "author_id", "anonymous", "private",
                                                "body", "created_at", "updated_at", "answered_at", "nudged_at"), question_rows)
    for row in answer_rows:  # their question ids were local numbers
        row[1] = asked_ids[row[1]]
    _insert(cur, "answers", "answer_ids", ("id", "question_id", "lesson_id", "department_id", "author_id", "body",
                                            "created_at", "updated_at"), answer_rows)
    _insert(cur, "endorsements", "endorsement_ids", ("id", "lesson_id", "department_id", "author_id", "kind", "note",
                                                      "anonymous", "created_at", "updated_at"), endorsement_rows)
    return {"questions": len(question_rows), "answers": len(answer_rows), "endorsements": len(endorsement_rows)}


def _after(moment: datetime, days: int) -> datetime:
    """`days` after `moment`, but never after the demo's present."""
    return min(moment + timedelta(days=days), NOW - timedelta(hours=1))


def _insert(cur, table: str, sequence: str, columns: tuple[str, ...], values: list[list]) -> dict[int, int]:
    """Rows with ids drawn from the table's sequence (so later inserts never collide); names are this module's own."""
    if not values:
        return {}
    ids = [r[0] for r in cur.execute(f"SELECT nextval('{sequence}') AS id FROM generate_series(1, ?) ORDER BY id",
                                     [len(values)]).fetchall()]
    remap = dict(zip((row[0] for row in values), ids))
    for row in values:
        row[0] = remap[row[0]]
    cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", values)
    return remap
