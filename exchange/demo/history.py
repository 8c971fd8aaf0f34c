"""Adoption history for the demo: quarterly practice self-assessments, spreading from leading regions and practices."""

from __future__ import annotations

import math
import random
import re

from exchange import taxonomy
from exchange.demo import corpus
from exchange.demo.world import CATEGORY_SPEED, PRACTICE_SPEED, QUARTER_ENDS, REGION_LEAD


def assessments(rng: random.Random, depts: list[dict], practices: list[dict], tax: taxonomy.Taxonomy,
                worked_on: set[tuple[int, int]] = frozenset()) -> dict:
    """Quarterly stages per department and practice: leading regions and internal practices move first.

    A department that published a lesson on a practice before the first quarter (worked_on holds
    (department index, practice id)) starts that practice at stage 1 or above: its history agrees with its lessons.
    """
    category_position = {c["id"]: c["position"] for c in tax.categories}
    speeds = [CATEGORY_SPEED.get(category_position.get(p["category_id"]), 0.0) + PRACTICE_SPEED.get(p["name"], 0.0)
              for p in practices]
    slugs = [re.sub(r"[^a-z0-9]+", "-", p["name"].lower()).strip("-") for p in practices]
    rows: dict[str, list] = {k: [] for k in ("dept", "practice_id", "stage", "as_of", "note", "evidence_url")}
    size_effect = {"large": 0.2, "medium": 0.0, "small": -0.2}
    for i, d in enumerate(depts):
        lead = REGION_LEAD[d["region"]] + size_effect[d["band"]] + rng.gauss(0, 0.5)
        stall_from = rng.randint(2, 9) if rng.random() < 0.12 else len(QUARTER_ENDS)  # some stop moving
        fragile = rng.random() < 0.08  # a few lose ground (staff leave, grants end)
        for practice, speed, slug in zip(practices, speeds, slugs):
            latent = lead + speed
            stage = max(0, min(4, round(1.0 + 1.2 * latent + rng.gauss(0, 0.8))))
            if (i, practice["id"]) in worked_on:
                stage = max(stage, 1)
            for quarter, as_of in enumerate(QUARTER_ENDS):
                note = url = ""
                if quarter == 0:
                    note = corpus.NOTES_SAME[0] if rng.random() < 0.1 else ""
                else:
                    down = ((0.05 if fragile else 0.008) + (0.015 if as_of.year == 2025 else 0.0)) if stage >= 2 else 0.0
                    up = 0.0 if stage == 4 else 0.01 if quarter >= stall_from else \
                        1 / (1 + math.exp(1.7 - 1.1 * latent + 0.3 * stage))
                    r = rng.random()
                    if r < down:
                        stage -= 1
                        note = rng.choice(corpus.NOTES_DOWN) if rng.random() < 0.8 else ""
                    elif r < down + up:
                        stage += 1
                        note = rng.choice(corpus.NOTES_UP) if rng.random() < 0.5 else ""
                        if stage >= 3 and rng.random() < 0.35:
                            url = f"https://www.example.org/{d['slug']}/{slug}-{as_of.year}.pdf"
                    elif rng.random() < 0.02:
                        note = rng.choice(corpus.NOTES_SAME[1:3])
                rows["dept"].append(i)
                rows["practice_id"].append(practice["id"])
                rows["stage"].append(stage)
                rows["as_of"].append(as_of)
                rows["note"].append(note)
                rows["evidence_url"].append(url)
    return rows

