"""The print-ready report of a dashboard view: produced offline, opens as HTML, and carries every chart's takeaway and data."""

import base64
import html
import re
from datetime import datetime
from html.parser import HTMLParser

import pytest

from exchange import adoption, config
from exchange.adoption import Filters, charts, report
from exchange.models import User

ADMIN = User(id=1, email="admin@example.org", display_name="Admin", role="admin")


class Document(HTMLParser):
    """Collects the tags, image sources and section ids of an HTML document."""

    def __init__(self):
        super().__init__()
        self.tags, self.images, self.sections, self.links = [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "img":
            self.images.append(attrs)
        if tag == "section":
            self.sections.append(attrs["id"])
        self.links += [v for k, v in attrs.items() if k in ("href", "src") and v]


@pytest.fixture(scope="module")
def produced(demo_db):
    with config.override(suppression_min=11):
        dash = adoption.dashboard(demo_db, ADMIN, Filters(practice_id=2, regions=(5, 7, 9)), movement=True)
        views = charts.dashboard_views(dash)
        text = report.render(dash, views, now=datetime(2026, 12, 1, 9, 30), scale=1.0)
    doc = Document()
    doc.feed(text)
    return dash, views, text, doc


def test_the_report_has_a_title_date_filters_and_the_suppression_note(produced):
    dash, _, text, doc = produced
    assert doc.tags[:2] == ["html", "head"] and "h1" in doc.tags
    assert "<title>Adoption of equity practices: report of 1 December 2026</title>" in text
    assert "Report produced 1 December 2026, 09:30" in text and f"Data as of {dash.snapshot:%-d %B %Y}" in text
    assert "Practice: Allocate Resources" in text and "HHS regions: Region 5, Region 7, Region 9" in text
    assert "State governance: all" in text
    assert html.escape(report.suppression_note(dash)) in text and "fewer than 11" in text


def test_every_chart_is_an_embedded_png_with_its_takeaway_and_data_table(produced):
    _, views, text, doc = produced
    assert doc.sections == [v.key for v in views] and len(views) == 17
    assert {"chart_transitions", "chart_time_in_stage", "chart_stalled", "chart_by_governance"} <= set(doc.sections)
    for view, image in zip(views, doc.images):
        assert html.escape(view.takeaway) in text
        assert image["alt"] == view.alt
        data = base64.b64decode(image["src"].removeprefix("data:image/png;base64,"))
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"<caption>Data: {html.escape(view.title)}</caption>" in text
    assert doc.tags.count("table") == len(views)


def test_nothing_in_the_report_is_fetched_from_outside(produced):
    _, _, text, doc = produced
    assert all(link.startswith("data:image/png;base64,") for link in doc.links)
    assert "<script" not in text and not re.search(r"url\(|@import|https?://", text)
    assert "default-src 'none'" in text  # and a browser that opens it is told to load nothing else


def test_names_in_the_report_are_escaped(demo_db):
    # Practice names come from the taxonomy, which administrators edit.
    with config.override(suppression_min=11):
        dash = adoption.dashboard(demo_db, ADMIN, Filters(practice_id=2))
        views = [charts.heatmap(dash)]
        forged = dash.__class__(**{**dash.__dict__, "practice_name": "<img src=x onerror=alert(1)>"})
        text = report.render(forged, views, scale=1.0)
    assert "<img src=x" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
