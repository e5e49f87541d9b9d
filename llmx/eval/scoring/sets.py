"""Scoring a set of reports: totals, loading from directories, threshold checks."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Iterable

from llmx.errors import LlmxError
from llmx.eval.scoring.report import metrics_from_counts, score_report


def score_set(pairs: Iterable[tuple[str, dict, dict, str]]) -> dict:
    """Score ``(doc_id, pred, gold, source)`` tuples: per-report results and micro totals."""
    reports: dict[str, dict] = {}
    counts: Counter = Counter()
    for doc_id, pred, gold, source in pairs:
        result = score_report(pred, gold, source)
        result["doc_id"] = doc_id
        reports[doc_id] = result
        counts.update(result["counts"])
    return {"reports": reports, "total": metrics_from_counts(counts)}


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LlmxError(f"cannot read JSON {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise LlmxError(f"{path}: expected a JSON object")
    return data


def _load_with_sources(path: Path) -> str:
    """Load a non-UTF-8 or non-text source through ``llmx.text.load`` (optional module)."""
    try:
        from llmx.text.load import load_document  # written separately; may be absent
    except ImportError as exc:
        raise LlmxError(f"cannot read {path}: llmx.text.load is not available") from exc
    return load_document(path).text


def load_source(source_dir: Path, doc_id: str) -> str:
    """The source text of ``doc_id``: ``<doc_id>.txt`` as UTF-8, else any ``<doc_id>.*``.

    Gold evidence offsets refer to the text as given, so a UTF-8 ``.txt`` is
    read verbatim; anything else goes through the shared document loader.
    """
    txt = source_dir / f"{doc_id}.txt"
    if txt.is_file():
        try:
            return txt.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            return _load_with_sources(txt)
    # A .json beside the sources is a label or prediction, never the report itself.
    others = sorted(p for p in source_dir.glob(f"{doc_id}.*")
                    if p.is_file() and p.suffix.lower() != ".json")
    if not others:
        raise LlmxError(f"no source for {doc_id} in {source_dir}")
    return _load_with_sources(others[0])


def score_dirs(pred_dir: str | Path, gold_dir: str | Path, source_dir: str | Path) -> dict:
    """Score every gold file ``<doc_id>.json`` against ``pred_dir/<doc_id>.json``.

    A gold report without a prediction is scored as an empty prediction (the
    extractor failed on it, which must cost recall) and listed under
    ``missing_predictions``; predictions without gold are ignored.
    """
    pred_dir, gold_dir, source_dir = Path(pred_dir), Path(gold_dir), Path(source_dir)
    gold_files = sorted(gold_dir.glob("*.json"))
    if not gold_files:
        raise LlmxError(f"no gold files (*.json) in {gold_dir}")
    missing = [g.stem for g in gold_files if not (pred_dir / g.name).is_file()]

    def pairs() -> Iterable[tuple[str, dict, dict, str]]:
        for gold_path in gold_files:
            pred_path = pred_dir / gold_path.name
            pred = _read_json(pred_path) if pred_path.is_file() else {}
            yield gold_path.stem, pred, _read_json(gold_path), load_source(source_dir, gold_path.stem)

    scores = score_set(pairs())
    scores["missing_predictions"] = missing
    return scores


_RULE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|=)\s*(-?[0-9.]+(?:[eE]-?[0-9]+)?)\s*$")


def check_thresholds(total: dict, rules: list[str]) -> list[str]:
    """Failure messages for rules ``METRIC=VALUE`` (at least) / ``METRIC<=VALUE`` (at most).

    ``>=`` is accepted as a synonym of ``=``; ``<=`` exists for metrics where
    lower is better (``ungrounded<=0``).  A metric that is missing or ``None``
    fails, since an unmeasured gate must not pass silently.
    """
    failures = []
    for rule in rules:
        found = _RULE.match(rule)
        if not found:
            raise LlmxError(f"bad threshold {rule!r}: expected METRIC=VALUE or METRIC<=VALUE")
        name, op, bound = found.group(1), found.group(2), float(found.group(3))
        value = total.get(name)
        if name not in total:
            failures.append(f"{name}: unknown metric")
        elif value is None:
            failures.append(f"{name}: not measured (rule {rule.strip()})")
        elif op == "<=" and value > bound:
            failures.append(f"{name} = {value:.4g} > {bound:g}")
        elif op != "<=" and value < bound:
            failures.append(f"{name} = {value:.4g} < {bound:g}")
    return failures
