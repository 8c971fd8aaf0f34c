"""Issues 2-3: a lesson's page opens for coordinators and administrators too, with its sections and related lessons.

(Visitors and members open lessons in test_lessons_journey.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import nav, sign_in_as, wait_for_app

CRASH = "Something went wrong on our side"


def open_first_lesson(page) -> str:
    link = page.get_by_test_id("stMain").locator("a[href^='lesson?id=']").first
    expect(link).to_be_visible()
    title = link.inner_text().strip().splitlines()[-1].strip()
    link.click()
    wait_for_app(page)
    return title


@pytest.mark.parametrize("role", [
    "coordinator",
    "admin",
])
def test_a_lesson_page_shows_its_sections_and_related_lessons_to_staff(page, role):
    sign_in_as(page, role)
    nav(page, "Find lessons")
    title = open_first_lesson(page)
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    assert page.get_by_text(CRASH).count() == 0  # the script has finished: an error would be on the page now
    expect(page.get_by_role("heading", name="Related lessons")).to_be_visible()
    for section in ("Summary", "Context", "What we did", "What happened", "Tags"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
