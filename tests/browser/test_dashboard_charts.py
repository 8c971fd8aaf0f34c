"""Issue 7 part 5 in a real browser: each dashboard chart draws what it says.

The specs can be right while the screen is wrong (Streamlit sizes a chart differently from the
PNG/SVG export), so these tests read the drawn Vega marks: how many, how big, what colour, and
whether titles and legends sit inside the chart's box. The expected numbers come from the
services, read from a copy of the demo database before the server opens its own.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from exchange.identity import accounts
from exchange import adoption
from exchange.adoption import charts
from exchange.storage.duckdb import Database

from tests.browser.helpers import TIMEOUT_MS, choose, demo_account, nav, sign_in_as, tab, wait_for_app

REGIONS = [f"Region {r}" for r in range(1, 11)]


# ---------------------------------------------------------------- what the charts must draw
@dataclass(frozen=True)
class ChartFacts:
    """Row counts of each chart at the dashboard's opening filters (and of the heatmap for tribal departments)."""

    heatmap_cells: int
    tribal_cells: int
    tribal_suppressed: int
    stage_segments: int
    trend_points: dict[str, int]   # region label -> quarters whose point is shown (11 or more departments)
    states: int
    grey_states: int
    kind_bars: int
    risk_cells: int


@pytest.fixture(scope="module")
def chart_facts(demo_database, tmp_path_factory) -> ChartFacts:
    """The coordinator's dashboard at its opening filters, computed by the services on a private copy."""
    copy = tmp_path_factory.mktemp("chart_facts") / "exchange.duckdb"
    shutil.copy(demo_database[1], copy)
    db = Database(copy)
    try:
        with db.read() as cur:
            user_id = cur.execute("SELECT id FROM users WHERE lower(email) = ?",
                                  [demo_account("coordinator")["email"]]).fetchone()[0]
        coordinator = accounts.load_user(db, user_id)
        quarters = adoption.options(db, coordinator).quarters
        opening = adoption.Filters(first_quarter=quarters[max(0, len(quarters) - 12)], last_quarter=quarters[-1])
        dash = adoption.dashboard(db, coordinator, opening)
        tribal = adoption.dashboard(db, coordinator, adoption.Filters(
            jurisdiction_types=("tribal",), first_quarter=opening.first_quarter, last_quarter=opening.last_quarter))
    finally:
        db.close()
    points = {label: 0 for label in REGIONS}
    for row in dash.trend:
        if not row["suppressed"]:
            points[f"Region {row['region']}"] += 1
    return ChartFacts(
        heatmap_cells=len(dash.heatmap), tribal_cells=len(tribal.heatmap),
        tribal_suppressed=sum(r["suppressed"] for r in tribal.heatmap), stage_segments=len(dash.stages),
        trend_points=points, states=len(dash.map), grey_states=sum(r["suppressed"] for r in dash.map),
        kind_bars=sum(1 for r in dash.lessons_by_kind if r["lessons"]), risk_cells=len(dash.lessons_by_risk))


# ---------------------------------------------------------------- reading the drawn chart
def open_dashboard(page):
    sign_in_as(page, "coordinator")
    return open_dashboard_here(page)


def open_dashboard_here(page):
    """From a signed-in coordinator's page, through the sidebar."""
    nav(page, "Adoption dashboard")
    expect(page.get_by_role("heading", name="Adoption of equity practices")).to_be_visible()
    expect(page.locator(".vega-embed svg.marks")).to_have_count(4)  # the first tab's charts; the others build when opened
    return page


TAB_OF = {"chart_pulse_kind": "Lessons", "chart_pulse_risk": "Lessons", "chart_lessons_by_stage": "Lessons"}


def open_chart_tab(page, name: str, charts: int = 3):
    """Open one of the dashboard's chart tabs and wait for its charts to be drawn."""
    page.get_by_role("tab", name=name, exact=True).click()
    wait_for_app(page)
    expect(page.locator(".vega-embed svg.marks")).to_have_count(charts)


@pytest.fixture(scope="module")
def board(browser, server):
    """One coordinator's tab on the dashboard at its opening filters, shared by the tests that only read it."""
    with tab(browser, server) as page:
        yield open_dashboard(page)


def chart(page, key: str):
    """The drawn Vega chart of a dashboard box (opening its tab first when it is not on the first)."""
    tab_name = TAB_OF.get(key, "Regions and stages")
    if page.locator(f".st-key-{key}_box").count() == 0:
        open_chart_tab(page, tab_name, 4 if tab_name == "Regions and stages" else 3)
    embed = page.locator(f".st-key-{key}_box .vega-embed")
    expect(embed.locator("svg.marks")).to_be_visible()
    return embed


def marks(embed, mark: str):
    """The data marks of one type (legend symbols and axes excluded)."""
    return embed.locator(f"g.role-mark.mark-{mark} path[role='graphics-symbol']")


def boxes(locator) -> list[dict]:
    """Each element's geometry (getBBox, in the chart's own units) with its aria-label and fill."""
    return locator.evaluate_all(
        "els => els.map(e => { const b = e.getBBox(); return {width: b.width, height: b.height,"
        " label: e.getAttribute('aria-label') || '', fill: e.getAttribute('fill') || ''}; })")


def texts_outside(embed, selector: str) -> list[str]:
    """Texts matching selector that are cut: drawn outside the chart's box, or shortened with an ellipsis."""
    return embed.evaluate(
        """(embed, selector) => {
            const box = embed.getBoundingClientRect();
            return [...embed.querySelectorAll(selector)].filter(t => t.textContent.trim()).filter(t => {
                const r = t.getBoundingClientRect();
                return r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
                    || r.bottom > box.bottom + 1 || t.textContent.endsWith('…');
            }).map(t => t.textContent);
        }""", selector)


