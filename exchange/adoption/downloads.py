"""A dashboard chart or table as a file: PNG and SVG rendered offline, CSV through the one writer."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd
import vl_convert

from exchange.kernel import csv


def _export_spec(chart: alt.TopLevelMixin) -> str:
    spec = chart.to_dict()
    spec.setdefault("background", "white")  # files are read outside the app, where the theme is unknown
    spec["autosize"] = {"type": "pad", "contains": "padding"}  # a file has no container to fit
    return json.dumps(spec)


def to_png(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes, rendered offline."""
    return vl_convert.vegalite_to_png(_export_spec(chart), scale=scale, allowed_base_urls=[])


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an SVG document, rendered offline."""
    return vl_convert.vegalite_to_svg(_export_spec(chart), allowed_base_urls=[])


def to_csv(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV (with BOM for spreadsheets), formula-looking cells neutralised."""
    return csv.write(table.columns, table.itertuples(index=False))
