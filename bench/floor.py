"""How far llmx's LLM cost is from the floor: one prefill of the report, one decode of the answer.

Usage:
    python bench/floor.py [--base-url URL [--model NAME]] [--design hybrid] [--corpus eval/corpus]
                          [--batch-reports N] [--json OUT.json]

With no ``--base-url`` it starts the embedded model once (``llmx.model.embedded.LocalServer``) and
stops it at the end; everything below runs against that one server, one request at a time
(except the batch throughput runs, which send 1, 2 or 4 at once).

Per report it measures:

* llmx, cold: LLM calls, prompt and completion tokens, LLM seconds (time inside the
  model calls) and wall seconds of ``llmx.Extractor`` with a fresh temporary response
  cache, so every call is real;
* llmx, warm: the same run again on that cache (calls must be 0) and its wall seconds;
* the floor: the report's tokens (``usage.prompt_tokens`` of a plain chat completion whose
  only message is the report text, ``max_tokens=1``; its wall time is the prefill time) and
  the output's tokens (``/extras/tokenize/count`` of the contract JSON llmx produced,
  compact, without ``rejected uncovered warnings usage model prompt_version`` and the
  per-figure ``start end verified``), decoded at the server's decode rate (a fixed
  128-token completion, ``min_tokens=128``, on a tiny prompt whose prefix is already
  cached).  floor seconds = prefill seconds + output tokens / decode rate.

Ratios: token ratio = (llmx prompt + completion tokens) / (report tokens + output tokens);
time ratio = llmx LLM seconds / floor seconds.

Batch throughput: ``llmx batch -j N --no-cache`` over ``--batch-reports`` reports (default
4: all but the longest) for N = 1, 2, 4, reports per minute of wall time.  The server is
llama-cpp-python's, which has no parallel slots (see ``llama_cpp/server/settings.py``: no
``n_parallel``/slot setting; requests wait behind one lock), so N > 1 only queues requests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import openai

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from llmx.apps.cli_options import quiet_instructor  # noqa: E402
from llmx.model.config import LLMConfig  # noqa: E402
from llmx.reports.report_type import load_report_type  # noqa: E402
from llmx.api import Extractor  # noqa: E402
from llmx.eval.scoring.sets import score_set  # noqa: E402
from llmx.model.session import open_llm  # noqa: E402
from llmx.text.load import load_document  # noqa: E402

EXTRA_TOP = ("rejected", "uncovered", "warnings", "usage", "model", "prompt_version")
EXTRA_FIGURE = ("start", "end", "verified")
DECODE_TOKENS = 128
DECODE_PROMPT = "请详细介绍法治政府建设的意义、主要任务和具体措施，写一篇长文。"


# ---------------------------------------------------------------- the server


@contextmanager
def serve(base_url: str | None, model: str | None) -> Iterator[tuple[str, str]]:
    """``(base_url, model)`` of the given server, or of the embedded model started for the run."""
    if base_url:
        yield base_url, model or openai.OpenAI(base_url=base_url, api_key="x").models.list().data[0].id
        return
    from llmx.model.embedded import LocalServer, ensure_embedded_model

    with LocalServer(ensure_embedded_model(), n_ctx=8192) as server:
        yield server.base_url, model or server.model


def client(base_url: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="sk-no-key-required", max_retries=0, timeout=900)


def chat(base_url: str, model: str, content: str, max_tokens: int, **extra: Any) -> tuple[Any, float]:
    """A plain chat completion at temperature 0; the response and its wall seconds."""
    started = time.perf_counter()
    response = client(base_url).chat.completions.create(
        model=model, messages=[{"role": "user", "content": content}], max_tokens=max_tokens,
        temperature=0, extra_body=extra or None)
    return response, time.perf_counter() - started


def count_tokens(base_url: str, model: str, text: str) -> int:
    """Tokens of ``text``: llama-cpp-python's /extras/tokenize/count, else the prompt-token difference."""
    root = base_url.rstrip("/").removesuffix("/v1")
    try:
        r = httpx.post(f"{root}/extras/tokenize/count", json={"input": text, "model": model}, timeout=120)
        if r.status_code == 200:
            return int(r.json()["count"])
    except (httpx.HTTPError, KeyError, ValueError):
        pass
    with_text, _ = chat(base_url, model, text, 1)
    empty, _ = chat(base_url, model, "", 1)
    return with_text.usage.prompt_tokens - empty.usage.prompt_tokens


