"""Labels code gives without a model: the cue words' key, else the catalogue ranker's.

The ``rules`` design is these alone; every other design starts from them
(``label.py``): the learned labeller boosts the cues' key, the hybrid
designs read a number's name with the model and place it with the same
cues, and the model designs fall back to these labels when an answer stays
unusable.
"""

from __future__ import annotations

from collections.abc import Sequence

from llmx.engine.candidates import Candidate
from llmx.reports.catalogue import OTHER, Catalogue
from llmx.reports.cues import Cues
from llmx.engine.cue_rules import cue_rules

TOPK = 4
_CONFIDENT = 0.4  # ranker score above which its top key is taken as is
_CONTEXT_WEIGHT = 0.2
_SUB_BREAKDOWN = ("其中", "含", "包括")


def rank(c: Candidate, catalogue: Catalogue, top: int = TOPK) -> list[tuple[str, float]]:
    """Keys for a candidate, scored on its own clause first and its sentence a little.

    The sentence often names a neighbouring figure too; weighting the clause
    keeps that neighbour's key from winning.
    """
    local = dict(catalogue.rank(_local_text(c), c.mention.unit, top=len(catalogue.keys)))
    around = dict(catalogue.rank(c.context, c.mention.unit, top=len(catalogue.keys)))
    scored = sorted(((k, v + _CONTEXT_WEIGHT * around.get(k, 0.0)) for k, v in local.items()),
                    key=lambda kv: kv[1], reverse=True)
    return scored[:top]


def _local_text(c: Candidate) -> str:
    """The clause, plus the model's reading of it when that says more than the clause."""
    return c.evidence if c.reading in c.evidence else f"{c.reading} {c.evidence}"


def rule_labels(candidates: Sequence[Candidate], catalogue: Catalogue) -> dict[int, str]:
    """Ranker labels; where it is unsure, ``other``."""
    return {c.id: key or OTHER for c, key in zip(candidates, _decide(candidates, catalogue))}


def unsure(candidates: Sequence[Candidate], catalogue: Catalogue) -> list[Candidate]:
    """Candidates the ranker cannot place: what a model is asked about in the hybrid design."""
    return [c for c, key in zip(candidates, _decide(candidates, catalogue)) if key is None]


def _decide(candidates: Sequence[Candidate], catalogue: Catalogue) -> list[str | None]:
    """A confident key, or the key of the figure a sub-breakdown breaks down, else None."""
    if catalogue.cues is not None:
        return [_by_cue(c, catalogue.cues) for c in candidates]
    keys: list[str | None] = []
    for i, c in enumerate(candidates):
        key, score = rank(c, catalogue, top=1)[0]
        if score >= _CONFIDENT:
            keys.append(key)
        elif i and keys[-1] not in (None, OTHER) and _breaks_down(candidates[i - 1], c):
            keys.append(keys[-1])
        else:
            keys.append(None)
    return keys


def cue_keys(candidates: Sequence[Candidate], catalogue: Catalogue) -> list[str | None]:
    """The cues' own decision per candidate (``None``: no cue places it), a feature of the learned labeller."""
    cues = catalogue.cues
    return [_by_cue(c, cues) if cues is not None else None for c in candidates]


def _by_cue(c: Candidate, cues: Cues) -> str | None:
    return cue_rules(cues).label(c.window, c.mention.unit, c.reading) if c.window else None


def _breaks_down(prev: Candidate, c: Candidate) -> bool:
    """``c`` follows ``prev`` in the same sentence with the same unit, or opens with 其中."""
    same_sentence = c.sentence_start == prev.sentence_start or c.evidence.startswith(_SUB_BREAKDOWN)
    return same_sentence and c.mention.unit == prev.mention.unit and c.mention.start > prev.mention.start
