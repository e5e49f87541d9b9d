"""Verify: the promise that no number leaves llmx unless it stands in the source, where cited, as claimed.

Every labelled candidate becomes a figure only if ``Grounding.check``
(``text/grounding.py``) finds its evidence in the source, holding its value,
unit and qualifier; one that fails is kept aside in ``rejected`` with the
reason, one the model or the learned labeller called no statistic in ``uncovered``.
"""

from __future__ import annotations

from typing import Any

from llmx.reports.catalogue import OTHER
from llmx.engine.candidates import Candidate
from llmx.engine.learned import NOT_A_STATISTIC, Decision
from llmx.engine.model_labels import NONE
from llmx.text.clean import CleanText
from llmx.text.grounding import Grounding


def verified_figures(candidates: list[Candidate], labels: dict[int, str], judged: dict[int, Decision],
                     grounding: Grounding, cleaned: CleanText) -> tuple[list[dict], list[dict], list[dict]]:
    """Kept figures (each verified), rejected items with reasons, and uncovered candidates.

    Verification reads the clean text; a kept figure's strings are then given back in
    the source's own characters (the evidence by its offsets).
    """
    figures, rejected, uncovered = [], [], []
    for c in candidates:
        m = c.mention
        figure = {"indicator": labels.get(c.id, "other"), "label": c.label, "value": m.value,
                  "unit": m.unit, "qualifier": m.qualifier, "target": c.target, "evidence": c.evidence}
        source = {"label": cleaned.restore(c.label, c.evidence_start), "unit": cleaned.restore(m.unit, m.end),
                  "evidence": cleaned.original[c.evidence_start:c.evidence_start + len(c.evidence)]}
        if figure["indicator"] in (NONE, NOT_A_STATISTIC):
            decision = judged.get(c.id)
            aside = figure["indicator"] == NOT_A_STATISTIC
            by = f"labeller (p {decision.p_stat:.2f})" if aside and decision else "model"
            entry: dict[str, Any] = {"value": m.value, "unit": m.unit, "start": m.start, "end": m.end,
                                     "evidence": c.evidence, "reason": f"{by}: not a statistic"}
            if aside:  # the figure it would have been, so a reviewer can restore it (llmx review)
                entry["figure"] = figure | source | {"indicator": OTHER}
            uncovered.append(entry)
            continue
        verdict = grounding.check(figure, near=m.start)
        if verdict.ok and verdict.mention is not None:
            figures.append(figure | source | {"start": verdict.mention.start, "end": verdict.mention.end,
                                              "verified": True} | _doubt(judged.get(c.id)))
        else:
            rejected.append({"item": figure, "reason": "; ".join(verdict.problems)})
    return figures, rejected, uncovered


def _doubt(decision: Decision | None) -> dict[str, Any]:
    """A figure's ``confidence`` and ``unsure`` (``None``/``False`` where no labeller judged it)."""
    if decision is None:
        return {"confidence": None, "unsure": False}
    return {"confidence": decision.confidence, "unsure": decision.unsure}
