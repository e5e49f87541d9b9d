"""Which doubt score flags the most errors: held out by set, at the shipped labeller's settings.

Each training set (``TRAINING_SETS``) is held out in turn; the labeller is trained on the rest
with the shipped boost and floor, and every candidate of the held-out reports that the
``learned`` design keeps as a figure (``p_stat`` at or over the floor) is an error when it is no
statistic or its key is not the gold indicator.  Three scores are compared:

- ``p_stat``: the probability of a statistic alone;
- ``product``: ``p_stat × √p_key × Π(1 − rate)``, the hand-set score llmx shipped until
  2026-12-07 (``rate``: how often the cues' key was wrong in training for each ``DOUBT_KINDS``
  kind the candidate is, drawn toward the overall rate by two pseudo-numbers);
- ``doubt model``: ``engine/figure_doubt.py``, fitted as ``llmx train`` fits it, on k folds of
  the training sets only.

Each is read two ways: the least sure ``--share`` of each held-out set's figures (scores
compared at the same share), and the threshold training would set (``UNSURE_SHARE`` of the
training folds' held-out ``learned`` figures), which shows how far the share flagged drifts.

    python bench/flag_signals.py [--share 0.25]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmx.engine.learned import DOUBT_KINDS, load_labeller  # noqa: E402
from llmx.eval.evaluate import TRAINING_SETS  # noqa: E402
from llmx.eval.train import (  # noqa: E402
    Example, _fit_doubt, _fit_once, _flag_threshold, _held_out_doubt, _identity, catalogue_examples, collect,
)
from llmx.reports.report_type import load_report_type  # noqa: E402

_PRIOR = 2.0  # pseudo-numbers at the overall rate, as the product score drew its rates


def kind_rates(examples: list[Example]) -> dict[str, float]:
    """Per ``DOUBT_KINDS`` kind, how often the cues' key was wrong for its candidates (the product's rates)."""
    wrong = [(e.row, not e.cues_right) for e in examples if e.candidate]
    overall = sum(w for _, w in wrong) / len(wrong)
    return {kind: (sum(w for row, w in wrong if kind in row) + overall * _PRIOR)
            / (sum(kind in row for row, _ in wrong) + _PRIOR) for kind in DOUBT_KINDS}


def held_out(type_name: str = "fazhi") -> list[dict[str, np.ndarray]]:
    """Per held-out set: each kept figure's three scores, whether it is an error, and each score's
    threshold as training would set it."""
    report_type = load_report_type(type_name)
    shipped = load_labeller(report_type.labeller_file)
    boost, floor, penalty = shipped.boost, shipped.stat_below, shipped.other_penalty
    examples = collect(report_type, TRAINING_SETS)
    catalogue = catalogue_examples(report_type)
    out = []
    for name in sorted({e.set for e in examples}):
        train = [e for e in examples if e.set != name]
        test = [e for e in examples if e.set == name and e.candidate]
        model = _fit_once(train, catalogue, boost, (_identity(), _identity()), 0.0, {"other_penalty": penalty})
        inner = _held_out_doubt(train, catalogue, boost, floor, penalty)
        doubt, inner_raw = _fit_doubt(inner)
        keys, p_stat, doubt_rows = model.doubt_inputs([e.row for e in test], [e.rule for e in test])
        probs, _ = model.probabilities([e.row for e in test])
        index = {k: j for j, k in enumerate(model.classes)}
        rates = kind_rates(train)
        product = np.array([p * (probs[i, index[k]] if k in index else 0.0) ** 0.5
                            * math.prod(1 - rates[kind] for kind in DOUBT_KINDS if kind in e.row)
                            for i, (p, k, e) in enumerate(zip(p_stat, keys, test))])
        kept = p_stat >= floor
        out.append({"set": name, "error": np.array([not (e.stat and k == e.indicator) for k, e in zip(keys, test)])[kept],
                    "p_stat": p_stat[kept], "product": product[kept], "doubt model": doubt.p_right(doubt_rows)[kept],
                    "doubt model threshold": _flag_threshold(inner_raw[inner.learned])})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--share", type=float, default=0.25, help="share of each held-out set's figures flagged")
    args = parser.parse_args()
    sets = held_out()
    errors = sum(int(s["error"].sum()) for s in sets)
    figures = sum(len(s["error"]) for s in sets)
    print(f"{len(sets)} sets held out in turn: {figures} kept figures, {errors} errors")
    print(f"{'score':<14} {'caught at ' + format(args.share, '.0%') + ' of each set':>26}")
    for score in ("p_stat", "product", "doubt model"):
        caught = 0
        for s in sets:
            flagged = s[score] <= np.quantile(s[score], args.share)
            caught += int((flagged & s["error"]).sum())
        print(f"{score:<14} {caught:>10} / {errors} = {caught / errors:.3f}")
    caught = flagged_total = 0
    for s in sets:
        flagged = s["doubt model"] <= s["doubt model threshold"]
        caught += int((flagged & s["error"]).sum())
        flagged_total += int(flagged.sum())
    print(f"doubt model at the threshold training sets: {caught} / {errors} = {caught / errors:.3f} "
          f"caught, {flagged_total / figures:.1%} of figures flagged")


if __name__ == "__main__":
    main()
