"""The Peers page's filters as a page address (`?jurisdiction=county&size=medium&region=5`): codes only.

A link is typed, pasted, cut short and forged; whatever does not parse is left out and named, so the
page can say "Part of this link could not be read and was left out" instead of failing.
"""

from __future__ import annotations

from collections.abc import Mapping

from exchange.kernel import urlcodec
from exchange.models import HHS_REGIONS, JURISDICTION_TYPES, POPULATION_BANDS, URBAN_RURAL_LEVELS
from exchange.peers import profiles
from exchange.peers.likeness import FILTERS, PeerFilters

_MAX_CHARS = 40  # longer values are not codes of ours


def _region(text: str) -> int | None:
    value = urlcodec.digits(2)(text)
    return value if value in HHS_REGIONS else None


FIELDS = (
    urlcodec.Field("jurisdiction", urlcodec.one_of(JURISDICTION_TYPES), max_chars=_MAX_CHARS,
                   max_values=len(JURISDICTION_TYPES)),
    urlcodec.Field("size", urlcodec.one_of(POPULATION_BANDS), max_chars=_MAX_CHARS, max_values=len(POPULATION_BANDS)),
    urlcodec.Field("urban", urlcodec.one_of(URBAN_RURAL_LEVELS), max_chars=_MAX_CHARS,
                   max_values=len(URBAN_RURAL_LEVELS)),
    urlcodec.Field("region", _region, max_chars=_MAX_CHARS, max_values=len(HHS_REGIONS)),
    urlcodec.Field("governance", urlcodec.one_of(tuple(profiles.GOVERNANCE)), max_chars=_MAX_CHARS,
                   max_values=len(profiles.GOVERNANCE)),
)
assert tuple(f.name for f in FIELDS) == tuple(FILTERS)  # one field per likeness filter


def from_params(params: Mapping) -> tuple[PeerFilters, tuple[str, ...]]:
    """The filters an address asks for, and the names of the parameters (partly) left out."""
    notes = urlcodec.Notes()
    values = urlcodec.decode(params, FIELDS, notes)
    return PeerFilters(**values), notes.names(tuple(FILTERS))


def to_params(filters: PeerFilters) -> dict[str, list[str]]:
    """The address for these filters (empty ones left out)."""
    return urlcodec.encode({name: getattr(filters, name) for name in FILTERS})
