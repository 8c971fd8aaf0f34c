"""Judging ranking changes by measurement: hit@3 and nDCG@10 over the project's relevance set (relevance.toml)."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from exchange.discovery import browse
from exchange.models import User
from exchange.storage.duckdb import Database

RELEVANCE_FILE = Path(__file__).with_name("relevance.toml")


@dataclass(frozen=True)
class Judged:
    """One query's outcome: did a grade-2 lesson reach the top 3, and the nDCG of the top 10."""

    q: str
    hit_at_3: bool
    ndcg_at_10: float
    relevant: int


def queries(path: Path = RELEVANCE_FILE) -> list[dict]:
    with path.open("rb") as handle:
        return tomllib.load(handle)["query"]


def _grades(db: Database, query: dict) -> dict[int, int]:
    """Lesson id -> grade (2: about it, 1: related) for every published, visible lesson."""
    titles = [t.lower() for t in query.get("title", [])]
    tags = list(query.get("tags", []))
    with db.read() as cur:
        found = cur.execute("""
            SELECT l.id, lower(l.title), lower(l.summary),
                   EXISTS (SELECT 1 FROM lesson_practices lp JOIN practices p ON p.id = lp.practice_id
                           WHERE lp.lesson_id = l.id AND p.name IN (SELECT unnest($tags::VARCHAR[])))
                   OR EXISTS (SELECT 1 FROM lesson_actions la JOIN actions a ON a.id = la.action_id
                           WHERE la.lesson_id = l.id AND a.name IN (SELECT unnest($tags::VARCHAR[])))
                   OR EXISTS (SELECT 1 FROM lesson_risks lr JOIN risk_types r ON r.id = lr.risk_type_id
                           WHERE lr.lesson_id = l.id AND r.name IN (SELECT unnest($tags::VARCHAR[])))
            FROM lessons l WHERE l.status = 'published' AND NOT l.hidden""", {"tags": tags}).fetchall()
    grades = {}
    for lesson_id, title, summary, tagged in found:
        if any(t in title for t in titles):
            grades[lesson_id] = 2
        elif tagged or any(t in summary for t in titles):
            grades[lesson_id] = 1
    return grades


def _dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(rank + 2) for rank, g in enumerate(grades))


def judge(db: Database, user: User, query: dict) -> Judged:
    grades = _grades(db, query)
    top = [lesson["id"] for lesson in browse.find(db, user, browse.Filters(q=query["q"], per_page=10)).lessons]
    got = [grades.get(lesson_id, 0) for lesson_id in top]
    ideal = _dcg(sorted(grades.values(), reverse=True)[:10])
    return Judged(q=query["q"], hit_at_3=any(g == 2 for g in got[:3]), ndcg_at_10=_dcg(got) / ideal if ideal else 0.0,
                  relevant=len(grades))


def evaluate(db: Database, user: User, path: Path = RELEVANCE_FILE) -> tuple[float, float, list[Judged]]:
    """(hit@3 share, mean nDCG@10, per query) over the relevance set."""
    judged = [judge(db, user, q) for q in queries(path)]
    return (sum(j.hit_at_3 for j in judged) / len(judged), sum(j.ndcg_at_10 for j in judged) / len(judged), judged)


__all__ = ["evaluate", "judge", "queries", "Judged", "RELEVANCE_FILE"]
