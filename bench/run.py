"""The whole benchmark in one run: llmx against its floor, langextract on the same reports.

Usage:
    python bench/run.py [--base-url URL [--model NAME]] [--design hybrid]
                        [--batch-reports 4] [--langextract-reports 2] [--json bench/results.json]
    python bench/run.py --from-json bench/results.json   # the tables again, no model

Starts the embedded model once (unless ``--base-url``), runs ``bench/floor.py``'s
measurements (llmx cold and from cache, the floor, batch throughput) and then
``bench/langextract_run.py`` against the same server, stops the server, writes every
measurement to ``--json`` and prints the markdown tables of bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.floor import add_args, batch_subset, corpus_paths, markdown, measure, ratios, serve  # noqa: E402
from bench.langextract_run import run_langextract  # noqa: E402
from llmx.apps.cli_options import quiet_instructor  # noqa: E402


def comparison(m: dict[str, Any], le: dict[str, Any] | None) -> str:
    """One row per system and report, plus totals per system."""
    lines = ["| system | report | calls | prompt tokens | completion tokens | LLM s | token ratio | "
             "time ratio | figure F1 | catalogue F1 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    floor = m["floor"]["rows"]
    systems = [(f"llmx {m['design']}", m["cold"]["rows"], m["scores"])]
    if le is not None:
        systems.append(("langextract", le["rows"], le["scores"]))
    for name, rows, scores in systems:
        tot = dict.fromkeys(("calls", "prompt_tokens", "completion_tokens", "llm_seconds",
                             "report_tokens", "output_tokens", "floor_seconds"), 0.0)
        for stem, r in rows.items():
            f = floor[stem]
            q = ratios(r, f)
            s = scores["reports"][stem]
            lines.append(f"| {name} | {stem} | {r['calls']} | {r['prompt_tokens']} | {r['completion_tokens']} | "
                         f"{r['llm_seconds']:.1f} | {q['token_ratio']:.2f} | {q['time_ratio']:.2f} | "
                         f"{s['figure_f1']:.3f} | {s['catalogue_f1']:.3f} |")
            for k in ("calls", "prompt_tokens", "completion_tokens", "llm_seconds"):
                tot[k] += r[k]
            for k in ("report_tokens", "output_tokens", "floor_seconds"):
                tot[k] += f[k]
        q = ratios(tot, tot)
        s = scores["total"]
        lines.append(f"| **{name}** | **total ({len(rows)})** | {tot['calls']:.0f} | {tot['prompt_tokens']:.0f} | "
                     f"{tot['completion_tokens']:.0f} | {tot['llm_seconds']:.1f} | {q['token_ratio']:.2f} | "
                     f"{q['time_ratio']:.2f} | {s['figure_f1']:.3f} | {s['catalogue_f1']:.3f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_args(parser)
    parser.add_argument("--langextract-reports", type=int, default=2,
                        help="langextract on the N shortest reports (default 2; 0 = all, -1 = skip)")
    parser.add_argument("--from-json", type=Path, metavar="RESULTS",
                        help="print the tables of a saved --json run (no model)")
    args = parser.parse_args()
    quiet_instructor()  # re-asks are counted, not logged
    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        report(saved["floor"], saved["langextract"], saved["seconds"])
        return
    paths = corpus_paths(args.corpus)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    started = time.perf_counter()
    le = None
    with serve(args.base_url, args.model) as (base_url, model):
        m = measure(base_url, model, paths, args.design, args.batch_reports, args.corpus, args.gold, log)
        if args.langextract_reports >= 0:
            subset = batch_subset(paths, args.langextract_reports) if args.langextract_reports else paths
            log(f"langextract on {len(subset)} reports ...")
            le = run_langextract(base_url, model, subset, args.corpus, args.gold, log)
    seconds = time.perf_counter() - started
    if args.json:
        args.json.write_text(json.dumps({"floor": m, "langextract": le, "seconds": seconds},
                                        ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    report(m, le, seconds)


def report(m: dict[str, Any], le: dict[str, Any] | None, seconds: float) -> None:
    print(f"model: {m['model']}  design: {m['design']}  total run: {seconds / 60:.1f} min\n")
    print(comparison(m, le))
    if le and le["errors"]:
        print("\nlangextract errors: " + "; ".join(f"{k}: {v}" for k, v in le["errors"].items()))
    print()
    print(markdown(m))


if __name__ == "__main__":
    main()
