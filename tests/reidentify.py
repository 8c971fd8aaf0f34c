"""An attacker's model of the exchange, for the re-identification test (issue #8.1).

For each anonymous published lesson, the attacker sees what the app shows a visitor (public
lessons) or a member of another department (all published lessons): the K-rule region and
jurisdiction type, the text, partners and links, and every attributed lesson. They also know
each department's public facts (name, state, region, jurisdiction type, population). The
candidates are the departments consistent with all of it:

- a department name, short name or place of the demo's department list in the text → that department;
- a state name in the text → departments of that state;
- a word only one jurisdiction type uses ("tribal council", "our district") → that type;
- a population phrase or figure, a staff figure → departments of that size;
- a place name that also appears in a department's attributed lessons → those departments;
- a link with a department's folder or domain → that department.

The attacker is granted hindsight: a clue that would exclude the true department (a random
neighbourhood that another department also mentions) is ignored, so the count is a lower bound.

Deliberately independent of exchange/privacy/identifying.py: it checks the checker's work.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from exchange.demo import corpus as demo_corpus
from exchange.privacy import identifying
from exchange.privacy.scan import WORD, key
from exchange.privacy.anonymity import LESSON_FACTS, K
from exchange.storage.duckdb import rows
from exchange.models import population_band

TEXT = ("title", "summary", "context", "what_we_did", "what_happened", "do_differently", "advice")
# Words the demo vocabulary uses for one jurisdiction type only (each maps to the types that use it).
TYPE_WORDS = {
    "our county": {"county"}, "county board": {"county"}, "board of commissioners": {"county"},
    "board of supervisors": {"county"}, "city council": {"city"}, "our city": {"city"},
    "our city and county": {"city-county"}, "metro council": {"city-county"}, "city-county council": {"city-county"},
    "our district": {"multi-county district"}, "district board of health": {"multi-county district"},
    "our state": {"state"}, "the legislature": {"state", "territorial"}, "our territory": {"territorial"},
    "tribal council": {"tribal"}, "our nation": {"tribal"}, "tribal members": {"tribal"},
    "our citizens": {"tribal"}, "our people": {"tribal"},
}
BAND_WORDS = {phrase: band for band, phrase in demo_corpus.BAND_WORDS.items()}
_FIGURE = re.compile(r"\b(?:about|roughly|nearly)?\s*(\d[\d,]*(?:\.\d+)?)( million)? (?:residents|community members)")
_STAFF = re.compile(r"\b(\d[\d,]*) staff\b|department of about (\d[\d,]*)")


@dataclass
class Outcome:
    lesson_id: int
    department_id: int
    public: bool
    candidates: int
    clues: list[str]


def _words(text: str) -> tuple[str, ...]:
    return tuple(key(w) for w in WORD.findall(text))


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1)) if n else False


def _without(words: tuple[str, ...], phrases: list[tuple[str, ...]]) -> tuple[str, ...]:
    out, i = [], 0
    while i < len(words):
        hit = next((len(p) for p in phrases if p and words[i:i + len(p)] == p), 0)
        out += ["\x00"] * hit if hit else [words[i]]  # one placeholder per word: positions stay aligned
        i += hit or 1
    return tuple(out)


def departments(cur) -> list[dict]:
    """Every department's public facts, with the names and places it is known by."""
    places = {d["name"]: [d["place"], d["root"]] for d in demo_corpus.REAL_DEPARTMENTS}
    found = rows(cur, """SELECT d.id, d.name, d.state_code, s.name AS state_name, s.hhs_region, d.jurisdiction_type,
                                d.population, d.population_band FROM departments d JOIN states s ON s.code = d.state_code""")
    for d in found:
        terms = {d["name"], *identifying.short_names(d["name"])}
        for place in places.get(d["name"], ()):
            terms.update(identifying.place_parts(place))
        d["terms"] = [_words(t) for t in terms if len(t) > 3]
    return found


