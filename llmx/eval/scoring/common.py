"""Small shared pieces of the scorer: normalisation, similarity, P/R/F1.

Every text comparison in the contract ("Scoring" in docs/spec/report-template.md)
happens on ``fold`` output (NFKC, no whitespace), so the helpers here fold
before they compare and nothing else in the scorer needs to remember to.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from rapidfuzz import fuzz

from llmx.text.textmap import fold

# Similarity thresholds are compared with this slack so that a ratio that is
# exactly on the edge (e.g. 0.9 from 1 - 2/20) is not lost to float rounding.
EPSILON = 1e-9

Counts = Counter[str]  # additive counters of one report; summing them gives the totals


def norm_str(value: Any) -> str | None:
    """Fold a scalar text field; ``None`` and strings that fold to "" both mean "no value"."""
    if value is None:
        return None
    folded = fold(str(value))
    return folded or None


def similarity(a: str | None, b: str | None) -> float:
    """rapidfuzz ratio in [0, 1] of two folded strings (why: the contract's "similarity ratio")."""
    return fuzz.ratio(fold(a or ""), fold(b or "")) / 100.0


def at_least(ratio: float, threshold: float) -> bool:
    """``ratio >= threshold`` tolerant of float rounding right at the edge."""
    return ratio >= threshold - EPSILON


def as_number(value: Any) -> float | None:
    """A figure value as a float, or ``None`` when it is not a number (bools are not numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def values_equal(a: float, b: float) -> bool:
    """Equal up to float noise such as ``273.6 * 10000 != 2736000``: within 1e-6, as the contract's
    reference scorer compares them (no relative tolerance, which lets large values differ in cents)."""
    return math.isclose(a, b, rel_tol=0.0, abs_tol=1e-6)


def prf(tp: float, fp: float, fn: float) -> tuple[float, float, float]:
    """Precision, recall, F1 with the empty cases defined rather than NaN.

    Nothing predicted and nothing expected is a perfect score (1, 1, 1): an
    extractor that correctly returns ``[]`` for an absent section must not be
    punished.  An empty side facing a non-empty one scores 0 on both.
    """
    precision = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    recall = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def ratio_or_none(correct: float, scored: float) -> float | None:
    """An accuracy, or ``None`` when nothing was scored (not applicable, not zero)."""
    return correct / scored if scored else None
