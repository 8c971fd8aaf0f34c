"""How a department is called: short names from its full name, place names from its record."""

from __future__ import annotations

import re

from exchange.privacy import terms
from exchange.privacy.scan import WORD

MAX_DESCRIPTION_CHARS = 4000


def short_names(name: str) -> list[str]:
    """Shorter forms a department is called by: "Alameda County Public Health Department" → "Alameda County", "Alameda"."""
    name = re.sub(r"\s*\([A-Z]{2}\)$", "", name.strip())  # "Adams County Health Department (OH)"
    words = [w for w in re.split(r"\s+", name.replace("(", " ").replace(")", " ")) if w]
    if len(words) >= 2 and words[0].lower() in ("city", "town", "village", "county") and words[1].lower() == "of":
        words = words[2:]
    runs: list[list[str]] = [[]]
    for word in words:
        if word.strip(",&-/").lower() in terms.ORG_WORDS or word in ("-", "&", "/"):
            runs.append([])
        else:
            runs[-1].append(word.strip(","))
    found: list[str] = []
    for run in (r for r in runs if r):
        phrase = " ".join(run)
        found.append(phrase)
        for part in re.split(r"[-/]", phrase) if re.search(r"[-/]", phrase) else ():
            found.append(part.strip())
        last = run[-1].lower()
        if len(run) > 1 and last in terms.PLACE_SUFFIXES:
            found.append(" ".join(run[:-1]))
    out = []
    for phrase in found:
        phrase = phrase.strip(" ,.")
        if phrase and phrase != name and phrase not in out and not _generic(phrase):
            out.append(phrase)
    return out


def _generic(phrase: str) -> bool:
    tokens = [t.lower() for t in phrase.split()]
    if len(tokens) == 1:
        word = phrase
        return len(word) < 2 or (len(word) < 3 and not word.isupper()) or tokens[0] in terms.GENERIC_WORDS
    return all(t in terms.GENERIC_WORDS or t in terms.PLACE_SUFFIXES for t in tokens)


def place_parts(place: str) -> list[str]:
    """A place as written in a sentence, split into the names it contains ("Richmond and Henrico County")."""
    place = re.sub(r"^(the|far|suburban|northern|southern|eastern|western|central|coastal)\s+", "", place.strip(), flags=re.I)
    parts = [place] + [p.strip() for p in re.split(r",| and | & ", place) if p.strip()]
    out = []
    for part in parts:
        part = re.sub(r"^the\s+", "", part, flags=re.I)
        for candidate in (part, *short_names(part)):
            if candidate and candidate not in out and not _generic(candidate):
                out.append(candidate)
    return out


def description_places(description: str) -> list[str]:
    """Place names in a department's self-description: capitalised words ending in County, City, Nation…"""
    text = description[:MAX_DESCRIPTION_CHARS]
    found, run = [], []
    for match in list(WORD.finditer(text)) + [None]:
        word = match.group() if match else ""
        joined = bool(run) and match is not None and text[run[-1].end():match.start()] == " "
        if word[:1].isupper() and word.lower() not in terms.ORG_WORDS and (joined or not run):
            run.append(match)
            continue
        names = [m.group() for m in run]
        if len(names) >= 2 and names[-1].lower() in terms.PLACE_SUFFIXES and names[0].lower() not in terms.PLACE_SUFFIXES:
            found.append(" ".join(names))
        run = [match] if match is not None and word[:1].isupper() and word.lower() not in terms.ORG_WORDS else []
    return found

