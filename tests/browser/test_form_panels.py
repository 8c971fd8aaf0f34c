"""Forms inside a folded panel keep it open after a submit: the error and what was typed stay in view.

Streamlit 1.67 closed an untracked expander after its form was submitted, hiding a refused account's error
(and, on the profile page, a stale save's comparison); `core.form_panel` keeps their state.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import nav, sign_in_as, wait_for_app


def test_a_refused_new_account_keeps_its_panel_open_with_the_error_and_the_typed_values(page):
    sign_in_as(page, "admin")
    nav(page, "Accounts")
    page.get_by_text("Create an account").click()
    panel = page.get_by_test_id("stExpanderDetails").filter(has=page.get_by_role("button", name="Create account"))
    panel.get_by_role("textbox", name="Email", exact=True).fill("not-an-email")
    panel.get_by_role("textbox", name="Name", exact=True).fill("Someone New")
    panel.get_by_text("I have checked the details above").click()
    panel.get_by_role("button", name="Create account").click()
    wait_for_app(page)
    expect(panel.get_by_test_id("stAlertContentError").first).to_be_visible()
    expect(panel.get_by_role("textbox", name="Email", exact=True)).to_have_value("not-an-email")


def test_adding_a_risk_type_without_a_name_keeps_the_panel_open_with_the_error(page):
    sign_in_as(page, "admin")
    nav(page, "Taxonomy")
    page.get_by_role("tab", name="Risk types").click()
    page.get_by_text("Add a risk type").click()
    panel = page.get_by_test_id("stExpanderDetails").filter(has=page.get_by_role("button", name="Add risk type"))
    panel.get_by_role("button", name="Add risk type").click()
    wait_for_app(page)
    expect(panel.get_by_test_id("stAlertContentError").first).to_be_visible()
    expect(page.get_by_role("tab", name="Risk types")).to_have_attribute("aria-selected", "true")  # still its tab
