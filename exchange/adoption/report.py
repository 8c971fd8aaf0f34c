"""A print-ready HTML report of one dashboard view: title, date, filters, every chart as an image with its takeaway and table.

Self-contained: the charts are PNGs rendered offline by vl-convert and embedded as data: URLs, the
styles are inline, and there is no script, font or image from anywhere else, so the file opens the
same from a laptop, an email or a printer. All text is escaped; names come from administrators.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from datetime import datetime

from exchange import clock
from exchange.adoption.aggregates import Dashboard
from exchange.adoption.charts import ChartView, count
from exchange.adoption import governance
from exchange.adoption.downloads import to_png
from exchange.models import POPULATION_BAND_LABELS

_STYLE = """
body { font: 11pt/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; margin: 2rem auto;
       max-width: 52rem; padding: 0 1rem; }
h1 { font-size: 20pt; margin: 0 0 .25rem; } h2 { font-size: 14pt; margin: 0 0 .25rem; }
.meta { color: #333; margin: 0 0 1rem; } .note { border-left: 4px solid #0072B2; padding: .25rem .75rem; }
section { break-inside: avoid; page-break-inside: avoid; margin: 1.5rem 0; border-top: 1px solid #999; padding-top: 1rem; }
img { max-width: 100%; height: auto; } table { border-collapse: collapse; font-size: 9pt; margin-top: .5rem; }
th, td { border: 1px solid #999; padding: 2px 6px; text-align: left; } th { background: #eee; }
@page { size: A4; margin: 15mm; } @media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def filters_text(d: Dashboard) -> list[str]:
    """The view's filters in words, one line each."""
    f = d.filters
    return [
        f"Practice: {d.practice_name or 'all practices (pooled)'}",
        f"Period: {d.quarters[0]} to {d.quarters[-1]}",
        "HHS regions: " + (", ".join(f"Region {r}" for r in f.regions) or "all"),
        "Jurisdiction types: " + (", ".join(f.jurisdiction_types) or "all"),
        "Population served: " + (", ".join(POPULATION_BAND_LABELS.get(b, b) for b in f.population_bands) or "all"),
        "Urban–rural levels: " + (", ".join(f.urban_rural) or "all"),
        "State governance: " + (", ".join(governance.label(g) for g in f.governance) or "all"),
    ]


def suppression_note(d: Dashboard) -> str:
    """How small numbers are handled, in one paragraph."""
    return (f"Small numbers: a figure resting on fewer than {d.threshold} departments reads \"fewer than "
            f"{d.threshold}\", and a figure that would let such a number be worked out by subtraction (from a "
            "total, a row or column, or another filtered view) reads \"withheld\". Shares are of departments "
            "with a self-assessment unless a chart says otherwise.")


def render(d: Dashboard, views: Sequence[ChartView], *, now: datetime | None = None, scale: float = 1.5) -> str:
    """The report as one HTML document (charts embedded as PNG)."""
    now = now or clock.now()
    e = html.escape
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">",
        f"<title>Adoption of equity practices: report of {now:%-d %B %Y}</title><style>{_STYLE}</style></head><body>",
        "<h1>Adoption of equity practices</h1>",
        f"<p class=meta>Report produced {now:%-d %B %Y, %H:%M}. Data as of {d.snapshot:%-d %B %Y}; "
        f"{e(count(d.departments))} departments with a self-assessment of {d.directory:,} in the directory "
        "for these filters.</p>",
        "<ul class=meta>" + "".join(f"<li>{e(line)}</li>" for line in filters_text(d)) + "</ul>",
        f"<p class=note>{e(suppression_note(d))}</p>",
    ]
    for view in views:
        image = base64.b64encode(to_png(view.chart, scale=scale)).decode("ascii")
        parts += [
            f"<section id={e(view.key)}><h2>{e(view.title)}</h2><p><strong>{e(view.takeaway)}</strong></p>",
            f"<img src=\"data:image/png;base64,{image}\" alt=\"{e(view.alt)}\">",
            _table(view),
            "</section>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)


def _table(view: ChartView) -> str:
    e = html.escape
    head = "".join(f"<th scope=col>{e(str(c))}</th>" for c in view.table.columns)
    body = "".join("<tr>" + "".join(f"<td>{e('' if v is None else str(v))}</td>" for v in row) + "</tr>"
                   for row in view.table.itertuples(index=False))
    return f"<table><caption>Data: {e(view.title)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
