"""What in a lesson's own words identifies its department, with a neutral phrase for each finding.

The K rule (exchange/privacy/anonymity.py) hides an anonymous lesson's department, state and size, but
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
from dataclasses import dataclass, fields as dataclass_fields
from typing import Mapping, Sequence

from exchange.privacy import terms
from exchange.identity import permissions
from exchange.privacy.department_names import description_places, place_parts, short_names
from exchange.privacy.scan import MAX_PHRASE_TOKENS, WORD, Token, contacts, figures, joined, key, tokens
from exchange.privacy.anonymity import K
from exchange.storage.duckdb import Database, one, rows
from exchange.errors import InvalidInput, NotFound
from exchange.models import User
from exchange.lessons.form import LIMITS, SECTIONS, LessonInput

TEXT_FIELDS = ("title", "summary", *(key for key, _, _ in SECTIONS))
LIST_FIELDS = ("partners", "links")
# Raw form text may be longer than the form's limits (validation reports that); cap what we scan.
MAX_TEXT_CHARS = max(LIMITS.values())
MAX_ITEMS, MAX_ITEM_CHARS = 50, 1000
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
                   people=tuple(p for p in people if len(WORD.findall(p)) >= 2),
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
    return check_lesson_text(db, user, lesson_id)[0]


def check_lesson_text(db: Database, user: User, lesson_id: int) -> tuple[list[Finding], dict[str, object]]:
    """The findings of check_lesson and the lesson's fields they point into (for showing them in place)."""
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
    values = lesson_fields(lesson)
    return find(profile, values), values


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
    words = tokens(text)
    spans: list[tuple[int, int, str, str, str]] = []  # start, end, kind, replacement, why
    spans += _phrases(text, words, table, any_case)
    spans += figures(text, words)
    spans += contacts(text, lambda url: _points_to_department(url, profile))
    kept, last_end = [], -1
    for start, end, kind, replacement, why in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if start >= last_end:
            kept.append(Finding(name, start, end, text[start:end], kind, _capitalised(replacement, text, start),
                                why, item))
            last_end = end
    return kept


def _phrase_table(profile: Profile) -> dict[tuple[str, ...], _Entry]:
    table: dict[tuple[str, ...], _Entry] = {}

    def add(phrase: str, entry: _Entry) -> None:
        phrase_key = tuple(key(w) for w in WORD.findall(phrase))
        if phrase_key and len(phrase_key) <= MAX_PHRASE_TOKENS and phrase_key not in table:
            table[phrase_key] = entry

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


def _phrases(text: str, words: list[Token], table: dict, any_case: bool) -> list[tuple]:
    # Phrase lengths by first word: most words start no phrase and cost one dict lookup.
    lengths: dict[str, list[int]] = {}
    for key in table:
        lengths.setdefault(key[0], []).append(len(key))
    for options in lengths.values():
        options.sort(reverse=True)
    out, i = [], 0
    while i < len(words):
        for length in lengths.get(words[i].key, ()):
            if i + length > len(words):
                continue
            window = words[i:i + length]
            entry = table.get(tuple(t.key for t in window))
            if entry is None or not all(joined(text, a, b) for a, b in zip(window, window[1:])):
                continue
            if entry.proper and not any_case and not window[0].raw[:1].isupper():
                continue
            start = window[0].start
            if i > 0 and words[i - 1].key == "the" and text[words[i - 1].end:start] == " " and entry.kind in (
                    "place", "department") and entry.replacement.startswith("our"):
                start = words[i - 1].start  # "the Qualla Boundary" → "our jurisdiction"
            end = window[-1].end
            replacement = entry.replacement
            if window[-1].raw.casefold().replace("’", "'").endswith("'s"):
                replacement += "'s"
            out.append((start, end, entry.kind, replacement, entry.why))
            i += length - 1
            break
        i += 1
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
