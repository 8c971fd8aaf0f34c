"""Issue 9 part 4: one markdown renderer, used by every widget helper, so a page cannot forget to escape user text."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from exchange.kernel.text import escape_markdown
from exchange.ui.markup import Md, join, link, md, paragraphs, render

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "![pixel](http://evil.example/p.png) :material/lock: $x^2$ <b>bold</b> [link](javascript:alert(1))"


def test_a_plain_string_renders_literally_and_md_as_written():
    assert render(HOSTILE) == escape_markdown(HOSTILE)
    assert render(Md("**bold**")) == "**bold**"
    assert render(None) == ""


def test_md_escapes_every_value_but_not_its_template():
    shown = md("**{title}** by {who}", title=HOSTILE, who="a *colleague*")
    assert isinstance(shown, Md)
    assert shown == f"**{escape_markdown(HOSTILE)}** by a \\*colleague\\*"


def test_md_formats_a_value_before_escaping_it():
    assert md("{:%d %b %Y} · {n:,}", date(2026, 3, 4), n=12345) == "04 Mar 2026 · 12,345"


def test_md_keeps_an_md_value_and_join_escapes_only_plain_parts():
    assert md("- {}", md("**{}**", "x_y")) == "- **x\\_y**"
    assert join(" · ", [md("**a**"), "b*c", "", None]) == "**a** · b\\*c"


def test_paragraphs_and_links_are_safe():
    assert paragraphs("one\n\ntwo *2*") == "one\n\ntwo \\*2\\*"
    assert "](javascript" not in link("x", "javascript:alert(1)")
    assert "](https://example.org/a)" in link("label", "https://example.org/a")


# --- the guard: every text a page or UI module shows passes the renderer ------------------------------------

DISPLAY = {"markdown", "write", "title", "header", "subheader", "caption", "success", "error", "warning", "info",
           "toast", "page_link", "badge", "expander", "metric"}
SOURCES = sorted([*ROOT.glob("pages/*.py"), *(p for p in ROOT.glob("exchange/ui/*.py") if p.name != "markup.py")])


def _text_argument(call: ast.Call):
    if isinstance(call.func, ast.Attribute) and call.func.attr == "page_link":
        return next((k.value for k in call.keywords if k.arg == "label"), None)
    return call.args[0] if call.args else None


def _trusted(node) -> bool:
    """A literal, a module constant, a choice between those, or text already through the renderer."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.Name) and node.id.isupper():
        return True
    if isinstance(node, ast.IfExp):
        return _trusted(node.body) and _trusted(node.orelse)
    if isinstance(node, ast.Subscript):  # a label from a module constant table, e.g. STATUS_BADGE[s][0]
        return _trusted(node.value)
    if isinstance(node, ast.Attribute):  # e.g. core.STATUS_BADGE
        return node.attr.isupper()
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return name in ("render", "paragraphs")
    return False


def _built_by_hand(node) -> bool:
    """Markdown built by f-string, concatenation, % or str.format/join: the values would skip escaping."""
    if isinstance(node, (ast.JoinedStr, ast.BinOp)):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join") \
        and isinstance(node.func.value, ast.Constant)


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            yield node


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_streamlit_shows_only_literal_text_the_rest_goes_through_the_escaping_helpers(path):
    offenders = []
    for call in _calls(path):
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in DISPLAY):
            continue
        owner = func.value.id if isinstance(func.value, ast.Name) else ""
        text = _text_argument(call)
        if text is None:
            continue
        if owner in ("core", "") and func.attr != "metric":
            if _built_by_hand(text):  # core.* escapes a plain str, so only hand-built markdown is wrong
                offenders.append(f"{path.name}:{call.lineno}: core.{func.attr}({ast.unparse(text)[:60]})")
        elif not _trusted(text):  # st.*, a column, a container: no escaping, so only literals
            offenders.append(f"{path.name}:{call.lineno}: {owner}.{func.attr}({ast.unparse(text)[:60]})")
    assert offenders == [], "show dynamic text with core.<helper>(text) or core.<helper>(md(template, values))"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_md_template_is_a_literal(path):
    bad = [f"{path.name}:{c.lineno}" for c in _calls(path) if getattr(c.func, "id", "") == "md"
           and not (c.args and isinstance(c.args[0], ast.Constant))]
    assert bad == []


def test_no_page_escapes_by_hand():
    for path in ROOT.glob("pages/*.py"):
        source = path.read_text()
        for name in ("escape_markdown", "safe_markdown", "safe_link", "kernel.text", "core.attempt"):
            assert name not in source, f"{path.name} uses {name}: the helpers escape, pages need not"


def test_the_guard_catches_hand_built_markdown(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('import streamlit as st\nst.markdown(f"**{title}**")\ncore.success("Saved " + name)\n'
                   'st.page_link("p.py", label=lesson["title"])\n')
    with pytest.raises(AssertionError) as caught:
        test_streamlit_shows_only_literal_text_the_rest_goes_through_the_escaping_helpers(bad)
    assert "bad.py:2" in str(caught.value.args) or "bad.py:2" in str(caught.value)
