"""Demo lessons: a plan (the demo member's lessons, every scenario once, then weighted by department), each composed from its scenario."""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import random
import re
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
                                                      "links", "reviews", "reports")}
        self.seen: set[bytes] = set()
        self.titles: set[str] = set()
        self.stories: dict[str, list[set[str]]] = {}  # story shingles of each scenario's lessons so far
        self.profiles = dict(zip(map(id, depts), demo_neutral.profiles(depts, users)))

    def generate(self, n: int) -> dict[str, list]:
        """Plan n lessons (demo member's lessons, one per scenario, then weighted) and compose them."""
        rng, depts = self.rng, self.depts
        plan: list[tuple[int | None, dict]] = []
        home = next((i for i, d in enumerate(depts) if d["name"] == DEMO_ACCOUNTS[0]["department"]), None)
        if home is not None:
            for forced in ({"status": "draft"}, {"status": "published", "kind": "success", "anonymous": False,
                                                  "visibility": "public"},
                           {"status": "published", "kind": "challenge", "anonymous": True},
                           {"status": "submitted", "anonymous": False}, {"status": "rejected", "anonymous": False}):
                plan.append((home, forced))
        queue = [i for i, d in enumerate(depts) if d["region"] in self.coordinator_regions and i != home]
        plan += [(i, {"status": "submitted"}) for i in rng.sample(queue, min(3, len(queue)))]
        self.weights = [max(0.3, math.log10(d["population"]) - 2.8) * (1 + REGION_LEAD[d["region"]]) * rng.random() ** 2
                        for d in depts]
        scenarios = list(corpus.SCENARIOS)
        rng.shuffle(scenarios)
        for scenario in scenarios:  # every scenario published at least once: every practice and risk covered
            fits = [i for i, d in enumerate(depts) if _fits(scenario, d)]
            if fits:
                plan.append((rng.choices(fits, [self.weights[i] + 0.01 for i in fits])[0],
                             {"status": "published", "scenario": scenario}))
        plan = plan[:n]
        plan += [(None, {})] * (n - len(plan))  # the department is drawn once the lesson's date is known
        self.schedule = Schedule(rng, n)
        self.by_joined = sorted(range(len(depts)), key=lambda i: depts[i]["joined"])
        self.joined = [depts[i]["joined"] for i in self.by_joined]
        self.cumulative = list(itertools.accumulate(self.weights[i] + 0.01 for i in self.by_joined))
        self.compare_all = n <= 5000  # at demo scale every pair of a scenario's lessons is kept apart
        for number, (dept, forced) in enumerate(plan):
            self._lesson(number, dept, forced)
        self._cover_taxonomy()
        self._reports()
        return self.rows

    def _reports(self) -> None:
        """Reports from members of other departments: open ones waiting in the coordinator's queue, and settled ones."""
        rng, rows = self.rng, self.rows
        coordinator = self.reviewers.get("coordinator")
        published = [l for l in rows["lessons"] if l["status"] == "published"
                     and self.depts[l["dept"]]["region"] in self.coordinator_regions]
        reasons = corpus.REPORT_REASONS
        chosen = rng.sample(published, min(len(published), len(reasons["open"]) + len(reasons["settled"])))
        for n, (lesson, reason) in enumerate(zip(chosen, [*reasons["open"], *reasons["settled"]])):
            others = [i for i, d in enumerate(self.depts) if i != lesson["dept"] and d["joined"] < lesson["published_at"]]
            if not others:
                continue
            reporter = self.depts[rng.choice(others)]["members"][-1]
            reported = after(max(lesson["published_at"], NOW - timedelta(days=60)), rng.randint(1, 50))
            settled = n >= len(reasons["open"]) and coordinator is not None
            resolved = after(reported, rng.randint(1, 5)) if settled else None
            rows["reports"].append({"lesson": lesson["local"], "reporter": reporter,
                                    "reporter_dept": self.users[reporter]["dept"], "reason": reason,
                                    "reported_at": reported, "resolved_at": resolved,
                                    "resolved_by": coordinator if settled else None, "outcome": "kept" if settled else None})
            if settled:
                rows["reviews"].append({"lesson": lesson["local"], "reviewer": coordinator, "decision": "dismissed",
                                        "reason": "", "decided_at": resolved})

    def _department(self, created: datetime) -> int:
        """A department that had joined by `created`, weighted by size and region."""
        eligible = max(1, bisect.bisect_right(self.joined, created - timedelta(days=7)))
        pick = self.rng.random() * self.cumulative[eligible - 1]
        return self.by_joined[min(bisect.bisect_right(self.cumulative, pick), eligible - 1)]

    def _lesson(self, number: int, dept_index: int | None, forced: dict) -> None:
        rng = self.rng
        r = rng.random()
        status = forced.get("status") or ("published" if r < 0.88 else "draft" if r < 0.93
                                          else "submitted" if r < 0.97 else "rejected")
        scenario = forced.get("scenario")
        # When: published and rejected lessons take a month from the network's schedule (growing, seasonal);
        # drafts and lessons waiting for review were written recently.
        if status in ("published", "rejected"):
            # A department's own lessons come at least a month after it joined (a forced lesson's department is known).
            floor = None if dept_index is None else self.depts[dept_index]["joined"] + timedelta(days=40)
            month = self.schedule.take(lambda m: (floor is None or month_date(m) >= floor.date())
                                       and (scenario is None or _window(scenario, m - 1)))
            decided = datetime.combine(month_date(month), datetime.min.time()) + timedelta(
                days=rng.randint(0, 27), hours=rng.randint(8, 17), minutes=rng.randint(0, 59))
            decided = min(decided, NOW - timedelta(hours=rng.randint(2, 20)))
            submitted = decided - timedelta(days=rng.randint(1, 21), hours=rng.randint(0, 5))
            created = submitted - timedelta(days=rng.randint(0, 14), hours=rng.randint(0, 3))
        else:
            days = rng.randint(3, 45) if status == "submitted" else rng.randint(3, 300)
            created = (NOW - timedelta(days=days)).replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))
            submitted = after(created, rng.randint(0, 2)) if status == "submitted" else None
            decided = None
        if dept_index is None:
            dept_index = self._department(created)
        d = self.depts[dept_index]
        if created < d["joined"] + timedelta(days=1):  # no month suited a late-joining department's forced lesson
            shift = d["joined"] + timedelta(days=1) - created
            created, submitted = created + shift, submitted and min(submitted + shift, NOW - timedelta(hours=2))
            decided = decided and max(submitted, min(decided + shift, NOW - timedelta(hours=1)))
        created_month = created.year * 12 + created.month - 1
        if scenario is None:
            options = [s for s in corpus.SCENARIOS if _fits(s, d) and _window(s, created_month - 1)]
            scenario = rng.choice(options or [s for s in corpus.SCENARIOS if _fits(s, d)])
        kind = forced.get("kind") or rng.choices(("success", "challenge", "mixed"), scenario["kinds"])[0]
        anonymous = forced.get("anonymous", rng.random() < {"challenge": 0.3, "mixed": 0.12, "success": 0.04}[kind])
        anonymous = anonymous and demo_neutral.may_be_anonymous(scenario)
        visibility = forced.get("visibility") or ("public" if rng.random() < (0.45 if anonymous else 0.62) else "members")
        start, end = _period(rng, scenario, created_month)
        published = decided if status == "published" else None
        texts = self._texts(scenario, kind, d, anonymous, start, end)
        authors = d["members"][:1] if forced else d["members"]
        lesson = {"local": number, "dept": dept_index, "author": rng.choice(authors), "kind": kind, **texts,
                  "period_start": month_date(start), "period_end": month_date(end), "status": status,
                  "visibility": visibility, "anonymous": anonymous, "created_at": created,
                  "updated_at": max(t for t in (created, submitted, decided) if t),
                  "submitted_at": submitted, "published_at": published}
        self.rows["lessons"].append(lesson)
        self._tags(number, scenario, kind, d, anonymous, start)
        if status == "rejected":
            role = "coordinator" if d["region"] in self.coordinator_regions else "admin"
            self.rows["reviews"].append({"lesson": number, "reviewer": self.reviewers.get(role), "decision": "rejected",
                                         "reason": rng.choice(corpus.REJECTION_REASONS), "decided_at": decided})

    def _texts(self, scenario: dict, kind: str, d: dict, anonymous: bool, start: int, end: int) -> dict:
        rng = self.rng
        sign = {"success": "+", "challenge": "-", "mixed": "~"}[kind]
        kept = self.stories.setdefault(scenario["key"], [])
        others = kept if self.compare_all else kept[-8:]  # at national scale: its latest few (a full check is O(n²))
        best: tuple[float, dict, set] | None = None
        for _attempt in range(12):  # draw again when the story comes out too like another of its scenario
            slots = self._slots(d, anonymous, start, end, scenario)

            def pick(field: str, *fallbacks: str) -> str:
                for name in (field + sign, field, *fallbacks):
                    if scenario.get(name):
                        template = rng.choice(scenario[name])
                        return self._render(template, slots, anonymous)
                return ""

            # A scenario's own "do differently" (mixed lessons may borrow the challenge one), sometimes
            # followed by a generic line; a generic line alone when the scenario has none for this kind.
            own = pick("differently", *(("differently-",) if kind == "mixed" else ()))
            generic = render(rng.choice(corpus.DIFFERENTLY[kind]), slots)
            beats = self._beats(d, anonymous, kind, start, slots)
            texts = {
                "title": self._title(scenario, kind, slots, anonymous, pick("title")),
                "summary": fit(pick("summary"), 300),
                "context": join(render(rng.choice(demo_neutral.NEUTRAL_OPENERS if anonymous
                                                    else corpus.CONTEXT_OPENERS), slots), pick("context"),
                                *beats["context"]),
                "what_we_did": join(*_woven(rng, pick("did"), beats["did"]), render(rng.choice(corpus.DID_CODAS), slots)),
                "what_happened": join(pick("happened"), *beats["happened"],
                                      render(rng.choice(corpus.HAPPENED_CODAS[kind]), slots)),
                "do_differently": join(own, generic if not own or rng.random() < 0.5 else ""),
                "advice": join(pick("advice"), rng.choice(corpus.ADVICE)),
            }
            if anonymous:  # the author's own check, run on the demo: nothing may point back to the department
                texts = demo_neutral.neutralise(texts, self.profiles[id(d)])
                texts = {name: fit(text, 120 if name == "title" else 300) if name in ("title", "summary") else text
                         for name, text in texts.items()}
            key = hashlib.blake2b("\x1f".join(texts.values()).encode(), digest_size=16).digest()
            if key in self.seen:
                continue
            shingles = story_shingles(texts)
            closest = max((jaccard(shingles, other) for other in others), default=0.0)
            if best is None or closest < best[0]:
                best = (closest, texts, shingles)
            if closest < SIMILARITY_LIMIT:  # (_title already chose a title not yet taken, where one was left)
                break
        if best is None:  # pragma: no cover
            raise AssertionError("could not compose a unique lesson")
        _, texts, shingles = best
        self.seen.add(hashlib.blake2b("\x1f".join(texts.values()).encode(), digest_size=16).digest())
        self.titles.add(texts["title"])
        kept.append(shingles)
        return texts

    def _render(self, template: str, slots: dict, anonymous: bool) -> str:
        return render(demo_neutral.rewrite(template) if anonymous else template, slots)

    def _title(self, scenario: dict, kind: str, slots: dict, anonymous: bool, own: str) -> str:
        """The scenario's own title for the kind, or, once that is taken, one of the general patterns for it."""
        own = fit(own, 120)
        if own not in self.titles:
            return own
        patterns = [p for p in corpus.TITLE_PATTERNS[kind] if not (anonymous and "{place}" in p)]
        for pattern in self.rng.sample(patterns, len(patterns)):
            title = fit(self._render(pattern, slots, anonymous), 120)
            title = title[:1].upper() + title[1:]
            if title not in self.titles:
                return title
        return fit(f"{own} ({slots['year']})", 120)

    def _beats(self, d: dict, anonymous: bool, kind: str, start: int, slots: dict) -> dict[str, list[str]]:
        """The sentences that make this lesson its own: context details, steps taken, what else happened, a quote."""
        rng = self.rng
        pools = [corpus.CONTEXT_BEATS["any"]]
        if not anonymous:  # the setting and the jurisdiction type are what an anonymous lesson must not say
            pools.append(corpus.CONTEXT_BEATS.get("rural" if d["urban"] in corpus.SETTINGS["rural"] else "urban", []))
            pools.append(corpus.CONTEXT_BEATS.get(d["type"], []))
        context_pool = [line for pool in pools for line in pool]
        context = rng.sample(context_pool, rng.choice([1, 2, 2]))
        year = start // 12
        era = [line for first, last, lines in corpus.ERA_BEATS if first <= year <= last for line in lines]
        if era and rng.random() < 0.7:
            context.append(rng.choice(era))
        did = rng.sample(corpus.DID_BEATS, rng.choice([2, 2, 3]))
        happened = rng.sample(corpus.HAPPENED_BEATS[kind], rng.choice([1, 1, 2]))
        if rng.random() < 0.45:
            happened.append(rng.choice(corpus.QUOTE_FRAMES).replace("{quote}", rng.choice(corpus.QUOTES)))
        return {part: [self._render(line, slots, anonymous) for line in lines]
                for part, lines in (("context", context), ("did", did), ("happened", happened))}

    def _slots(self, d: dict, anonymous: bool, start: int, end: int, scenario: dict) -> Slots:
        fixed = {"place": d["place"], "state": d["state_name"],
                 "residents": "community members" if d["type"] == "tribal" else "residents", "board": d["board"],
                 "pop_phrase": population_words(d["population"]), "home": corpus.PLACE_WORDS[d["type"]],
                 "start": month_name(start), "end": month_name(end), "year": str(start // 12),
                 "end_year": str(end // 12), "topic": scenario["topic"],
                 "prior_year": str(start // 12 - self.rng.randint(2, 5))}
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
        # Every action too, on published lessons of its practice (tagging the practice when none has it).
        covered = {a for lesson, a in self.rows["actions"] if self.rows["lessons"][lesson]["status"] == "published"}
        tagged = {}
        for lesson, practice in self.rows["practices"]:
            tagged.setdefault(practice, []).append(lesson)
        is_published = set(published)
        for offset, (action, practice) in enumerate(v for v in self.action_ids.values() if v[0] not in covered):
            carriers = [l for l in tagged.get(practice, []) if l in is_published][:2]
            if not carriers:
                carriers = published[offset::11][:1]
                self.rows["practices"] += [(lesson, practice) for lesson in carriers]
            self.rows["actions"] += [(lesson, action) for lesson in carriers]



# Two lessons tell the same story when the word 5-shingles of their story sections overlap this much
# (Jaccard); the generator draws again above SIMILARITY_LIMIT, under the 0.5 the tests hold it to.
STORY_FIELDS = ("context", "what_we_did", "what_happened")
SHINGLE = 5
SIMILARITY_LIMIT = 0.4
_WORDS = re.compile(r"[a-z0-9']+")


def story_shingles(texts: dict) -> set[str]:
    """The word 5-shingles of a lesson's story sections (context, what we did, what happened)."""
    words = _WORDS.findall(" ".join(texts[f] or "" for f in STORY_FIELDS).lower())
    return {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b| (0 for two empty sets)."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


class Schedule:
    """When lessons are published: a month for each, growing from 2017 to 2026 with ordinary seasons.

    The counts per month follow the curve exactly (rounded with carried remainders), in shuffled
    order, so no month stands out by chance; take() hands out the first month that suits a lesson.
    """

    def __init__(self, rng: random.Random, n: int):
        months = list(range(FIRST_MONTH + 2, LAST_MONTH + 1))  # from March 2017: the exchange opened in January
        weights = [(1 + 2.2 * (m - months[0]) / (months[-1] - months[0])) * SEASON[m % 12] for m in months]
        total, carried, slots = sum(weights), 0.0, []
        for m, w in zip(months, weights):
            carried += n * w / total
            count = int(carried)
            carried -= count
            slots += [m] * count
        rng.shuffle(slots)
        self.slots, self.used, self.first = slots, [False] * len(slots), 0
        self.months, self.rng = months, rng

    def take(self, suits) -> int:
        """The next month that suits the lesson (a month index), or a random suitable one when none is left."""
        while self.first < len(self.slots) and self.used[self.first]:
            self.first += 1
        for i in range(self.first, len(self.slots)):
            if not self.used[i] and suits(self.slots[i]):
                self.used[i] = True
                return self.slots[i]
        return self.rng.choice([m for m in self.months if suits(m)] or self.months)


# Publishing through the year: quiet in the summer and over the holidays, busy in spring and autumn.
SEASON = {0: 0.9, 1: 1.0, 2: 1.15, 3: 1.2, 4: 1.1, 5: 0.95, 6: 0.75, 7: 0.8, 8: 1.05, 9: 1.15, 10: 1.0, 11: 0.7}


def _fits(scenario: dict, d: dict) -> bool:
    """The scenario can be told by this department: its jurisdiction type and setting."""
    if scenario["types"] and d["type"] not in scenario["types"]:
        return False
    return all(d["urban"] in corpus.SETTINGS[s] for s in scenario["settings"])


def _window(scenario: dict, last_end: int) -> bool:
    """A period ending by month `last_end` (and at most three years before it) can start in the scenario's years."""
    first, last = scenario["years"]
    return first * 12 <= last_end and last_end - 36 <= last * 12 + 11


def _period(rng: random.Random, scenario: dict, created_month: int) -> tuple[int, int]:
    """The months a lesson's work ran: ending a little before it was written, starting in the scenario's years."""
    first, last = scenario["years"]
    end = created_month - rng.choice([1, 1, 2, 2, 3, 4, 6, 9])
    length = rng.choice([2, 3, 4, 6, 6, 9, 12, 12, 18, 24, 30, 36])
    start = end - length
    start = max(start, first * 12, FIRST_MONTH)
    start = min(start, last * 12 + 11, LAST_MONTH)
    end = max(start, min(end, start + 36, LAST_MONTH))
    if end >= created_month:  # written too early for the scenario's years: the period is as late as it can be
        end = start = max(FIRST_MONTH, min(start, created_month - 1))
    return start, end


def _woven(rng: random.Random, spine: str, beats: list[str]) -> list[str]:
    """The scenario's account of what was done with the extra steps before or after it."""
    split = rng.randint(0, len(beats))
    return [*beats[:split], spine, *beats[split:]]
