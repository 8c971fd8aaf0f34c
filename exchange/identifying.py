"""What in a lesson's own words identifies its department, with a neutral phrase for each finding.

The K rule (exchange/anonymity.py) hides an anonymous lesson's department, state and size, but
the text can give them back: "Alameda County", "tribal council", "about 280 staff", a colleague's
name, a link to the department's site. `find` lists every such clue with its offsets and a
neutral replacement; `apply` makes the replacements the author accepts.

Every scan is linear in the input: lengths are capped before anything is scanned; words come
from one regex with no nested repetition; phrases are looked up in a dict by token n-grams
(at most MAX_PHRASE_TOKENS per position); e-mail addresses and links are found by expanding
around "@" and "http" with bounded windows, never by a backtracking pattern over the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields as dataclass_fields
from typing import Mapping, Sequence

from . import identifying_terms as terms
from . import permissions
from .anonymity import K
from .db import Database, one, rows
from .errors import InvalidInput, NotFound
from .models import User
from .lesson_form import LIMITS, SECTIONS, LessonInput

TEXT_FIELDS = ("title", "summary", *(key for key, _, _ in SECTIONS))
LIST_FIELDS = ("partners", "links")
# Raw form text may be longer than the form's limits (validation reports that); cap what we scan.
MAX_TEXT_CHARS = max(LIMITS.values())
MAX_ITEMS, MAX_ITEM_CHARS = 50, 1000
MAX_PHRASE_TOKENS = 8

# A word: letters/digits, with at most one apostrophe part ("George's"). No nested repetition.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# A North American phone number: bounded length, so each start position costs O(1).
_PHONE = re.compile(r"(?<![\w+])(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]\d{4}(?!\w)")
_SENTENCE_END = (".", "!", "?", "\n")


@dataclass(frozen=True)
class Finding:
    """One clue: where it is (field, list item, offsets), what it says, and what to say instead."""

    field: str
    start: int
    end: int
    text: str
    kind: str  # one of terms.KINDS
    replacement: str
    why: str
    item: int | None = None  # position in a list field (partners, links)


@dataclass(frozen=True)
class Profile:
    """What the exchange knows that identifies one department."""

    names: tuple[str, ...] = ()  # the full name
    short_names: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    state_name: str = ""
    jurisdiction_type: str = ""
    type_hidden: bool = True  # the K rule hides the jurisdiction type, so its words would reveal it
    people: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Entry:
    kind: str
    replacement: str
    why: str
    proper: bool = False  # a one-word proper name: match only when written with a capital


@dataclass
class _Token:
    start: int
    end: int
    key: str
    raw: str = field(repr=False, default="")


# ---------------------------------------------------------------- names
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
    text = description[:MAX_TEXT_CHARS]
    found, run = [], []
    for match in list(_WORD.finditer(text)) + [None]:
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


def profile_of(name: str, *, state_name: str = "", jurisdiction_type: str = "", places: Sequence[str] = (),
               description: str = "", people: Sequence[str] = (), domains: Sequence[str] = (),
               type_hidden: bool = True) -> Profile:
    """A Profile from what is known about a department (derives short names and place names)."""
    all_places: list[str] = []
    for place in [*places, *description_places(description)]:
        all_places += [p for p in place_parts(place) if p not in all_places]
    bare = re.sub(r"\s*\([A-Z]{2}\)$", "", name.strip())
    return Profile(names=tuple(dict.fromkeys((name, bare))), short_names=tuple(short_names(name)), places=tuple(all_places),
                   state_name=state_name, jurisdiction_type=jurisdiction_type, type_hidden=type_hidden,
                   people=tuple(p for p in people if len(_WORD.findall(p)) >= 2),
                   domains=tuple(d.lower() for d in domains if d))


def department_profile(cur, department_id: int) -> Profile:
    """Everything the exchange knows that identifies a department: record, place names, members, K rule."""
    row = one(cur, """
        SELECT d.name, d.jurisdiction_type, d.description, coalesce(d.place_names, '') AS place_names,
               s.name AS state_name,
               (SELECT count(*) FROM departments d2 JOIN states s2 ON s2.code = d2.state_code
                WHERE s2.hhs_region = s.hhs_region AND d2.jurisdiction_type = d.jurisdiction_type) AS same_kind
        FROM departments d JOIN states s ON s.code = d.state_code WHERE d.id = ?""", [department_id])
    if row is None:
        raise NotFound("That department does not exist.")
    members = rows(cur, "SELECT display_name, email FROM users WHERE department_id = ?", [department_id])
    # A mail domain is the department's own only if nobody outside it uses it (not demo.example.org, gmail.com…).
    shared = {r["domain"] for r in rows(cur, """SELECT DISTINCT lower(split_part(email, '@', 2)) AS domain FROM users
                                                WHERE department_id IS DISTINCT FROM ?""", [department_id])}
    domains = {m["email"].rsplit("@", 1)[-1].lower() for m in members if "@" in m["email"]} - shared
    return profile_of(row["name"], state_name=row["state_name"], jurisdiction_type=row["jurisdiction_type"],
                      places=[p.strip() for p in row["place_names"].splitlines() if p.strip()],
                      description=row["description"], people=[m["display_name"] for m in members],
                      domains=sorted(domains), type_hidden=row["same_kind"] < K)


def check(db: Database, user: User, data: LessonInput | Mapping) -> list[Finding]:
    """What in a lesson being written identifies the author's own department (for the post page)."""
    permissions.require(user, "lesson.create", permissions.user_relations(user))
    values = lesson_fields(data)
    check_lengths(values)
    with db.read() as cur:
        profile = department_profile(cur, user.department_id)
    return find(profile, values)


