"""The one markdown renderer for every widget helper: user text renders literally unless a developer wrote it as `md`.

Like SQL values, user text never becomes markup by concatenation: a page writes `md("**{title}** was
withdrawn", title=lesson["title"])`, whose template is trusted and whose values are escaped, and a
plain `str` given to a widget helper is shown exactly as typed. Plain Python, importable without Streamlit.
"""

from __future__ import annotations

import string

from exchange.kernel.text import escape_markdown, safe_link, safe_markdown


class Md(str):
    """Markdown a developer wrote (trusted), with any values already escaped: widget helpers show it as it is."""

    __slots__ = ()


class _Escaping(string.Formatter):
    """str.format that formats each value first (so '{when:%d %b}' works), then escapes it, unless it is Md."""

    def format_field(self, value, format_spec: str) -> str:
        if isinstance(value, Md):
            return Md(format(str(value), format_spec))
        return escape_markdown(format(value, format_spec))


_FORMATTER = _Escaping()


def md(template: str, /, *args, **values) -> Md:
    """Trusted markdown: `template` (written by a developer) with every value escaped (an Md value is kept)."""
    return Md(_FORMATTER.format(template, *args, **values))


def render(text) -> str:
    """What a widget shows for `text`: Md as written; anything else escaped so it renders literally (None is '')."""
    if text is None:
        return ""
    if isinstance(text, Md):
        return str(text)
    return escape_markdown(text)


def paragraphs(text: str | None) -> Md:
    """Several paragraphs of user text, each shown literally, keeping paragraphs and line breaks."""
    return Md(safe_markdown(text or ""))


def join(separator: str, parts) -> Md:
    """Md pieces and user text joined by a trusted separator (empty pieces are left out)."""
    return Md(separator.join(render(p) for p in parts if p))


def link(label: str, url: str) -> Md:
    """A link for a validated http(s) URL with its label shown literally; plain text for anything else."""
    return Md(safe_link(label, url))
