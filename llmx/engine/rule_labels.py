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
        return _with_wholes(candidates, [_by_cue(c, catalogue.cues) for c in candidates], catalogue.cues)
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


def parts_take_wholes(candidates: Sequence[Candidate], labels: dict[int, str], catalogue: Catalogue,
                      own: Sequence[str | None] | None = None) -> dict[int, str]:
    """``labels`` with the catalogue's breakdown rule applied over them: a part (其中…) that no cue places
    and that is labelled a statistic takes its whole's label as it now stands.  The ``learned`` design
    decides each number alone, so it can relabel a whole and leave its parts, or doubt a part the catalogue
    gives the whole's key (收到行政复议申请87件。其中，受理66件: 受理 alone reads as no case).  ``own``: the
    candidates' own cue keys (``cue_keys``), when the caller has them."""
    cues = catalogue.cues
    if cues is None:
        return labels
    statistic = catalogue.keys  # ``other`` among them
    # the keys wholes are read from; a number set aside (no key of the catalogue) is a whole of nothing
    given = [labels[c.id] if labels[c.id] in statistic else OTHER for c in candidates]
    open_parts = [c.part_of is not None and key is None and labels[c.id] in statistic
                  for c, key in zip(candidates, own if own is not None else cue_keys(candidates, catalogue))]
    filled = _with_wholes(candidates, [None if part else key for part, key in zip(open_parts, given)], cues, given)
    return {c.id: whole if part and whole else labels[c.id] for c, part, whole in zip(candidates, open_parts, filled)}


def _by_cue(c: Candidate, cues: Cues) -> str | None:
    return cue_rules(cues).label(c.window, c.mention.unit, c.reading) if c.window else None


def _with_wholes(candidates: Sequence[Candidate], keys: list[str | None], cues: Cues,
                 fallback: Sequence[str | None] | None = None) -> list[str | None]:
    """A part of a breakdown (其中…, ``Candidate.part_of``) that no cue places takes its whole's key: the
    catalogue's rule.  A part a cue places keeps that key (执法人员12名，其中持证执法人员8名: the labels
    count the certified apart from the staff; 其中不予处罚12件: a stop word is a decision too).  The
    breakdown ends at the first number the whole's indicator does not count in (…其中涉企12件，开展培训3次，
    发放证件20件: 3次 ends it, so 20件 is no part).  A part its whole does not place takes ``fallback``'s
    key, in order, so that parts of its own breakdown read that."""
    at = {c.id: i for i, c in enumerate(candidates)}
    rules = cue_rules(cues)
    closed: set[int] = set()
    for i, c in enumerate(candidates):
        whole = keys[at[c.part_of]] if c.part_of in at and c.part_of not in closed else None
        if whole not in (None, OTHER):
            if c.window is None or not rules.admits(whole, rules.kinds_at(c.window, c.mention.unit)):
                closed.add(c.part_of)  # type: ignore[arg-type]  # part_of is in ``at``, so not None
            elif keys[i] is None:
                keys[i] = whole
        if keys[i] is None and fallback is not None:
            keys[i] = fallback[i]
    return keys


def _breaks_down(prev: Candidate, c: Candidate) -> bool:
    """``c`` follows ``prev`` with the same unit, in the same sentence or as a part of its breakdown (其中…)."""
    related = c.part_of == prev.id or c.sentence_start == prev.sentence_start
    return related and c.mention.unit == prev.mention.unit and c.mention.start > prev.mention.start
