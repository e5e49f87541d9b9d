"""Throughput of ``llmx batch`` on Ray against the local batch, on this machine; numbers for docs/scale.md.

    python bench/ray_batch.py [--cpus 2] [--delay 0.5] [--copies 4] [--work /tmp/llmx-ray-bench]

Two workloads, each run by the local batch (threads) and by ``RayBatch`` on a
local Ray cluster of ``--cpus`` CPUs, started once (its start-up is printed
apart; a real cluster is started once for many batches):

- rules: the 66 bundled texts (eval/corpus + eval/wide/raw), no model.  Each
  engine runs twice: cold (Ray's worker processes start and import llmx; the
  first reports load the catalogue) and warm.
- model: ``--copies`` copies of each corpus report against a loopback
  endpoint replaying answers recorded from the real model, each answer
  delayed ``--delay`` seconds as a stand-in for model time; local ``-j`` and
  Ray in-flight both equal ``--cpus``, so the gap is Ray's own cost (Ray runs
  it cold, on worker processes new to the model session, and warm).

Then the worked estimate for 40,000 reports, from the measured numbers and
the per-report model time of the embedded model measured by ``llmx eval``
(eval/runs/corpus-only/design_hybrid.json).  Printed as Markdown for docs/scale.md.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import time
from pathlib import Path

from rich.console import Console

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the loopback endpoint that replays recorded answers

from faultserver import Replaying, recorded_answers  # noqa: E402

from llmx.apps.batch import Batch  # noqa: E402
from llmx.apps.cli_options import quiet_instructor  # noqa: E402
from llmx.model.config import LLMConfig  # noqa: E402
from llmx.reports.report_type import load_report_type  # noqa: E402
from llmx.apps.ray_batch import RayBatch, import_ray  # noqa: E402

REPORTS = 40_000
EMBEDDED_RUN = ROOT / "eval" / "runs" / "corpus-only" / "design_hybrid.json"  # the model reading every number


def timed(batch: Batch, sources: list[Path]) -> float:
    """Seconds for one batch run, after checking every report was done."""
    started = time.perf_counter()
    outcomes = batch.run(sources)
    seconds = time.perf_counter() - started
    assert all(o.status == "done" for o in outcomes), [o.reason for o in outcomes if o.status != "done"]
    return seconds


def normalised(outdir: Path) -> dict[str, dict]:
    """Outputs with each report's wall seconds zeroed: what must be identical across engines."""
    results = {}
    for path in sorted(outdir.glob("*.json")):
        result = json.loads(path.read_text(encoding="utf-8"))
        result["usage"]["seconds"] = 0
        results[path.name] = result
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cpus", type=int, default=2)
    parser.add_argument("--delay", type=float, default=0.5, help="seconds per model answer")
    parser.add_argument("--copies", type=int, default=4, help="copies of each corpus report (model workload)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/llmx-ray-bench"))
    opts = parser.parse_args()
    quiet_instructor()  # rules take over unusable answers; the count is in each result, not needed here
    shutil.rmtree(opts.work, ignore_errors=True)
    report_type = load_report_type("fazhi")
    quiet = Console(file=io.StringIO())
    rows: list[tuple[str, str, int, float]] = []

    def batch(kind: type[Batch], name: str, design: str, config: LLMConfig, workers: int) -> Batch:
        return kind(report_type, design, [config], opts.work / name, workers=workers, console=quiet, retry_wait=0.01)

    texts = sorted((ROOT / "eval" / "corpus").glob("*.txt")) + sorted((ROOT / "eval" / "wide" / "raw").glob("*.txt"))
    inbox = opts.work / "model-in"
    inbox.mkdir(parents=True)
    copies = [Path(shutil.copy(p, inbox / f"{p.stem}-{i}{p.suffix}"))
              for p in texts[:5] for i in range(opts.copies)]

    rules = LLMConfig()
    for run in ("cold", "warm"):  # cold: this process's first reports load the catalogue and the like
        seconds = timed(batch(Batch, f"rules-local-{run}", "rules", rules, 1), texts)
        rows.append(("rules", f"local, 1 thread, {run}", len(texts), seconds))
    ray = import_ray()
    started = time.perf_counter()
    ray.init(num_cpus=opts.cpus, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    startup = time.perf_counter() - started
    try:
        for run in ("cold", "warm"):
            seconds = timed(batch(RayBatch, f"rules-ray-{run}", "rules", rules, 0), texts)
            rows.append(("rules", f"ray {opts.cpus} CPUs, {run}", len(texts), seconds))
        same = normalised(opts.work / "rules-local-warm") == normalised(opts.work / "rules-ray-warm")

        with Replaying(recorded_answers(), delay=opts.delay) as endpoint:
            model = LLMConfig(base_url=endpoint.url, use_cache=False)
            runs = ((Batch, f"local, -j {opts.cpus}"), (RayBatch, f"ray {opts.cpus} CPUs, cold"),
                    (RayBatch, f"ray {opts.cpus} CPUs, warm"))
            for n, (kind, name) in enumerate(runs):
                seconds = timed(batch(kind, f"model-{n}", "hybrid", model, opts.cpus), copies)
                rows.append((f"model ({opts.delay} s/answer)", name, len(copies), seconds))
            calls = endpoint.count(200) // len(runs)
    finally:
        ray.shutdown()

    print(f"Ray local cluster start-up: {startup:.1f} s (not in the rows below)\n")
    print("| workload | engine | reports | seconds | reports/min | s/report |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for workload, engine, n, seconds in rows:
        print(f"| {workload} | {engine} | {n} | {seconds:.2f} | {n / seconds * 60:.1f} | {seconds / n:.3f} |")
    print(f"\nrules outputs identical local vs ray (usage.seconds zeroed): {'yes' if same else 'NO'}")
    print(f"model workload: {calls} answered calls per engine, {calls / len(copies):.1f} per report")
    estimate(rows, opts.cpus, opts.delay, calls / len(copies))


def estimate(rows: list[tuple[str, str, int, float]], cpus: int, delay: float, calls_per_report: float) -> None:
    """40,000 reports on N nodes, from the per-report costs measured above and by ``llmx eval``."""
    per = {(w.split(" ")[0], e): s / n for w, e, n, s in rows}
    rules_cpu = per[("rules", "local, 1 thread, warm")]  # CPU seconds per report on one core
    ray_warm = per[("rules", f"ray {cpus} CPUs, warm")] * cpus  # CPU-seconds per report, Ray included
    model_local, model_ray = per[("model", f"local, -j {cpus}")], per[("model", f"ray {cpus} CPUs, warm")]
    ray_cost = (model_ray - model_local) * cpus  # Ray's own seconds per report per slot, warm
    predictions = json.loads(EMBEDDED_RUN.read_text(encoding="utf-8"))["predictions"]
    usage = [p["usage"] for p in predictions.values()]
    embedded = sum(u["seconds"] for u in usage) / len(usage)
    print(f"\nmeasured: rules {rules_cpu * 1000:.0f} ms/report on one core ({ray_warm * 1000:.0f} ms "
          f"per CPU on Ray, warm); Ray warm minus local at equal concurrency: {ray_cost:+.3f} s per report per "
          f"slot at {delay} s/answer; "
          f"embedded model {embedded:.1f} s/report ({EMBEDDED_RUN.name}: {len(usage)} reports, "
          f"{sum(u['calls'] for u in usage)} calls, {sum(u['cache_hits'] for u in usage)} cache hits, "
          f"2 CPU cores, one request at a time)")
    print(f"\n| {REPORTS:,} reports | node cost | 1 node | 10 nodes | 50 nodes |")
    print("| --- | --- | ---: | ---: | ---: |")
    for label, per_node in ((f"rules, {cpus}-CPU nodes like this one", ray_warm / cpus),
                            ("embedded model, 2-core nodes like this one", embedded + max(0.0, ray_cost))):
        spans = [_span(REPORTS * per_node / nodes) for nodes in (1, 10, 50)]
        print(f"| {label} | {per_node:.3f} s/report | " + " | ".join(spans) + " |")


def _span(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


if __name__ == "__main__":
    main()
