"""Scoring of the non-figure blocks: meta, sections and the item lists.

Which meta fields, section keys and item lists there are is read from the gold
labels, as the contract's reference scorer does, not from constants: a report
type's gold is its template, and the engine names none of it.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from llmx.eval.scoring.common import Counts, at_least, norm_str, similarity

#: Top-level blocks every report type has; any other top-level key of a gold file is an item list.
FIXED_BLOCKS = ("doc_id", "meta", "sections", "figures")

TITLE_THRESHOLD = 0.9
ITEM_THRESHOLD = 0.6


def list_blocks(gold: dict) -> list[str]:
    """The report type's item lists (``shortcomings``, ``next_year_plans`` …), null ones included."""
    return [key for key in gold if key not in FIXED_BLOCKS]


def _norm_meta(value: Any, as_list: bool) -> Any:
    """A meta value in comparison form.

    A list field (its gold is a list) becomes an ordered list of folded strings
    (``None`` counts as ``[]``, the contract's "none"), strings are folded, ints
    and ``None`` stay as they are: ``"2023"`` is not ``2023``, because the
    contract says int.
    """
    if as_list:
        items = value if isinstance(value, list) else ([] if value is None else [value])
        return [norm_str(v) or "" for v in items]
    if isinstance(value, str):
        return norm_str(value)
    return value


def meta_field_correct(name: str, pred: Any, gold: Any) -> bool:
    """Exact match after normalisation; ``title`` only needs similarity >= 0.9."""
    as_list = isinstance(gold, list) or isinstance(pred, list)
    p, g = _norm_meta(pred, as_list), _norm_meta(gold, as_list)
    if name == "title" and isinstance(p, str) and isinstance(g, str):
        return at_least(similarity(p, g), TITLE_THRESHOLD)
    return p == g and type(p) is type(g)


def score_meta(pred: Any, gold: dict) -> tuple[Counts, dict]:
    """Per-field correct/scored counters (one field scored once per report)."""
    pred = pred if isinstance(pred, dict) else {}
    counts: Counts = Counter()
    detail = {}
    for name in gold:
        ok = meta_field_correct(name, pred.get(name), gold.get(name))
        counts[f"meta_{name}_scored"] += 1
        counts[f"meta_{name}_correct"] += ok
        detail[name] = {"pred": pred.get(name), "gold": gold.get(name), "correct": ok}
    return counts, detail


def _section(block: Any, key: str) -> tuple[bool, str | None]:
    """``(present, folded heading)`` of one section entry, tolerating malformed input."""
    entry = block.get(key) if isinstance(block, dict) else None
    if not isinstance(entry, dict):
        return False, None
    return entry.get("present") is True, norm_str(entry.get("heading"))


def score_sections(pred: Any, gold: dict) -> tuple[Counts, dict]:
    """``present`` over every element key of the gold; ``heading`` only where both sides give one."""
    counts: Counts = Counter()
    detail = {}
    for key in gold:
        (p_present, p_head), (g_present, g_head) = _section(pred, key), _section(gold, key)
        counts["sections_present_scored"] += 1
        counts["sections_present_correct"] += p_present == g_present
        both = p_head is not None and g_head is not None
        counts["sections_heading_scored"] += both
        counts["sections_heading_correct"] += both and p_head == g_head
        detail[key] = {"present": [p_present, g_present], "heading": [p_head, g_head]}
    return counts, detail


def match_items(pred: list[str], gold: list[str]) -> list[tuple[int, int, float]]:
    """Greedy one-to-one matching, most similar pairs first, kept at ratio >= 0.6.

    Ties are broken by list order so the result does not depend on set order.
    """
    candidates = sorted(
        ((similarity(p, g), i, j) for i, p in enumerate(pred) for j, g in enumerate(gold)),
        key=lambda c: (-c[0], c[1], c[2]),
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for sim, i, j in candidates:
        if at_least(sim, ITEM_THRESHOLD) and i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j, round(sim, 4)))
    return pairs


def _items(value: Any) -> list[str]:
    """A list block as strings (``None``/non-list = no items: the extractor said nothing)."""
    return [str(v) for v in value] if isinstance(value, list) else []


def score_list(name: str, pred: Any, gold: list) -> tuple[Counts, dict]:
    """tp/fp/fn of one list block, plus the pairing for display."""
    p, g = _items(pred), _items(gold)
    pairs = match_items(p, g)
    counts: Counts = Counter({f"{name}_reports": 1, f"{name}_tp": len(pairs),
                              f"{name}_fp": len(p) - len(pairs),
                              f"{name}_fn": len(g) - len(pairs)})
    matched_p, matched_g = {i for i, _, _ in pairs}, {j for _, j, _ in pairs}
    detail = {
        "matched": [{"pred": p[i], "gold": g[j], "similarity": s} for i, j, s in pairs],
        "missed": [g[j] for j in range(len(g)) if j not in matched_g],
        "extra": [p[i] for i in range(len(p)) if i not in matched_p],
    }
    return counts, detail
