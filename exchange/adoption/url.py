"""The adoption dashboard's filters as a page address: ids and codes only, never display names.

A link someone shares keeps working when a practice is renamed: `?practice=2&region=5&size=small`.
Addresses written before this (names such as `practice=Allocate Resources`, `region=Region 5`)
are still understood, once, and the page rewrites them to ids. Anything else that does not
parse is ignored and named, so the page can say so instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from exchange.adoption.aggregates import Filters, Options
from exchange.kernel import urlcodec
from exchange.models import POPULATION_BAND_LABELS

PARAMS = ("practice", "period", "region", "jurisdiction", "size", "urbanicity", "governance")
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


def fields(opts: Options) -> tuple[urlcodec.Field, ...]:
    """The address's parameters; ids and codes, and the names old links carried, map to ids and codes."""
    def choice(name: str, table: dict) -> urlcodec.Field:
        return urlcodec.Field(name, urlcodec.lookup(table), max_chars=_MAX_CHARS)

    practices = {**{p["id"]: p["id"] for p in opts.practices}, **{p["name"]: p["id"] for p in opts.practices}}
    return (
        choice("practice", practices),
        urlcodec.Field("period", unique=False, max_chars=_MAX_CHARS),  # a pair, checked below
        choice("region", {**{r: r for r in opts.regions}, **{f"Region {r}": r for r in opts.regions}}),
        choice("jurisdiction", {j: j for j in opts.jurisdiction_types}),
        choice("size", {**{b: b for b in opts.population_bands},
                        **{POPULATION_BAND_LABELS.get(b, b): b for b in opts.population_bands}}),
        choice("urbanicity", {u: u for u in opts.urban_rural}),
        choice("governance", {g: g for g in opts.governance}),
    )


def from_params(params: Mapping[str, list[str] | str], opts: Options) -> View:
    """The view an address describes; unknown, repeated-beyond-reason or overlong values are ignored."""
    notes = urlcodec.Notes()
    values = urlcodec.decode(params, fields(opts), notes)
    practice, period = values["practice"], values["period"]
    if len(practice) > 1:
        notes.add("practice")
    first, last = default_period(opts)
    if period:
        if len(period) == 2 and all(q in opts.quarters for q in period):
            first, last = sorted(period, key=opts.quarters.index)
        else:
            notes.add("period")
    filters = Filters(practice_id=practice[0] if len(practice) == 1 else None, regions=values["region"],
                      jurisdiction_types=values["jurisdiction"], population_bands=values["size"],
                      urban_rural=values["urbanicity"], governance=values["governance"], first_quarter=first, last_quarter=last)
    return View(filters, notes.names(PARAMS))


def to_params(filters: Filters, opts: Options) -> dict[str, list[str]]:
    """The address of a view: only what differs from the opening view, as ids and codes."""
    period = (filters.first_quarter, filters.last_quarter)
    return urlcodec.encode({
        "practice": filters.practice_id,
        "period": period if None not in period and period != default_period(opts) else None,
        "region": filters.regions, "jurisdiction": filters.jurisdiction_types, "size": filters.population_bands,
        "urbanicity": filters.urban_rural, "governance": filters.governance,
    })
