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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmx.model.config import LLMConfig
from llmx.reports.report_type import ReportType
from llmx.errors import LlmxError, redact_credentials
from llmx.model.records import schema_hash
from llmx.files import to_json, write_atomic
from llmx.api import Extractor
from llmx.eval.scoring import load_source, score_set
from llmx.text.load import LOADERS, load_document


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


def read_gold(path: Path) -> dict[str, Any]:
    """A gold file, refused in one line where it is unreadable or has no figures list."""
    try:
        gold = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LlmxError(f"{path}: not a readable gold file: {exc}") from exc
    if not isinstance(gold, dict) or not isinstance(gold.get("figures"), list):
        raise LlmxError(f"{path}: a gold file needs a 'figures' list")
    return gold


@dataclass(frozen=True)
class GoldSet:
    """A named set of gold labels and the reports they label."""

    name: str
    gold_dir: Path
    source_dir: Path


#: The sets ``llmx eval`` scores by default: the five full township reports and two sets of web openings.
DEFAULT_SETS = (GoldSet("corpus", Path("eval/gold"), Path("eval/corpus")),
                GoldSet("wide", Path("eval/wide/gold"), Path("eval/wide/raw")),
                GoldSet("wide2", Path("eval/wide2/gold"), Path("eval/wide2/raw")))




def _probe(name: str) -> GoldSet:
    return GoldSet(name, Path("eval/probes") / name / "gold", Path("eval/probes") / name / "raw")


#: Blind probes (eval/probes/README.md): report openings labelled by one labeller each, not gold.  The
#: shipped labeller learns from them and chooses its boost, `other` penalty and floor on each held out in turn.
PROBE_SETS = tuple(_probe(name) for name in ("p5", "p6", "p7", "p8", "p9", "p10", "p11", "p12", "p14", "p15", "p16",
                                               "p18", "p19", "p20", "p21", "p22", "p23"))
#: Probes nothing was trained, chosen or tuned on: scored only to estimate unseen reports.
HELD_OUT_SETS = (_probe("p13"), _probe("p17"), _probe("p24"))
#: What ``llmx train`` learns from by default: every labelled set but the held-out one.
TRAINING_SETS = DEFAULT_SETS + PROBE_SETS


def parse_set(spec: str) -> GoldSet:
    """``NAME=GOLD_DIR:SOURCE_DIR`` (or a built-in set's name) as a ``GoldSet``."""
    builtin = {s.name: s for s in (*TRAINING_SETS, *HELD_OUT_SETS)}
    if spec in builtin:
        return builtin[spec]
    name, _, dirs = spec.partition("=")
    gold, _, source = dirs.partition(":")
    if not (name and gold and source):
        raise LlmxError(f"bad gold set {spec!r}: expected NAME=GOLD_DIR:SOURCE_DIR or one of {sorted(builtin)}")
    return GoldSet(name, Path(gold), Path(source))


def run_eval(report_type: ReportType, design: str, config: LLMConfig, sets: Sequence[GoldSet],
             prompt_version: str | None = None) -> dict[str, Any]:
    """Extract every gold report of every set (one model session, through the cache), score, record."""
    pairs = {s.name: gold_pairs(s.gold_dir, s.source_dir) for s in sets}
    flat = [(s, gold, src) for s in sets for gold, src in pairs[s.name]]
    documents = [load_document(src) for _, _, src in flat]  # all read before any model is started
    with Extractor(design=design, report_type=report_type, prompt_version=prompt_version, config=config) as extractor:
        results = [report.model_dump(mode="json") for _, report in extractor.extract_many(documents)]
    predictions = {_doc_key(sets, s, gold): pred | {"doc_id": gold.stem}
                   for (s, gold, _), pred in zip(flat, results)}
    first = results[0] if results else {}
    record = {
        "config": {
            "design": design,
            "model": first.get("model"),
            "endpoint": "embedded" if config.embedded else redact_credentials(config.base_url or ""),
            "model_path": str(config.model_path) if config.model_path else None,
            "mode": config.mode,
            "temperature": config.temperature,
            "prompt_version": first.get("prompt_version"),
            "schema_hash": schema_hash(report_type.report_model),
            "git_commit": _git_commit(),
            "report_type": report_type.name,
            "sets": described(sets),
        },
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "predictions": predictions,
    }
    return rescore(record)


def _doc_key(sets: Sequence[GoldSet], s: GoldSet, gold: Path) -> str:
    """A report's key in a record: its stem, prefixed by its set's name when there are several."""
    return f"{s.name}/{gold.stem}" if len(sets) > 1 else gold.stem


def described(sets: Sequence[GoldSet]) -> dict[str, list[str]]:
    """Gold sets as a record keeps them, name to ``[gold_dir, source_dir]`` (``record_sets`` reads them back)."""
    return {s.name: [str(s.gold_dir), str(s.source_dir)] for s in sets}


def record_sets(record: dict[str, Any]) -> list[GoldSet]:
    """The gold sets a record was made on (records older than sets: the bundled corpus)."""
    named = record["config"].get("sets") or {"corpus": ["eval/gold", "eval/corpus"]}
    return [GoldSet(name, Path(gold), Path(src)) for name, (gold, src) in named.items()]


def rescore(record: dict[str, Any], sets: Sequence[GoldSet] | None = None) -> dict[str, Any]:
    """The record with its stored predictions scored again: in total, and per set."""
    sets = list(sets or record_sets(record))
    per_set: dict[str, list[tuple[str, dict, dict, str]]] = {}
    for s in sets:
        for gold, _ in gold_pairs(s.gold_dir, s.source_dir):
            key = _doc_key(sets, s, gold)
            if key in record["predictions"]:
                per_set.setdefault(s.name, []).append(
                    (key, record["predictions"][key], json.loads(gold.read_text(encoding="utf-8")),
                     load_source(s.source_dir, gold.stem)))
    record["scores"] = score_set(item for items in per_set.values() for item in items)
    record["scores"]["sets"] = {name: score_set(items)["total"] for name, items in per_set.items()}
    return record


def save_run(record: dict[str, Any], runs_dir: Path, name: str | None = None) -> Path:
    """Write the record as ``<runs_dir>/<name or timestamp_design>.json``."""
    stamp = record["created"].replace(":", "").replace("-", "")[:15]
    path = Path(runs_dir) / f"{name or stamp + '_' + record['config']['design']}.json"
    write_atomic(path, to_json(record))
    return path


def load_run(path: Path, *, cross_validation: bool = False) -> dict[str, Any]:
    """A run record; with ``cross_validation``, a ``--cv`` record (its schemes) is taken too."""
    try:
        record = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LlmxError(f"{path}: not a readable run record: {exc}") from exc
    if isinstance(record, dict) and cross_validation and isinstance(record.get("schemes"), dict):
        return record
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
