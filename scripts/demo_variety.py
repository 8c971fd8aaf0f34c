"""How varied and how steady the demo is: distinct titles, story similarity, posting by month (issue #15).

    .venv/bin/python scripts/demo_variety.py                      # the demo scale, built in memory
    .venv/bin/python scripts/demo_variety.py --db PATH            # an existing database (e.g. national scale)
    .venv/bin/python scripts/demo_variety.py --db PATH --build    # build the national scale at PATH first

Similarity is the Jaccard index of word 5-shingles of the story sections (context, what we did, what
happened), as the generator and tests/test_demo_variety.py measure it. Up to 5,000 lessons every pair
is compared; above that, each lesson of a random sample (--sample) is compared with every lesson
through an inverted shingle index, and the share of sampled lessons with a near-duplicate is reported.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exchange import demo, setup  # noqa: E402
from exchange.demo.lessons import STORY_FIELDS, jaccard, story_shingles  # noqa: E402

THRESHOLD = 0.5


def figures(db, *, sample: int = 1000, seed: int = 15) -> dict:
    """The variety and timing figures of a database's lessons."""
    with db.read() as cur:
        lessons = [dict(zip(("id", "title", "published_at", *STORY_FIELDS), row)) for row in cur.execute(
            f"SELECT id, title, published_at, {', '.join(STORY_FIELDS)} FROM lessons ORDER BY id").fetchall()]
    out: dict = {"lessons": len(lessons), "distinct_titles": len({l["title"] for l in lessons})}
    out["distinct_titles_share"] = round(out["distinct_titles"] / len(lessons), 4)
    shingles = [story_shingles(l) for l in lessons]
    if len(lessons) <= 5000:
        scores = [jaccard(a, b) for a, b in itertools.combinations(shingles, 2)]
        out["max_jaccard"] = round(max(scores), 3)
        out["pairs_at_or_above_threshold"] = sum(s >= THRESHOLD for s in scores)
        nearest = [0.0] * len(lessons)
        for (i, a), (j, b) in itertools.combinations(enumerate(shingles), 2):
            score = jaccard(a, b)
            nearest[i], nearest[j] = max(nearest[i], score), max(nearest[j], score)
        out["share_with_near_duplicate"] = round(sum(s >= THRESHOLD for s in nearest) / len(lessons), 4)
    else:
        out.update(_sampled(shingles, sample, seed))
    months = Counter(l["published_at"].strftime("%Y-%m") for l in lessons if l["published_at"])
    span = [f"{y}-{m:02d}" for y in range(2017, 2027) for m in range(1, 13) if f"{y}-{m:02d}" <= max(months)]
    counts = [months.get(m, 0) for m in span if m >= "2017-03"]
    out["median_month"], out["max_month"] = statistics.median(counts), max(counts)
    out["max_over_median"] = round(max(counts) / statistics.median(counts), 2)
    out["published_per_year"] = {y: sum(v for m, v in months.items() if m.startswith(str(y))) for y in range(2017, 2027)}
    return out


def _sampled(shingles: list[set], sample: int, seed: int) -> dict:
    """Nearest-neighbour similarity of a random sample of lessons against all lessons (inverted index)."""
    vocabulary: dict[str, int] = {}
    docs = [np.fromiter((vocabulary.setdefault(s, len(vocabulary)) for s in doc), dtype=np.int64) for doc in shingles]
    sizes = np.array([len(d) for d in docs])
    flat = np.concatenate(docs)
    owners = np.repeat(np.arange(len(docs)), sizes)
    order = np.argsort(flat, kind="stable")
    flat, owners = flat[order], owners[order]
    bounds = np.searchsorted(flat, np.arange(len(vocabulary) + 1))
    picked = random.Random(seed).sample(range(len(docs)), min(sample, len(docs)))
    nearest = []
    for i in picked:
        hits = np.concatenate([owners[bounds[s]:bounds[s + 1]] for s in docs[i]])
        shared = np.bincount(hits, minlength=len(docs))
        shared[i] = 0
        scores = shared / (sizes + sizes[i] - shared)
        nearest.append(float(scores.max()))
    near = sum(s >= THRESHOLD for s in nearest)
    return {"sampled": len(picked), "max_jaccard_in_sample": round(max(nearest), 3),
            "share_with_near_duplicate": round(near / len(picked), 4),
            "median_nearest_jaccard": round(statistics.median(nearest), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database file (default: build the demo scale in memory)")
    parser.add_argument("--build", action="store_true", help="build the national scale at --db first (must not exist)")
    parser.add_argument("--sample", type=int, default=1000, help="lessons sampled above 5,000 lessons")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.db and args.build:
        db = setup.open_app_database(args.db, with_demo=False)
        demo.build(db, scale="national", progress=lambda m: print("  " + m, file=sys.stderr, flush=True))
    else:
        db = setup.open_app_database(args.db or ":memory:", with_demo=not args.db)
    built = time.perf_counter() - started
    result = {"open_or_build_seconds": round(built, 1), **figures(db, sample=args.sample)}
    result["measure_seconds"] = round(time.perf_counter() - started - built, 1)
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