def value(label: str, field: str) -> float:
    return float(re.search(rf"(?:^|; ){re.escape(field)}: ([\d.]+)", label).group(1))


# ---------------------------------------------------------------- one test per chart
def test_lessons_by_kind_draws_one_bar_per_quarter_and_kind_with_heights_in_proportion(board, chart_facts):
    embed = chart(board, "chart_pulse_kind")
    bars = marks(embed, "rect")
    expect(bars).to_have_count(chart_facts.kind_bars)
    drawn = boxes(bars)
    assert min(b["height"] for b in drawn) >= 1, "bars drawn without height"
    per_lesson = [b["height"] / value(b["label"], "Lessons") for b in drawn]
    assert max(per_lesson) - min(per_lesson) < 0.5, "bar heights are not proportional to the lessons they count"
    assert embed.locator("g.role-axis-label text").filter(has_text=re.compile(r"^\d+$")).count() >= 2
    assert texts_outside(embed, "g.role-title text, g.role-legend text, g.role-axis-title text") == []


def test_adoption_over_time_draws_all_ten_regions_and_keeps_its_title_and_legend_inside_the_chart(board, chart_facts):
    embed = chart(board, "chart_trend")
    legend = embed.locator("g.role-legend-label text")
    expect(legend).to_have_text(REGIONS)
    assert texts_outside(embed, "g.role-title text, g.role-legend text, g.role-axis-title text") == []
    for region, expected in chart_facts.trend_points.items():
        assert expected > 0, f"the demo data should give {region} a point"
        expect(marks(embed, "symbol").and_(embed.locator(f"[aria-label*='HHS region: {region};']"))
               ).to_have_count(expected)
    lines = embed.locator("g.role-mark.mark-line path")
    expect(lines).to_have_count(len(REGIONS))
    assert min(b["width"] for b in boxes(lines)) > 50, "a region's line is missing or collapsed"


def test_state_map_draws_every_state_and_territory_with_small_numbers_in_grey(board, chart_facts):
    embed = chart(board, "chart_map")
    tiles = marks(embed, "rect")
    expect(tiles).to_have_count(chart_facts.states)
    drawn = boxes(tiles)
    assert sum(b["fill"].upper() == charts.GREY for b in drawn) == chart_facts.grey_states > 0
    assert min(min(b["width"], b["height"]) for b in drawn) > 10
    assert texts_outside(embed, "g.role-title text, g.role-legend text") == []


def test_heatmap_draws_every_cell_and_greys_those_with_fewer_than_11_departments(page, chart_facts):
    open_dashboard(page)
    embed = chart(page, "chart_heatmap")
    expect(marks(embed, "rect")).to_have_count(chart_facts.heatmap_cells)
    assert texts_outside(embed, "g.role-title text, g.role-legend text") == []

    # Tribal departments are few: most cells are suppressed, and each must still be drawn, in grey.
    choose(page, "Jurisdiction type", "tribal")
    wait_for_app(page)
    cells = marks(chart(page, "chart_heatmap"), "rect")
    expect(cells).to_have_count(chart_facts.tribal_cells)
    grey = [b for b in boxes(cells) if b["fill"].upper() == charts.GREY]
    assert len(grey) == chart_facts.tribal_suppressed > 0


def test_stages_per_practice_draws_every_segment_with_a_visible_size(board, chart_facts):
    embed = chart(board, "chart_stages")
    segments = marks(embed, "rect")
    expect(segments).to_have_count(chart_facts.stage_segments)
    drawn = boxes(segments)
    assert min(b["height"] for b in drawn) >= 5
    assert texts_outside(embed, "g.role-title text, g.role-legend text, g.role-axis-title text") == []


def test_risks_named_draws_one_cell_per_quarter_and_risk(board, chart_facts):
    embed = chart(board, "chart_pulse_risk")
    cells = marks(embed, "rect")
    expect(cells).to_have_count(chart_facts.risk_cells)
    assert min(min(b["width"], b["height"]) for b in boxes(cells)) > 10
    assert texts_outside(embed, "g.role-title text, g.role-legend text, g.role-axis-title text") == []


# ---------------------------------------------------------------- a phone
@pytest.fixture
def phone(browser, server):
    """A tab 390 px wide (an iPhone 12-14 held upright), with touch."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.base = server
    try:
        yield page
    finally:
        context.close()


def test_on_a_phone_every_chart_keeps_a_readable_width_and_scrolls_inside_its_own_box(phone):
    sign_in_as(phone, "coordinator")
    if not phone.get_by_test_id("stSidebarNav").is_visible():
        phone.get_by_test_id("stExpandSidebarButton").click()
    open_dashboard_here(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # the page never scrolls sideways
    for key in ("chart_heatmap", "chart_stages", "chart_trend", "chart_map", "chart_pulse_kind", "chart_pulse_risk"):
        embed = chart(phone, key)
        geometry = embed.evaluate(
            """embed => {
                const svg = embed.querySelector('svg').getBoundingClientRect();
                const box = embed.closest('[data-testid=stVerticalBlock]').getBoundingClientRect();
                const scroller = embed.closest('[class*="_scroll"]');
                scroller.scrollLeft = scroller.scrollWidth;  // as a finger swipe would
                return {svg: svg.width, box: box.width, scrolled: scroller.scrollLeft,
                        reach: scroller.scrollLeft + scroller.clientWidth, inside: scroller.clientWidth <= box.width + 1};
            }""")
        assert geometry["svg"] >= 480, f"{key} is squeezed to {geometry['svg']:.0f} px"
        assert geometry["inside"], f"{key}'s scroll area is wider than its box"
        assert geometry["scrolled"] > 0 and geometry["reach"] >= geometry["svg"] - 1, f"{key} cannot be scrolled to its end"
