"""Untrusted text: strip what nobody can see, check lengths before parsing, render so nothing a user typed can load or run."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

from exchange.errors import InvalidInput

# Every character that means something to Streamlit's markdown (CommonMark + GFM +
# Streamlit's :colour[...] / :material/...: directives and $LaTeX$).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$=^&\"'])")
# Streamlit rewrites ":material/" in the raw source and replaces ":streamlit:", emoji shortcodes
# and icons in the parsed text, where a backslash escape is already gone: only a character
# between the colon and the name stops them. U+2060 WORD JOINER is invisible and never wraps;
# it goes only where a code could start (":name:" or ":name["), so "http://" or "12:30" stay as typed.
_AFTER_COLON = re.compile(r"\\:(?=\\?[\w+-][\w+\-/\\]*?(?:\\:|\\\[))")
_BREAK = "\u2060"
# Invisible or direction-changing characters (Unicode Cc and Cf, except tab and newline):
# C0/C1 controls, soft hyphen, Arabic letter mark, zero-width and bidi marks, word joiner and
# invisible operators, BOM, interlinear annotations, tag characters.
_INVISIBLE = (
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_CONTROL = re.compile(f"[{_INVISIBLE}]")
_LINE_SEPARATORS = re.compile("\r\n|[\r\u2028\u2029]")


def clean(text: str | None, *, multiline: bool = True) -> str:
    """Remove control, bidi and invisible characters (keeping newlines and tabs in multi-line text) and outer whitespace."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = _CONTROL.sub("", _LINE_SEPARATORS.sub("\n", text))
    if not multiline:
        text = re.sub(r"\s+", " ", text)
    return text.strip()


def field(value, name: str, limit: int, *, multiline: bool = False, required: bool = False, label: str = "") -> str:
    """Checked text for one field: text only, at most `limit` characters (checked before anything else), cleaned."""
    label = label or name.replace("_", " ").capitalize()
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidInput(f"{label} must be text.", name)
    # Measure before any parsing or cleaning, so no work grows with an oversized value.
    if len(value) > limit:
        raise InvalidInput(f"{label} is {len(value):,} characters; the limit is {limit:,}. Please shorten it.", name)
    value = clean(value, multiline=multiline)
    if required and not value:
        raise InvalidInput(f"{label} is required.", name)
    return value


def escape_markdown(text: str) -> str:
    """Escape every markdown-significant character and break Streamlit's :icon:/:emoji: codes, so the text renders literally."""
    return _AFTER_COLON.sub(lambda m: "\\:" + _BREAK, _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)))


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
