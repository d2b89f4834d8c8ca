"""Region detection accuracy on the real-text corpora: per set and per variety, dev and held-out apart.

The corpora (tests/text/data/region_corpus/*.tsv) hold real sentences and passages, each with its
variety and its source: dictionary- and glossary-style examples, running text (interviews quoted
verbatim, columns, blog posts, dialogue), Spain's Spanish, and neutral news wire and encyclopedic
text. Every third item per variety was set aside as held-out when the sets were built; tuning looks
only at dev. Rows of kind "composed" were written for the corpus (issue 19: running text in
registers the collected items lack) and are dev only; the figures are printed with and without them.
A neutral item counts as right when detected neutral; a regional one when its variety
is detected. Also prints detection speed on a 100 kB text.

Usage: python bench/region_accuracy.py [--misses] [--split dev|heldout|all]
"""

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

from vocalio_text import detect_region

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "text" / "data" / "region_corpus"
SETS = ("dictionary", "running", "spain", "neutral")


def load(name: str) -> list[tuple[str, str, str, str, str]]:
    """(split, variety, kind, source, text) rows of one corpus file."""
    rows = []
    for line in (CORPUS / f"{name}.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        split, variety, kind, source, text = line.split("\t")
        rows.append((split, variety, kind, source, text))
    return rows


def accuracy(name: str, split: str, composed: bool = True) -> tuple[int, int, dict[str, list[int]], list[str]]:
    """Right, total, per-variety [right, total] and the misses; composed=False leaves out the rows
    written for the corpus (kind "composed", dev only) and keeps the ones collected from real text."""
    per_variety: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses: list[str] = []
    for row_split, variety, kind, _source, text in load(name):
        if split != "all" and row_split != split:
            continue
        if kind == "composed" and not composed:
            continue
        detection = detect_region(text)
        hit = detection.region.value == variety
        per_variety[variety][0] += hit
        per_variety[variety][1] += 1
        if not hit:
            misses.append(f"  [{variety} -> {detection.region.value} {detection.markers}] {text}")
    right = sum(hits for hits, _ in per_variety.values())
    total = sum(count for _, count in per_variety.values())
    return right, total, dict(per_variety), misses


def speed() -> float:
    """Characters per second of detect_region on a 100 kB text of mixed real corpus sentences."""
    sentences = [row[4] for name in SETS for row in load(name)]
    rng = random.Random(1)
    parts, size = [], 0
    while size < 100_000:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        size += len(sentence) + 1
    text = " ".join(parts)[:100_000]
    best = min(_timed(text) for _ in range(5))
    return len(text) / best


def _timed(text: str) -> float:
    start = time.perf_counter()
    detect_region(text)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--misses", action="store_true", help="print the dev items detected wrongly")
    parser.add_argument("--split", default=None, choices=("dev", "heldout", "all"))
    args = parser.parse_args()
    splits = (args.split,) if args.split else ("dev", "heldout")
    for split in splits:
        print(f"== {split}")
        for name in SETS:
            right, total, per_variety, misses = accuracy(name, split)
            figures = ", ".join(f"{v} {h}/{n}" for v, (h, n) in sorted(per_variety.items()))
            print(f"{name:10s} {right / total:6.1%} ({right}/{total})  {figures}")
            real_right, real_total, _, _ = accuracy(name, split, composed=False)
            if real_total != total:
                print(f"{'':10s} {real_right / real_total:6.1%} ({real_right}/{real_total})  collected text only")
            if args.misses and split == "dev":
                print("\n".join(misses))
    print(f"speed: {speed():,.0f} characters/s on a 100 kB text")
    return 0


if __name__ == "__main__":
    sys.exit(main())
