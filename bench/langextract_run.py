"""langextract on the same reports and server, scored by llmx's scorer.

Usage:
    python bench/langextract_run.py [--base-url URL [--model NAME]] [--reports N] [--json OUT.json]

Needs ``pip install -e '.[bench]'`` (langextract).  langextract's OpenAI provider
(``langextract.providers.openai.OpenAILanguageModel``) is pointed at the server with
``model_id``, ``base_url`` and a dummy ``api_key``; JSON format (the provider then sends
``response_format={"type": "json_object"}``, which llama.cpp accepts) with
``fence_output=False``.  Schema constraints are not used: passing ``model=`` makes
langextract ignore ``use_schema_constraints``, and the json_schema response format they
would need is rejected by llama-cpp-python's server anyway.  Chunks are langextract's
default 1,000 characters, sent one at a time (``max_workers=1``: the server serves one
request at a time, and sequential requests keep its prompt-prefix reuse), temperature 0,
at most 1,024 output tokens per call (as llmx), ``UnicodeTokenizer`` (Chinese text).

The prompt asks for every statistic with its indicator key (the catalogue's keys and
names, or ``other``); the few-shot examples are catalogue examples from
``schemas/fazhi/indicators.yaml`` (extraction class = indicator key, extraction text = the
example phrase, attributes value/unit read by ``llmx.text.numbers.find_mentions``).

Calls, tokens and seconds are counted by wrapping the provider's OpenAI client.
Extractions become contract figures: evidence = the extraction text, value/unit/qualifier
from ``find_mentions`` over that text (its first candidate number, else its first number,
else the ``value`` attribute), indicator = the extraction class; scored with
``llmx.eval.scoring.score_set`` against eval/gold.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from bench.floor import corpus_paths, figure_scores, serve  # noqa: E402
from llmx.reports.report_type import load_report_type  # noqa: E402
from llmx.text.numbers import find_mentions  # noqa: E402
from llmx.text.load import load_document  # noqa: E402

# Catalogue examples used as few-shot examples: three example texts of four phrases each.
EXAMPLE_KEYS = (
    ("law_study_sessions", "publicity_events", "publicity_materials", "legal_literates"),
    ("legal_consultations", "info_disclosed", "certified_officers", "penalty_cases"),
    ("legality_reviews", "reconsideration_cases", "disputes_resolved", "mediation_success_rate"),
)
MAX_OUTPUT_TOKENS = 1024


def catalogue() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((ROOT / "schemas" / "fazhi" / "indicators.yaml").read_text(encoding="utf-8"))
    return {key: item for group in data.values() for key, item in group.items()}


def prompt_description() -> str:
    keys = "\n".join(f"{key}：{item['name']}" for key, item in catalogue().items())
    return ("从这份法治政府建设年度报告中，按原文顺序抽取每一个统计数字（次数、人数、件数、份数、比率等）。"
            "extraction_text 为原文中含该数字的短语，逐字摘录原文，不改写；"
            "extraction_class 为该数字统计对象的指标键，从下列指标中选择，都不符合时用 other；"
            "attributes 给出 value（数值）和 unit（单位）。年份、日期、文号、序号不是统计数字。\n"
            "指标：\n" + keys + "\nother：其他统计数字")


def _reading(text: str, names: Sequence[str]) -> dict[str, Any] | None:
    mentions = find_mentions(text, names)
    if not mentions:
        return None
    m = next((m for m in mentions if m.kind == "candidate"), mentions[0])
    return {"value": m.value, "unit": m.unit, "qualifier": m.qualifier}


def examples(names: Sequence[str]) -> list[Any]:
    import langextract as lx

    items = catalogue()
    out = []
    for keys in EXAMPLE_KEYS:
        phrases = [(key, items[key]["examples"][0]) for key in keys]
        extractions = []
        for key, phrase in phrases:
            reading = _reading(phrase, names) or {}
            value = reading.get("value")
            extractions.append(lx.data.Extraction(
                extraction_class=key, extraction_text=phrase,
                attributes={"value": f"{value:g}" if isinstance(value, float) else str(value),
                            "unit": reading.get("unit", "")}))
        out.append(lx.data.ExampleData(text="，".join(p for _, p in phrases) + "。", extractions=extractions))
    return out


class Counter:
    """Wraps ``client.chat.completions.create``: calls, tokens and seconds of every completion."""

    def __init__(self, client: Any):
        self.calls = self.prompt_tokens = self.completion_tokens = 0
        self.seconds = 0.0
        self._create = client.chat.completions.create
        client.chat.completions.create = self

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            response = self._create(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
        self.calls += 1
        if response.usage is not None:
            self.prompt_tokens += response.usage.prompt_tokens or 0
            self.completion_tokens += response.usage.completion_tokens or 0
        return response

    def snapshot(self) -> dict[str, Any]:
        return {"calls": self.calls, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "llm_seconds": self.seconds}


def to_figures(extractions: Sequence[Any], names: Sequence[str]) -> tuple[list[dict[str, Any]], int]:
    """Contract figures from langextract extractions; also how many had no number at all."""
    figures, dropped = [], 0
    for e in extractions:
        text = e.extraction_text or ""
        reading = _reading(text, names)
        if reading is None:
            try:
                reading = {"value": float(str((e.attributes or {}).get("value"))), "unit": "", "qualifier": "exact"}
            except ValueError:
                dropped += 1
                continue
        figures.append({"indicator": e.extraction_class or "other", "label": text, **reading,
                        "target": False, "evidence": text})
    return figures, dropped


def run_langextract(base_url: str, model: str, paths: Sequence[Path], corpus: Path, gold: Path,
                    log=print) -> dict[str, Any]:
    import langextract as lx
    from langextract.core.tokenizer import UnicodeTokenizer
    from langextract.providers.openai import OpenAILanguageModel

    names = load_report_type("fazhi").numbered_names
    lm = OpenAILanguageModel(model_id=model, api_key="sk-no-key-required", base_url=base_url,
                             temperature=0.0, max_workers=1, max_output_tokens=MAX_OUTPUT_TOKENS)
    counter = Counter(lm._client)
    desc, shots = prompt_description(), examples(names)
    rows, predictions, errors = {}, {}, {}
    for path in paths:
        text = load_document(path).text
        before = counter.snapshot()
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                doc = lx.extract(text, prompt_description=desc, examples=shots, model=lm,
                                 use_schema_constraints=False, fence_output=False, max_char_buffer=1000,
                                 batch_length=10, max_workers=1, show_progress=False,
                                 tokenizer=UnicodeTokenizer())
            extractions = list(doc.extractions or [])
        except Exception as exc:  # recorded, not hidden: the table says what failed
            errors[path.stem] = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
            log(f"  {path.stem}: {errors[path.stem]}")
            extractions = []
        wall = time.perf_counter() - started
        now = counter.snapshot()
        figures, dropped = to_figures(extractions, names)
        rows[path.stem] = {k: now[k] - before[k] for k in now} | {
            "wall_seconds": wall, "extractions": len(extractions), "no_number": dropped}
        predictions[path.stem] = {"doc_id": path.stem, "figures": figures}
        log(f"  {path.stem}: {rows[path.stem]['calls']} calls, {len(extractions)} extractions, {wall:.0f} s")
    return {"rows": rows, "predictions": predictions, "errors": errors,
            "scores": figure_scores(predictions, corpus, gold)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url")
    parser.add_argument("--model")
    parser.add_argument("--corpus", type=Path, default=ROOT / "eval" / "corpus")
    parser.add_argument("--gold", type=Path, default=ROOT / "eval" / "gold")
    parser.add_argument("--reports", type=int, default=0, help="only the first N reports (default all)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    paths = corpus_paths(args.corpus)
    paths = paths[:args.reports] if args.reports else paths
    log = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731
    with serve(args.base_url, args.model) as (base_url, model):
        out = run_langextract(base_url, model, paths, args.corpus, args.gold, log)
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    for stem, row in out["rows"].items():
        print(stem, row, out["scores"]["reports"].get(stem))
    print("total", out["scores"]["total"], out["errors"])


if __name__ == "__main__":
    main()
