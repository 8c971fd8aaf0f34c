"""Demo profiles and freshness (issue 11): every department gets a profile, and lessons a confirmation history.

Applied inside the build's one write, after the bulk insert, as set-based SQL over the rows just inserted:
- each department: its state's governance, an accreditation status, a choice to share stages or not (the
  demo member's department shares; the second demo member's does not, so both cases show), and a contact
  visibility (nobody, members, public) with a made-up contact at example.org;
- each published lesson: a last confirmation (recent, old, or none), a few marked historical, and the time
  it was last asked as a yearly scan would have left it, so a first scan asks only about the newly due.
Choices are drawn from `rng`, so one seed always gives the same exchange.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pandas as pd

from exchange.demo.accounts import DEMO_ACCOUNTS
from exchange.demo.world import NOW

ACCREDITATION = (("accredited", 0.45), ("in_process", 0.2), ("not_accredited", 0.2), ("not_stated", 0.15))
CONTACT = (("public", 0.35), ("members", 0.35), ("nobody", 0.3))
SHARE_STAGES = 0.6
CONTACT_NAMES = ("Health equity team", "Office of Health Equity", "Community partnerships lead",
                 "Equity and inclusion coordinator", "Policy and planning unit")


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def fill(cur, rng: random.Random) -> None:
    """Profiles for every department and confirmation history for every published lesson (one unit of work)."""
    depts = cur.execute("SELECT id, name FROM departments ORDER BY id").fetchall()
    sharing = {a["department"]: True for a in DEMO_ACCOUNTS if a["role"] == "member"}
    sharing[DEMO_ACCOUNTS[1]["department"]] = False
    profiles = []
    for dept_id, name in depts:
        visibility = _pick(rng, CONTACT)
        if name == DEMO_ACCOUNTS[0]["department"]:
            visibility = "members"
        contact = rng.choice(CONTACT_NAMES) if visibility != "nobody" else ""
        profiles.append({"department_id": dept_id, "accreditation": _pick(rng, ACCREDITATION),
                         "contact_visibility": visibility, "contact_name": contact,
                         "contact_email": f"equity-{dept_id}@health.example.org" if contact else "",
                         "share_stages": sharing.get(name, rng.random() < SHARE_STAGES)})
    _register(cur, "demo_profiles", pd.DataFrame(profiles), """
        INSERT INTO department_profiles (department_id, state_governance, accreditation, contact_visibility,
                                         contact_name, contact_email, share_stages, revision)
        SELECT p.department_id, coalesce(g.governance, ''), p.accreditation, p.contact_visibility, p.contact_name,
               p.contact_email, p.share_stages, 1
        FROM demo_profiles p JOIN departments d ON d.id = p.department_id
        LEFT JOIN state_governance g ON g.state_code = d.state_code""")
    lessons = cur.execute("SELECT id, published_at FROM lessons WHERE status = 'published' ORDER BY id").fetchall()
    history = []
    for lesson_id, published in lessons:
        age = (NOW - published).days
        roll = rng.random()
        confirmed = None
        if age > 365 and roll < 0.7:  # confirmed since publication: mostly in the last year or two, some long ago
            confirmed = NOW - timedelta(days=rng.randint(10, min(age - 10, 1000)))
        historical = age > 730 and rng.random() < 0.06
        basis = confirmed or published
        years = _full_years(basis, NOW)
        asked = _add_years(basis, years) + timedelta(days=rng.randint(0, 20)) if years >= 1 and rng.random() < 0.9 else None
        history.append({"id": lesson_id, "last_confirmed_at": confirmed, "historical": historical,
                        "confirmation_asked_at": asked if asked is None or asked < NOW else None})
    frame = pd.DataFrame(history)
    for column in ("last_confirmed_at", "confirmation_asked_at"):
        frame[column] = pd.to_datetime(frame[column])
    _register(cur, "demo_freshness", frame, """
        UPDATE lessons SET last_confirmed_at = f.last_confirmed_at, historical = f.historical,
                           confirmation_asked_at = f.confirmation_asked_at
        FROM demo_freshness f WHERE lessons.id = f.id""")
    cur.execute("UPDATE lessons SET historical = FALSE WHERE historical IS NULL")


def _register(cur, name: str, frame: pd.DataFrame, sql: str) -> None:
    if not len(frame):
        return
    cur.register(name, frame)
    try:
        cur.execute(sql)
    finally:
        cur.unregister(name)


def _full_years(start: datetime, end: datetime) -> int:
    years = end.year - start.year
    return years - 1 if _add_years(start, years) > end else years


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)
