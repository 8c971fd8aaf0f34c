"""No page leaves a bare expression for Streamlit's magic to write to the page (the dashboard once showed its specs)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "app.py"]


def magic_writes(source: str) -> list[str]:
    """Bare expression statements magic would st.write: not calls, docstrings, yields or awaits."""
    found = []
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if not isinstance(body, list):
            continue
        for i, statement in enumerate(body):
            if not isinstance(statement, ast.Expr):
                continue
            value = statement.value
            if isinstance(value, (ast.Call, ast.Yield, ast.YieldFrom, ast.Await)):
                continue
            if i == 0 and isinstance(value, ast.Constant) and isinstance(value.value, str):
                continue  # a docstring
            found.append(f"line {statement.lineno}: {ast.unparse(statement)[:60]}")
    return found


def test_the_check_finds_a_bare_attribute_and_skips_calls_and_docstrings():
    assert magic_writes('"""Doc."""\ndef f(v):\n    """Doc."""\n    v.spec_json\n    g(v)\n') == ["line 4: v.spec_json"]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_no_bare_expression_in_a_page(script):
    assert magic_writes(script.read_text()) == []
