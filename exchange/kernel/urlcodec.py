"""Filters in a page address: declared fields parsed leniently (with notes of what was left out) and written back.

A link is typed, pasted, truncated and forged, so nothing in it may fail a page. Each field says
how many values it takes, how long a value may be and how one value parses; whatever does not
fit is left out and its parameter named, so the page can say "Part of this link could not be read
and was left out: …" instead of failing or silently showing something else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

Params = Mapping[str, "list[str] | str"]


@dataclass(frozen=True)
class Field:
    """One query parameter: `parse` turns a value into ours or None (left out); limits bound the rest."""

    name: str
    parse: Callable[[str], object] = str
    many: bool = True  # repeated values; a single-valued field given twice is left out whole
    unique: bool = True  # repeated values collapse to one, first kept
    strip: bool = True  # surrounding spaces removed before parsing
    max_values: int | None = None  # more values than this: the whole parameter is left out
    max_chars: int | None = None  # longer raw values are left out (before stripping)


class Notes:
    """The names of parameters left out, wholly or in part, each once, in the order first found."""

    def __init__(self):
        self._names: dict[str, None] = {}

    def add(self, name: str) -> None:
        """Record that (part of) this parameter was left out."""
        self._names.setdefault(name)

    def __contains__(self, name: str) -> bool:
        return name in self._names

    def names(self, order: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """The names left out: as found, or in the given order."""
        return tuple(n for n in order if n in self._names) if order is not None else tuple(self._names)


def raw_values(params: Params, name: str) -> list:
    """A parameter's values as a list (Streamlit gives a lone value as a string)."""
    raw = params.get(name) or []
    return [raw] if isinstance(raw, str) else list(raw)


def decode(params: Params, fields: tuple[Field, ...], notes: Notes) -> dict[str, object]:
    """Each field's value: a tuple for a many-valued field, else the value or None; what is left out goes to notes."""
    return {f.name: _decode(f, raw_values(params, f.name), notes) for f in fields}


def _decode(f: Field, raw: list, notes: Notes):
    if f.max_values is not None and len(raw) > f.max_values:
        notes.add(f.name)
        raw = []
    if not f.many:
        if not raw:
            return None
        value = f.parse(_clean(f, raw[0])) if len(raw) == 1 and _fits(f, raw[0]) else None
        if value is None:
            notes.add(f.name)
        return value
    found = []
    for item in raw:
        value = f.parse(_clean(f, item)) if _fits(f, item) else None
        if value is None:
            notes.add(f.name)
        elif not f.unique or value not in found:
            found.append(value)
    return tuple(found)


def _fits(f: Field, item) -> bool:
    return f.max_chars is None or len(str(item)) <= f.max_chars


def _clean(f: Field, item) -> str:
    return str(item).strip() if f.strip else str(item)


def encode(values: Mapping[str, object]) -> dict[str, list[str]]:
    """Query parameters for the given values, in their order; empty and None values are left out of the address."""
    params: dict[str, list[str]] = {}
    for name, value in values.items():
        listed = list(value) if isinstance(value, (tuple, list)) else [] if value in (None, "") else [value]
        if listed:
            params[name] = [str(v) for v in listed]
    return params


# ---------------------------------------------------------------- parsers for Field.parse
def digits(max_digits: int) -> Callable[[str], int | None]:
    """A non-negative integer of ASCII digits only, shorter than `max_digits` + 1 ("²" and "٣" are not numbers)."""
    def parse(text: str) -> int | None:
        # isascii: "²".isdigit() is True but int("²") raises.
        return int(text) if text.isascii() and text.isdigit() and len(text) <= max_digits else None
    return parse


def text(max_chars: int, *, allow_empty: bool = False) -> Callable[[str], str | None]:
    """Text of at most `max_chars` characters (empty only when allowed)."""
    def parse(value: str) -> str | None:
        return value if (value or allow_empty) and len(value) <= max_chars else None
    return parse


def one_of(choices) -> Callable[[str], str | None]:
    """One of a fixed set of words, exactly."""
    allowed = frozenset(choices)
    return lambda value: value if value in allowed else None


def fold(value: str) -> str:
    """The form looked up in `lookup`: spaces collapsed, case folded ("allocate  Resources" = "Allocate Resources")."""
    return " ".join(str(value).split()).casefold()


def lookup(table: Mapping[str, object]) -> Callable[[str], object | None]:
    """The value a (folded) word stands for, e.g. an id for an id or an old display name."""
    folded = {fold(k): v for k, v in table.items()}
    return lambda value: folded.get(fold(value))
