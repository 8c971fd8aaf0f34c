"""Issue 4 in a real browser: the coordinator's adoption dashboard draws, drills down and downloads."""

from __future__ import annotations

import html
import re
import struct
from urllib.parse import unquote_plus

from playwright.sync_api import expect

from tests.browser.helpers import choose, grid_rows, nav, sign_in_as, wait_for_app

CHARTS = ("chart_heatmap", "chart_stages", "chart_trend", "chart_map", "chart_curve", "chart_population", "chart_movement",
          "chart_transitions", "chart_time_in_stage", "chart_stalled",
          "chart_by_population_band", "chart_by_urban_rural", "chart_by_jurisdiction_type", "chart_by_governance", "chart_lessons_by_stage", "chart_pulse_kind",
          "chart_pulse_risk")
TABS = [("Regions and stages", 4), ("Reach over time", 2), ("Movement", 4), ("By kind of place", 4), ("Lessons", 3)]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def open_dashboard(page):
    sign_in_as(page, "coordinator")
    nav(page, "Adoption dashboard")
    expect(page.get_by_role("heading", name="Adoption of equity practices")).to_be_visible()
    expect(page.locator(".vega-embed")).to_have_count(4)  # the first tab: the charts that drill down


def drill_text(box):
    return box.get_by_test_id("stMarkdownContainer").filter(has_text="Departments behind your selection")


def test_coordinator_sees_every_chart_and_clicking_a_heatmap_cell_or_a_region_line_lists_its_departments(
        page, demo_facts):
    open_dashboard(page)
    # Every chart is drawn (SVG with marks), and carries its accessible description.
    for chart in page.locator(".vega-embed").all():
        expect(chart.locator("svg.marks")).to_be_visible()
        assert chart.locator("[role=graphics-symbol]").count() > 0
        assert len(chart.get_attribute("aria-label") or "") > 40

    # Click the heatmap cell of a region and practice: exactly its departments are listed, with their stages.
    cell = demo_facts.heatmap_cell
    heatmap = page.locator(".st-key-chart_heatmap_box")
    mark = heatmap.locator(f"g.mark-rect path[aria-label*='HHS region: {cell['region']};']"
                           f"[aria-label*='Practice: {cell['practice']};']")
    expect(mark).to_have_count(1)
    mark.click(position={"x": 3, "y": 3})  # a corner: the cell's label sits on its centre
    wait_for_app(page)
    expected = cell["departments"]
    expect(drill_text(heatmap)).to_have_text(
        re.compile(rf"^Departments behind your selection: Region {cell['region']}, {re.escape(cell['practice'])} "
                   rf"\({len(expected)}, stage as of .+\)$"))
    table = heatmap.get_by_test_id("stDataFrame").last
    listed = grid_rows(table)
    header = table.locator("table[role=grid] thead th").all_inner_texts()
    assert header[:6] == ["Department", "State", "HHS region", "Practice", "Stage", "As of"]
    assert {row[4] for row in listed} <= {"Not started", "Exploring", "Preparing", "Implementing", "Sustaining"}
    assert {(row[0], row[4]) for row in listed} == expected
    assert {row[2] for row in listed} == {str(cell["region"])}
    assert {row[3] for row in listed} == {cell["practice"]}

    # Clicking a region's line in the trend chart lists that region's departments instead.
    line = demo_facts.trend_region
    trend = page.locator(".st-key-chart_trend_box")
    point = trend.locator(f"g.mark-symbol path[aria-label*='HHS region: Region {line['region']};']").last
    point.click(force=True)  # a small filled point; neighbouring lines may overlap it
    wait_for_app(page)
    expect(drill_text(trend)).to_have_text(
        re.compile(rf"^Departments behind your selection: Region {line['region']} \({line['rows']:,}, stage as of .+\)$"))
    expect(drill_text(heatmap)).to_have_count(0)  # only the latest click drills down
    table = trend.get_by_test_id("stDataFrame").last.locator("table[role=grid]")
    expect(table.locator("tbody tr").first).to_be_attached()
    assert int(table.get_attribute("aria-rowcount")) - 1 == line["rows"]
    shown = table.evaluate(
        "t => [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('td')].map(c => c.textContent))")
    assert shown and {row[2] for row in shown} == {str(line["region"])}
    assert {row[0] for row in shown} <= line["departments"]


