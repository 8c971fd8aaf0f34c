"""Deterministic demo data: real health departments, practitioner-style lessons, and three
years of quarterly practice self-assessments.

Everything is drawn from random.Random(seed) against a fixed clock (NOW), so one seed always
gives the same exchange. Rows are built in Python lists and bulk-inserted from DataFrames in
a single transaction: a build is all or nothing, and ids come from the tables' own sequences,
so rows added after the build never collide.

Assessment history: one row per department x active practice x quarter (as_of = the last day
of each quarter, 2023-12-31 .. 2026-09-30), as a quarterly self-assessment records it even when
the stage is unchanged. The current stage at a date is the latest row with as_of <= that date,
which reads the same whether rows are saved every quarter or only on change.
"""

from __future__ import annotations

import functools
import hashlib
import math
import random
import re
from datetime import date, datetime, timedelta
from typing import Callable

import pandas as pd

from exchange.demo import corpus
from exchange.demo import neutral as demo_neutral
from exchange import taxonomy
from exchange.storage.duckdb import Database, scalar
from exchange.errors import ExchangeError, InvalidInput
from exchange.models import population_band
from exchange.identity.passwords import hash_password

NOW = datetime(2026, 11, 1)
FIRST_MONTH = 2017 * 12  # months are indexed as year * 12 + (month - 1)
LAST_MONTH = 2026 * 12 + 9  # October 2026: no lesson period ends later
QUARTER_ENDS = [date(y, m, d) for y in range(2023, 2027) for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))
                if date(2023, 12, 31) <= date(y, m, d) <= date(2026, 9, 30)]
SCALES = {"demo": {"departments": len(corpus.REAL_DEPARTMENTS), "lessons": 500}, "national": {"departments": 3000, "lessons": 100_000}}

DEMO_ACCOUNTS = [
    {"email": "member@demo.example.org", "password": "member-demo-2026", "role": "member",
     "display_name": "Amina Hassan", "department": "Hennepin County Public Health", "regions": ()},
    {"email": "member2@demo.example.org", "password": "member2-demo-2026", "role": "member",
     "display_name": "Miguel Santos", "department": "Alameda County Public Health Department", "regions": ()},
    {"email": "coordinator@demo.example.org", "password": "coordinator-demo-2026", "role": "coordinator",
     "display_name": "Grace Olson", "department": None, "regions": (5, 7)},
    {"email": "admin@demo.example.org", "password": "admin-demo-2026", "role": "admin",
     "display_name": "Sam Rivera", "department": None, "regions": ()},
]

# Diffusion: how far ahead (positive) or behind each HHS region is, and how fast practices spread.
REGION_LEAD = {1: 0.55, 9: 0.5, 10: 0.45, 2: 0.25, 5: 0.2, 3: 0.1, 8: 0.0, 7: -0.35, 4: -0.45, 6: -0.5}
CATEGORY_SPEED = {1: 0.35, 2: 0.0, 3: -0.05, 4: -0.3}  # by category position: internal work spreads fastest
PRACTICE_SPEED = {"Build Organizational Capacity": 0.2, "Prioritize Upstream Policy Change": -0.35,
                  "Confront the Root Causes": -0.3, "Build a Health Equity Movement": -0.15}
_MONTHS = "January February March April May June July August September October November December".split()
_CAPITALIZE = re.compile(r'(^|[.!?]"?\s+)([a-z])')


