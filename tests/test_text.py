"""User text renders literally: no HTML, script, remote image or data: link can load."""

import pytest

from exchange.kernel.text import clean, escape_markdown, is_http_url, safe_link, safe_markdown

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


# --- issue 8 part 9: invisible characters and Streamlit's extensions ---------------------------

INVISIBLE = {
    "NUL": "\x00", "escape": "\x1b", "DEL": "\x7f", "C1 CSI": "\x9b", "C1 NEL": "\x85", "soft hyphen": "\u00ad",
    "Arabic letter mark": "\u061c", "zero-width space": "\u200b", "zero-width joiner": "\u200d",
    "left-to-right mark": "\u200e", "right-to-left override": "\u202e", "word joiner": "\u2060",
    "invisible times": "\u2062", "isolate": "\u2066", "pop isolate": "\u2069", "BOM": "\ufeff",
    "tag begin": "\U000e0001", "tag a": "\U000e0061", "cancel tag": "\U000e007f",
}


@pytest.mark.parametrize("name", list(INVISIBLE))
def test_clean_removes_every_control_bidi_and_invisible_character(name):
    assert clean(f"ad{INVISIBLE[name]}min") == "admin"


def test_clean_covers_every_unicode_control_and_format_character():
    import sys
    import unicodedata

    kept = [hex(c) for c in range(sys.maxunicode + 1)
            if unicodedata.category(chr(c)) in ("Cc", "Cf") and chr(c) not in "\t\n\r" and clean(f"a{chr(c)}b") != "ab"]
    assert kept == []


def test_line_and_paragraph_separators_become_newlines():
    assert clean("one\u2028two\u2029three\r\nfour") == "one\ntwo\nthree\nfour"


def test_field_checks_type_and_length_before_cleaning():
    from exchange.errors import InvalidInput
    from exchange.kernel.text import field

    assert field("  Ana\u202e Lee ", "display_name", 20) == "Ana Lee"
    with pytest.raises(InvalidInput, match="must be text") as wrong:
        field(42, "display_name", 20)
    assert "display_name" in wrong.value.errors
    with pytest.raises(InvalidInput, match="21 characters; the limit is 20"):
        field("x" * 21, "display_name", 20)
    with pytest.raises(InvalidInput, match="required"):
        field("\u200b \u2060", "name", 20, required=True)


@pytest.mark.parametrize("text", [":material/lock:", ":streamlit:", ":red[x]", ":blue-background[x]", ":smile:",
                                  ":+1:", ":-1:", ":100:", "$x^2$", "$$y$$", "![a](http://e.example/p.png)"])
def test_no_streamlit_code_survives_escaping(text):
    import re

    escaped = escape_markdown(text)
    # Streamlit's own patterns: icons and emoji ":name:", the logo, directives ":name[", unescaped "$", images.
    plain = escaped.replace("\\", "")
    assert not re.search(r":[\w+-][\w+/-]*:|:[\w-]+\[", plain), escaped
    assert not re.search(r"(?<!\\)[$!\[]", escaped), escaped
    assert ":material/" not in escaped


def test_ordinary_colons_are_left_as_typed():
    # Only a colon that could start a Streamlit code gets the invisible break: links and times read and copy as typed.
    assert "\u2060" not in escape_markdown("See http://example.org/a at 12:30, or: this")