def check_lesson(db: Database, user: User, lesson_id: int) -> list[Finding]:
    """What in a stored lesson identifies its department: for its members and the reviewers who decide it."""
    with db.read() as cur:
        lesson = one(cur, """SELECT l.*, s.hhs_region FROM lessons l JOIN departments d ON d.id = l.department_id
                             JOIN states s ON s.code = d.state_code WHERE l.id = ?""", [int(lesson_id)])
        if lesson is None:
            raise NotFound("That lesson does not exist or you do not have access to it.")
        rels = permissions.lesson_relations(user, lesson)
        if not (permissions.allowed(user, "lesson.edit", rels) or permissions.allowed(user, "lesson.review", rels)):
            raise NotFound("That lesson does not exist or you do not have access to it.")
        lesson["partners"] = [r["partner"] for r in rows(
            cur, "SELECT partner FROM lesson_partners WHERE lesson_id = ? ORDER BY partner", [lesson["id"]])]
        lesson["links"] = [r["url"] for r in rows(
            cur, "SELECT url FROM lesson_links WHERE lesson_id = ? ORDER BY position", [lesson["id"]])]
        profile = department_profile(cur, lesson["department_id"])
    return find(profile, lesson_fields(lesson))


# ---------------------------------------------------------------- the scan
def lesson_fields(data: LessonInput | Mapping) -> dict[str, object]:
    """Every field a reader sees, from a LessonInput or a lesson row: text fields, partners and links."""
    get = (lambda k: getattr(data, k, None)) if isinstance(data, LessonInput) else data.get
    out: dict[str, object] = {name: get(name) or "" for name in TEXT_FIELDS}
    out["partners"] = [p if isinstance(p, str) else p.get("partner", "") for p in get("partners") or []]
    out["links"] = [u if isinstance(u, str) else u.get("url", "") for u in get("links") or []]
    return out


def check_lengths(values: Mapping[str, object]) -> None:
    """InvalidInput naming each field too long to scan (checked before any scanning)."""
    errors = {}
    for name, value in values.items():
        if isinstance(value, str):
            if len(value) > max(LIMITS.get(name, 0), MAX_TEXT_CHARS):
                errors[name] = f"is {len(value):,} characters; the limit is {MAX_TEXT_CHARS:,}."
        elif isinstance(value, (list, tuple)):
            if len(value) > MAX_ITEMS or any(not isinstance(v, str) or len(v) > MAX_ITEM_CHARS for v in value):
                errors[name] = f"must be at most {MAX_ITEMS} entries of at most {MAX_ITEM_CHARS:,} characters."
        elif value is not None:
            errors[name] = "must be text."
    if errors:
        raise InvalidInput(errors)