def test_coordinator_downloads_a_chart_as_a_valid_png_and_svg(page):
    open_dashboard(page)
    heatmap = page.locator(".st-key-chart_heatmap_box")
    with page.expect_download() as download:
        heatmap.get_by_role("button", name="PNG", exact=True).click()
    png = download.value
    data = open(png.path(), "rb").read()
    assert png.suggested_filename == "adoption-heatmap.png"
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert width > 200 and height > 200

    with page.expect_download() as download:
        heatmap.get_by_role("button", name="SVG", exact=True).click()
    svg = open(download.value.path(), encoding="utf-8").read()
    assert svg.lstrip().startswith("<svg") and "Adoption by region and practice" in svg


def test_the_address_carries_ids_not_names_and_the_back_button_restores_the_previous_filters(page):
    open_dashboard(page)
    trend_title = page.locator(".st-key-chart_trend_box").get_by_role("heading", level=3)
    choose(page, "Practice", "Allocate Resources")
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"[?&]practice=2(&|$)"))
    expect(trend_title).to_have_text("Adoption over time: Allocate Resources")
    choose(page, "HHS regions", "Region 5")
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"[?&]region=5(&|$)"))
    assert not re.search(r"Allocate|Region", unquote_plus(page.url))  # names stay on screen, out of links
    expect(page.locator(".st-key-chart_trend_box g.role-legend-label text")).to_have_text(["Region 5"])

    page.go_back()
    wait_for_app(page)
    expect(page).not_to_have_url(re.compile(r"region="))
    expect(page.locator(".st-key-chart_trend_box g.role-legend-label text")).to_have_count(10)
    expect(trend_title).to_have_text("Adoption over time: Allocate Resources")


def test_coordinator_downloads_a_print_ready_report_of_the_current_view_with_every_takeaway(page, tmp_path):
    open_dashboard(page)
    choose(page, "Practice", "Allocate Resources")
    wait_for_app(page)
    takeaways = []
    for name, count in TABS:  # each tab draws its charts only when opened
        page.get_by_role("tab", name=name, exact=True).click()
        wait_for_app(page)
        expect(page.locator(".vega-embed svg.marks")).to_have_count(count)
        takeaways += [box.get_by_test_id("stMarkdownContainer").first.inner_text()
                      for box in page.locator("[class*='st-key-chart_'][class*='_box']").all()]
    assert len(takeaways) == len(CHARTS)
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Report for leadership (HTML, prints cleanly)").click()
    assert download.value.suggested_filename.startswith("adoption-report-")
    report = open(download.value.path(), encoding="utf-8").read()
    assert report.startswith("<!doctype html>") and "Practice: Allocate Resources" in report
    assert report.count("<section id=chart_") == len(CHARTS) and report.count("data:image/png;base64,") == len(CHARTS)
    for takeaway in takeaways:
        assert html.escape(takeaway.strip()) in report, takeaway
    assert "fewer than 11" in report and "http://" not in report and "https://" not in report

    # It opens in the browser with nothing fetched: every image is drawn from the file itself.
    fetched = []
    page.on("request", lambda request: fetched.append(request.url) if not request.url.startswith("data:") else None)
    copy = tmp_path / download.value.suggested_filename  # the download's own file has no .html: shown as text
    copy.write_text(report, encoding="utf-8")
    saved = copy.as_uri()
    page.goto(saved)
    expect(page.get_by_role("heading", name="Adoption of equity practices")).to_be_visible()
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 100)")
    assert fetched == [saved]