def attack(cur, *, audience: str) -> list[Outcome]:
    """The candidate count for every anonymous published lesson this audience can read."""
    depts = departments(cur)
    by_id = {d["id"]: d for d in depts}
    public_only = audience == "visitor"
    visible = rows(cur, f"""WITH {LESSON_FACTS}
        SELECT f.*, (SELECT string_agg(partner, ' ') FROM lesson_partners p WHERE p.lesson_id = f.id) AS partners,
               (SELECT string_agg(url, ' ') FROM lesson_links k WHERE k.lesson_id = f.id) AS links
        FROM lesson_facts f WHERE f.status = 'published' AND NOT f.hidden
          AND (f.visibility = 'public' OR NOT $public_only)""", {"viewer_department": -1, "public_only": public_only})
    neighbourhoods = [_words(n) for n in demo_corpus.NEIGHBORHOODS]
    # Which departments mention each neighbourhood in their attributed lessons.
    mentions: dict[tuple, set[int]] = {}
    for lesson in (v for v in visible if v["attributed"]):
        words = _words(" ".join(lesson[f] or "" for f in TEXT))
        for n in neighbourhoods:
            if _contains(words, n):
                mentions.setdefault(n, set()).add(lesson["department_id"])
    slugs = {d["id"]: re.sub(r"[^a-z0-9]+", "-", f"{d['name']}".lower()) for d in depts}
    outcomes = []
    for lesson in (v for v in visible if v["anonymous"]):
        text = " ".join(lesson[f] or "" for f in TEXT) + " " + (lesson["partners"] or "")
        words = _words(text)
        lowered = text.lower()
        pool, clues = set(by_id), []

        def narrow(ids, clue):
            # The strongest attacker: one who can tell a true clue from a misleading one uses only the true ones.
            nonlocal pool
            if lesson["department_id"] in ids:
                pool &= set(ids)
                clues.append(clue)

        if lesson["hhs_region"] is not None:
            narrow([d["id"] for d in depts if d["hhs_region"] == lesson["hhs_region"]], "region")
        if lesson["jurisdiction_type"] is not None:
            narrow([d["id"] for d in depts if d["jurisdiction_type"] == lesson["jurisdiction_type"]], "type")
        unplaced = _without(words, neighbourhoods)  # "Lincoln Heights" is a neighbourhood, not Lincoln (NE)
        # A name counts only written as a proper noun: "grant-funded" says nothing of Grant County.
        raw = WORD.findall(text)
        unplaced = tuple(w if r[:1].isupper() or r[:1].isdigit() or i and raw[i - 1][:1].isupper() else "\x01" + w
                         for i, (w, r) in enumerate(zip(unplaced, raw)))
        named = [d["id"] for d in depts if any(_contains(unplaced, t) for t in d["terms"])]
        if named:
            narrow(named, "department or place name")
        states = {d["state_code"] for d in depts if _contains(words, _words(d["state_name"]))}
        if states:
            narrow([d["id"] for d in depts if d["state_code"] in states], "state name")
        for phrase, types in TYPE_WORDS.items():
            if _contains(words, _words(phrase)):
                narrow([d["id"] for d in depts if d["jurisdiction_type"] in types], f"'{phrase}'")
        for phrase, band in BAND_WORDS.items():
            if phrase in lowered:
                narrow([d["id"] for d in depts if d["population_band"] == band], "population band words")
        for phrase in BAND_WORDS:  # "between 50,000 and 500,000" is a band, not a figure
            text = text.replace(phrase, "")
        for number, million in _FIGURE.findall(text):
            value = float(number.replace(",", "")) * (1_000_000 if million else 1)
            if value >= 1000:
                narrow([d["id"] for d in depts if value / 1.15 <= d["population"] <= value * 1.15], "population figure")
        for staff, staff2 in _STAFF.findall(text):
            value = float((staff or staff2).replace(",", ""))
            if value >= 8:
                narrow([d["id"] for d in depts if value * 800 <= d["population"] <= value * 2400], "staff figure")
        for n in neighbourhoods:
            if _contains(words, n) and n in mentions:
                narrow(mentions[n], "neighbourhood named in attributed lessons")
        for url in (lesson["links"] or "").split():
            owners = [i for i, slug in slugs.items() if f"/{slug}/" in url]
            if owners:
                narrow(owners, "link")
        outcomes.append(Outcome(lesson["id"], lesson["department_id"], lesson["visibility"] == "public", len(pool),
                                clues))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, int]:
    """How many lessons were pinned to one department, to 2–4, or kept among at least K."""
    count = Counter("1" if o.candidates <= 1 else "2-4" if o.candidates < K else f">={K}" for o in outcomes)
    return {"lessons": len(outcomes), "pinned to 1": count["1"], "2-4": count["2-4"], f">={K}": count[f">={K}"]}


__all__ = ["attack", "summary", "departments", "Outcome", "population_band"]


if __name__ == "__main__":  # python -m tests.reidentify: the figures for the demo exchange
    from exchange import setup

    demo = setup.open_app_database(":memory:", with_demo=True)
    with demo.read() as cursor:
        for who in ("visitor", "member"):
            print(who, summary(attack(cursor, audience=who)))
