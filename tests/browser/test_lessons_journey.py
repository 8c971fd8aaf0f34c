"""Issue 2 in a real browser: find lessons as a visitor, share one as a member and find it again."""

from __future__ import annotations

import random
import re
import string
from datetime import date
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from tests.browser.helpers import choose, fill_date, goto, lesson_count, nav, sign_in_as, wait_for_app

SECTIONS = ("Summary", "Context", "What we did", "What happened")


def card_links(page):
    """The title links of the lesson cards on the page."""
    return page.get_by_test_id("stMain").locator("a[href^='lesson?id=']")


def search(page, words: str) -> None:
    box = page.get_by_role("textbox", name="Search lessons")
    box.fill(words)
    box.press("Enter")
    wait_for_app(page)


def test_visitor_filters_by_risk_type_searches_opens_a_lesson_and_can_share_the_filtered_view(page, new_tab):
    goto(page, "")
    expect(page.get_by_role("heading", name="Find lessons")).to_be_visible()
    expect(card_links(page).first).to_be_visible()
    everything = lesson_count(page)
    expect(card_links(page).nth(9)).to_be_visible()  # a full first page (the cards may still be arriving)
    assert everything > 20

    # The risk facet shows how many lessons each choice leaves; picking one leaves exactly that many.
    box = page.get_by_role("combobox", name="Risk type", exact=True)
    box.click()
    option = page.get_by_role("option", name=re.compile(r"^Funding and grant restrictions \(\d+\)$"))
    expected = int(re.search(r"\((\d+)\)", option.inner_text()).group(1))
    option.click()
    page.keyboard.press("Escape")
    wait_for_app(page)
    expect(page.get_by_text(f"{expected:,} lessons", exact=True)).to_be_visible()
    assert 0 < expected < everything

    # The filtered view is a URL: opened in another tab (another session), it shows the same list.
    filtered_url = page.url
    assert "risk" in parse_qs(urlsplit(filtered_url).query), filtered_url
    colleague = new_tab()
    colleague.goto(filtered_url)
    wait_for_app(colleague)
    expect(colleague.get_by_text(f"{expected:,} lessons", exact=True)).to_be_visible()
    expect(colleague.get_by_role("combobox", name="Risk type", exact=True)).to_be_visible()
    expect(colleague.get_by_test_id("stMultiSelect").filter(has_text="Risk type")
           .get_by_text("Funding and grant restrictions")).to_be_visible()

    # A word narrows the filtered list further, and the search joins the URL.
    search(page, "advocacy")
    expect(page.get_by_text(re.compile(r"^\d[\d,]* lessons? matching “advocacy”$"))).to_be_visible()
    found = lesson_count(page)
    assert 0 < found < expected
    assert parse_qs(urlsplit(page.url).query).get("q") == ["advocacy"]
    expect(card_links(page).first).to_be_visible()

    # Opening a card shows the whole lesson, section by section.
    first = card_links(page).first
    title = first.inner_text().strip().splitlines()[-1].strip()
    first.click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    for section in SECTIONS:
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Related lessons")).to_be_visible()
    assert "lesson?id=" in page.url


def test_member_posts_a_lesson_through_the_form_and_finds_it_by_search(page):
    sign_in_as(page, "member")
    nav(page, "Share a lesson")
    expect(page.get_by_role("heading", name="Share a lesson")).to_be_visible()

    marker = "wexbridge" + "".join(random.choices(string.ascii_lowercase, k=8))
    title = f"A mobile dental van at the {marker} laundromat reached 300 children"
    textbox = lambda name: page.get_by_role("textbox", name=name)  # noqa: E731
    textbox("Title (required, up to 120 characters)").fill(title)
    textbox("Summary (required, up to 300 characters): the lesson in two sentences").fill(
        "We parked a dental van at the laundromat on Saturdays. Families came because they were already there.")
    textbox("Context (required), up to 4,000 characters").fill("Dental visits for children on Medicaid had dropped.")
    textbox("What we did (required), up to 4,000 characters").fill("We partnered with the laundromat owner.")
    textbox("What happened (required), up to 4,000 characters").fill("Three hundred children were seen in a year.")
    choose(page, "Strategic practices (choose at least one)", "Allocate Resources")
    fill_date(page, "Work started (any day in the month)", date(2024, 3, 15))

    page.get_by_role("button", name="Check and submit…").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Before you submit: similar lessons already shared")).to_be_visible()
    page.get_by_role("button", name="Submit now").click()
    wait_for_app(page)
    # The demo member's department is past its first reviewed lessons, so this publishes at once.
    expect(page.get_by_text("Published. Thank you for sharing.")).to_be_visible()

    nav(page, "Find lessons")
    search(page, marker)
    expect(page.get_by_text(f"1 lesson matching “{marker}”", exact=True)).to_be_visible()
    link = card_links(page).filter(has_text=title)
    expect(link).to_have_count(1)
    link.click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    expect(page.get_by_text("Three hundred children were seen in a year.")).to_be_visible()
