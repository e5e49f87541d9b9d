"""Figure scoring: ground each figure in the source, match predicted to gold, count.

A figure is identified by *where its number is in the source*, not by its
label, because labels are free text while the source position is objective.
The position is found through the figure's ``evidence`` (folded exact match,
mapped back to source offsets) and a number mention inside it whose value is
the figure's value.

``locate`` gives every candidate position (evidence that occurs several
times, or a value written twice in it); training reads those to learn which
number a label means.  Scoring places each figure at one of them as the
contract's reference scorer (``tests/oracle/score.py``) does: the first not
taken by an earlier figure of the same list, else the first; a magnitude
word standing alone (近千人, 万余人, 百余条) is no number there.  A predicted
and a gold figure then pair greedily, each gold figure in order taking the
first prediction in order of equal value at an overlapping position.

The numbers inside an evidence are still the number pass's (``text/numbers``),
read on the whole source, where the reference reads its own on the evidence
alone.  They differ only where no bundled set goes (tests/test_scorer_oracle.py
holds the two equal on every one): a value given as a string or a bool, a
raw 1.5 for 1.5万, a number the evidence cuts (6次 of 16次), 千万 alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

from llmx.text.numbers import Mention
from llmx.eval.scoring.common import Counts, as_number, norm_str, similarity, values_equal
from llmx.text.textmap import FoldedText

Span = tuple[int, int]

# Attributes whose accuracy is reported among matched pairs.
ATTRIBUTES = ("indicator", "unit", "qualifier", "target")

# Why a figure could not be located (None = grounded).
NO_EVIDENCE = "no_evidence"
EVIDENCE_NOT_IN_SOURCE = "evidence_not_in_source"
BAD_VALUE = "value_not_a_number"
VALUE_NOT_IN_EVIDENCE = "value_not_in_evidence"


@dataclass(frozen=True)
class Located:
    """One figure with its candidate number positions in the source."""

    index: int
    figure: dict
    value: float | None
    spans: tuple[Span, ...]
    reason: str | None  # why it is ungrounded; None when ``spans`` is non-empty


def locate(index: int, figure: Any, source: FoldedText, mentions: Sequence[Mention]) -> Located:
    """Find the source positions of ``figure``'s number via its evidence."""
    fig = figure if isinstance(figure, dict) else {}
    value = as_number(fig.get("value"))
    evidence = fig.get("evidence")
    if not isinstance(evidence, str) or not norm_str(evidence):
        return Located(index, fig, value, (), NO_EVIDENCE)
    occurrences = source.find_all(evidence)
    if not occurrences:
        return Located(index, fig, value, (), EVIDENCE_NOT_IN_SOURCE)
    if value is None:
        return Located(index, fig, value, (), BAD_VALUE)
    spans = tuple(sorted({
        (m.start, m.end)
        for m in mentions
        if values_equal(float(m.value), value)
        and any(start <= m.start and m.end <= end for start, end in occurrences)
    }))
    return Located(index, fig, value, spans, None if spans else VALUE_NOT_IN_EVIDENCE)


def locate_all(figures: Any, source: FoldedText, mentions: Sequence[Mention]) -> list[Located]:
    """``locate`` every figure of a (possibly malformed) figure list."""
    items = figures if isinstance(figures, list) else []
    return [locate(i, fig, source, mentions) for i, fig in enumerate(items)]


#: Magnitude words the reference scorer reads no number in when they stand alone (近千人, 万余人).
_BARE_MAGNITUDES = frozenset("千百万亿")


def place_all(figures: Any, source: FoldedText, mentions: Sequence[Mention]) -> list[Located]:
    """Every figure of a list at the one position scoring gives it (the module's docstring)."""
    counted = [m for m in mentions if m.text not in _BARE_MAGNITUDES]
    taken: set[Span] = set()
    placed = []
    for loc in locate_all(figures, source, counted):
        if loc.spans:
            at = next((s for s in loc.spans if s not in taken), loc.spans[0])
            taken.add(at)
            loc = Located(loc.index, loc.figure, loc.value, (at,), None)
        placed.append(loc)
    return placed


