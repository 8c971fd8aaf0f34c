"""Issue 2: text a user wrote can load nothing and run nothing, proven in the real browser."""

from __future__ import annotations

import random
import string
from datetime import date

from playwright.sync_api import expect

from tests.browser.helpers import choose, fill_date, nav, sign_in_as, wait_for_app

TRAP = "127.0.0.1:9"  # nothing listens there; any request to it means user text loaded something
HOSTILE = (f"![x](http://{TRAP}/pixel.png) <img src=x onerror=\"document.title='pwned-img'\"> "
           "<script>document.title='pwned-script'</script> [y](data:text/html,hi) [z](javascript:alert(1))")
MORE = (f"\n\n<iframe src=\"http://{TRAP}/frame\"></iframe> <a href=\"javascript:alert(2)\">click</a> "
        f"<svg onload=\"alert(3)\"></svg> [![i](http://{TRAP}/nested.png)](http://example.org)")

NOTHING_LOADED_OR_RUN = """() => {
    const bad = [];
    const userArea = document.querySelector('[data-testid=stMain]');
    for (const img of document.querySelectorAll('img'))
        if (img.getAttribute('src') === 'x' || (img.src || '').includes('127.0.0.1:9')) bad.push('img ' + img.outerHTML);
    for (const el of document.querySelectorAll('[onerror], [onload], iframe, object, embed'))
        bad.push('element ' + el.outerHTML.slice(0, 120));
    for (const s of userArea.querySelectorAll('script')) bad.push('script in page ' + s.outerHTML.slice(0, 120));
    for (const s of document.querySelectorAll('script'))
        if ((s.textContent || '').includes('pwned')) bad.push('script from user text ' + s.outerHTML.slice(0, 120));
    for (const a of document.querySelectorAll('a[href]')) {
        const href = a.getAttribute('href').trim().toLowerCase();
        if (href.startsWith('data:') || href.startsWith('javascript:') || href.startsWith('vbscript:'))
            bad.push('link ' + a.outerHTML.slice(0, 120));
    }
    if (document.title.includes('pwned')) bad.push('title ' + document.title);
    return bad;
}"""


def test_hostile_markdown_and_html_in_a_posted_lesson_load_no_image_and_run_no_script(page):
    requests, dialogs = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    sign_in_as(page, "member")
    nav(page, "Share a lesson")
    marker = "quuxblatt" + "".join(random.choices(string.ascii_lowercase, k=8))
    textbox = lambda name: page.get_by_role("textbox", name=name)  # noqa: E731
    textbox("Title (required, up to 120 characters)").fill(f"Hostile input {marker} <b>bold</b>")
    textbox("Summary (required, up to 300 characters): the lesson in two sentences").fill(HOSTILE)
    textbox("Context (required), up to 4,000 characters").fill(HOSTILE + MORE)
    textbox("What we did (required), up to 4,000 characters").fill(MORE.strip())
    textbox("What happened (required), up to 4,000 characters").fill(HOSTILE)
    choose(page, "Strategic practices (choose at least one)", "Allocate Resources")
    fill_date(page, "Work started (any day in the month)", date(2023, 6, 1))
    page.get_by_role("button", name="Check and submit…").click()
    wait_for_app(page)
    page.get_by_role("button", name="Submit now").click()
    wait_for_app(page)
    expect(page.get_by_text("Published. Thank you for sharing.")).to_be_visible()

    page.get_by_role("link", name="View your lesson").click()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="What happened", exact=True)).to_be_visible()
    # The text is shown literally, as typed...
    expect(page.get_by_text("<script>document.title='pwned-script'</script>").first).to_be_visible()
    expect(page.get_by_text(f"![x](http://{TRAP}/pixel.png)").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("<b>bold</b>")
    # ...and nothing in it became an image, a script, a frame, a handler or a data:/javascript: link.
    assert page.evaluate(NOTHING_LOADED_OR_RUN) == []

    # The summary also shows on the home page's card.
    nav(page, "Find lessons")
    box = page.get_by_role("textbox", name="Search lessons")
    box.fill(marker)
    box.press("Enter")
    wait_for_app(page)
    expect(page.get_by_text(f"1 lesson matching “{marker}”", exact=True)).to_be_visible()
    expect(page.get_by_text(f"![x](http://{TRAP}/pixel.png)").first).to_be_visible()
    assert page.evaluate(NOTHING_LOADED_OR_RUN) == []

    page.wait_for_timeout(500)  # give any stray loader a moment before the final accounting
    assert [url for url in requests if TRAP in url or url.startswith(("data:", "javascript:"))] == []
    assert dialogs == []