def find(profile: Profile, values: Mapping[str, object]) -> list[Finding]:
    """Every identifying clue in `values` (field → text or list of texts), in field order then position."""
    check_lengths(values)
    table = _phrase_table(profile)
    found: list[Finding] = []
    for name, value in values.items():
        if isinstance(value, str):
            found += _scan(name, None, value, table, profile)
        elif name == "links":
            for item, url in enumerate(value or []):
                found += _link_item(name, item, url, profile)
        else:
            for item, text in enumerate(value or []):  # partner tags are stored lower-case
                found += _scan(name, item, text, table, profile, any_case=True)
    return found


def _scan(name: str, item: int | None, text: str, table: dict, profile: Profile, *,
          any_case: bool = False) -> list[Finding]:
    tokens = [_Token(m.start(), m.end(), _key(m.group()), m.group()) for m in _WORD.finditer(text)]
    spans: list[tuple[int, int, str, str, str]] = []  # start, end, kind, replacement, why
    spans += _phrases(text, tokens, table, any_case)
    spans += _figures(text, tokens)
    spans += _contacts(text, profile)
    kept, last_end = [], -1
    for start, end, kind, replacement, why in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if start >= last_end:
            kept.append(Finding(name, start, end, text[start:end], kind, _capitalised(replacement, text, start),
                                why, item))
            last_end = end
    return kept


def _key(word: str) -> str:
    word = word.casefold().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word


def _phrase_table(profile: Profile) -> dict[tuple[str, ...], _Entry]:
    table: dict[tuple[str, ...], _Entry] = {}

    def add(phrase: str, entry: _Entry) -> None:
        key = tuple(_key(w) for w in _WORD.findall(phrase))
        if key and len(key) <= MAX_PHRASE_TOKENS and key not in table:
            table[key] = entry

    for name in profile.names:
        add(name, _Entry("department", "our department", "your department's name"))
    for name in profile.short_names:
        add(name, _Entry("department", "our jurisdiction", "a short form of your department's name",
                         proper=len(name.split()) == 1))
    for person in profile.people:
        add(person, _Entry("person", "a colleague", "the name of someone in your department on the exchange"))
    for place in profile.places:
        add(place, _Entry("place", "our jurisdiction", "a place in your jurisdiction", proper=len(place.split()) == 1))
    if profile.state_name:
        territorial = profile.jurisdiction_type == "territorial"
        add(profile.state_name, _Entry("state", "our jurisdiction" if territorial else "the state",
                                       "your state or territory, which anonymous lessons never show"))
    if profile.type_hidden:
        for phrase, replacement in terms.JURISDICTION_WORDS.get(profile.jurisdiction_type, {}).items():
            add(phrase, _Entry("jurisdiction", replacement,
                               f"says you are a {profile.jurisdiction_type} department, which the exchange hides here"))
    return table


def _phrases(text: str, tokens: list[_Token], table: dict, any_case: bool) -> list[tuple]:
    # Phrase lengths by first word: most words start no phrase and cost one dict lookup.
    lengths: dict[str, list[int]] = {}
    for key in table:
        lengths.setdefault(key[0], []).append(len(key))
    for options in lengths.values():
        options.sort(reverse=True)
    out, i = [], 0
    while i < len(tokens):
        for length in lengths.get(tokens[i].key, ()):
            if i + length > len(tokens):
                continue
            window = tokens[i:i + length]
            entry = table.get(tuple(t.key for t in window))
            if entry is None or not all(_joined(text, a, b) for a, b in zip(window, window[1:])):
                continue
            if entry.proper and not any_case and not window[0].raw[:1].isupper():
                continue
            start = window[0].start
            if i > 0 and tokens[i - 1].key == "the" and text[tokens[i - 1].end:start] == " " and entry.kind in (
                    "place", "department") and entry.replacement.startswith("our"):
                start = tokens[i - 1].start  # "the Qualla Boundary" → "our jurisdiction"
            end = window[-1].end
            replacement = entry.replacement
            if window[-1].raw.casefold().replace("’", "'").endswith("'s"):
                replacement += "'s"
            out.append((start, end, entry.kind, replacement, entry.why))
            i += length - 1
            break
        i += 1
    return out


def _joined(text: str, a: _Token, b: _Token) -> bool:
    """Two tokens belong to one phrase: only a space, hyphen, ampersand or "St." dot between them."""
    gap = text[a.end:b.start]
    return len(gap) <= 3 and all(c in " -.&'’" for c in gap) and gap.count(".") <= 1


