"""What a reader sees of an element's markdown: the escapes the widget helpers add are not part of the text."""

import re


def shown(markdown: str) -> str:
    """The text as rendered: backslash escapes resolved and the invisible break before a ':code' removed."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("\u2060", "")
