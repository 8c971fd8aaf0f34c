"""Text assembly for demo lessons: slot values drawn on first use, template rendering, fitting a field's limit."""

from __future__ import annotations

import functools
import random
import re
from typing import Callable

from exchange.demo import corpus

_CAPITALIZE = re.compile(r'(^|[.!?]"?\s+)([a-z])')


class Slots(dict):
    """Slot values for one lesson; random ones are drawn on first use, so both mentions of {n} agree
    and a lesson draws only the numbers its templates need."""

    def __init__(self, fixed: dict, rng: random.Random, dept: dict, places: set | None = None):
        super().__init__(fixed)
        self.rng, self.dept, self.places = rng, dept, places

    def __missing__(self, key: str) -> str:
        value = self[key] = RANDOM_SLOTS[key](self.rng, self.dept)
        if key == "neighborhood" and self.places is not None and value in corpus.REAL_PLACES.get(self.dept["name"], ()):
            self.places.add(value)  # the department's own places: its anonymous lessons must not name them
        return value


def _staff(estimate: float) -> int:
    return max(8, int(round(estimate, -1)) if estimate > 30 else int(estimate))


RANDOM_SLOTS: dict[str, Callable[[random.Random, dict], str]] = {
    "leader": lambda r, d: r.choice(corpus.LEADERS),
    "n_staff": lambda r, d: f"{_staff(d['population'] / r.uniform(900, 2200)):,}",
    "neighborhood": lambda r, d: _place(r, d),
    "colleague": lambda r, d: r.choice(corpus.COLLEAGUES),
    "colleague_cap": lambda r, d: _cap(r.choice(corpus.COLLEAGUES)),
    "n": lambda r, d: str(r.randint(3, 9)), "n2": lambda r, d: str(r.randint(12, 60) if d["population"] >= 100_000 else r.randint(5, 24)),
    "n3": lambda r, d: f"{r.randrange(150, max(200, min(4000, d['population'] // 4)), 10):,}", "pct": lambda r, d: str(r.randint(12, 48)),
    "pct2": lambda r, d: str(r.randint(55, 85)), "money": lambda r, d: f"${r.randrange(25, _money_cap(d), 5) * 1000:,}",
    "big_money": lambda r, d: f"${r.randint(12, 140) / 10:g} million", "weeks": lambda r, d: str(r.randint(2, 10)),
    "months": lambda r, d: str(r.randint(4, 20)), "hourly": lambda r, d: str(r.randrange(25, 65, 5)),
    "votes_for": lambda r, d: str(r.randint(5, 9)), "votes_against": lambda r, d: str(r.randint(1, 4)),
}


def _money_cap(dept: dict) -> int:
    """The largest sum (in thousands) a department of this size would put into one piece of work."""
    population = dept["population"]
    return 750 if population >= 250_000 else 300 if population >= 50_000 else 120


def _place(rng: random.Random, dept: dict) -> str:
    """A place in the department's jurisdiction: a real one (data/places.toml) or a generic phrase for its type."""
    real = corpus.REAL_PLACES.get(dept["name"])
    if real and rng.random() < 0.75:
        return rng.choice(real)
    return rng.choice(corpus.GENERIC_PLACES[dept["type"]])


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


GENERIC_ORGS = {slot: generic for slot, (_, generic) in corpus.ORGS.items()}


def render(template: str, slots: dict) -> str:
    """Fill a template; capitalize sentences that open with a lower-case slot value ("the ...", "our ...")."""
    text = template.format_map(slots)
    if _opens_with_slot(template):
        text = _CAPITALIZE.sub(lambda m: m.group(1) + m.group(2).upper(), text)
    return text


@functools.lru_cache(maxsize=None)
def _opens_with_slot(template: str) -> bool:
    return re.search(r'(^|[.!?]"?\s+)\{', template) is not None


def join(*parts: str) -> str:
    """The non-empty parts, separated by spaces."""
    return " ".join(p for p in parts if p)


def fit(text: str, limit: int) -> str:
    """Drop trailing sentences (then words) until the text fits the field's limit."""
    while len(text) > limit and ". " in text:
        text = text[: text.rindex(". ") + 1]
    return text if len(text) <= limit else text[: text.rindex(" ", 0, limit - 1)] + "…"


def population_words(population: int) -> str:
    """A population in words, rounded to two significant figures: 'about 120,000', 'about 1.3 million'."""
    if population >= 1_000_000:
        return f"about {population / 1_000_000:.1f}".removesuffix(".0") + " million"  # never "1.0 million"
    digits = len(str(population)) - 2
    return f"about {round(population, -digits):,}"
