"""``llmx eval --cv``: honest numbers for a labeller that learns from the labels it is scored on.

Scored on the reports it was trained on, a learned labeller looks better than
it will on the next report.  So every report is also extracted by a
labeller that never saw it:

- ``leave_one_set_out``: train on all sets but one, extract that one (the
  closest estimate of a new population of reports);
- ``kfold``: reports split into k groups by a stable hash, each extracted by
  a labeller trained on the other groups;
- ``in_sample``: trained on everything, scored on everything (for contrast).

Each scheme is scored per set by the same scorer as ``llmx eval``, and its
flags are measured: of the false figures, wrong indicators and wrong meta
fields, the share flagged unsure (``capture``), and the share of figures
flagged (``flagged``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from llmx.reports.report_type import ReportType
from llmx.engine.learned import LearnedModel
from llmx.api import Extractor
from llmx.errors import LlmxError
from llmx.eval.evaluate import GoldSet, described, gold_pairs, record_sets, rescore
from llmx.eval.train import Example, _folds, collect_with_meta, fit

SCHEMES = ("leave_one_set_out", "kfold", "in_sample")


def cross_validate(report_type: ReportType, sets: Sequence[GoldSet], design: str = "learned",
                   schemes: Sequence[str] = SCHEMES, boost: float | None = None,
                   stat_below: float | None = None, other_penalty: float | None = None,
                   progress: Any = None) -> dict[str, Any]:
    """A record per scheme (config, predictions, scores per set) and the flags' capture."""
    sets = list(sets)
    examples, meta = collect_with_meta(report_type, sets)
    sources = {f"{s.name}/{gold.stem}": (s, src) for s in sets for gold, src in gold_pairs(s.gold_dir, s.source_dir)}
    out: dict[str, Any] = {"config": {"design": design, "report_type": report_type.name, "boost": boost,
                                      "stat_below": stat_below, "other_penalty": other_penalty,
                                      "sets": described(sets)},
                           "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                           "schemes": {}}
    for scheme in schemes:
        predictions: dict[str, dict] = {}
        for held in _held_out_groups(scheme, examples, sets):
            if progress:
                progress(f"{scheme}: training without {len(held)} reports")
            train = [e for e in examples if e.doc not in held] if scheme != "in_sample" else examples
            train_meta = [m for m in meta if m.doc not in held] if scheme != "in_sample" else meta
            if not any(e.stat for e in train):
                raise LlmxError(f"{scheme}: holding out {len(held)} reports leaves no labelled figure to train on "
                                f"(give more reports)")
            model = fit(train, report_type, boost=boost, stat_below=stat_below, other_penalty=other_penalty,
                        meta=train_meta)
            predictions |= _extract(report_type, design, model, sorted(held), sources)
        out["schemes"][scheme] = scheme_scores(out["config"], scheme, predictions, sets)
    return out


def scheme_scores(config: dict[str, Any], scheme: str, predictions: dict[str, dict],
                  sets: Sequence[GoldSet]) -> dict[str, Any]:
    """One scheme's entry of a record: its predictions scored per set and in total, and the flags' capture."""
    record = rescore({"config": config | {"scheme": scheme}, "predictions": predictions}, sets)
    return {"sets": record["scores"]["sets"], "total": record["scores"]["total"],
            "flags": flag_capture(record), "predictions": predictions}


def rescore_cv(record: dict[str, Any]) -> dict[str, Any]:
    """A cross-validation record with every scheme's stored predictions scored again (``llmx eval rescore``)."""
    sets = record_sets(record)
    for scheme, entry in record["schemes"].items():
        record["schemes"][scheme] = scheme_scores(record["config"], scheme, entry["predictions"], sets)
    return record


def _held_out_groups(scheme: str, examples: Sequence[Example], sets: Sequence[GoldSet]) -> list[set[str]]:
    if scheme == "leave_one_set_out":
        return [{e.doc for e in examples if e.set == s.name} for s in sets]
    if scheme == "kfold":
        return _folds(examples)
    if scheme == "in_sample":
        return [{e.doc for e in examples}]
    raise ValueError(f"unknown scheme {scheme!r}: one of {SCHEMES}")


def _extract(report_type: ReportType, design: str, model: LearnedModel, docs: Sequence[str],
             sources: dict[str, tuple[GoldSet, Any]]) -> dict[str, dict]:
    with Extractor(design=design, report_type=report_type, labeller=model) as ex:
        return {doc: ex.extract(sources[doc][1]).model_dump(mode="json") | {"doc_id": doc.split("/", 1)[1]}
                for doc in docs}


def flag_capture(record: dict[str, Any]) -> dict[str, Any]:
    """How well ``unsure`` and ``meta_unsure`` point at the errors of a scored record."""
    errors = flagged_errors = figures = flagged = 0
    meta_errors = meta_flagged_errors = meta_fields = meta_flagged = 0
    for doc, report in record["scores"]["reports"].items():
        pred = record["predictions"].get(doc) or {}
        figs = pred.get("figures") or []
        unsure = [bool(f.get("unsure")) for f in figs]
        figures += len(figs)
        flagged += sum(unsure)
        scored = report.get("figures") or {}
        for extra in scored.get("extra", []):
            errors += 1
            flagged_errors += unsure[extra["pred_index"]]
        for pair in scored.get("matched", []):
            if "indicator" in pair.get("wrong", []):
                errors += 1
                flagged_errors += unsure[pair["pred_index"]]
        doubted = set(pred.get("meta_unsure") or [])
        for name, field in (report.get("meta") or {}).items():
            meta_fields += 1
            meta_flagged += name in doubted
            if not field.get("correct", True):
                meta_errors += 1
                meta_flagged_errors += name in doubted
    return {"figure_errors": errors, "figure_errors_flagged": flagged_errors, "figures": figures,
            "figures_flagged": flagged, "capture": _share(flagged_errors, errors), "flagged": _share(flagged, figures),
            "meta_errors": meta_errors, "meta_errors_flagged": meta_flagged_errors,
            "meta_capture": _share(meta_flagged_errors, meta_errors), "meta_flagged": _share(meta_flagged, meta_fields)}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
