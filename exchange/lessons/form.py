"""What a lesson is made of, and the rules its fields must meet (every error at once, by field)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from exchange.errors import InvalidInput, NotFound
from exchange.models import KINDS, VISIBILITIES
from exchange.taxonomy import Taxonomy
from exchange.kernel.text import clean, is_http_url

# Limits are stated next to each field in the form and enforced here (never silently truncated).
LIMITS = {
    "title": 120,
    "summary": 300,
    "context": 4000,
    "what_we_did": 4000,
    "what_happened": 4000,
    "do_differently": 4000,
    "advice": 4000,
}
MAX_PARTNERS = 12
MAX_PARTNER_CHARS = 40
MAX_LINKS = 5
MAX_LINK_CHARS = 500
EARLIEST_PERIOD = date(1990, 1, 1)

SECTIONS = (
    ("context", "Context", "What was the situation, and who was involved?"),
    ("what_we_did", "What we did", "The concrete steps your department took."),
    ("what_happened", "What happened", "Results, reactions, backlash: the honest version."),
    ("do_differently", "What we would do differently", "The lesson a peer most needs."),
    ("advice", "Advice for peers", "What would you tell a department about to try this?"),
)
REQUIRED_TO_SUBMIT = ("title", "kind", "summary", "context", "what_we_did", "what_happened")
# The on-screen label of every field, in form order: error summaries and the merge view name fields by these.
FIELD_LABELS = {
    "title": "Title", "kind": "Kind", "summary": "Summary",
    **{key: label for key, label, _ in SECTIONS},
    "practice_ids": "Strategic practices", "action_ids": "Actions", "risk_type_ids": "Risks you took",
    "partners": "Partners involved", "period_start": "Work started", "period_end": "Work ended",
    "links": "Links to public resources", "visibility": "Who can read it", "anonymous": "Post anonymously",
}


class LessonInvalid(InvalidInput):
    """InvalidInput whose summary names each field by its on-screen label."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(errors)
        self.labels = {f: FIELD_LABELS.get(f, f) for f in self.errors}
        self.message = "; ".join(f"{self.labels[f]}: {m}" for f, m in self.errors.items())
        self.args = (self.message,)


@dataclass
class LessonInput:
    """A lesson as typed into the form (or an import row)."""

    title: str = ""
    kind: str = "success"
    summary: str = ""
    context: str = ""
    what_we_did: str = ""
    what_happened: str = ""
    do_differently: str = ""
    advice: str = ""
    practice_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)
    risk_type_ids: list[int] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None
    links: list[str] = field(default_factory=list)
    visibility: str = "members"
    anonymous: bool = False


def parse_lesson_id(value) -> int:
    """A lesson id from a URL or form: digits only (no bools, floats or expressions), else NotFound."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = value.strip() if isinstance(value, str) else ""
    if not text.isdigit() or len(text) > 9:
        raise NotFound("That lesson does not exist or you do not have access to it.")
    return int(text)


def month_start(value: date | None) -> date | None:
    """The first day of the month of `value`."""
    return value.replace(day=1) if value else None


def validate(data: LessonInput, taxonomy: Taxonomy, *, today: date, for_submit: bool) -> LessonInput:
    """A cleaned copy of `data`, or InvalidInput naming every field that is wrong.

    Drafts need only a title, but every limit applies to drafts too.
    """
    errors: dict[str, str] = {}
    out = replace(data)
    for name, limit in LIMITS.items():
        value = clean(getattr(data, name), multiline=name not in ("title", "summary"))
        setattr(out, name, value)
        if len(value) > limit:
            errors[name] = f"{FIELD_LABELS[name]} is {len(value):,} characters; the limit is {limit:,}. Please shorten it."
        elif not value and (name == "title" or (for_submit and name in REQUIRED_TO_SUBMIT)):
            raw = getattr(data, name) or ""
            errors[name] = (f"{FIELD_LABELS[name]} cannot be only spaces." if raw and not raw.strip()
                            else f"{FIELD_LABELS[name]} is required.")
    if data.kind not in KINDS:
        errors["kind"] = f"Choose one of: {', '.join(KINDS)}."
    if data.visibility not in VISIBILITIES:
        errors["visibility"] = "Choose public or members only."
    out.anonymous = bool(data.anonymous)

    _check_ids(errors, "practice_ids", data.practice_ids, {p["id"] for p in taxonomy.practices if p["active"]}, "practice")
    if for_submit and not data.practice_ids and "practice_ids" not in errors:
        errors["practice_ids"] = "Choose at least one strategic practice."
    chosen = set(data.practice_ids or [])
    action_practice = {a["id"]: a["practice_id"] for a in taxonomy.actions if a["active"]}
    _check_ids(errors, "action_ids", data.action_ids, set(action_practice), "action")
    if "action_ids" not in errors and any(action_practice[a] not in chosen for a in data.action_ids or []):
        errors["action_ids"] = "Each action must belong to one of the chosen practices."
    _check_ids(errors, "risk_type_ids", data.risk_type_ids, {r["id"] for r in taxonomy.risk_types if r["active"]}, "risk type")
    out.practice_ids = sorted(set(data.practice_ids or []))
    out.action_ids = sorted(set(data.action_ids or []))
    out.risk_type_ids = sorted(set(data.risk_type_ids or []))

    partners = []
    for tag in data.partners or []:
        tag = clean(tag, multiline=False).lower()
        if tag and tag not in partners:
            partners.append(tag)
    if len(partners) > MAX_PARTNERS:
        errors["partners"] = f"List at most {MAX_PARTNERS} partners."
    elif any(len(t) > MAX_PARTNER_CHARS for t in partners):
        errors["partners"] = f"Each partner tag can have at most {MAX_PARTNER_CHARS} characters."
    out.partners = partners

    links = [clean(u, multiline=False) for u in data.links or [] if clean(u, multiline=False)]
    bad = [u for u in links if not is_http_url(u) or len(u) > MAX_LINK_CHARS]
    if len(links) > MAX_LINKS:
        errors["links"] = f"Add at most {MAX_LINKS} links."
    elif bad:
        errors["links"] = f"Links must start with http:// or https:// (and be under {MAX_LINK_CHARS} characters): {bad[0][:80]!r}."
    out.links = links

    start, end = month_start(data.period_start), month_start(data.period_end)
    out.period_start, out.period_end = start, end
    this_month = today.replace(day=1)
    if for_submit and start is None:
        errors["period_start"] = "Give the month the work started."
    if start and start > this_month:
        errors["period_start"] = "The work cannot start in the future."
    elif start and start < EARLIEST_PERIOD:
        errors["period_start"] = f"The start month must be {EARLIEST_PERIOD:%B %Y} or later."
    if end and end > this_month:
        errors["period_end"] = "The work cannot end in the future (leave it empty if the work is ongoing)."
    elif end and start and end < start:
        errors["period_end"] = "The end month must not be before the start month."
    elif end and not start:
        errors["period_start"] = "Give a start month when you give an end month."
    if errors:
        raise LessonInvalid(errors)
    return out


def _check_ids(errors: dict, name: str, values, valid: set[int], noun: str) -> None:
    try:
        ids = [int(v) for v in values or []]
    except (TypeError, ValueError):
        errors[name] = f"Unknown {noun}."
        return
    unknown = [i for i in ids if i not in valid]
    if unknown:
        errors[name] = f"Unknown {noun} id {unknown[0]}."
