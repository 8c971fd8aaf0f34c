"""Demo lessons: a plan (the demo member's lessons, every scenario once, then weighted by department), each composed from its scenario."""

from __future__ import annotations

import hashlib
import math
import random
from datetime import datetime, timedelta

from exchange import taxonomy
from exchange.demo import corpus
from exchange.demo import neutral as demo_neutral
from exchange.demo.accounts import DEMO_ACCOUNTS
from exchange.demo.world import FIRST_MONTH, LAST_MONTH, NOW, REGION_LEAD, after, month_date, month_name
from exchange.demo.writing import GENERIC_ORGS, Slots, fit, join, population_words, render


class Lessons:
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
        ended = datetime.combine(month_date(end), datetime.min.time())
        if status in ("draft", "submitted"):
            created = max(NOW - timedelta(days=rng.randint(3, 160)), ended + timedelta(days=1))
        else:
            created = max(ended + timedelta(days=rng.randint(10, 200)), d["joined"] + timedelta(days=rng.randint(1, 40)))
        created = min(created, NOW - timedelta(days=2)).replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
        submitted = after(created, rng.randint(0, 14)) if status != "draft" else None
        published = after(submitted, rng.randint(1, 21)) if status == "published" else None
        decided = after(submitted, rng.randint(2, 14)) if status == "rejected" else None
        texts = self._texts(scenario, kind, d, anonymous, start, end)
        authors = d["members"][:1] if forced else d["members"]
        lesson = {"local": number, "dept": dept_index, "author": rng.choice(authors), "kind": kind, **texts,
                  "period_start": month_date(start), "period_end": month_date(end), "status": status,
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
                        return render(demo_neutral.rewrite(template) if anonymous else template, slots)
                return ""

            # A scenario's own "do differently" (mixed lessons may borrow the challenge one), sometimes
            # followed by a generic line; a generic line alone when the scenario has none for this kind.
            own = pick("differently", *(("differently-",) if kind == "mixed" else ()))
            generic = render(rng.choice(corpus.DIFFERENTLY[kind]), slots)
            texts = {
                "title": fit(pick("title"), 120),
                "summary": fit(pick("summary"), 300),
                "context": join(render(rng.choice(demo_neutral.NEUTRAL_OPENERS if anonymous
                                                    else corpus.CONTEXT_OPENERS), slots), pick("context")),
                "what_we_did": join(pick("did"), render(rng.choice(corpus.DID_CODAS), slots)),
                "what_happened": join(pick("happened"), render(rng.choice(corpus.HAPPENED_CODAS[kind]), slots)),
                "do_differently": join(own, generic if not own or rng.random() < 0.5 else ""),
                "advice": join(pick("advice"), rng.choice(corpus.ADVICE)),
            }
            if anonymous:  # the author's own check, run on the demo: nothing may point back to the department
                texts = demo_neutral.neutralise(texts, self.profiles[id(d)])
                texts = {name: fit(text, 120 if name == "title" else 300) if name in ("title", "summary") else text
                         for name, text in texts.items()}
            key = hashlib.blake2b("\x1f".join(texts.values()).encode(), digest_size=16).digest()
            if key not in self.seen:
                self.seen.add(key)
                return texts
        raise AssertionError("could not compose a unique lesson")  # pragma: no cover

    def _slots(self, d: dict, anonymous: bool, start: int, end: int) -> Slots:
        fixed = {"place": d["place"], "state": d["state_name"],
                 "residents": "community members" if d["type"] == "tribal" else "residents", "board": d["board"],
                 "pop_phrase": population_words(d["population"]),
                 "start": month_name(start), "end": month_name(end), "year": str(start // 12),
                 "end_year": str(end // 12)}
        if anonymous:
            fixed.update({**demo_neutral.NEUTRAL_SLOTS, **GENERIC_ORGS,
                          "neighborhood": self.rng.choice(demo_neutral.GENERIC_NEIGHBORHOODS)})
            return Slots(fixed, self.rng, d)
        fixed.update(d["orgs"])
        return Slots(fixed, self.rng, d, places=d.setdefault("places_used", set()))

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

