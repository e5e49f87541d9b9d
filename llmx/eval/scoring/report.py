"""Score one report and turn additive counters into the flat metrics dict.

Every block scorer returns a ``Counter`` of additive counts (tp/fp/fn,
correct/scored).  A report's metrics and a set's totals are both computed from
such counters by ``metrics_from_counts``, so per-report and total numbers can
never disagree in definition, and micro-averaging is just adding counters.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from llmx.text.numbers import find_mentions
from llmx.text.script import simplify
from llmx.eval.scoring.common import Counts, prf, ratio_or_none
from llmx.eval.scoring.fields import list_blocks, score_list, score_meta, score_sections
from llmx.eval.scoring.figures import ATTRIBUTES, score_catalogue, score_figures
from llmx.text.textmap import FoldedText

USAGE_KEYS = ("calls", "prompt_tokens", "completion_tokens", "seconds", "cache_hits")
# Top-level blocks that gold may set to null ("not labelled"); the contract names
# sections and the lists, and the same rule is applied to meta and figures.
FIXED_SCORED = ("meta", "sections", "figures")


def _usage_counts(pred: dict) -> Counts:
    """The prediction's ``usage`` as counters; ``usage_reports`` says whether there was any."""
    usage = pred.get("usage")
    if not isinstance(usage, dict):
        return Counter()
    counts: Counter[str] = Counter(usage_reports=1)
    for key in USAGE_KEYS:
        value = usage.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            counts[key] += value  # type: ignore[assignment]  # seconds are floats; typeshed types Counter values as int
    return counts


def score_report(pred: dict, gold: dict, source: str, numbered_names: Sequence[str] = ()) -> dict:
    """Metrics for one report, with the pairings that explain them.

    Returns ``{"doc_id", "metrics", "counts", "not_scored", "figures", "meta",
    "sections", "lists", "usage"}``: ``metrics`` uses the same flat keys as a
    set total; ``figures`` holds ``matched``/``missed``/``extra`` figure lists
    with evidence so a compare can show which figures flipped.
    """
    pred = pred if isinstance(pred, dict) else {}
    counts: Counts = Counter(reports=1)
    result: dict[str, Any] = {"doc_id": gold.get("doc_id") or pred.get("doc_id"),
                              "not_scored": [b for b in (*FIXED_SCORED, *list_blocks(gold)) if gold.get(b) is None]}

    if gold.get("figures") is not None:
        text = FoldedText.of(source)
        # numbers are read where the pipeline reads them: on the folded script (兩場, 萬), offsets unchanged
        mentions = find_mentions(simplify(source), tuple(numbered_names))
        figure_counts, result["figures"] = score_figures(
            pred.get("figures"), gold["figures"], text, mentions)
        counts.update(figure_counts)
        counts.update(score_catalogue(pred.get("figures"), gold["figures"]))
        counts["figures_reports"] += 1
    if gold.get("meta") is not None:
        meta_counts, result["meta"] = score_meta(pred.get("meta"), gold["meta"])
        counts.update(meta_counts)
    if gold.get("sections") is not None:
        section_counts, result["sections"] = score_sections(pred.get("sections"), gold["sections"])
        counts.update(section_counts)
    result["lists"] = {}
    for name in list_blocks(gold):
        counts[f"{name}_listed"] += 0  # known to the report type even where not labelled
        if gold.get(name) is not None:
            list_counts, result["lists"][name] = score_list(name, pred.get(name), gold[name])
            counts.update(list_counts)
    counts.update(_usage_counts(pred))

    result["usage"] = pred.get("usage") if isinstance(pred.get("usage"), dict) else None
    result["counts"] = dict(counts)
    result["metrics"] = metrics_from_counts(counts)
    return result


def _prf_metrics(prefix: str, tp: float, fp: float, fn: float, scored: bool) -> dict:
    """``<prefix>_precision/_recall/_f1`` (None when the block was never scored)."""
    values = prf(tp, fp, fn) if scored else (None, None, None)
    return dict(zip((f"{prefix}_precision", f"{prefix}_recall", f"{prefix}_f1"), values))


def metrics_from_counts(counts: Counts) -> dict:
    """The flat metrics dict (micro-averaged) from summed counters."""
    c = Counter(counts)
    has_figures = c["figures_reports"] > 0
    m: dict[str, Any] = {"reports": c["reports"]}
    m.update(_prf_metrics("figure", c["figure_tp"], c["figure_fp"], c["figure_fn"], has_figures))
    for key in ("figure_tp", "figure_fp", "figure_fn", "ungrounded", "gold_unlocated"):
        m[key] = c[key] if has_figures else None
    for name in ATTRIBUTES:
        m[f"{name}_accuracy"] = ratio_or_none(c[f"{name}_correct"], c[f"{name}_scored"])
    m["label_similarity"] = ratio_or_none(c["label_similarity_sum"], c["label_scored"])
    m.update(_prf_metrics("catalogue", c["catalogue_tp"], c["catalogue_fp"], c["catalogue_fn"],
                          has_figures))

    fields = [k[len("meta_"):-len("_scored")] for k in c if k.startswith("meta_") and k.endswith("_scored")]
    for name in fields:
        m[f"meta_{name}"] = ratio_or_none(c[f"meta_{name}_correct"], c[f"meta_{name}_scored"])
    meta = [m[f"meta_{name}"] for name in fields if m[f"meta_{name}"] is not None]
    m["meta_mean"] = sum(meta) / len(meta) if meta else None

    for part in ("present", "heading"):
        m[f"sections_{part}_accuracy"] = ratio_or_none(c[f"sections_{part}_correct"],
                                                       c[f"sections_{part}_scored"])

    lists = [k[:-len("_listed")] for k in c if k.endswith("_listed")]
    for name in lists:
        m.update(_prf_metrics(name, c[f"{name}_tp"], c[f"{name}_fp"], c[f"{name}_fn"],
                              c[f"{name}_reports"] > 0))
    tp, fp, fn = (sum(c[f"{n}_{k}"] for n in lists) for k in ("tp", "fp", "fn"))
    m.update(_prf_metrics("list", tp, fp, fn, any(c[f"{n}_reports"] for n in lists)))

    for key in USAGE_KEYS:
        m[key] = c[key] if c["usage_reports"] else None
    return m