# ---------------------------------------------------------------- population and staff figures
def _figures(text: str, tokens: list[_Token]) -> list[tuple]:
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
        if of and j + 2 < len(tokens) and tokens[j + 1].key == "of" and _joined(text, token, tokens[j + 1]):
            right = _size_run_right(text, tokens, j + 2)
            if right is not None:
                end_index, value, magnitude = right
                if value >= of[3] or magnitude:
                    out.append((token.end, tokens[end_index].end, of[0], "", of[2]))
    return out


def _number(text: str, tokens: list[_Token], run: range) -> tuple[float, bool]:
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


def _size_run_left(text: str, tokens: list[_Token], noun_index: int):
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


def _size_run_right(text: str, tokens: list[_Token], first: int):
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


def _numberish(token: _Token) -> bool:
    return token.key.isdigit() or token.key in terms.MAGNITUDES


def _adjacent(text: str, a: _Token, b: _Token) -> bool:
    gap = text[a.end:b.start]
    if a.key.isdigit() and b.key.isdigit():
        return gap in (",", ".") and (gap == "." or len(b.key) == 3)
    return gap == " "


# ---------------------------------------------------------------- contacts and links
def _contacts(text: str, profile: Profile) -> list[tuple]:
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
        own = _points_to_department(url, profile)
        out.append((start, end, "link", "[link removed]",
                    "a link to your department's own site" if own else "a link (it can point back to your department)"))
        position = max(end, start + 4)
    return out


def _link_item(name: str, item: int, url: str, profile: Profile) -> list[Finding]:
    """A listed link is flagged when it points to the department: its domain, or its name or places in the URL."""
    if not _points_to_department(url, profile):
        return []
    return [Finding(name, 0, len(url), url, "link", "", "a link to your department's own site or pages", item)]


def _points_to_department(url: str, profile: Profile) -> bool:
    lowered = url.lower()[:MAX_ITEM_CHARS]
    host = lowered.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":")[0]
    if any(host == d or host.endswith("." + d) for d in profile.domains):
        return True
    if host.endswith(".us"):  # local government sites (co.alameda.ca.us)
        return True
    squashed = re.sub(r"[^a-z0-9]", "", lowered)
    slugs = {re.sub(r"[^a-z0-9]", "", n.lower()) for n in (*profile.short_names, *profile.places)}
    return any(len(slug) >= 5 and slug in squashed for slug in slugs)


def _capitalised(replacement: str, text: str, start: int) -> str:
    before = text[:start].rstrip(" \t\"'(")
    if replacement[:1].islower() and (not before or before.endswith(_SENTENCE_END)):
        return replacement[:1].upper() + replacement[1:]
    return replacement


# ---------------------------------------------------------------- applying replacements
def apply(values: Mapping[str, object], findings: Sequence[Finding]) -> dict[str, object]:
    """`values` with each finding replaced by its neutral phrase (stale or overlapping findings are skipped).

    A list entry replaced by nothing (a removed link) is dropped.
    """
    out: dict[str, object] = {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in values.items()}
    groups: dict[tuple[str, int | None], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.field, finding.item), []).append(finding)
    dropped: dict[str, set[int]] = {}
    for (name, item), group in groups.items():
        value = out.get(name)
        if item is not None:
            value = value[item] if isinstance(value, list) and 0 <= item < len(value) else None
        if not isinstance(value, str):
            continue
        text, limit = value, len(value)
        for finding in sorted(group, key=lambda f: f.start, reverse=True):
            if finding.end > limit or text[finding.start:finding.end] != finding.text:
                continue  # found in another version of the text, or overlaps one already replaced
            text = text[:finding.start] + finding.replacement + text[finding.end:]
            limit = finding.start
        if item is None:
            out[name] = text
        elif text.strip():
            out[name][item] = text
        else:
            dropped.setdefault(name, set()).add(item)
    for name, items in dropped.items():
        out[name] = [v for i, v in enumerate(out[name]) if i not in items]
    return out


def apply_to_input(data: LessonInput, findings: Sequence[Finding]) -> LessonInput:
    """A copy of the lesson input with the findings replaced."""
    replaced = apply(lesson_fields(data), findings)
    names = {f.name for f in dataclass_fields(LessonInput)}
    return LessonInput(**{**{n: getattr(data, n) for n in names}, **{k: v for k, v in replaced.items() if k in names}})