def build(db: Database, *, scale: str = "demo", seed: int = 2017,
          progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Fill an empty, migrated, taxonomy-seeded database with demo data; return row counts."""
    if scale not in SCALES:
        raise InvalidInput(f"Unknown scale {scale!r}; choose one of {', '.join(SCALES)}.", "scale")
    return _build(db, seed=seed, progress=progress, **SCALES[scale])


def _build(db: Database, *, departments: int, lessons: int, seed: int = 2017,
           progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Build a demo of any size (build() passes a named scale; tests use small ones)."""
    say = progress or (lambda message: None)
    with db.read() as cur:
        _refuse_if_filled(cur)
    tax = taxonomy.load(db)
    rng = random.Random(seed)
    say(f"Generating {departments} departments and their members…")
    depts = _departments(rng, departments, {s["code"]: s for s in tax.states})
    users = _users(rng, depts)
    say(f"Composing {lessons} lessons…")
    lesson_rows = _Lessons(rng, depts, users, tax).generate(lessons)
    say(f"Generating {len(QUARTER_ENDS)} quarters of self-assessments…")
    assessments = _assessments(rng, depts, [p for p in tax.practices if p["active"]], tax)
    say("Hashing demo account passwords…")
    for user in users:
        if user.get("password"):
            user["password_hash"] = hash_password(user["password"])
    counts = db.write(lambda cur: _insert(cur, depts, users, lesson_rows, assessments, say))
    say("Demo data committed.")
    return counts


def _refuse_if_filled(cur) -> None:
    if scalar(cur, "SELECT count(*) FROM departments"):
        raise ExchangeError("This database already has departments; demo data goes only into an empty exchange.")


# ---------------------------------------------------------------- departments and people
def _departments(rng: random.Random, n: int, states: dict[str, dict]) -> list[dict]:
    real = [dict(d) for d in corpus.REAL_DEPARTMENTS]  # copies: a build adds its own fields to each
    if n <= len(real):
        chosen = _spread(real, n, states)
    else:
        chosen = real + _synthetic(rng, n - len(real), real, states)
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
        d["orgs"] = {slot: rng.choice(names).format(r=d["root"]) for slot, (names, _) in corpus.ORGS.items()}
        where = d["place"] if d["type"] in ("state", "territorial") else f"{d['place']}, {states[d['state']]['name']}"
        residents = "community members" if d["type"] == "tribal" else "residents"
        rural = d["urban"] in ("micropolitan", "noncore")
        focus = rng.sample([f for f in corpus.FOCUS_AREAS if rural or not f.startswith("rural")], 2)
        d["description"] = (f"{corpus.TYPE_LABELS[d['type']]} serving {_population_words(d['population'])} {residents} "
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


def _synthetic(rng: random.Random, k: int, real: list[dict], states: dict) -> list[dict]:
    """Departments for the national scale: real place names combined with a state code."""
    taken = {d["name"] for d in real}
    has_state_department = {d["state"] for d in real if d["type"] == "state"}
    fixed = []
    for code, millions in corpus.STATE_POPULATIONS:
        if code not in has_state_department and code in states:
            fixed.append(_row(f"{states[code]['name']} Department of Health", states[code]["name"], states[code]["name"],
                              "state", code, int(millions * 1_000_000), rng.choice(["medium metro", "small metro"])))
    for tribe, code in corpus.TRIBES:
        fixed.append(_row(f"{tribe} Health Department", f"the {tribe}" if not tribe.startswith("Pueblo") else tribe,
                          tribe.split()[-1] if tribe.startswith("Pueblo of") else tribe.split()[0], "tribal", code, int(rng.lognormvariate(math.log(9000), 0.8)) + 800,
                          rng.choice(["noncore", "noncore", "micropolitan"])))
    for name, code, place, root, population in corpus.TERRITORIES:
        fixed.append(_row(name, place, root, "territorial", code, population, "micropolitan"))
    rng.shuffle(fixed)
    out = [d for d in fixed[: max(1, k // 10)] if d["name"] not in taken]
    taken.update(d["name"] for d in out)
    weights = corpus.LOCAL_DEPARTMENT_WEIGHTS
    codes, shares = [c for c, _ in weights], [w for _, w in weights]
    counties, towns = list(dict.fromkeys(corpus.COUNTY_NAMES)), corpus.TOWN_NAMES
    while len(out) < k:
        code, r = rng.choices(codes, shares)[0], rng.random()
        county, town = rng.choice(counties), rng.choice(towns)
        if r < 0.72:
            suffix = rng.choice(["Health Department", "Public Health", "Department of Health", "Health and Human Services"])
            d = _row(f"{county} County {suffix} ({code})", f"{county} County", county, "county", code,
                     _clamp(int(rng.lognormvariate(math.log(40_000), 1.1)), 2_000, 3_000_000), None)
            key = f"{county} County ({code})"
        elif r < 0.84:
            d = _row(f"City of {town} Health Department ({code})", town, town, "city", code,
                     _clamp(int(rng.lognormvariate(math.log(90_000), 0.9)), 8_000, 2_000_000), None)
            key = d["name"]
        elif r < 0.92:
            d = _row(f"{town}-{county} County Health Department ({code})", f"{county} County", town, "city-county",
                     code, _clamp(int(rng.lognormvariate(math.log(150_000), 0.9)), 20_000, 2_500_000), None)
            key = f"{county} County ({code})"
        else:
            district = rng.choice(corpus.DISTRICT_NAMES)
            d = _row(f"{district} Health District ({code})", f"the {district} district", district,
                     "multi-county district", code,
                     _clamp(int(rng.lognormvariate(math.log(110_000), 0.7)), 15_000, 900_000), None)
            key = d["name"]
        if key in taken or d["name"] in taken:
            continue
        taken.update((key, d["name"]))
        d["urban"] = _urban_for(rng, d["population"])
        out.append(d)
    return out


def _row(name, place, root, kind, state, population, urban) -> dict:
    return {"name": name, "place": place, "root": root, "type": kind, "state": state,
            "population": population, "urban": urban}


def _clamp(value, low, high):
    return max(low, min(high, value))


def _urban_for(rng: random.Random, population: int) -> str:
    """An NCHS urban-rural level consistent with the population served."""
    if population >= 1_000_000:
        options = [("large central metro", 7), ("large fringe metro", 3)]
    elif population >= 250_000:
        options = [("large central metro", 2), ("large fringe metro", 3), ("medium metro", 5)]
    elif population >= 50_000:
        options = [("large fringe metro", 1), ("medium metro", 3), ("small metro", 4), ("micropolitan", 2)]
    elif population >= 10_000:
        options = [("large fringe metro", 1), ("small metro", 2), ("micropolitan", 4), ("noncore", 3)]
    else:
        options = [("micropolitan", 1), ("noncore", 6)]
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


def _population_words(population: int) -> str:
    if population >= 1_000_000:
        return f"about {population / 1_000_000:.1f}".removesuffix(".0") + " million"  # never "1.0 million"
    digits = len(str(population)) - 2
    return f"about {round(population, -digits):,}"


def _users(rng: random.Random, depts: list[dict]) -> list[dict]:
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


# ---------------------------------------------------------------- lessons
class _Lessons:
    """Compose lessons from the scenario templates, with slots filled per department and lesson."""

    def __init__(self, rng: random.Random, depts: list[dict], users: list[dict], tax: taxonomy.Taxonomy):
        self.rng, self.depts, self.users = rng, depts, users
        self.practice_ids = {p["name"]: p["id"] for p in tax.practices if p["active"]}
        self.action_ids = {a["name"]: (a["id"], a["practice_id"]) for a in tax.actions if a["active"]}
        self.risk_ids = {r["name"]: r["id"] for r in tax.risk_types if r["active"]}
        self.reviewers = {u["role"]: i for i, u in enumerate(users) if u["role"] in ("coordinator", "admin")}
        self.coordinator_regions = next((u["regions"] for u in users if u["role"] == "coordinator"), ())
        self.rows: dict[str, list] = {k: [] for k in ("lessons", "practices", "actions", "risks", "partners",
                                                      "links", "reviews")}
        self.seen: set[bytes] = set()
        self.profiles = dict(zip(map(id, depts), demo_neutral.profiles(depts, users)))

    def generate(self, n: int) -> dict[str, list]:
        """Plan n lessons (demo member's lessons, one per scenario, then weighted) and compose them."""
        rng, depts = self.rng, self.depts
        plan: list[tuple[int, dict]] = []
        home = next((i for i, d in enumerate(depts) if d["name"] == DEMO_ACCOUNTS[0]["department"]), None)
        if home is not None:
            for forced in ({"status": "draft"}, {"status": "published", "kind": "success", "anonymous": False,
                                                  "visibility": "public"},
                           {"status": "published", "kind": "challenge", "anonymous": True},
                           {"status": "submitted", "anonymous": False}, {"status": "rejected", "anonymous": False}):
                plan.append((home, forced))
        queue = [i for i, d in enumerate(depts) if d["region"] in self.coordinator_regions and i != home]
        plan += [(i, {"status": "submitted"}) for i in rng.sample(queue, min(3, len(queue)))]
        weights = [max(0.3, math.log10(d["population"]) - 2.8) * (1 + REGION_LEAD[d["region"]]) * rng.random() ** 2
                   for d in depts]
        scenarios = list(corpus.SCENARIOS)
        rng.shuffle(scenarios)
        for scenario in scenarios:  # every scenario published at least once: every practice and risk covered
            fits = [i for i, d in enumerate(depts) if not scenario["types"] or d["type"] in scenario["types"]]
            if fits:
                plan.append((rng.choices(fits, [weights[i] + 0.01 for i in fits])[0],
                             {"status": "published", "scenario": scenario}))
        plan = plan[:n]
        plan += [(i, {}) for i in rng.choices(range(len(depts)), weights, k=n - len(plan))]
        for number, (dept, forced) in enumerate(plan):
            self._lesson(number, dept, forced)
        self._cover_taxonomy()
        return self.rows

    def _lesson(self, number: int, dept_index: int, forced: dict) -> None:
        rng, d = self.rng, self.depts[dept_index]
        scenario = forced.get("scenario") or rng.choice(
            [s for s in corpus.SCENARIOS if not s["types"] or d["type"] in s["types"]])
        kind = forced.get("kind") or rng.choices(("success", "challenge", "mixed"), scenario["kinds"])[0]
        r = rng.random()
        status = forced.get("status") or ("published" if r < 0.88 else "draft" if r < 0.93
                                          else "submitted" if r < 0.97 else "rejected")
        anonymous = forced.get("anonymous", rng.random() < {"challenge": 0.3, "mixed": 0.12, "success": 0.04}[kind])
        anonymous = anonymous and demo_neutral.may_be_anonymous(scenario)
        visibility = forced.get("visibility") or ("public" if rng.random() < (0.45 if anonymous else 0.62) else "members")
        first_year, last_year = scenario["years"]
        start = rng.randint(max(FIRST_MONTH, first_year * 12), min(LAST_MONTH - 2, last_year * 12 + 11))
        end = min(start + rng.choice([2, 3, 4, 6, 6, 9, 12, 12, 18, 24, 30, 36]), LAST_MONTH)
        ended = datetime.combine(_month_date(end), datetime.min.time())
        if status in ("draft", "submitted"):
            created = max(NOW - timedelta(days=rng.randint(3, 160)), ended + timedelta(days=1))
        else:
            created = max(ended + timedelta(days=rng.randint(10, 200)), d["joined"] + timedelta(days=rng.randint(1, 40)))
        created = min(created, NOW - timedelta(days=2)).replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
        submitted = _after(created, rng.randint(0, 14)) if status != "draft" else None
        published = _after(submitted, rng.randint(1, 21)) if status == "published" else None
        decided = _after(submitted, rng.randint(2, 14)) if status == "rejected" else None
        texts = self._texts(scenario, kind, d, anonymous, start, end)
        authors = d["members"][:1] if forced else d["members"]
        lesson = {"local": number, "dept": dept_index, "author": rng.choice(authors), "kind": kind, **texts,
                  "period_start": _month_date(start), "period_end": _month_date(end), "status": status,
                  "visibility": visibility, "anonymous": anonymous, "created_at": created,
                  "updated_at": max(t for t in (created, submitted, published, decided) if t),
                  "submitted_at": submitted, "published_at": published}
        self.rows["lessons"].append(lesson)
        self._tags(number, scenario, kind, d, anonymous, start)
        if status == "rejected":
            role = "coordinator" if d["region"] in self.coordinator_regions else "admin"
            self.rows["reviews"].append({"lesson": number, "reviewer": self.reviewers.get(role),
                                         "reason": rng.choice(corpus.REJECTION_REASONS), "decided_at": decided})

    def _texts(self, scenario: dict, kind: str, d: dict, anonymous: bool, start: int, end: int) -> dict:
        rng = self.rng
        sign = {"success": "+", "challenge": "-", "mixed": "~"}[kind]
        for _attempt in range(20):  # re-roll the numbers in the rare case two lessons come out identical
            slots = self._slots(d, anonymous, start, end)

            def pick(field: str, *fallbacks: str) -> str:
                for name in (field + sign, field, *fallbacks):
                    if scenario.get(name):
                        template = rng.choice(scenario[name])
                        return _render(demo_neutral.rewrite(template) if anonymous else template, slots)
                return ""

            # A scenario's own "do differently" (mixed lessons may borrow the challenge one), sometimes
            # followed by a generic line; a generic line alone when the scenario has none for this kind.
            own = pick("differently", *(("differently-",) if kind == "mixed" else ()))
            generic = _render(rng.choice(corpus.DIFFERENTLY[kind]), slots)
            texts = {
                "title": _fit(pick("title"), 120),
                "summary": _fit(pick("summary"), 300),
                "context": _join(_render(rng.choice(demo_neutral.NEUTRAL_OPENERS if anonymous
                                                    else corpus.CONTEXT_OPENERS), slots), pick("context")),
                "what_we_did": _join(pick("did"), _render(rng.choice(corpus.DID_CODAS), slots)),
                "what_happened": _join(pick("happened"), _render(rng.choice(corpus.HAPPENED_CODAS[kind]), slots)),
                "do_differently": _join(own, generic if not own or rng.random() < 0.5 else ""),
                "advice": _join(pick("advice"), rng.choice(corpus.ADVICE)),
            }
            if anonymous:  # the author's own check, run on the demo: nothing may point back to the department
                texts = demo_neutral.neutralise(texts, self.profiles[id(d)])
                texts = {name: _fit(text, 120 if name == "title" else 300) if name in ("title", "summary") else text
                         for name, text in texts.items()}
            key = hashlib.blake2b("\x1f".join(texts.values()).encode(), digest_size=16).digest()
            if key not in self.seen:
                self.seen.add(key)
                return texts
        raise AssertionError("could not compose a unique lesson")  # pragma: no cover

    def _slots(self, d: dict, anonymous: bool, start: int, end: int) -> "_Slots":
        fixed = {"place": d["place"], "state": d["state_name"],
                 "residents": "community members" if d["type"] == "tribal" else "residents", "board": d["board"],
                 "pop_phrase": _population_words(d["population"]),
                 "start": _month_name(start), "end": _month_name(end), "year": str(start // 12),
                 "end_year": str(end // 12)}
        if anonymous:
            fixed.update({**demo_neutral.NEUTRAL_SLOTS, **_GENERIC_ORGS,
                          "neighborhood": self.rng.choice(demo_neutral.GENERIC_NEIGHBORHOODS)})
            return _Slots(fixed, self.rng, d)
        fixed.update(d["orgs"])
        return _Slots(fixed, self.rng, d, places=d.setdefault("places_used", set()))

    def _tags(self, number: int, scenario: dict, kind: str, d: dict, anonymous: bool, start: int) -> None:
        rng, rows = self.rng, self.rows
        names = scenario["practices"][:1] if rng.random() < 0.25 else scenario["practices"]
        practices = [self.practice_ids[p] for p in names if p in self.practice_ids][:3]
        rows["practices"] += [(number, p) for p in practices]
        actions = [self.action_ids[a][0] for a in scenario["actions"]
                   if a in self.action_ids and self.action_ids[a][1] in practices]
        rows["actions"] += [(number, a) for a in rng.sample(actions, min(len(actions), rng.choice([0, 1, 1, 2, 3])))]
        risks = [self.risk_ids[r] for r in scenario["risks"] if r in self.risk_ids]
        wanted = {"success": rng.choice([0, 1, 2]), "mixed": rng.choice([1, 2]), "challenge": rng.choice([1, 2, 3])}[kind]
        if wanted > len(risks) and self.risk_ids:
            risks.append(rng.choice(list(self.risk_ids.values())))
        rows["risks"] += [(number, r) for r in dict.fromkeys(rng.sample(risks, min(wanted, len(risks))))]
        partners = rng.sample(scenario["partners"], rng.randint(1, len(scenario["partners"])))
        if rng.random() < 0.3:
            partners.append(rng.choice(corpus.PARTNER_TAGS))
        rows["partners"] += [(number, p) for p in dict.fromkeys(partners)]
        # Anonymous lessons link nothing: a department's documents and local news point back to it.
        for position in range(0 if anonymous else rng.choice([0, 0, 1, 1, 2])):
            url = (f"https://www.example.org/{d['slug']}/{scenario['key']}-{start // 12}.pdf" if position == 0
                   else f"https://example.com/news/{start // 12}/{scenario['key']}-{number}")
            rows["links"].append((number, position + 1, url))

    def _cover_taxonomy(self) -> None:
        """Attach any practice or risk type no published lesson carries (e.g. after taxonomy edits)."""
        published = [l["local"] for l in self.rows["lessons"] if l["status"] == "published"]
        for key, ids in (("practices", self.practice_ids.values()), ("risks", self.risk_ids.values())):
            covered = {t for lesson, t in self.rows[key] if self.rows["lessons"][lesson]["status"] == "published"}
            for offset, missing in enumerate(i for i in ids if i not in covered):
                for lesson in published[offset::7][:3]:
                    self.rows[key].append((lesson, missing))


class _Slots(dict):
    """Slot values for one lesson; random ones are drawn on first use, so both mentions of {n} agree
    and a lesson draws only the numbers its templates need."""

    def __init__(self, fixed: dict, rng: random.Random, dept: dict, places: set | None = None):
        super().__init__(fixed)
        self.rng, self.dept, self.places = rng, dept, places

    def __missing__(self, key: str) -> str:
        value = self[key] = _RANDOM_SLOTS[key](self.rng, self.dept)
        if key == "neighborhood" and self.places is not None:
            self.places.add(value)  # the department's own places: its anonymous lessons must not name them
        return value


_RANDOM_SLOTS: dict[str, Callable[[random.Random, dict], str]] = {
    "leader": lambda r, d: r.choice(corpus.LEADERS),
    "n_staff": lambda r, d: f"{_staff(d['population'] / r.uniform(900, 2200)):,}",
    "neighborhood": lambda r, d: r.choice(corpus.NEIGHBORHOODS),
    "n": lambda r, d: str(r.randint(3, 9)), "n2": lambda r, d: str(r.randint(12, 60)),
    "n3": lambda r, d: f"{r.randrange(150, 4000, 10):,}", "pct": lambda r, d: str(r.randint(12, 48)),
    "pct2": lambda r, d: str(r.randint(55, 85)), "money": lambda r, d: f"${r.randrange(25, 750, 5) * 1000:,}",
    "big_money": lambda r, d: f"${r.randint(12, 140) / 10:g} million", "weeks": lambda r, d: str(r.randint(2, 10)),
    "months": lambda r, d: str(r.randint(4, 20)), "hourly": lambda r, d: str(r.randrange(25, 65, 5)),
    "votes_for": lambda r, d: str(r.randint(5, 9)), "votes_against": lambda r, d: str(r.randint(1, 4)),
}
_GENERIC_ORGS = {slot: generic for slot, (_, generic) in corpus.ORGS.items()}


def _staff(estimate: float) -> int:
    return max(8, int(round(estimate, -1)) if estimate > 30 else int(estimate))


def _render(template: str, slots: dict) -> str:
    """Fill a template; capitalize sentences that open with a lower-case slot value ("the ...", "our ...")."""
    text = template.format_map(slots)
    if _opens_with_slot(template):
        text = _CAPITALIZE.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return text


@functools.lru_cache(maxsize=None)
def _opens_with_slot(template: str) -> bool:
    return re.search(r'(^|[.!?]"?\s+)\{', template) is not None


def _after(moment: datetime, days: int) -> datetime:
    return min(moment + timedelta(days=days), NOW - timedelta(hours=1))


def _month_date(month: int) -> date:
    return date(month // 12, month % 12 + 1, 1)


def _month_name(month: int) -> str:
    return f"{_MONTHS[month % 12]} {month // 12}"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _fit(text: str, limit: int) -> str:
    """Drop trailing sentences (then words) until the text fits the field's limit."""
    while len(text) > limit and ". " in text:
        text = text[: text.rindex(". ") + 1]
    return text if len(text) <= limit else text[: text.rindex(" ", 0, limit - 1)] + "…"


# ---------------------------------------------------------------- self-assessments
def _assessments(rng: random.Random, depts: list[dict], practices: list[dict], tax: taxonomy.Taxonomy) -> dict:
    """Quarterly stages per department and practice: leading regions and internal practices move first."""
    category_position = {c["id"]: c["position"] for c in tax.categories}
    speeds = [CATEGORY_SPEED.get(category_position.get(p["category_id"]), 0.0) + PRACTICE_SPEED.get(p["name"], 0.0)
              for p in practices]
    slugs = [re.sub(r"[^a-z0-9]+", "-", p["name"].lower()).strip("-") for p in practices]
    rows: dict[str, list] = {k: [] for k in ("dept", "practice_id", "stage", "as_of", "note", "evidence_url")}
    size_effect = {"large": 0.2, "medium": 0.0, "small": -0.2}
    for i, d in enumerate(depts):
        lead = REGION_LEAD[d["region"]] + size_effect[d["band"]] + rng.gauss(0, 0.5)
        stall_from = rng.randint(2, 9) if rng.random() < 0.12 else len(QUARTER_ENDS)  # some stop moving
        fragile = rng.random() < 0.08  # a few lose ground (staff leave, grants end)
        for practice, speed, slug in zip(practices, speeds, slugs):
            latent = lead + speed
            stage = _clamp(round(1.0 + 1.2 * latent + rng.gauss(0, 0.8)), 0, 4)
            for quarter, as_of in enumerate(QUARTER_ENDS):
                note = url = ""
                if quarter == 0:
                    note = corpus.NOTES_SAME[0] if rng.random() < 0.1 else ""
                else:
                    down = ((0.05 if fragile else 0.008) + (0.015 if as_of.year == 2025 else 0.0)) if stage >= 2 else 0.0
                    up = 0.0 if stage == 4 else 0.01 if quarter >= stall_from else \
                        1 / (1 + math.exp(1.7 - 1.1 * latent + 0.3 * stage))
                    r = rng.random()
                    if r < down:
                        stage -= 1
                        note = rng.choice(corpus.NOTES_DOWN) if rng.random() < 0.8 else ""
                    elif r < down + up:
                        stage += 1
                        note = rng.choice(corpus.NOTES_UP) if rng.random() < 0.5 else ""
                        if stage >= 3 and rng.random() < 0.35:
                            url = f"https://www.example.org/{d['slug']}/{slug}-{as_of.year}.pdf"
                    elif rng.random() < 0.02:
                        note = rng.choice(corpus.NOTES_SAME[1:3])
                rows["dept"].append(i)
                rows["practice_id"].append(practice["id"])
                rows["stage"].append(stage)
                rows["as_of"].append(as_of)
                rows["note"].append(note)
                rows["evidence_url"].append(url)
    return rows


# ---------------------------------------------------------------- bulk insert
def _insert(cur, depts: list[dict], users: list[dict], lessons: dict[str, list], assessments: dict,
            say: Callable[[str], None]) -> dict[str, int]:
    _refuse_if_filled(cur)
    # Ids come from the tables' own sequences, so later inserts (DEFAULT nextval) never collide.
    dept_ids = _allocate(cur, "department_ids", len(depts))
    user_ids = _allocate(cur, "user_ids", len(users))
    # Lesson ids in the order the lessons were written, as in a live exchange: never the generator's
    # plan order, which put one department's lessons (named and anonymous) side by side.
    allocated = _allocate(cur, "lesson_ids", len(lessons["lessons"]))
    lesson_ids = [0] * len(allocated)
    for rank, row in enumerate(sorted(lessons["lessons"], key=lambda r: (r["created_at"], r["local"]))):
        lesson_ids[row["local"]] = allocated[rank]
    say(f"Inserting {len(depts)} departments and {len(users)} users…")
    _bulk(cur, "departments", {
        "id": dept_ids, "name": [d["name"] for d in depts], "jurisdiction_type": [d["type"] for d in depts],
        "state_code": [d["state"] for d in depts], "population": [d["population"] for d in depts],
        "population_band": [d["band"] for d in depts], "urban_rural": [d["urban"] for d in depts],
        "description": [d["description"] for d in depts], "created_at": [d["joined"] for d in depts],
        "place_names": ["\n".join(dict.fromkeys([d["place"], d["root"], *sorted(d.get("places_used", ()))]))
                        for d in depts]})
    _bulk(cur, "users", {
        "id": user_ids, "email": [u["email"] for u in users], "display_name": [u["display_name"] for u in users],
        "role": [u["role"] for u in users],
        "department_id": pd.array([None if u["dept"] is None else dept_ids[u["dept"]] for u in users], dtype="Int64"),
        "password_hash": [u.get("password_hash") for u in users], "created_at": [u["created_at"] for u in users],
        "password_changed_at": [u["created_at"] if u.get("password_hash") else None for u in users]})
    _bulk(cur, "user_regions", {"user_id": [user_ids[i] for i, u in enumerate(users) for _ in u["regions"]],
                                "hhs_region": [r for u in users for r in u["regions"]]})
    rows = lessons["lessons"]
    say(f"Inserting {len(rows)} lessons…")
    text_columns = ("title", "kind", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice",
                    "period_start", "period_end", "status", "visibility", "anonymous", "created_at", "updated_at",
                    "submitted_at", "published_at")
    _bulk(cur, "lessons", {"id": lesson_ids, **{c: [r[c] for r in rows] for c in text_columns},
                           "author_id": [user_ids[r["author"]] for r in rows],
                           "department_id": [dept_ids[r["dept"]] for r in rows]})
    for table, key, columns in (("lesson_practices", "practices", ("practice_id",)),
                                ("lesson_actions", "actions", ("action_id",)),
                                ("lesson_risks", "risks", ("risk_type_id",)),
                                ("lesson_partners", "partners", ("partner",)),
                                ("lesson_links", "links", ("position", "url"))):
        pairs = lessons[key]
        _bulk(cur, table, {"lesson_id": [lesson_ids[p[0]] for p in pairs],
                           **{c: [p[n + 1] for p in pairs] for n, c in enumerate(columns)}})
    reviews = lessons["reviews"]
    _bulk(cur, "lesson_reviews", {
        "lesson_id": [lesson_ids[r["lesson"]] for r in reviews],
        "reviewer_id": pd.array([None if r["reviewer"] is None else user_ids[r["reviewer"]] for r in reviews],
                                dtype="Int64"),
        "decision": ["rejected"] * len(reviews), "reason": [r["reason"] for r in reviews],
        "decided_at": [r["decided_at"] for r in reviews]})
    say(f"Inserting {len(assessments['stage'])} self-assessments…")
    recorders = [user_ids[d["members"][0]] for d in depts]
    _bulk(cur, "assessments", {
        "department_id": [dept_ids[i] for i in assessments["dept"]], "practice_id": assessments["practice_id"],
        "stage": assessments["stage"], "as_of": assessments["as_of"], "note": assessments["note"],
        "evidence_url": assessments["evidence_url"], "recorded_by": [recorders[i] for i in assessments["dept"]],
        "recorded_at": assessments["as_of"]})
    return {"departments": len(depts), "users": len(users), "lessons": len(rows),
            "assessments": len(assessments["stage"])}


def _allocate(cur, sequence: str, count: int) -> list[int]:
    """Draw `count` ids from a sequence (advancing it), in ascending order."""
    found = cur.execute(f"SELECT nextval('{sequence}') AS id FROM range(?) ORDER BY id", [count]).fetchall()
    return [row[0] for row in found]


_DATE_COLUMNS = {"period_start", "period_end", "as_of"}
_TIMESTAMP_COLUMNS = {"created_at", "updated_at", "submitted_at", "published_at", "decided_at", "recorded_at",
                      "password_changed_at"}


def _bulk(cur, table: str, columns: dict[str, list]) -> None:
    """INSERT every row of the given columns (names from this module, never user input) from a DataFrame."""
    if not len(next(iter(columns.values()))):
        return
    frame = pd.DataFrame({name: pd.to_datetime(values) if name in _DATE_COLUMNS | _TIMESTAMP_COLUMNS else values
                          for name, values in columns.items()})
    selected = ", ".join(f"CAST({c} AS DATE)" if c in _DATE_COLUMNS else c for c in columns)
    cur.register("demo_rows", frame)
    try:
        cur.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {selected} FROM demo_rows")
    finally:
        cur.unregister("demo_rows")
