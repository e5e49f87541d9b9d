"""Throughput of llmx.text.numbers.find_mentions over the eval corpus.

Usage: python bench/numbers_throughput.py [--repeat N]

Runs find_mentions over every eval/corpus/*.txt report N times (after one
warm-up pass that compiles the numbered-names regex) and prints the measured
characters per second, plus the implied time for a 10,000-character report.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from llmx.text.numbers import find_mentions, load_numbered_names  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", "-n", type=int, default=50, help="passes over the corpus (default 50)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus")
    parser.add_argument("--names", type=Path, default=ROOT / "schemas" / "fazhi" / "numbered_names.txt")
    args = parser.parse_args()

    texts = [p.read_text(encoding="utf-8") for p in sorted(args.corpus.glob("*.txt"))]
    if not texts:
        parser.error(f"no .txt files in {args.corpus}")
    names = load_numbered_names(args.names)
    chars = sum(len(t) for t in texts)

    mentions = sum(len(find_mentions(t, names)) for t in texts)  # warm-up
    start = time.perf_counter()
    for _ in range(args.repeat):
        for text in texts:
            find_mentions(text, names)
    elapsed = time.perf_counter() - start

    rate = chars * args.repeat / elapsed
    print(f"reports: {len(texts)}  chars per pass: {chars}  mentions per pass: {mentions}  passes: {args.repeat}")
    print(f"elapsed: {elapsed:.3f} s")
    print(f"throughput: {rate:,.0f} chars/s  ({10_000 / rate * 1000:.2f} ms per 10k-char report)")


if __name__ == "__main__":
    main()
