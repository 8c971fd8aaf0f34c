"""Issue #8.1: the identifying-text renderer (exchange/ui/identifying.py), driven through AppTest."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from exchange.privacy.identifying import profile_of
from exchange.ui.identifying import snippet

TEXT = "Alameda County has about 280 staff. <img src=x> :material/lock: our county board said no."


def _post_page_example():
    """What the post page does: check the form's text, show findings, take replacements back."""
    import streamlit as st

    from exchange.privacy import identifying
    from exchange.ui.identifying import identifying_findings

    profile = identifying.profile_of("Alameda County Public Health Department", jurisdiction_type="county")
    if "values" not in st.session_state:
        st.session_state["values"] = {"context": st.session_state.get("start_text", ""), "links": []}
    values = st.session_state["values"]

    def replaced(new_values):
        st.session_state["values"] = new_values
        st.session_state["replacements"] = st.session_state.get("replacements", 0) + 1

    identifying_findings(identifying.find(profile, values), values, on_replace=replaced)


def _review_example():
    import streamlit as st

    from exchange.privacy import identifying
    from exchange.ui.identifying import identifying_review

    profile = identifying.profile_of("Alameda County Public Health Department", jurisdiction_type="county")
    values = {"title": st.session_state["start_text"]}
    identifying_review(identifying.find(profile, values), values)


def _app(function, text: str) -> AppTest:
    at = AppTest.from_function(function, default_timeout=30)
    at.session_state["start_text"] = text
    return at.run()


def test_each_finding_is_shown_highlighted_with_a_replace_button():
    at = _app(_post_page_example, TEXT)
    assert not at.exception
    labels = [b.label for b in at.button]
    assert labels == ["Replace all with neutral phrases", "Replace with a neutral phrase: “Our jurisdiction”",
                      "Replace with a neutral phrase: “our staff”", "Replace with a neutral phrase: “our governing board”"]
    markdown = " ".join(m.value for m in at.markdown)
    assert ":orange-background[**Alameda County**]" in markdown
    assert ":orange-background[**about 280 staff**]" in markdown


def test_user_text_is_escaped_and_no_html_is_allowed():
    at = _app(_post_page_example, TEXT)
    markdown = " ".join(m.value for m in at.markdown)
    assert "\\<img src\\=x\\>" in markdown and not re.search(r"(?<!\\)<", markdown)
    # The icon code is neutralised by the one escaping helper (text.escape_markdown), whatever its mechanism:
    assert "material/lock" in markdown and ":material/lock:" not in markdown.replace("\\", "")
    assert all(not getattr(m.proto, "allow_html", False) for m in at.markdown)


def test_one_click_replaces_one_finding_and_returns_the_text_through_the_callback():
    at = _app(_post_page_example, TEXT)
    at.button(key="identifying-replace-1").click().run()
    assert at.session_state["values"]["context"] == TEXT.replace("about 280 staff", "our staff")
    assert at.session_state["replacements"] == 1
    assert len(at.button) == 3  # the replaced finding is gone; the others remain


def test_replace_all_leaves_nothing_to_find():
    at = _app(_post_page_example, TEXT)
    at.button(key="identifying-all").click().run()
    assert at.session_state["values"]["context"].startswith("Our jurisdiction has our staff.")
    assert len(at.button) == 0
    assert "Nothing in this text points to your department." in [s.value for s in at.success]


def test_the_review_variant_shows_the_same_findings_without_buttons():
    at = _app(_review_example, "Alameda County and our county board")
    assert not at.exception and len(at.button) == 0
    markdown = " ".join(m.value for m in at.markdown)
    assert ":orange-background[**Alameda County**]" in markdown and ":orange-background[**our county board**]" in markdown


def test_a_snippet_shows_the_clue_in_its_surroundings():
    profile = profile_of("Alameda County Public Health Department")
    from exchange.privacy.identifying import find

    text = "x " * 80 + "in Alameda today" + " y" * 80
    [finding] = find(profile, {"context": text})
    shown = snippet(text, finding)
    assert shown.startswith("…") and shown.endswith("…") and ":orange-background[**Alameda**]" in shown
    assert len(shown) < 200
