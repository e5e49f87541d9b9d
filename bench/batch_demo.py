"""Batch run, kill, resume: the five corpus reports plus ten copies in other encodings and formats.

    python bench/batch_demo.py [--design hybrid] [--kill-after 120] [--work /tmp/llmx-batch-demo]

Builds an inbox (originals; GB18030, UTF-8-with-BOM, .docx and .html copies),
runs ``llmx batch`` with a fresh response cache, kills it (SIGTERM) after
``--kill-after`` seconds, reruns the same command, and prints what each run
did and how long it took. Copies have the same text as their original, so
their model answers come from the cache.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "eval" / "corpus").glob("*.txt"))


def build_inbox(inbox: Path) -> list[Path]:
    """Originals plus ten copies: 3 GB18030, 3 UTF-8-BOM, 2 docx, 2 html."""
    inbox.mkdir(parents=True)
    for p in CORPUS:
        shutil.copy(p, inbox / p.name)
    for i, src in enumerate(CORPUS[:3]):
        text = src.read_text(encoding="utf-8")
        (inbox / f"gb_{i}.txt").write_bytes(text.encode("gb18030"))
        (inbox / f"bom_{i}.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    for i, src in enumerate(CORPUS[3:5]):
        lines = src.read_text(encoding="utf-8").splitlines()
        document = docx.Document()
        for line in lines:
            document.add_paragraph(line)
        document.save(inbox / f"word_{i}.docx")
        body = "".join(f"<p>{line}</p>" for line in lines)
        (inbox / f"page_{i}.html").write_text(
            f"<html><head><meta charset='utf-8'></head><body><div class='content'>{body}</div></body></html>",
            encoding="utf-8")
    return sorted(inbox.iterdir())


def run(args: list[str], kill_after: float | None) -> tuple[int, float, str]:
    """Run ``args``; SIGTERM it after ``kill_after`` seconds if it is still going."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=kill_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate()
    return proc.returncode, time.perf_counter() - started, out


def outputs(outdir: Path) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(outdir.glob("*.json"))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--design", default="hybrid")
    parser.add_argument("--kill-after", type=float, default=120.0)
    parser.add_argument("--work", type=Path, default=Path("/tmp/llmx-batch-demo"))
    opts = parser.parse_args()
    shutil.rmtree(opts.work, ignore_errors=True)
    inbox, outdir = opts.work / "inbox", opts.work / "out"
    files = build_inbox(inbox)
    command = [sys.executable, "-m", "llmx.apps.cli", "batch", str(inbox), "-o", str(outdir),
               "--design", opts.design, "--cache-dir", str(opts.work / "cache")]
    code, seconds, _ = run(command, opts.kill_after)
    first = outputs(outdir)
    leftovers = [p.name for p in outdir.glob(".*.tmp")]
    print(f"inputs: {len(files)}; run 1 killed after {seconds:.1f} s (exit {code}): "
          f"{len(first)} complete outputs, {len(leftovers)} temp files")
    code, seconds, log = run(command, None)
    second = outputs(outdir)
    kept = sum(second[name] == data for name, data in first.items())
    print(f"run 2 (resume): exit {code}, {seconds:.1f} s, {len(second)} outputs; "
          f"outputs of run 1 unchanged: {kept}/{len(first)}")
    print("\n".join(log.strip().splitlines()[-14:]))
    code, seconds, _ = run(command, None)
    print(f"run 3 (all done): exit {code}, {seconds:.1f} s, outputs {len(outputs(outdir))}")
    calls = sum(r["usage"]["calls"] for r in second.values())
    print(f"model calls in the outputs: {calls}; figures: {sum(len(r['figures']) for r in second.values())}")


if __name__ == "__main__":
    main()
