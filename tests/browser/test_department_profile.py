"""Issue 11: from a lesson to its department's profile, then editing that profile and seeing it saved."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import demo_account, nav, sign_in_as, wait_for_app

CRASH = "Something went wrong on our side"


def test_a_member_opens_a_lesson_then_its_departments_profile_edits_it_and_sees_it_saved(page):
    sign_in_as(page, "member")
    department = demo_account("member")["department"]
    nav(page, "Your department")
    main = page.get_by_test_id("stMain")
    main.locator("a[href^='lesson?id=']").first.click()  # one of its lessons
    wait_for_app(page)
    expect(main.get_by_text("Shared by")).to_be_visible()
    main.locator("a[href^='department?id=']").filter(has_text=department).first.click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name=department, level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Departments like this one")).to_be_visible()
    page.get_by_text("Edit this profile").click()
    description = page.get_by_role("textbox", name="Description")
    expect(description).to_be_visible()
    description.fill("Browser test: we serve the county and share what we learn with peers")
    page.get_by_role("button", name="Save profile").click()
    wait_for_app(page)
    expect(page.get_by_text("Profile saved")).to_be_visible()
    expect(main.get_by_text("Browser test: we serve the county and share what we learn with peers").first).to_be_visible()
    assert page.get_by_text(CRASH).count() == 0
