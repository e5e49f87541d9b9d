"""How `--design rules` scales with input size: characters per second at 100 k, 1 M and 10 M.

Usage: python bench/scale.py [--sizes 100000 1000000 10000000] [--profile FILE]

A converted compilation of many reports is one long text.  This script builds
such texts from the bundled reports in eval/corpus: copy k of the corpus has its
paragraphs shuffled (seeded by k) and every number from 32 to 999 renumbered by
k (smaller ones are months, days and list markers and stay), so that numbers,
evidence clauses and sentences differ from copy to copy and no cache sees the
same document twice.  Each text runs once, end to end, through
the public pipeline (``llmx.Extractor(design="rules").extract``), in a
fresh interpreter per size (after a warm-up on a copy no size contains), so no
memo of one size helps another.

Printed: per size the characters, seconds, characters per second, figure
count and the share of catalogue rankings answered by the per-phrase memo, then
the ratios time(1M)/(10×time(100k)) and time(10M)/(10×time(1M)), which are 1.0
for perfectly linear cost.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from llmx.reports.report_type import load_report_type  # noqa: E402
from llmx.api import Extractor  # noqa: E402
from llmx.text.load import Document  # noqa: E402

SIZES = (100_000, 1_000_000, 10_000_000)
_SMALL_NUMBER = re.compile(r"(?<![0-9])[0-9]{1,3}(?![0-9])")


def paragraphs(corpus: Path) -> list[str]:
    """Every non-empty line of the bundled reports, in corpus order."""
    lines: list[str] = []
    for path in sorted(corpus.glob("*.txt")):
        lines.extend(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    if not lines:
        raise SystemExit(f"no text in {corpus}/*.txt")
    return lines


def renumber(n: int, k: int) -> int:
    """``n`` shifted by ``k`` within its class: 1–31 (months, days, list markers) stay, 32–99 and 100–999 cycle.

    Keeping the small numbers keeps dates and list markers what they were, so
    every copy has as many figures per character as the corpus.
    """
    if n < 32:
        return n
    low, span = (32, 68) if n < 100 else (100, 900)
    return low + (n - low + k) % span


def variant(lines: list[str], k: int) -> str:
    """Copy ``k`` of the corpus: paragraphs shuffled, numbers from 32 to 999 renumbered by ``k``.

    Shuffling changes which sentences stand next to each other; renumbering
    changes the clauses that hold those numbers, so per-phrase memos and
    evidence lookups meet new strings in each copy.
    """
    order = list(lines)
    random.Random(k).shuffle(order)
    return "\n".join(_SMALL_NUMBER.sub(lambda m: str(renumber(int(m.group()), k)), p) for p in order) + "\n"


def build_text(lines: list[str], size: int) -> str:
    """At least ``size`` characters of renumbered, reshuffled corpus copies, cut to ``size``."""
    parts: list[str] = []
    total, k = 0, 0
    while total < size:
        part = variant(lines, k)
        parts.append(part)
        total += len(part)
        k += 1
    return "".join(parts)[:size]


def timed_run(run: Extractor, text: str, profile: Path | None) -> tuple[float, int]:
    """Seconds for one end-to-end extraction of ``text`` and the number of figures it kept."""
    doc = Document(Path(f"scale_{len(text)}.txt"), text, "txt", "utf-8", "")
    profiler = cProfile.Profile() if profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    result = run.extract(doc).model_dump(mode="json")
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(profile))
    return time.perf_counter() - start, len(result["figures"])


def one_size(size: int, profile: Path | None) -> None:
    """Child process: warm up on a small text of other copies, then time one text; print JSON."""
    lines = paragraphs(ROOT / "eval" / "corpus")
    with Extractor(design="rules", report_type=load_report_type("fazhi")) as run:
        timed_run(run, variant(lines, 10**6), None)  # compiled regexes, the catalogue index; a copy no size uses
        memo = run.report_type.catalogue._ranking  # the ranker's per-phrase memo: how much it saved is printed
        memo.cache_clear()
        text = build_text(lines, size)
        seconds, figures = timed_run(run, text, profile)
        info = memo.cache_info()
        print(json.dumps({"chars": len(text), "seconds": seconds, "figures": figures,
                          "memo_hits": info.hits / max(1, info.hits + info.misses)}))


def measure(size: int, profile: Path | None) -> dict[str, float]:
    """Run one size in a fresh interpreter, so no memo of a smaller size helps a larger one."""
    cmd = [sys.executable, __file__, "--one", str(size)] + (["--profile", str(profile)] if profile else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="characters per text")
    parser.add_argument("--profile", type=Path, help="write cProfile stats of the largest size to this file")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_size(args.one, args.profile)
        return

    sizes = sorted(args.sizes)
    seconds: dict[int, float] = {}
    print(f"{'chars':>12} {'seconds':>9} {'chars/s':>12} {'figures':>9} {'rank memo hits':>15}")
    for size in sizes:
        row = measure(size, args.profile if size == sizes[-1] else None)
        seconds[size] = row["seconds"]
        print(f"{row['chars']:>12,} {row['seconds']:>9.2f} {row['chars'] / row['seconds']:>12,.0f} "
              f"{row['figures']:>9,} {row['memo_hits']:>15.0%}", flush=True)
    for small, large in zip(sizes, sizes[1:]):
        ratio = seconds[large] / (large / small * seconds[small])
        print(f"time({large:,})/({large / small:g}×time({small:,})) = {ratio:.2f}")


if __name__ == "__main__":
    main()
