"""User text renders literally: no HTML, script, remote image or data: link can load."""

import pytest

from exchange.text import clean, escape_markdown, is_http_url, safe_link, safe_markdown

HOSTILE = [
    "![pixel](http://tracker.example.com/p.png?who=me)",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    ":red[coloured] :material/warning: $x^2$",
    "<iframe src='https://evil.example.com'></iframe>",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_has_every_markdown_character_escaped(text):
    rendered = safe_markdown(text)
    for i, ch in enumerate(rendered):
        if ch in "![]()<>:$`":
            assert rendered[i - 1] == "\\", f"{ch!r} at {i} is not escaped in {rendered!r}"


def test_paragraphs_and_line_breaks_survive():
    assert safe_markdown("one\ntwo\n\nthree") == "one  \ntwo\n\nthree"


def test_clean_removes_control_and_bidi_characters_but_keeps_newlines():
    assert clean("a\x00b\u202ec\nd\x1b") == "abc\nd"
    assert clean("  spaced   out  ", multiline=False) == "spaced out"


@pytest.mark.parametrize("url,ok", [("https://example.org/a", True), ("http://example.org", True),
                                    ("javascript:alert(1)", False), ("data:text/html,x", False),
                                    ("https:///nohost", False), ("//example.org", False)])
def test_only_absolute_http_urls_are_links(url, ok):
    assert is_http_url(url) is ok


def test_a_safe_link_escapes_its_label_and_encodes_parentheses():
    link = safe_link("[evil](javascript:x)", "https://example.org/a(b)")
    assert link.endswith("(https://example.org/a%28b%29)")
    assert "\\[evil\\]" in link


def test_a_non_http_link_becomes_plain_text():
    assert safe_link("x", "data:text/html,hi") == escape_markdown("x")
