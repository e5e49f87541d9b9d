"""``llmx eval``: extract the gold set, score it, and keep a run record.

A run record is one JSON file in ``eval/runs/``: the configuration that
produced it (model, endpoint, design, prompt version, schema hash, git
commit), the scores per report and in total, and the predictions themselves
so a later compare can show which figures flipped.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

from .config import LLMConfig
from .domain import Domain
from .errors import LlmxError
from .llm import schema_hash
from .output import to_json, write_atomic
from .runner import extract_files
from .scoring import load_source, score_set
from .sources import LOADERS


def gold_pairs(gold_dir: Path, corpus_dir: Path) -> list[tuple[Path, Path]]:
    """(gold file, source file) for every gold label that has its report beside it."""
    golds = sorted(Path(gold_dir).glob("*.json"))
    if not golds:
        raise LlmxError(f"{gold_dir}: no gold files (*.json)")
    pairs = []
    for gold in golds:
        sources = [p for p in Path(corpus_dir).glob(gold.stem + ".*") if p.suffix.lower() in LOADERS]
        if not sources:
            raise LlmxError(f"{corpus_dir}: no report for gold file {gold.name}")
        pairs.append((gold, sorted(sources)[0]))
    return pairs


def run_eval(domain: Domain, design: str, config: LLMConfig, gold_dir: Path, corpus_dir: Path,
             prompt_version: str | None = None) -> dict[str, Any]:
    """Extract every gold report (through the cache) and score it; returns the run record."""
    pairs = gold_pairs(gold_dir, corpus_dir)
    results = extract_files([src for _, src in pairs], domain, design, config, prompt_version)
    scored = score_set(
        (gold.stem, pred | {"doc_id": gold.stem}, json.loads(gold.read_text(encoding="utf-8")),
         load_source(Path(corpus_dir), gold.stem))
        for (gold, _), pred in zip(pairs, results)
    )
    first = results[0] if results else {}
    return {
        "config": {
            "design": design,
            "model": first.get("model"),
            "endpoint": "embedded" if config.embedded else config.base_url,
            "model_path": str(config.model_path) if config.model_path else None,
            "mode": config.mode,
            "temperature": config.temperature,
            "prompt_version": first.get("prompt_version"),
            "schema_hash": schema_hash(domain.report_model),
            "git_commit": _git_commit(),
            "report_type": domain.name,
        },
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "scores": scored,
        "predictions": {gold.stem: pred for (gold, _), pred in zip(pairs, results)},
    }


def rescore(record: dict[str, Any], gold_dir: Path, corpus_dir: Path) -> dict[str, Any]:
    """The record with its stored predictions scored again (after a scorer or gold change)."""
    golds = {gold.stem: gold for gold, _ in gold_pairs(gold_dir, corpus_dir)}
    record["scores"] = score_set(
        (doc_id, pred, json.loads(golds[doc_id].read_text(encoding="utf-8")), load_source(Path(corpus_dir), doc_id))
        for doc_id, pred in record["predictions"].items() if doc_id in golds
    )
    return record


def save_run(record: dict[str, Any], runs_dir: Path, name: str | None = None) -> Path:
    """Write the record as ``<runs_dir>/<name or timestamp_design>.json``."""
    stamp = record["created"].replace(":", "").replace("-", "")[:15]
    path = Path(runs_dir) / f"{name or stamp + '_' + record['config']['design']}.json"
    write_atomic(path, to_json(record))
    return path


def load_run(path: Path) -> dict[str, Any]:
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LlmxError(f"{path}: not a readable run record: {exc}") from exc
    if not isinstance(record, dict) or "scores" not in record:
        raise LlmxError(f"{path}: not a run record (no 'scores')")
    return record


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10,
                             cwd=Path(__file__).resolve().parent)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
