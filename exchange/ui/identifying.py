"""Show what in a lesson's text identifies its department, each clue highlighted where it stands.

For the post page (`identifying_findings`: one-click neutral replacements, returned through the
caller's callback) and the coordinator's review queue (`identifying_review`: the same, read-only).
User text is escaped (markup.md); only our own highlight directive is markdown.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

import streamlit as st

from exchange.privacy import identifying
from exchange.privacy.identifying import Finding
from exchange.privacy.terms import KINDS
from exchange.lessons.form import FIELD_LABELS
from exchange.ui import core
from exchange.ui.markup import Md, md

CONTEXT_CHARS = 60  # characters of text shown either side of a clue


def snippet(text: str, finding: Finding) -> Md:
    """Markdown of the clue in its surroundings: escaped text, the clue highlighted."""
    start, end = finding.start, finding.end
    before_start = max(0, start - CONTEXT_CHARS)
    if before_start:
        space = text.find(" ", before_start, start)
        before_start = space + 1 if space != -1 else before_start
    after_end = min(len(text), end + CONTEXT_CHARS)
    if after_end < len(text):
        space = text.rfind(" ", end, after_end)
        after_end = space if space != -1 else after_end
    before = ("…" if before_start else "") + text[before_start:start]
    after = text[end:after_end] + ("…" if after_end < len(text) else "")
    flat = (lambda s: " ".join(s.split()) if s.strip() else s)
    return Md(md("{before}:orange-background[**{clue}**]{after}", before=flat(before), clue=text[start:end],
                 after=flat(after)).strip())


def _where(finding: Finding) -> str:
    label = FIELD_LABELS.get(finding.field, finding.field.replace("_", " ").capitalize())
    return f"{label} {finding.item + 1}" if finding.item is not None else label


def _text_of(values: Mapping[str, object], finding: Finding) -> str:
    value = values.get(finding.field)
    if finding.item is not None:
        value = value[finding.item] if isinstance(value, (list, tuple)) and finding.item < len(value) else ""
    return value if isinstance(value, str) else ""


def _describe(values: Mapping[str, object], finding: Finding) -> None:
    core.markdown(md("**{kind}** in *{where}* — {why}", kind=KINDS.get(finding.kind, finding.kind),
                     where=_where(finding), why=finding.why))
    core.markdown(snippet(_text_of(values, finding), finding))


def _button_label(finding: Finding) -> str:
    if not finding.replacement:
        return "Remove this link" if finding.field == "links" else "Remove it"
    return f"Replace with a neutral phrase: “{finding.replacement}”"


def _summary(findings: Sequence[Finding]) -> Md:
    count = len(findings)
    return md("{count} thing{s} in this text could tell readers which department wrote it. Anonymous lessons hide "
              "your department, state and size; these words would give them back.", count=count,
              s="s" if count != 1 else "")


def identifying_findings(findings: Sequence[Finding], values: Mapping[str, object], *,
                         on_replace: Callable[[dict], None], key: str = "identifying") -> None:
    """Each finding highlighted in place with a one-click neutral replacement, and 'Replace all'.

    `on_replace(new_values)` receives every field with the replacement made; it runs as a button
    callback, before the page reruns, so it may set the form's widget values in session state.
    """
    if not findings:
        st.success("Nothing in this text points to your department.", icon=":material/verified_user:")
        return
    with st.container(border=True, key=f"{key}-box"):
        core.warning(_summary(findings), icon=":material/visibility:")
        st.button("Replace all with neutral phrases", key=f"{key}-all", icon=":material/auto_fix_high:",
                  on_click=lambda: on_replace(identifying.apply(values, findings)), type="primary")
        for number, finding in enumerate(findings):
            with st.container(key=f"{key}-finding-{number}"):
                _describe(values, finding)
                st.button(_button_label(finding), key=f"{key}-replace-{number}",
                          on_click=lambda f=finding: on_replace(identifying.apply(values, [f])))
        st.caption("You may still submit as written; a coordinator sees the same list when reviewing it.")


def identifying_review(findings: Sequence[Finding], values: Mapping[str, object], *,
                       key: str = "identifying-review") -> None:
    """The same findings for a coordinator reviewing the lesson: highlighted, nothing to click."""
    if not findings:
        st.markdown("The identifying-text check found nothing in this lesson.")
        return
    with core.expander(md("Identifying-text check: {n} finding{s}", n=len(findings), s="s" if len(findings) != 1 else ""),
                       expanded=True, icon=":material/visibility:"):
        for number, finding in enumerate(findings):
            with st.container(key=f"{key}-finding-{number}"):
                _describe(values, finding)
