"""Cold start of ``llmx extract --design rules`` on one opening, against ``python -c pass``.

Why: a rules run never calls a model, so it must not pay for importing the
model stack (openai, instructor, llama-cpp); issue 13 measured 2.6 s of a
2.9 s run spent importing.  Each command runs in a fresh interpreter, best of
``--repeat`` (the minimum is the least disturbed by other load on the machine),
with bytecode caching on as after a pip install.

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


def timed(command: list[str], cache: str) -> float:
    """Wall-clock seconds of one run of ``command`` (which must succeed) with llmx's cache home at ``cache``."""
    # Bytecode caching on, as after any pip install (pip compiles .pyc files); a machine that sets
    # PYTHONDONTWRITEBYTECODE would otherwise recompile every module on every start.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env |= {"PYTHONPATH": str(ROOT), "LLMX_CACHE_DIR": cache}
    started = time.perf_counter()
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def best_of(command: list[str], repeat: int, cache: str) -> float:
    """The fastest of ``repeat`` runs: the minimum is the least disturbed by other load on the machine."""
    return min(timed(command, cache) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=OPENING)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        extract = [sys.executable, "-m", "llmx", "extract", "--design", "rules", "--quiet",
                   str(args.report), "-o", f"{tmp}/out.json"]
        cache = f"{tmp}/cache"  # empty: the first run builds the gazetteer table, later runs load it
        first = timed(extract, cache)
        baseline = best_of([sys.executable, "-c", "pass"], args.repeat, cache)
        rules = best_of(extract, args.repeat, cache)
    print(f"python -c pass:                {baseline:.2f} s")
    print(f"llmx extract --design rules:   {rules:.2f} s  ({args.report.name}, best of {args.repeat})")
    print(f"llmx's own cold start:         {rules - baseline:.2f} s  (goal: under 0.6 s)")
    print(f"first run, empty cache:        {first:.2f} s  ({first / rules:.2f}x a later run)")


if __name__ == "__main__":
    main()
