"""Anonymous demo lessons carry no clue to their department (issue #8.1, #15).

They are written from neutral slot values (no place, state, board, population or staff words,
no named neighbourhoods, no links), and then checked with the same identifying-text check an
author sees (exchange/privacy/identifying.py); anything it still finds is replaced with its neutral
phrase, and a build that cannot be cleaned fails loudly.
"""

from __future__ import annotations

from collections import Counter

from exchange.demo import corpus
from exchange.privacy import identifying
from exchange.privacy.anonymity import K

# The anonymous-lesson vocabulary lives in data/anonymous.toml; these names are what the generator uses.
NEUTRAL_SLOTS = corpus.NEUTRAL_SLOTS  # slot values true of any department, whatever its type and size
NEUTRAL_REWRITES = corpus.NEUTRAL_REWRITES  # template phrases that read badly with a neutral slot
NEUTRAL_OPENERS = corpus.NEUTRAL_OPENERS  # context openers without size or staff figures
GENERIC_NEIGHBORHOODS = corpus.GENERIC_NEIGHBORHOODS  # neighbourhoods as an anonymous lesson names them


def may_be_anonymous(scenario: dict) -> bool:
    """A scenario told only by one or two jurisdiction types (tribal data sovereignty) gives the type away."""
    return not scenario["types"] or len(scenario["types"]) >= 5


def rewrite(template: str) -> str:
    """A template with the phrases that need a number replaced by neutral ones."""
    for old, new in NEUTRAL_REWRITES:
        template = template.replace(old, new)
    return template


def profiles(depts: list[dict], users: list[dict]) -> list[identifying.Profile]:
    """The identifying-text profile of every demo department (as the app builds it from the database)."""
    kinds = Counter((d["region"], d["type"]) for d in depts)
    return [identifying.profile_of(
        d["name"], state_name=d["state_name"], jurisdiction_type=d["type"], places=[d["place"], d["root"]],
        description=d["description"], people=[users[m]["display_name"] for m in d["members"]],
        domains=[f"{d['slug']}.example.org"], type_hidden=kinds[(d["region"], d["type"])] < K) for d in depts]


def neutralise(texts: dict[str, str], profile: identifying.Profile) -> dict[str, str]:
    """The texts with every identifying clue the check finds replaced; raises if one survives."""
    for _ in range(3):
        findings = identifying.find(profile, texts)
        if not findings:
            return texts
        texts = {k: str(v) for k, v in identifying.apply(texts, findings).items()}
    raise AssertionError(f"an anonymous demo lesson still identifies {profile.names[0]}: {findings[:3]}")
