"""Departments beyond the real list, for the national scale: real place names combined with a state code."""

from __future__ import annotations

import math
import random

from exchange.demo import corpus


def synthetic(rng: random.Random, k: int, real: list[dict], states: dict) -> list[dict]:
    """k departments not in `real`: missing state, tribal and territorial ones first, then local ones by state weight."""
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
        # Names as real departments write them, without the state: the exchange shows the state beside
        # every department's name, so "… (MT)" in the name itself read "… (MT) (MT)" (issue #15).
        if r < 0.72:
            names = [f"{county} County {suffix}" for suffix in _COUNTY_SUFFIXES]
            d = _row("", f"{county} County", county, "county", code,
                     _clamp(int(rng.lognormvariate(math.log(40_000), 1.1)), 2_000, 3_000_000), None)
            key = f"{county} County ({code})"
        elif r < 0.84:
            names = [pattern.format(town) for pattern in _CITY_PATTERNS]
            d = _row("", town, town, "city", code,
                     _clamp(int(rng.lognormvariate(math.log(90_000), 0.9)), 8_000, 2_000_000), None)
            key = f"{town} ({code})"
        elif r < 0.92:
            names = [f"{town}-{county} County {suffix}" for suffix in _COUNTY_SUFFIXES]
            d = _row("", f"{county} County", town, "city-county",
                     code, _clamp(int(rng.lognormvariate(math.log(150_000), 0.9)), 20_000, 2_500_000), None)
            key = f"{county} County ({code})"
        else:
            district = rng.choice(corpus.DISTRICT_NAMES)
            names = [f"{district} {suffix}" for suffix in _DISTRICT_SUFFIXES]
            d = _row("", f"the {district} district", district, "multi-county district", code,
                     _clamp(int(rng.lognormvariate(math.log(110_000), 0.7)), 15_000, 900_000), None)
            key = f"{district} ({code})"
        names = [n for n in rng.sample(names, len(names)) if n not in taken]
        if key in taken or not names:
            continue
        d["name"] = names[0]
        taken.update((key, d["name"]))
        d["urban"] = _urban_for(rng, d["population"])
        out.append(d)
    return out


_COUNTY_SUFFIXES = ("Health Department", "Public Health", "Department of Health", "Health and Human Services",
                    "Public Health Department", "Department of Public Health", "Health District", "Board of Health",
                    "Community Health Services", "Health Agency", "Public Health and Environment", "Health Services")
_CITY_PATTERNS = ("City of {} Health Department", "{} Health Department", "{} Department of Public Health",
                  "{} City Health Department", "{} Public Health", "{} Department of Health and Human Services",
                  "{} Health Division", "{} Public Health Commission")
_DISTRICT_SUFFIXES = ("Health District", "District Health Department", "Public Health District",
                      "Regional Health District", "District Board of Health")


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
