"""Which doubt score flags the most errors: held-out, at the example level.

For each held-out group (each set in turn, then 5 folds by report) the
labeller is trained on the rest, and every candidate of the held-out reports
gets the model's probability that it is a statistic (``p_stat``) and its own,
unboosted probability of the cues' key (``p_key``), and the product of one
minus the training error rate of each kind of number it is (``kinds``,
``DOUBT_KINDS``).  A candidate is an error when it is not a statistic or the
cues' key is not the gold indicator (what the ``rules`` design would output).
For each exponent ``a`` of the score ``p_stat * p_key ** a``, with and without
``kinds``, the least sure share of candidates is flagged and the errors among
them are counted; the boosted probability (``boosted``) is the score llmx used
before ``DOUBT_EXPONENT``, and ``a=0.5 kinds`` the one it uses now.

    python bench/flag_signals.py [--share 0.22 0.25]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmx.reports.report_type import load_report_type  # noqa: E402
from llmx.eval.evaluate import DEFAULT_SETS  # noqa: E402
from llmx.eval.train import _fit_once, _folds, _identity, catalogue_examples, collect, doubt_rates  # noqa: E402

EXPONENTS = (0.0, 0.25, 0.5, 0.75, 1.0)
BOOST = 6.0  # the shipped labeller's boost, for the score used before DOUBT_EXPONENT


def held_out_signals(type_name: str = "fazhi") -> dict[str, list[tuple[float, float, float, bool]]]:
    """Per scheme: (p_stat, p_key, kinds, error) of every held-out candidate."""
    report_type = load_report_type(type_name)
    examples = collect(report_type, DEFAULT_SETS)
    catalogue = catalogue_examples(report_type)
    by_set = [{e.doc for e in examples if e.set == s} for s in sorted({e.set for e in examples})]
    out: dict[str, list[tuple[float, float, float, bool]]] = {}
    for scheme, groups in (("leave_one_set_out", by_set), ("kfold", _folds(examples))):
        rows = out.setdefault(scheme, [])
        for held in groups:
            train = [e for e in examples if e.doc not in held]
            test = [e for e in examples if e.doc in held and e.candidate]
            model = _fit_once(train, catalogue, 0.0, (_identity(), _identity()), 0.0,
                              {"doubt_rates": doubt_rates(train)})
            probs, p_stat = model.probabilities([e.row for e in test])
            kinds = model.kind_factors([e.row for e in test])
            index = {k: j for j, k in enumerate(model.classes)}
            for i, e in enumerate(test):
                p_key = float(probs[i, index[e.rule]]) if e.rule in index else 1.0
                rows.append((float(p_stat[i]), p_key, float(kinds[i]), not e.cues_right))
    return out


def flagged_errors(rows: list[tuple[float, float, float, bool]], score, share: float) -> tuple[int, int]:
    """Errors among the least sure ``share`` of rows, and all errors."""
    ranked = sorted(rows, key=score)
    cut = math.ceil(share * len(ranked))
    return sum(r[3] for r in ranked[:cut]), sum(r[3] for r in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--share", type=float, nargs="+", default=[0.22, 0.25])
    args = parser.parse_args()
    signals = held_out_signals()

    def boosted(r: tuple[float, float, float, bool]) -> float:
        p_stat, p_key, _, _ = r
        return p_stat * p_key * math.exp(BOOST) / (p_key * math.exp(BOOST) + 1 - p_key)

    scores = {"boosted": boosted, **{f"a={a}": (lambda r, a=a: r[0] * r[1] ** a) for a in EXPONENTS},
              **{f"a={a} kinds": (lambda r, a=a: r[0] * r[1] ** a * r[2]) for a in EXPONENTS}}
    print("score         " + "  ".join(f"{scheme[:5]}@{share:.2f}" for scheme in signals for share in args.share))
    for name, score in scores.items():
        cells = []
        for rows in signals.values():
            for share in args.share:
                hit, total = flagged_errors(rows, score, share)
                cells.append(f"{hit:>3}/{total:<3}   ")
        print(f"{name:13s} " + "  ".join(cells))


if __name__ == "__main__":
    main()
