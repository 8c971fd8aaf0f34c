"""The linear-time scanners behind the identifying-text check (exchange/privacy/identifying.py).

Words come from one regex with no nested repetition; figures are read from the words around a
noun; e-mail addresses and links are found by expanding around "@" and "http" within bounded
windows. Callers cap the text's length first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from exchange.privacy import terms

MAX_PHRASE_TOKENS = 8
# A word: letters/digits, with at most one apostrophe part ("George's"). No nested repetition.
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# A North American phone number: bounded length, so each start position costs O(1).
_PHONE = re.compile(r"(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]\d{4}(?!\w)")


@dataclass
class Token:
    """One word of the text: its offsets, its lookup key and its text as written."""

    start: int
    end: int
    key: str
    raw: str = field(repr=False, default="")


def tokens(text: str) -> list[Token]:
    """The words of `text` in order."""
    return [Token(m.start(), m.end(), key(m.group()), m.group()) for m in WORD.finditer(text)]


def key(word: str) -> str:
    """A word as phrases are looked up: case-folded, without a possessive 's."""
    word = word.casefold().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word



def joined(text: str, a: Token, b: Token) -> bool:
    """Two tokens belong to one phrase: only a space, hyphen, ampersand or "St." dot between them."""
    gap = text[a.end:b.start]
    return len(gap) <= 3 and all(c in " -.&'’" for c in gap) and gap.count(".") <= 1


def figures(text: str, tokens: list[Token]) -> list[tuple]:
    out = []
    for j, token in enumerate(tokens):
        noun = terms.FIGURE_NOUNS.get(token.key)
        two = tokens[j - 1].key + " " + token.key if j else ""
        if two in terms.FIGURE_NOUNS:  # "community members"
            noun, first = terms.FIGURE_NOUNS[two], j - 1
        else:
            first = j
        if noun is not None:
            left = _size_run_left(text, tokens, first)
            if left is not None:
                start_index, value, magnitude = left
                if noun[0] == "staff" or value >= 1000 or magnitude:
                    out.append((tokens[start_index].start, token.end, noun[0], noun[1], noun[2]))
        of = terms.OF_NOUNS.get(token.key)
        if of and j + 2 < len(tokens) and tokens[j + 1].key == "of" and joined(text, token, tokens[j + 1]):
            right = _size_run_right(text, tokens, j + 2)
            if right is not None:
                end_index, value, magnitude = right
                if value >= of[3] or magnitude:
                    out.append((token.end, tokens[end_index].end, of[0], "", of[2]))
    return out


def _number(text: str, tokens: list[Token], run: range) -> tuple[float, bool]:
    """The largest figure in tokens[run] ("1.6 million" → 1,600,000) and whether a magnitude word is used."""
    best, magnitude, current, index = 0.0, False, None, run.start
    while index < run.stop:
        token = tokens[index]
        if token.key.isdigit():
            last = index
            while last + 1 < run.stop and tokens[last + 1].key.isdigit() and _adjacent(text, tokens[last], tokens[last + 1]):
                last += 1
            raw = text[token.start:tokens[last].end].replace(",", "")
            current = float(raw) if raw.count(".") <= 1 else float(raw.replace(".", ""))
            best, index = max(best, current), last + 1
            continue
        if token.key in terms.MAGNITUDES:
            magnitude = True
            best = max(best, (current or 1.0) * terms.MAGNITUDES[token.key])
        current = None
        index += 1
    return best, magnitude


def _size_run_left(text: str, tokens: list[Token], noun_index: int):
    """(first index, value, has magnitude word) of the figure right before tokens[noun_index], or None."""
    index = noun_index - 1
    if index < 0 or not _numberish(tokens[index]) or not _adjacent(text, tokens[index], tokens[noun_index]):
        return None
    while index > 0 and noun_index - index < MAX_PHRASE_TOKENS:
        before = tokens[index - 1]
        if not (_numberish(before) or before.key in terms.SIZE_WORDS) or not _adjacent(text, before, tokens[index]):
            break
        index -= 1
    while index < noun_index - 1 and tokens[index].key in ("and", "to"):
        index += 1
    value, magnitude = _number(text, tokens, range(index, noun_index))
    return (index, value, magnitude) if value or magnitude else None


def _size_run_right(text: str, tokens: list[Token], first: int):
    """(last index, value, has magnitude word) of the figure starting at tokens[first], or None."""
    index = first
    while index < len(tokens) - 1 and index - first < MAX_PHRASE_TOKENS and not _numberish(tokens[index]) \
            and tokens[index].key in terms.SIZE_WORDS and _adjacent(text, tokens[index], tokens[index + 1]):
        index += 1
    if not _numberish(tokens[index]):
        return None
    while index + 1 < len(tokens) and index - first < MAX_PHRASE_TOKENS and _numberish(tokens[index + 1]) \
            and _adjacent(text, tokens[index], tokens[index + 1]):
        index += 1
    value, magnitude = _number(text, tokens, range(first, index + 1))
    return (index, value, magnitude) if value or magnitude else None


def _numberish(token: Token) -> bool:
    return token.key.isdigit() or token.key in terms.MAGNITUDES


def _adjacent(text: str, a: Token, b: Token) -> bool:
    gap = text[a.end:b.start]
    if a.key.isdigit() and b.key.isdigit():
        return gap in (",", ".") and (gap == "." or len(b.key) == 3)
    return gap == " "

def contacts(text: str, own_link: Callable[[str], bool]) -> list[tuple]:
    out = [(m.start(), m.end(), "contact", "[contact removed]", "a phone number") for m in _PHONE.finditer(text)]
    at = text.find("@")
    while at != -1:
        start = at
        while start > 0 and at - start < 64 and (text[start - 1].isalnum() or text[start - 1] in "._%+-"):
            start -= 1
        end = at + 1
        while end < len(text) and end - at < 255 and (text[end].isalnum() or text[end] in ".-"):
            end += 1
        while end > at + 1 and text[end - 1] in ".-":
            end -= 1
        if start < at and "." in text[at + 1:end]:
            out.append((start, end, "contact", "[contact removed]", "an e-mail address"))
        at = text.find("@", max(end, at + 1))
    lowered = text.lower()
    position = 0
    while True:
        starts = [p for p in (lowered.find("http://", position), lowered.find("https://", position),
                              lowered.find("www.", position)) if p != -1]
        if not starts:
            break
        start = min(starts)
        end = start
        while end < len(text) and not text[end].isspace() and text[end] not in "<>\"'()[]":
            end += 1
        while end > start and text[end - 1] in ".,;:!?":
            end -= 1
        url = text[start:end]
        own = own_link(url)
        out.append((start, end, "link", "[link removed]",
                    "a link to your department's own site" if own else "a link (it can point back to your department)"))
        position = max(end, start + 4)
    return out

