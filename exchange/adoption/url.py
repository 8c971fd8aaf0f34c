"""The adoption dashboard's filters as a page address: ids and codes only, never display names.

A link someone shares keeps working when a practice is renamed: `?practice=2&region=5&size=small`.
Addresses written before this (names such as `practice=Allocate Resources`, `region=Region 5`)
are still understood, once, and the page rewrites them to ids. Anything else that does not
parse is ignored and named, so the page can say so instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from exchange.adoption import Filters, Options
from exchange.models import POPULATION_BAND_LABELS

PARAMS = ("practice", "period", "region", "jurisdiction", "size", "urbanicity")
_MAX_CHARS = 100  # longer values are not ids, codes or names of ours
PERIOD_QUARTERS = 12  # the period a bare address opens on


@dataclass(frozen=True)
class View:
    """What an address asks for: the filters, and the parameters that were ignored."""

    filters: Filters
    ignored: tuple[str, ...] = ()


def default_period(opts: Options) -> tuple[str, str]:
    """The last PERIOD_QUARTERS quarters up to today's."""
    return opts.quarters[max(0, len(opts.quarters) - PERIOD_QUARTERS)], opts.quarters[-1]


def _key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def from_params(params: Mapping[str, list[str] | str], opts: Options) -> View:
    """The view an address describes; unknown, repeated-beyond-reason or overlong values are ignored."""
    ignored: list[str] = []

    def values(name: str) -> list[str]:
        raw = params.get(name) or []
        raw = [raw] if isinstance(raw, str) else list(raw)
        kept = [str(v).strip() for v in raw if len(str(v)) <= _MAX_CHARS]
        if len(kept) != len(raw):
            ignored.append(name)
        return kept

    def pick(name: str, lookup: dict[str, object]) -> tuple:
        found, bad = [], False
        for value in values(name):
            hit = lookup.get(_key(value))
            if hit is None:
                bad = True
            elif hit not in found:
                found.append(hit)
        if bad and name not in ignored:
            ignored.append(name)
        return tuple(found)

    practices = {_key(p["id"]): p["id"] for p in opts.practices}
    practices.update({_key(p["name"]): p["id"] for p in opts.practices})  # old links carried the name
    practice = pick("practice", practices)
    if len(practice) > 1 and "practice" not in ignored:
        ignored.append("practice")
    regions = pick("region", {**{_key(r): r for r in opts.regions}, **{_key(f"Region {r}"): r for r in opts.regions}})
    jurisdictions = pick("jurisdiction", {_key(j): j for j in opts.jurisdiction_types})
    bands = pick("size", {**{_key(b): b for b in opts.population_bands},
                          **{_key(POPULATION_BAND_LABELS.get(b, b)): b for b in opts.population_bands}})
    urban = pick("urbanicity", {_key(u): u for u in opts.urban_rural})
    period = values("period")
    first, last = default_period(opts)
    if period:
        if len(period) == 2 and all(q in opts.quarters for q in period):
            first, last = sorted(period, key=opts.quarters.index)
        elif "period" not in ignored:
            ignored.append("period")
    filters = Filters(practice_id=practice[0] if len(practice) == 1 else None, regions=regions,
                      jurisdiction_types=jurisdictions, population_bands=bands, urban_rural=urban,
                      first_quarter=first, last_quarter=last)
    return View(filters, tuple(n for n in PARAMS if n in ignored))


def to_params(filters: Filters, opts: Options) -> dict[str, list[str]]:
    """The address of a view: only what differs from the opening view, as ids and codes."""
    params: dict[str, list[str]] = {}
    if filters.practice_id is not None:
        params["practice"] = [str(filters.practice_id)]
    period = (filters.first_quarter, filters.last_quarter)
    if None not in period and period != default_period(opts):
        params["period"] = list(period)
    for name, chosen in (("region", filters.regions), ("jurisdiction", filters.jurisdiction_types),
                         ("size", filters.population_bands), ("urbanicity", filters.urban_rural)):
        if chosen:
            params[name] = [str(v) for v in chosen]
    return params
