"""The project's scorer agrees with the contract's independent implementation on every gold set.

``tests/oracle/score.py`` is a copy of the shared reference scorer.  Both score
the same predictions (the rules design, no model) on every bundled set (the
gold sets and the probes); every metric both report must be equal.
"""

import json
import sys

import pytest

from llmx.eval.evaluate import HELD_OUT_SETS, TRAINING_SETS
from llmx.eval.scoring import score_dirs
from conftest import ROOT, contract_json

sys.path.insert(0, str(ROOT / "tests" / "oracle"))
import score as oracle  # noqa: E402

# every bundled set: the gold sets and the probes, taught and held out (scoring only; nothing is fitted)
SETS = {s.name: (ROOT / s.gold_dir, ROOT / s.source_dir) for s in (*TRAINING_SETS, *HELD_OUT_SETS)}
PAIRS = {"figure_precision": "figure_p", "figure_recall": "figure_r", "figure_f1": "figure_f1",
         "catalogue_f1": "catalogue_f1", "ungrounded": "ungrounded", "indicator_accuracy": "indicator_acc",
         "unit_accuracy": "unit_acc", "qualifier_accuracy": "qualifier_acc", "target_accuracy": "target_acc",
         "meta_mean": "meta_mean", "sections_present_accuracy": "sec_present", "sections_heading_accuracy": "sec_heading",
         **{f"{key}_{m}": f"list_{key}_{m}" for key in ("shortcomings", "next_year_plans")
            for m in ("precision", "recall", "f1")}}


def _oracle_total(gold_dir, pred_dir, src_dir) -> dict:
    rows = {}
    for gold_path in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pred = json.loads((pred_dir / gold_path.name).read_text(encoding="utf-8"))
        rows[gold_path.stem] = oracle.score_doc(gold, pred, (src_dir / f"{gold_path.stem}.txt").read_text())
    total = lambda k: sum(r[k] for r in rows.values())  # noqa: E731
    p, r, f = oracle.prf(total("fig_tp"), total("fig_pred"), total("fig_gold"))
    out = {"figure_p": p, "figure_r": r, "figure_f1": f, "ungrounded": total("ungrounded"),
           "catalogue_f1": oracle.prf(total("cat_tp"), total("cat_pred"), total("cat_gold"))[2]}
    for k in ("indicator", "unit", "qualifier", "target"):
        hit, n = (sum(r[f"acc_{k}"][i] for r in rows.values()) for i in (0, 1))
        out[f"{k}_acc"] = hit / n if n else None
    fields = sorted({k for r in rows.values() for k in r["meta"]})
    out["meta_mean"] = sum(sum(r["meta"][k] for r in rows.values()) / len(rows) for k in fields) / len(fields)
    for part in ("sec_present", "sec_heading"):  # sections and lists are labelled in the corpus only
        hit, n = (sum(r[part][i] for r in rows.values() if part in r) for i in (0, 1))
        out[part] = hit / n if n else None
    for key in ("shortcomings", "next_year_plans"):
        tp, pred, gold = (sum(r[f"list_{key}"][i] for r in rows.values() if f"list_{key}" in r) for i in (0, 1, 2))
        if gold or pred:
            p, r, f = oracle.prf(tp, pred, gold)
            out |= {f"list_{key}_precision": p, f"list_{key}_recall": r, f"list_{key}_f1": f}
    return out