def decode_rate(base_url: str, model: str) -> dict[str, Any]:
    """Completion tokens per second of a 128-token decode on a tiny, already cached prompt.

    Measured twice: forced to full length (``min_tokens``, llama-cpp-python's stand-in for
    ``ignore_eos``) and plain (a prompt that asks for a long answer).  The floor uses the
    faster rate of the two runs that produced at least 64 tokens (a lower floor is stricter).
    """
    runs = {}
    for name, extra in (("min_tokens", {"min_tokens": DECODE_TOKENS}), ("plain", {})):
        chat(base_url, model, DECODE_PROMPT, 1)  # prefill the prompt, so the next call only decodes
        response, seconds = chat(base_url, model, DECODE_PROMPT, DECODE_TOKENS, **extra)
        tokens = response.usage.completion_tokens
        runs[name] = {"tokens": tokens, "seconds": seconds, "tokens_per_s": tokens / seconds}
    best = max((r for r in runs.values() if r["tokens"] >= 64), key=lambda r: r["tokens_per_s"],
               default=runs["min_tokens"])
    return {**best, "runs": runs}


# ---------------------------------------------------------------- llmx


def contract_json(result: dict[str, Any]) -> str:
    """The result as contract JSON only (compact), without the extra fields."""
    core = {k: v for k, v in result.items() if k not in EXTRA_TOP}
    core["figures"] = [{k: v for k, v in f.items() if k not in EXTRA_FIGURE} for f in result.get("figures", [])]
    return json.dumps(core, ensure_ascii=False, separators=(",", ":"))


def run_llmx(base_url: str, model: str, paths: Sequence[Path], design: str, cache_dir: Path) -> dict[str, Any]:
    """Per-report usage of one llmx pass (cache in ``cache_dir``) and the results."""
    config = LLMConfig(base_url=base_url, model=model, cache_dir=cache_dir)
    report_type = load_report_type("fazhi")
    docs = [load_document(p) for p in paths]
    rows, results = {}, {}
    with open_llm(config, progress=False) as llm, Extractor(design=design, report_type=report_type, llm=llm) as run:
        for doc in docs:
            before = llm.usage.seconds
            result = run.extract(doc).model_dump(mode="json")
            usage = result["usage"]
            rows[doc.path.stem] = {
                "calls": usage["calls"], "prompt_tokens": usage["prompt_tokens"],
                "completion_tokens": usage["completion_tokens"], "cache_hits": usage["cache_hits"],
                "llm_seconds": llm.usage.seconds - before, "wall_seconds": usage["seconds"],
            }
            results[doc.path.stem] = result
    return {"rows": rows, "results": results}


def figure_scores(predictions: dict[str, dict], corpus: Path, gold: Path) -> dict[str, Any]:
    """``score_set`` of predictions against eval/gold (sources from the corpus)."""
    pairs = []
    for stem, pred in predictions.items():
        source = load_document(next(corpus.glob(f"{stem}.*"))).text
        pairs.append((stem, pred, json.loads((gold / f"{stem}.json").read_text(encoding="utf-8")), source))
    scored = score_set(pairs)
    keep = ("figure_f1", "catalogue_f1")
    return {"reports": {k: {m: r["metrics"].get(m) for m in keep} for k, r in scored["reports"].items()},
            "total": {m: scored["total"].get(m) for m in keep}}


# ---------------------------------------------------------------- the floor


def measure_floor(base_url: str, model: str, paths: Sequence[Path], results: dict[str, dict]) -> dict[str, Any]:
    """Report tokens and prefill seconds, output tokens, decode rate, floor seconds per report."""
    rate = decode_rate(base_url, model)
    rows = {}
    for path in paths:
        text = load_document(path).text
        response, prefill_s = chat(base_url, model, text, 1)
        report_tokens = response.usage.prompt_tokens
        output_tokens = count_tokens(base_url, model, contract_json(results[path.stem]))
        rows[path.stem] = {
            "report_tokens": report_tokens, "prefill_seconds": prefill_s,
            "prefill_tokens_per_s": report_tokens / prefill_s, "output_tokens": output_tokens,
            "decode_seconds": output_tokens / rate["tokens_per_s"],
            "floor_seconds": prefill_s + output_tokens / rate["tokens_per_s"],
        }
    return {"decode": rate, "rows": rows}


