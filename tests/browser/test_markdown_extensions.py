"""Issue 8 part 9: Streamlit's markdown extensions never render from user or admin text, checked in Chromium.

A tiny Streamlit script shows each hostile string twice: raw (proving the detector sees the
extension render) and through exchange.kernel.text.safe_markdown (which must show it literally).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import ROOT, free_port

CASES = {
    "icon": "A :material/lock: icon",
    "logo": "A :streamlit: logo",
    "colour": "A :red[red] word and :blue-background[bg]",
    "badge": ":small[tiny] and :violet-badge[badge]",
    "emoji": "An :smile: emoji and :+1: and :-1:",
    "latex": "Math $x^2$ and $$y$$",
    "image": "![pic](http://127.0.0.1:9/p.png) image",
}
SCRIPT = f"""
import streamlit as st
from exchange.kernel.text import safe_markdown
for key, text in {CASES!r}.items():
    with st.container(key=f"raw_{{key}}"):
        st.markdown(text)
    with st.container(key=f"safe_{{key}}"):
        st.markdown(safe_markdown(text))
st.markdown("all cases shown")
"""
# Anything an extension renders: an icon or logo, a coloured or sized span, KaTeX, an image, an emoji.
RENDERED = """(el) => {
    const found = [];
    if (el.querySelector('[role=img], img, .katex, svg')) found.push('element');
    if (el.querySelector('span[style], span[class*=stMarkdown]')) found.push('styled span');
    if (/\\p{Extended_Pictographic}/u.test(el.innerText)) found.push('emoji');
    return found;
}"""


@pytest.fixture(scope="module")
def markdown_page(browser, tmp_path_factory):
    folder = tmp_path_factory.mktemp("markdown")
    (folder / "cases.py").write_text(SCRIPT)
    port = free_port()
    log = open(folder / "server.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(folder / "cases.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline and proc.poll() is None:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read().strip() == b"ok":
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("streamlit did not start:\n" + (folder / "server.log").read_text()[-3000:])
        context = browser.new_context()
        page = context.new_page()
        page.goto(base)
        expect(page.get_by_text("all cases shown")).to_be_visible()
        yield page
        context.close()
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.mark.parametrize("case", list(CASES))
def test_user_text_never_renders_streamlits_markdown_extensions(markdown_page, case):
    raw = markdown_page.locator(f".st-key-raw_{case} [data-testid=stMarkdownContainer]")
    safe = markdown_page.locator(f".st-key-safe_{case} [data-testid=stMarkdownContainer]")
    assert raw.evaluate(RENDERED), f"the detector does not see {case!r} render; the test would prove nothing"
    assert safe.evaluate(RENDERED) == []
    # Shown as typed (the invisible word joiners that break the codes aside).
    assert safe.inner_text().replace("\u2060", "") == CASES[case]
