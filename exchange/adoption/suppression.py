"""Small numbers: which dashboard figures may be shown, so that none based on too few departments can be read or worked out.

Every figure the dashboard draws is a sum over "atoms": departments grouped by state, jurisdiction
type, population band, urban–rural level and state governance (the finest groups its filters and
breakdowns can pick). `protect` sums the atoms a view selects into the cells of one table and withholds a cell when

1. it rests on fewer than `threshold()` departments (primary suppression, the CMS cell-size rule), or
2. changing one filter could change it by 1 to threshold-1 departments: for every filtered
   dimension, each chosen value, and all the values not chosen taken together, must each add 0 or at
   least threshold departments to the cell. Two views that differ in one filter (one value more, or
   "all" against a choice) then differ, cell by cell, by 0 or by a group big enough to show on its
   own, so subtracting them reveals nothing; or
3. (complementary suppression) along a line of the table whose total is shown elsewhere (a row of
   the heatmap and its practice's stage bar, a region's states and the region's point), the cells
   withheld so far would otherwise be recoverable by subtraction: more cells, smallest first, are
   withheld until the withheld cells together pass rules 1 and 2, or the whole line is withheld.

A withheld cell keeps its keys; its numbers are removed before anything leaves the service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from exchange import config

DIMS = ("region", "jurisdiction_type", "population_band", "urban_rural", "governance")  # the filterable department attributes
PRIMARY, WITHHELD = "small", "withheld"
REST = object()  # the values a filter leaves out, taken together


def threshold() -> int:
    """The fewest departments a shown figure may rest on (EXCHANGE_SUPPRESSION_MIN, default 11)."""
    return config.settings().suppression_min


def small_label() -> str:
    """What a figure resting on too few departments reads, e.g. "fewer than 11"."""
    return f"fewer than {threshold()}"


def select(atoms: pd.DataFrame, scope: Mapping[str, Sequence]) -> pd.DataFrame:
    """The atoms of departments matching every filter of `scope` ({dimension: chosen values}, empty = all)."""
    keep = pd.Series(True, index=atoms.index)
    for dim, values in scope.items():
        if values:
            keep &= atoms[dim].isin(list(values))
    return atoms[keep]


def protect(atoms: pd.DataFrame, scope: Mapping[str, Sequence], by: list[str], measures: Sequence[str],
            line: str | None = None, k: int | None = None) -> pd.DataFrame:
    """Sum `measures` (the first counts departments) over `by` for the view, with `suppressed` and `why` per cell.

    `line` names the column that varies along a line whose total is shown elsewhere (see module docstring).
    """
    k = k or threshold()
    count = measures[0]
    keys = list(by)
    cells = (select(atoms, scope).groupby(keys, as_index=False, observed=True)[list(measures)].sum()
             if len(atoms) else pd.DataFrame(columns=keys + list(measures)))
    slices = _slices(atoms, scope, keys, count)
    index = [tuple(r) for r in cells[keys].itertuples(index=False)]
    sizes = dict(zip(index, cells[count].astype(int)))
    why = {key: (PRIMARY if sizes[key] < k else WITHHELD if not _safe([key], sizes, slices, k) else None)
           for key in index}
    if line is not None:
        _complement(index, keys, line, sizes, slices, why, k)
    cells["why"] = [why[key] for key in index]
    cells["suppressed"] = cells["why"].notna()
    return cells


def _slices(atoms: pd.DataFrame, scope: Mapping[str, Sequence], keys: list[str], count: str) -> dict[str, dict]:
    """Per filtered dimension not broken down by: {cell key: {chosen value or REST: departments}}, its filter lifted."""
    out = {}
    for dim, values in scope.items():
        if not values or dim in keys:
            continue
        others = select(atoms, {d: v for d, v in scope.items() if d != dim})
        chosen = set(values)
        per: dict[tuple, dict] = {}
        for row in others.groupby(keys + [dim], observed=True)[count].sum().reset_index().itertuples(index=False):
            value = row[len(keys)] if row[len(keys)] in chosen else REST
            cell = per.setdefault(tuple(row[:len(keys)]), {})
            cell[value] = cell.get(value, 0) + int(row[-1])
        out[dim] = per
    return out


def _safe(group: Iterable[tuple], sizes: dict, slices: dict, k: int) -> bool:
    """True when these cells together rest on 0 or at least k departments, and so does each one-value change."""
    group = list(group)
    if 0 < sum(sizes[g] for g in group) < k:
        return False
    for per in slices.values():
        totals: dict = {}
        for g in group:
            for value, n in per.get(g, {}).items():
                totals[value] = totals.get(value, 0) + n
        if any(0 < n < k for n in totals.values()):
            return False
    return True


def _complement(index: list[tuple], keys: list[str], line: str, sizes: dict, slices: dict, why: dict, k: int) -> None:
    """Withhold more cells along each line until the withheld ones cannot be worked out from the line's total."""
    at = keys.index(line)
    lines: dict[tuple, list[tuple]] = {}
    for key in index:
        lines.setdefault(key[:at] + key[at + 1:], []).append(key)
    for members in lines.values():
        while True:
            hidden = [m for m in members if why[m] and sizes[m] > 0]
            if not hidden or _safe(hidden, sizes, slices, k):
                break
            shown = sorted((m for m in members if not why[m] and sizes[m] > 0), key=lambda m: (sizes[m], m))
            if not shown:
                break
            why[shown[0]] = WITHHELD
