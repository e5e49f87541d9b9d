"""Cold start of ``llmx extract --design rules`` on one opening, against ``python -c pass``.

Why: a rules run never calls a model, so it must not pay for importing the
model stack (openai, instructor, llama-cpp); issue 13 measured 2.6 s of a
2.9 s run spent importing.  Each command runs in a fresh interpreter, best of
``--repeat`` (the minimum is the least disturbed by other load on the machine).

    python bench/coldstart.py [--repeat 5] [REPORT]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OPENING = ROOT / "eval" / "wide" / "raw" / "001.txt"


def best_of(command: list[str], repeat: int) -> float:
    """The fastest of ``repeat`` wall-clock runs of ``command`` (each must succeed)."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=OPENING)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        extract = [sys.executable, "-m", "llmx", "extract", "--design", "rules", "--quiet",
                   str(args.report), "-o", f"{tmp}/out.json"]
        baseline = best_of([sys.executable, "-c", "pass"], args.repeat)
        rules = best_of(extract, args.repeat)
    print(f"python -c pass:                {baseline:.2f} s")
    print(f"llmx extract --design rules:   {rules:.2f} s  ({args.report.name}, best of {args.repeat})")
    print(f"llmx's own cold start:         {rules - baseline:.2f} s")


if __name__ == "__main__":
    main()
