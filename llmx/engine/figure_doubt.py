"""How sure llmx is of a figure: a second small model reading what the labeller says of it.

The labeller (``learned.py``) gives every candidate a probability that it is a statistic and a
probability per indicator; the cues give their key.  Whether the figure that comes out is right
shows in how those agree: a low ``p_stat``, a key the model itself gives little weight, a model
that speaks against the cue, probabilities spread over many keys, a kind of number that goes
wrong more often than most (``DOUBT_KINDS``: a count up to ten in words, no unit, a far cue).
A logistic regression over those few facts, trained by ``llmx train`` on candidates of reports
held out of the labeller's fit (stacking, ``llmx/eval/train.py``), predicts that the figure is
right.  Held out by set (``bench/flag_signals.py``) it flags more of the errors at the same
share of figures than the hand-set product of ``p_stat`` and the key's probability it replaced.

Its weights are a few dozen named numbers, kept in the labeller file's ``info``.  The features
are built as one matrix for all of a report's candidates (``doubt_rows``), since a rules run
judges every figure and a loop of dictionaries cost it a sixth of its throughput.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from llmx.engine.doubt_model import DoubtRows

if TYPE_CHECKING:
    import numpy as np

#: What the doubt model reads of every figure, besides which key it has and which kinds of number it is.
MEASURES = ("log_p_stat", "log_p_key", "log_p_cue", "model_agrees", "margin", "entropy", "cue_other")
_FLOOR = 1e-6  # under log, a probability of zero


def doubt_rows(probs: np.ndarray, classes: Sequence[str], p_stat: np.ndarray, keys: Sequence[str],
               rules: Sequence[str], kinds: Sequence[Sequence[str]], kind_names: Sequence[str]) -> DoubtRows:
    """What the doubt model reads of each figure: ``probs`` over ``classes``, ``p_stat``, the key
    given and the cues' key (``other`` where no cue places it: ``cue_other``), and which of
    ``kind_names`` the figure is of (``kinds``).  The key's own column (``key=…``) says whether
    it is ``other``."""
    import numpy as np

    n = len(keys)
    if not len(probs) == len(p_stat) == len(rules) == len(kinds) == n:
        raise ValueError("doubt_rows: probabilities, p_stat, keys, rules and kinds must have one entry per figure")
    index = {k: j for j, k in enumerate(classes)}
    rows = np.arange(n)
    key_at = np.array([index.get(k, -1) for k in keys], dtype=np.intp)
    cue_at = np.array([index.get(r, -1) for r in rules], dtype=np.intp)
    own = np.where(key_at >= 0, probs[rows, np.maximum(key_at, 0)], 0.0) if n else np.zeros(0)
    cue = np.where(cue_at >= 0, probs[rows, np.maximum(cue_at, 0)], 0.0) if n else np.zeros(0)
    top = -np.sort(-probs, axis=1)
    margin = top[:, 0] - top[:, 1] if probs.shape[1] > 1 else np.ones(n)
    keys_arr, rules_arr = np.array(keys, dtype=object), np.array(rules, dtype=object)
    measures = np.column_stack([
        np.log(p_stat + _FLOOR), np.log(own + _FLOOR), np.log(cue + _FLOOR), keys_arr == rules_arr, margin,
        -(probs * np.log(probs + 1e-12)).sum(axis=1), rules_arr == "other",
    ]).astype(float) if n else np.zeros((0, len(MEASURES)))
    chosen = np.zeros((n, len(classes)))
    chosen[rows[key_at >= 0], key_at[key_at >= 0]] = 1.0
    kind_at = {k: j for j, k in enumerate(kind_names)}
    of_kind = np.zeros((n, len(kind_names)))
    for i, row_kinds in enumerate(kinds):
        of_kind[i, [kind_at[k] for k in row_kinds]] = 1.0
    names = (*MEASURES, *(f"key={c}" for c in classes), *(f"kind={k}" for k in kind_names))
    return DoubtRows(names, np.hstack([measures, chosen, of_kind]))