def _overlap(a: Sequence[Span], b: Sequence[Span]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


def attribute_value(name: str, figure: dict) -> Any:
    """An attribute in comparison form: folded text, or a strict bool for ``target``."""
    raw = figure.get(name)
    if name == "target":
        return raw is True
    return norm_str(raw)


def wrong_attributes(pred: dict, gold: dict) -> list[str]:
    """Names of the attributes on which a matched pair disagrees."""
    return [a for a in ATTRIBUTES if attribute_value(a, pred) != attribute_value(a, gold)]


def can_match(pred: Located, gold: Located) -> bool:
    """The contract's match rule: equal values and overlapping located numbers."""
    return (
        pred.reason is None and gold.reason is None
        and values_equal(pred.value, gold.value)  # type: ignore[arg-type]
        and _overlap(pred.spans, gold.spans)
    )


def match(preds: Sequence[Located], golds: Sequence[Located]) -> dict[int, int]:
    """The contract's pairing, as ``{gold list position: pred list position}``: each gold figure in
    order takes the first prediction in order that it can match and no earlier gold figure took."""
    owner: dict[int, int] = {}
    taken: set[int] = set()
    for j, g in enumerate(golds):
        i = next((i for i, p in enumerate(preds) if i not in taken and can_match(p, g)), None)
        if i is not None:
            owner[j] = i
            taken.add(i)
    return owner


def _describe(loc: Located) -> dict:
    """The fields of a figure a human needs to recognise it in a report."""
    fig = loc.figure
    return {"value": fig.get("value"), "indicator": fig.get("indicator"),
            "label": fig.get("label"), "evidence": fig.get("evidence"),
            "positions": [list(s) for s in loc.spans]}


def score_figures(pred_figures: Any, gold_figures: Any, source: FoldedText,
                  mentions: Sequence[Mention]) -> tuple[Counts, dict]:
    """Counts for figure P/R/F1, attribute accuracy and groundedness, plus the pairing."""
    preds = place_all(pred_figures, source, mentions)
    golds = place_all(gold_figures, source, mentions)
    pairs = match(preds, golds)
    counts: Counter[str] = Counter(figure_tp=len(pairs), figure_fp=len(preds) - len(pairs),
                             figure_fn=len(golds) - len(pairs),
                             ungrounded=sum(p.reason is not None for p in preds),
                             gold_unlocated=sum(g.reason is not None for g in golds))
    matched = []
    for j, i in sorted(pairs.items()):
        wrong = wrong_attributes(preds[i].figure, golds[j].figure)
        for name in ATTRIBUTES:
            counts[f"{name}_scored"] += 1
            counts[f"{name}_correct"] += name not in wrong
        # not in the contract's scoring: how close labels are (an extra diagnostic)
        counts["label_scored"] += 1
        counts["label_similarity_sum"] += similarity(preds[i].figure.get("label"), golds[j].figure.get("label"))  # type: ignore[assignment]  # a float sum; typeshed types Counter values as int
        matched.append({"gold_index": golds[j].index, "pred_index": preds[i].index,
                        **_describe(golds[j]), "pred_evidence": preds[i].figure.get("evidence"),
                        "wrong": wrong,
                        "pred": {a: preds[i].figure.get(a) for a in ATTRIBUTES}})
    used = set(pairs.values())
    detail = {
        "matched": matched,
        "missed": [{"gold_index": g.index, **_describe(g), "unlocated": g.reason}
                   for j, g in enumerate(golds) if j not in pairs],
        "extra": [{"pred_index": p.index, **_describe(p), "ungrounded": p.reason}
                  for i, p in enumerate(preds) if i not in used],
    }
    return counts, detail


def _catalogue_key(figure: Any, *, numbers_only: bool = False) -> tuple[str, Any] | None:
    """``(indicator, value)`` of a catalogued figure; ``None`` for ``other``/no indicator, and, with
    ``numbers_only``, for a value that is not a JSON number (a predicted "若干" or null compares with
    nothing, so the reference scorer leaves it out of the predicted multiset rather than count it wrong)."""
    if not isinstance(figure, dict):
        return None
    if numbers_only and not isinstance(figure.get("value"), (int, float)):
        return None
    indicator = norm_str(figure.get("indicator"))
    if indicator is None or indicator == "other":
        return None
    number = as_number(figure.get("value"))
    # Rounding makes float noise (273.6*10000) hash equal, as values_equal would.
    return indicator, (round(number, 6) if number is not None else norm_str(figure.get("value")))


def score_catalogue(pred_figures: Any, gold_figures: Any) -> Counts:
    """tp/fp/fn over the multisets of catalogued ``(indicator, value)`` pairs.

    Position-free on purpose: it measures what a user comparing reports would
    see, whatever evidence the extractor quoted.
    """
    def bag(figures: Any, numbers_only: bool) -> Counter:
        keys = (_catalogue_key(f, numbers_only=numbers_only) for f in (figures if isinstance(figures, list) else []))
        return Counter(k for k in keys if k is not None)

    pred, gold = bag(pred_figures, True), bag(gold_figures, False)
    tp = sum((pred & gold).values())
    return Counter(catalogue_tp=tp, catalogue_fp=sum(pred.values()) - tp,
                   catalogue_fn=sum(gold.values()) - tp)