@pytest.mark.parametrize("name", sorted(SETS))
def test_own_scorer_agrees_with_the_oracle(name, tmp_path):
    gold_dir, src_dir = SETS[name]
    for src in sorted(src_dir.glob("*.txt")):
        result = contract_json(src, design="rules")
        (tmp_path / f"{src.stem}.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    ours = score_dirs(tmp_path, gold_dir, src_dir)["total"]
    theirs = _oracle_total(gold_dir, tmp_path, src_dir)
    for mine, ref in PAIRS.items():
        if theirs.get(ref) is None:  # a part the set does not label: neither scorer scores it
            assert ours.get(mine) is None, mine
        else:
            assert ours[mine] == pytest.approx(theirs[ref], abs=1e-9), mine
    assert name != "corpus" or all(theirs.get(ref) is not None for ref in PAIRS.values())  # the corpus labels all


def test_own_scorer_agrees_with_the_oracle_on_damaged_predictions(tmp_path):
    """Predictions that are right hide scorer bugs (a missed section counted as correct scored 1.0 either
    way): damage the corpus predictions in every part the contract scores, and both scorers must agree."""
    gold_dir, src_dir = SETS["corpus"]
    for n, src in enumerate(sorted(src_dir.glob("*.txt"))):
        result = contract_json(src, design="rules")
        key = sorted(result["sections"])[n % len(result["sections"])]
        result["sections"][key] = {"present": False, "heading": None}  # a section missed
        if n % 2:
            del result["sections"][sorted(result["sections"])[-1]]  # a section not even named
        other = sorted(result["sections"])[(n + 1) % len(result["sections"])]
        if result["sections"][other]["present"]:
            result["sections"][other]["heading"] += "（续）"  # a heading misread
        result["shortcomings"] = result["shortcomings"][1:] + ["与原文无关的一条"]  # an item missed, one made up
        result["next_year_plans"] = result["next_year_plans"][:-1]
        result["figures"] = result["figures"][1:]  # a figure missed
        if result["figures"]:
            result["figures"][0]["indicator"] = "other"  # an indicator wrong
        result["meta"]["title"] = None  # a meta field lost
        (tmp_path / f"{src.stem}.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    ours = score_dirs(tmp_path, gold_dir, src_dir)["total"]
    theirs = _oracle_total(gold_dir, tmp_path, src_dir)
    for mine, ref in PAIRS.items():
        assert ours[mine] == pytest.approx(theirs[ref], abs=1e-9), mine
    assert ours["sections_present_accuracy"] < 1 and ours["shortcomings_recall"] < 1  # the damage was seen


def test_own_scorer_agrees_with_the_oracle_on_damaged_gold_and_figures(tmp_path):
    """The gold sets locate every figure, so the paths for figures that cannot be located run on no gold
    set: gold and predicted figures without evidence or with evidence not in the source, and predicted
    values that are no number.  Both scorers must agree on them too."""
    gold_src, src_dir = SETS["corpus"]
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    gold_dir.mkdir()
    pred_dir.mkdir()
    lost = [lambda f: f.pop("evidence"), lambda f: f.update(evidence="原文中没有的一句话"), lambda f: f.update(evidence="")]
    for n, src in enumerate(sorted(src_dir.glob("*.txt"))):
        gold = json.loads((gold_src / f"{src.stem}.json").read_text(encoding="utf-8"))
        pred = contract_json(src, design="rules")
        for i, damage in enumerate(lost):
            damage(gold["figures"][(n + 2 * i) % len(gold["figures"])])
            damage(pred["figures"][(n + 3 * i + 1) % len(pred["figures"])])
        for i, value in enumerate(("若干", None)):  # a predicted value that is no number
            pred["figures"][(n + 5 * i + 2) % len(pred["figures"])]["value"] = value
        (gold_dir / f"{src.stem}.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
        (pred_dir / f"{src.stem}.json").write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
    ours = score_dirs(pred_dir, gold_dir, src_dir)["total"]
    theirs = _oracle_total(gold_dir, pred_dir, src_dir)
    for mine, ref in PAIRS.items():
        assert ours[mine] == pytest.approx(theirs[ref], abs=1e-9), mine
    assert ours["ungrounded"] > 0 and ours["gold_unlocated"] > 0 and ours["figure_recall"] < 1  # the damage was seen


def _our_counts(pred: dict, gold: dict, source: str) -> dict:
    from llmx.eval.scoring.report import score_report

    return score_report(pred, gold, source)["counts"]


def test_a_number_written_twice_in_its_evidence_and_a_bare_magnitude_are_placed_as_the_oracle_places_them():
    """Where the value stands twice in one evidence (第一责任人…各1次) a figure is at its first place not
    taken; a magnitude word standing alone (近千人) is no number: the oracle's rules, which the project's
    scorer read otherwise on six probes."""
    source = "开展第一责任人述法测评各1次。召开会议1次。惠及师生近千人。"
    gold = {"meta": {}, "figures": [
        {"indicator": "other", "value": 1, "unit": "次", "qualifier": "exact", "target": False, "evidence": "述法测评各1次"},
        {"indicator": "other", "value": 1000, "unit": "人", "qualifier": "approx", "target": False, "evidence": "近千人"}]}
    pred = {"meta": {}, "figures": [
        {"indicator": "other", "value": 1, "unit": "次", "qualifier": "exact", "target": False,
         "evidence": "开展第一责任人述法测评各1次"},
        {"indicator": "other", "value": 1000, "unit": "人", "qualifier": "approx", "target": False, "evidence": "近千人"}]}
    theirs = oracle.score_doc(gold, pred, source)
    ours = _our_counts(pred, gold, source)
    assert (theirs["fig_tp"], theirs["ungrounded"]) == (0, 1)
    assert (ours["figure_tp"], ours["ungrounded"]) == (theirs["fig_tp"], theirs["ungrounded"])