def ratios(row: dict[str, Any], floor: dict[str, Any]) -> dict[str, float]:
    tokens = row["prompt_tokens"] + row["completion_tokens"]
    return {"token_ratio": tokens / (floor["report_tokens"] + floor["output_tokens"]),
            "time_ratio": row["llm_seconds"] / floor["floor_seconds"]}


# ---------------------------------------------------------------- batch throughput


def batch_throughput(base_url: str, model: str, paths: Sequence[Path], design: str,
                     jobs: Sequence[int] = (1, 2, 4)) -> list[dict[str, Any]]:
    """Reports per minute of ``llmx batch -j N --no-cache`` for each N."""
    out = []
    for n in jobs:
        with tempfile.TemporaryDirectory(prefix="llmx-bench-batch-") as tmp:
            cmd = [sys.executable, "-m", "llmx.apps.cli", "batch", *map(str, paths), "-o", f"{tmp}/out",
                   "-j", str(n), "--base-url", base_url, "--model", model, "--design", design,
                   "--no-cache", "--cache-dir", f"{tmp}/cache"]
            started = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            seconds = time.perf_counter() - started
            done = len(list(Path(tmp, "out").glob("*.json")))
        out.append({"jobs": n, "reports": len(paths), "done": done, "seconds": seconds,
                    "reports_per_minute": done / seconds * 60, "exit": proc.returncode,
                    "stderr_tail": proc.stderr.strip().splitlines()[-1:] if proc.returncode else []})
    return out


def batch_subset(paths: Sequence[Path], n: int) -> list[Path]:
    """The ``n`` shortest reports, in corpus order."""
    shortest = set(sorted(paths, key=lambda p: len(load_document(p).text))[:n])
    return [p for p in paths if p in shortest]


# ---------------------------------------------------------------- one run


def measure(base_url: str, model: str, paths: Sequence[Path], design: str, batch_reports: int,
            corpus: Path, gold: Path, log=print) -> dict[str, Any]:
    """Everything this script measures, against one server."""
    chat(base_url, model, "你好", 1)  # warm-up: the first request pays one-off setup
    with tempfile.TemporaryDirectory(prefix="llmx-bench-cache-") as cache:
        log(f"llmx {design}, cold cache ...")
        started = time.perf_counter()
        cold = run_llmx(base_url, model, paths, design, Path(cache))
        log(f"  {time.perf_counter() - started:.0f} s")
        log("llmx rerun from cache ...")
        warm = run_llmx(base_url, model, paths, design, Path(cache))
    log("floor: prefill per report, output tokens, decode rate ...")
    floor = measure_floor(base_url, model, paths, cold["results"])
    batch = []
    if batch_reports:
        subset = batch_subset(paths, batch_reports)
        log(f"batch throughput over {len(subset)} reports, -j 1 2 4 ...")
        batch = batch_throughput(base_url, model, subset, design)
    return {"design": design, "model": model, "cold": cold, "warm": warm["rows"], "floor": floor,
            "scores": figure_scores(cold["results"], corpus, gold), "batch": batch,
            "batch_reports": [p.stem for p in batch_subset(paths, batch_reports)] if batch_reports else []}


