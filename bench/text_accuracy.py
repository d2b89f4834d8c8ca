"""Normalizer accuracy on real Spanish sentences: exact-match % per register and overall.

Reads the corpus in tests/text/corpus/ (dev.tsv and held_out.tsv: sentence, expected, region,
register, country, source), normalizes each sentence for its region and compares with the reading
a careful narrator gives. A match is exact after folding letter case and runs of spaces, which a
listener cannot hear ("Artículo" at the start of a line and "artículo" sound the same).

Usage: .venv/bin/python bench/text_accuracy.py [--show-failures dev|held_out] [--min-dev P]
Exits with status 1 if the dev accuracy is below --min-dev (default 0: report only).
"""

import argparse
import csv
import sys
from collections import defaultdict
from pathlib import Path

from vocalio_shared.regions import Region
from vocalio_text import normalize

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "text" / "corpus"
SPLITS = ("dev", "held_out")


def spoken_key(text: str) -> str:
    """What the comparison sees: case and spacing are not heard, everything else is."""
    return " ".join(text.split()).casefold()


def load(split: str) -> list[dict[str, str]]:
    with (CORPUS / f"{split}.tsv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def score(rows: list[dict[str, str]]) -> tuple[dict[str, list[int]], list[tuple[dict[str, str], str]]]:
    """Per register [matches, total], plus the rows that did not match with what we said."""
    per_register: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    failures = []
    for row in rows:
        spoken = normalize(row["sentence"], Region(row["region"]))
        ok = spoken_key(spoken) == spoken_key(row["expected"])
        per_register[row["register"]][0] += ok
        per_register[row["register"]][1] += 1
        if not ok:
            failures.append((row, spoken))
    return per_register, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-failures", choices=SPLITS)
    parser.add_argument("--min-dev", type=float, default=0.0)
    args = parser.parse_args()
    overall = {}
    for split in SPLITS:
        per_register, failures = score(load(split))
        matches = sum(m for m, _ in per_register.values())
        total = sum(t for _, t in per_register.values())
        overall[split] = 100.0 * matches / total
        countries = {row["country"] for row in load(split)}
        print(f"{split}: {overall[split]:.1f} % exact ({matches}/{total} sentences, {len(countries)} countries)")
        for register, (m, t) in sorted(per_register.items()):
            print(f"  {register:<11} {100.0 * m / t:5.1f} % ({m}/{t})")
        if args.show_failures == split:
            for row, spoken in failures:
                print(f"\n[{row['region']}] {row['sentence']}\n  said:     {spoken}\n  expected: {row['expected']}")
    return 1 if overall["dev"] < args.min_dev else 0


if __name__ == "__main__":
    sys.exit(main())
