"""The demo's departments and people: real health departments (plus synthetic ones at national scale) and their members."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

from exchange.demo import corpus, national
from exchange.demo.accounts import DEMO_ACCOUNTS
from exchange.demo.world import REGION_LEAD
from exchange.demo.writing import population_words
from exchange.models import population_band


def departments(rng: random.Random, n: int, states: dict[str, dict]) -> list[dict]:
    """n departments with their region, join date, board, partner names and description."""
    real = [dict(d) for d in corpus.REAL_DEPARTMENTS]  # copies: a build adds its own fields to each
    if n <= len(real):
        chosen = _spread(real, n, states)
    else:
        chosen = real + national.synthetic(rng, n - len(real), real, states)
    demo_departments = {a["department"] for a in DEMO_ACCOUNTS}
    span = (datetime(2023, 9, 30) - datetime(2017, 1, 9)).days
    for d in chosen:
        d["region"], d["state_name"] = states[d["state"]]["hhs_region"], states[d["state"]]["name"]
        lead = REGION_LEAD[d["region"]]
        early = rng.random() ** (1.6 if lead > 0.2 else 0.8 if lead < -0.2 else 1.1)
        d["joined"] = datetime(2017, 1, 9, 9) + timedelta(days=0 if d["name"] in demo_departments else int(early * span))
        d["band"] = population_band(d["population"])
        d["board"] = rng.choice(corpus.BOARDS[d["type"]])
        d["slug"] = re.sub(r"[^a-z0-9]+", "-", f"{d['root']} {d['state']}".lower()).strip("-")
        own = corpus.ORGS_BY_TYPE.get(d["type"], {})
        d["orgs"] = {slot: rng.choice(own.get(slot, names)).format(r=d["root"]) for slot, (names, _) in corpus.ORGS.items()}
        where = d["place"] if d["type"] in ("state", "territorial") else f"{d['place']}, {states[d['state']]['name']}"
        residents = "community members" if d["type"] == "tribal" else "residents"
        rural = d["urban"] in ("micropolitan", "noncore")
        focus = rng.sample([f for f in corpus.FOCUS_AREAS if rural or not f.startswith("rural")], 2)
        d["description"] = (f"{corpus.TYPE_LABELS[d['type']]} serving {population_words(d['population'])} {residents} "
                            f"in {where} ({d['urban']}), with a focus on {' and '.join(focus)}.")
    return chosen


def _spread(real: list[dict], n: int, states: dict) -> list[dict]:
    """A subset that keeps the demo accounts' departments and spreads evenly over the regions."""
    demo_departments = [a["department"] for a in DEMO_ACCOUNTS if a["department"]]
    first = [d for d in real if d["name"] in demo_departments]
    by_region: dict[int, list[dict]] = {}
    for d in real:
        if d["name"] not in demo_departments:
            by_region.setdefault(states[d["state"]]["hhs_region"], []).append(d)
    queues = [by_region[r] for r in sorted(by_region)]
    ordered = first + [q[i] for i in range(max(map(len, queues))) for q in queues if i < len(q)]
    return ordered[:n]


def users(rng: random.Random, depts: list[dict]) -> list[dict]:
    """Members of every department (no password: they cannot sign in), plus the demo accounts."""
    users: list[dict] = []
    emails: set[str] = set()
    by_name = {d["name"]: i for i, d in enumerate(depts)}
    for i, d in enumerate(depts):
        d["members"] = []
        for _ in range(1 + (d["population"] >= 150_000) + (d["population"] >= 1_000_000)):
            first, last = rng.choice(corpus.FIRST_NAMES), rng.choice(corpus.LAST_NAMES)
            email, n = f"{first}.{last}@{d['slug']}.example.org".lower(), 1
            while email in emails:
                n += 1
                email = f"{first}.{last}{n}@{d['slug']}.example.org".lower()
            emails.add(email)
            d["members"].append(len(users))
            users.append({"email": email, "display_name": f"{first} {last}", "role": "member", "dept": i,
                          "created_at": d["joined"], "regions": ()})
    for account in DEMO_ACCOUNTS:
        dept = by_name.get(account["department"]) if account["department"] else None
        if account["department"] and dept is None:
            continue  # a small custom build may leave the department out
        if dept is not None:
            depts[dept]["members"].insert(0, len(users))
        users.append({"email": account["email"], "display_name": account["display_name"], "role": account["role"],
                      "dept": dept, "created_at": datetime(2017, 1, 9, 9), "regions": tuple(account["regions"]),
                      "password": account["password"]})
    return users