def markdown(m: dict[str, Any]) -> str:
    """The floor tables of one ``measure`` result."""
    runs = m["floor"]["decode"]["runs"]
    lines = [f"decode rate used: {m['floor']['decode']['tokens_per_s']:.2f} tokens/s; measured: " + ", ".join(
             f"{k} {r['tokens']} tokens in {r['seconds']:.2f} s = {r['tokens_per_s']:.2f}/s" for k, r in runs.items()),
             "",
             "| report | report tokens | prefill s | prefill tok/s | output tokens | floor s | "
             "llmx calls | llmx prompt | llmx completion | llmx LLM s | token ratio | time ratio | "
             "rerun calls | rerun s | numbers asked | batches | re-asks |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    tot = dict.fromkeys(("report_tokens", "prefill_seconds", "output_tokens", "floor_seconds", "calls",
                         "prompt_tokens", "completion_tokens", "llm_seconds", "rerun_calls", "rerun_s",
                         "asked", "batches"), 0.0)
    for stem, f in m["floor"]["rows"].items():
        r, w = m["cold"]["rows"][stem], m["warm"][stem]
        q = ratios(r, f)
        asked, batches = hybrid_batches(m["cold"]["results"][stem]) if m["design"] == "hybrid" else (0, 0)
        tot["asked"] += asked
        tot["batches"] += batches
        lines.append(f"| {stem} | {f['report_tokens']} | {f['prefill_seconds']:.2f} | "
                     f"{f['prefill_tokens_per_s']:.0f} | {f['output_tokens']} | {f['floor_seconds']:.2f} | "
                     f"{r['calls']} | {r['prompt_tokens']} | {r['completion_tokens']} | {r['llm_seconds']:.2f} | "
                     f"{q['token_ratio']:.2f} | {q['time_ratio']:.2f} | {w['calls']} | {w['wall_seconds']:.2f} | "
                     f"{asked} | {batches} | {r['calls'] - batches} |")
        for k in ("report_tokens", "prefill_seconds", "output_tokens", "floor_seconds"):
            tot[k] += f[k]
        for k in ("calls", "prompt_tokens", "completion_tokens", "llm_seconds"):
            tot[k] += r[k]
        tot["rerun_calls"] += w["calls"]
        tot["rerun_s"] += w["wall_seconds"]
    q = ratios(tot, tot)
    lines.append(f"| total | {tot['report_tokens']:.0f} | {tot['prefill_seconds']:.2f} | "
                 f"{tot['report_tokens'] / tot['prefill_seconds']:.0f} | {tot['output_tokens']:.0f} | "
                 f"{tot['floor_seconds']:.2f} | {tot['calls']:.0f} | {tot['prompt_tokens']:.0f} | "
                 f"{tot['completion_tokens']:.0f} | {tot['llm_seconds']:.2f} | {q['token_ratio']:.2f} | "
                 f"{q['time_ratio']:.2f} | {tot['rerun_calls']:.0f} | {tot['rerun_s']:.2f} | "
                 f"{tot['asked']:.0f} | {tot['batches']:.0f} | {tot['calls'] - tot['batches']:.0f} |")
    if m["batch"]:
        lines += ["", f"batch throughput (`llmx batch --no-cache`, reports: {', '.join(m['batch_reports'])}):", "",
                  "| -j | reports done | wall s | reports/min | exit |", "|---|---|---|---|---|"]
        for b in m["batch"]:
            lines.append(f"| {b['jobs']} | {b['done']}/{b['reports']} | {b['seconds']:.1f} | "
                         f"{b['reports_per_minute']:.2f} | {b['exit']} |")
    return "\n".join(lines)


def hybrid_batches(result: dict[str, Any]) -> tuple[int, int]:
    """Numbers the hybrid design asked about (every candidate: figures, rejected, uncovered) and
    its batches of ``llmx.engine.phrases._BATCH``; calls beyond one per batch are re-asks."""
    from llmx.engine.phrases import _BATCH

    asked = len(result["figures"]) + len(result["rejected"]) + len(result["uncovered"])
    return asked, -(-asked // _BATCH)


def add_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="OpenAI-compatible endpoint; default: start the embedded model")
    parser.add_argument("--model", help="model name at the endpoint; default: its first")
    parser.add_argument("--design", default="hybrid")
    parser.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus")
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold")
    parser.add_argument("--batch-reports", type=int, default=4,
                        help="reports (the shortest) for the -j 1/2/4 throughput runs; 0 = skip (default 4)")
    parser.add_argument("--json", type=Path, help="also write every measurement here")


def corpus_paths(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.startswith("."))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_args(parser)
    args = parser.parse_args()
    quiet_instructor()  # re-asks are counted, not logged
    paths = corpus_paths(args.corpus)
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    with serve(args.base_url, args.model) as (base_url, model):
        m = measure(base_url, model, paths, args.design, args.batch_reports, args.corpus, args.gold, log)
    if args.json:
        args.json.write_text(json.dumps(m, ensure_ascii=False, indent=1), encoding="utf-8")
    print(markdown(m))


if __name__ == "__main__":
    main()
