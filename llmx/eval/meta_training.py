"""Fitting the meta doubt model (``engine/meta_doubt.py``) on the gold sets' metadata.

Every gold report's metadata is read by the code (``pipeline.analyse``) and
each field scored right or wrong against its label the way the scorer
scores it.  A logistic regression over what ``meta_doubt_rows`` reads of each
field predicts that it is right.  Where it flags is chosen held out: each
set's fields are scored by a regression fitted without that set, and
``unsure_below`` is the score under which the least sure
``META_UNSURE_SHARE`` of those fall.  Held out that way, the share of wrong
fields it flags is recorded in the labeller's ``info`` beside the share
flagged.

The metadata code was written on these sets, so it is wrong on them less
often than on a new report; what the regression learns is which readings go
wrong, not how often, which is why the flagged share, not a probability, is
what is chosen.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmx.engine.doubt_model import DoubtModel, DoubtRows
from llmx.engine.meta_doubt import MetaDoubt, meta_readings
from llmx.pipeline import Analysis
from llmx.eval.scoring.fields import meta_field_correct

if TYPE_CHECKING:
    import numpy as np

#: The share of fields, held out by set, that are flagged: about one field of a report's eleven.
META_UNSURE_SHARE = 0.10
_C = 1.0  # the regression's inverse regularisation (scikit-learn's default; 0.1 and 0.3 caught fewer held out)
_FOLDS = 5  # where fewer than two sets are given, reports are held out in this many groups


@dataclass(frozen=True)
class MetaExample:
    """One metadata field of one gold report: what the doubt model reads of it, and whether it is right."""

    set: str
    doc: str
    field: str
    row: dict[str, float]
    right: bool


def meta_examples(set_name: str, doc: str, found: Analysis, labelled: Any) -> list[MetaExample]:
    """Each meta field of one analysed gold report that its labels (``labelled``, the gold ``meta``) give:
    what the model reads of it, and whether the code read it right.  ``llmx/eval/train.py`` collects
    them beside the report's numbers, from the same analysis."""
    if not isinstance(labelled, dict):
        return []
    return [MetaExample(set_name, doc, name, row, meta_field_correct(name, found.meta.get(name), labelled[name]))
            for name, row in meta_readings(found.meta, found.cleaned).items() if name in labelled]


def meta_data_hash(examples: Sequence[MetaExample]) -> str:
    """A digest of what the meta doubt model learned from: every field's reading and verdict."""
    h = hashlib.sha256()
    for e in examples:
        h.update(json.dumps([e.doc, e.field, sorted(e.row.items()), e.right], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()[:16]


def fit_meta_doubt(examples: Sequence[MetaExample]) -> tuple[MetaDoubt | None, dict[str, Any]]:
    """The model fitted on every field, its threshold chosen held out, and what held out it caught
    (None, with the counts, where no field is wrong or all are: nothing to learn)."""
    import numpy as np

    right = np.array([e.right for e in examples], dtype=bool)
    wrong = int((~right).sum())
    stats: dict[str, Any] = {"fields": len(examples), "wrong": wrong, "share": META_UNSURE_SHARE,
                             "data_hash": meta_data_hash(examples)}
    if wrong == 0 or wrong == len(examples):
        return None, stats
    rows = DoubtRows.of_dicts([e.row for e in examples])
    groups = _groups(examples)
    held = np.full(len(examples), np.nan)  # a fold whose rest shows one outcome has nothing to learn from: unscored
    for g in np.unique(groups):
        out = groups == g
        if right[~out].any() and not right[~out].all():
            held[out] = _regression(rows.take(~out), right[~out]).p_right(rows.take(out))
    full = _regression(rows, right)
    scored = ~np.isnan(held)
    if not scored.any():  # no fold could be held out: the full model's own scores stand in
        held, scored = full.p_right(rows), np.ones(len(examples), dtype=bool)
    unsure_below = float(np.quantile(held[scored], META_UNSURE_SHARE))
    flagged = scored & (held <= unsure_below)
    stats |= {"held_out": held_out_by(examples), "held_out_fields": int(scored.sum()),
              "held_out_flagged": round(float(flagged.sum() / scored.sum()), 4),
              "held_out_capture": round(float((flagged & ~right).sum() / max(1, int((scored & ~right).sum()))), 4)}
    return MetaDoubt(full, unsure_below), stats


def held_out_by(examples: Sequence[MetaExample]) -> str:
    """How the threshold's folds are held out: ``by set``, or ``by report`` where one set is given."""
    return "by set" if len({e.set for e in examples}) > 1 else "by report"


def _groups(examples: Sequence[MetaExample]) -> np.ndarray:
    """Sets, where two or more are given; else reports by a stable hash."""
    import numpy as np

    if held_out_by(examples) == "by set":
        return np.array([e.set for e in examples])
    return np.array([zlib.crc32(e.doc.encode("utf-8")) % _FOLDS for e in examples])


def _regression(rows: DoubtRows, right: np.ndarray) -> DoubtModel:
    from sklearn.linear_model import LogisticRegression

    fitted = LogisticRegression(C=_C, max_iter=2000).fit(rows.matrix, right)
    return DoubtModel({n: float(w) for n, w in zip(rows.names, fitted.coef_[0]) if w}, float(fitted.intercept_[0]))
