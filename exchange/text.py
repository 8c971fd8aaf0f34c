"""User-written text is untrusted: render it so nothing a user typed can load or run."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

# Every character that means something to Streamlit's markdown (CommonMark + GFM +
# Streamlit's :colour[...] / :material/...: directives and $LaTeX$).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=^&\"'])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str | None, *, multiline: bool = True) -> str:
    """Strip control characters (keeping newlines and tabs in multi-line text) and outer whitespace."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if not multiline:
        text = re.sub(r"\s+", " ", text)
    return text.strip()


def escape_markdown(text: str) -> str:
    """Backslash-escape every markdown-significant character, so the text renders literally."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def safe_markdown(text: str) -> str:
    """Markdown that shows `text` literally, keeping its paragraphs and line breaks."""
    paragraphs = re.split(r"\n\s*\n", clean(text))
    return "\n\n".join("  \n".join(escape_markdown(line) for line in p.split("\n")) for p in paragraphs if p)


def is_http_url(url: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in url)


def safe_link(label: str, url: str) -> str:
    """A markdown link for a validated http(s) URL, with the label escaped; plain text otherwise."""
    if not is_http_url(url):
        return escape_markdown(label or url)
    href = quote(url, safe=":/?#@!$&'*+,;=%~-._")
    href = href.replace("(", "%28").replace(")", "%29")
    return f"[{escape_markdown(label or url)}]({href})"
