"""Hand-made cases for llmx.eval.scoring whose right answers are worked out in comments."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from llmx.errors import LlmxError
from llmx.eval.scoring import check_thresholds, score_dirs, score_report, score_set
from llmx.eval.scoring.fields import match_items, meta_field_correct

ROOT = Path(__file__).resolve().parents[1]
GOLD_DIR, CORPUS_DIR = ROOT / "eval" / "gold", ROOT / "eval" / "corpus"
GOLD_IDS = sorted(p.stem for p in GOLD_DIR.glob("*.json"))

# `审查机关合同合法性16份` occurs twice (p1 and p2); p2 is inside `全年审查…16份`.
SOURCE = ("一、工作情况\n全年开展普法宣传41场次，发放资料13500余份。"
          "审查机关合同合法性16份。另外，全年审查机关合同合法性16份，"
          "组织法治专题讲座 2 次，共有执法人员12人。\n二、存在问题\n")


def fig(indicator, value, unit, evidence, qualifier="exact", target=False):
    return {"indicator": indicator, "label": "", "value": value, "unit": unit,
            "qualifier": qualifier, "target": target, "evidence": evidence}


GOLD_FIGURES = [
    fig("publicity_events", 41, "场次", "开展普法宣传41场次"),
    fig("publicity_materials", 13500, "份", "发放资料13500余份", "approx"),
    fig("legality_reviews", 16, "份", "审查机关合同合法性16份"),
    fig("legality_reviews", 16, "份", "全年审查机关合同合法性16份"),
    fig("law_study_sessions", 2, "次", "组织法治专题讲座 2 次"),
]
GOLD = {
    "doc_id": "t",
    "meta": {"title": None, "report_year": 2023, "doc_number": None, "signers": [],
             "issuers": ["某镇人民政府"], "recipients": [], "cc": [], "date": None,
             "level": "township", "township": "某镇", "county": None},
    "sections": {k: {"present": k in ("measures", "shortcomings"), "heading": h}
                 for k, h in [("measures", "一、工作情况"), ("shortcomings", "二、存在问题"),
                              ("leader_duties", None), ("next_year", None), ("other", None)]},
    "figures": GOLD_FIGURES,
    "shortcomings": ["普法宣传不够深入"],
    "next_year_plans": [],
}


def pred_with(**changes):
    """A copy of GOLD with some blocks replaced."""
    pred = copy.deepcopy(GOLD)
    pred.update(copy.deepcopy(changes))
    return pred


def metrics(pred, gold=GOLD, source=SOURCE):
    return score_report(pred, gold, source)["metrics"]


# ------------------------------------------------------------------ figures

def test_perfect_match():
    m = metrics(pred_with())
    assert (m["figure_tp"], m["figure_fp"], m["figure_fn"]) == (5, 0, 0)
    assert m["figure_f1"] == m["catalogue_f1"] == m["meta_mean"] == m["list_f1"] == 1.0
    assert m["ungrounded"] == 0 and m["gold_unlocated"] == 0
    for name in ("indicator", "unit", "qualifier", "target"):
        assert m[f"{name}_accuracy"] == 1.0


def test_missing_figure():
    m = metrics(pred_with(figures=GOLD_FIGURES[:1] + GOLD_FIGURES[2:]))
    # tp 4, fn 1: P = 1, R = 4/5, F1 = 2*0.8/1.8
    assert (m["figure_tp"], m["figure_fp"], m["figure_fn"]) == (4, 0, 1)
    assert m["figure_precision"] == 1.0 and m["figure_recall"] == 0.8
    assert m["figure_f1"] == pytest.approx(8 / 9)
    assert m["catalogue_recall"] == 0.8


def test_extra_figure():
    extra = fig("other", 12, "人", "共有执法人员12人")
    m = metrics(pred_with(figures=GOLD_FIGURES + [extra]))
    assert (m["figure_tp"], m["figure_fp"], m["figure_fn"]) == (5, 1, 0)
    assert m["figure_precision"] == pytest.approx(5 / 6) and m["ungrounded"] == 0
    assert m["catalogue_f1"] == 1.0  # indicator "other" is outside the catalogue


def test_wrong_indicator():
    figures = copy.deepcopy(GOLD_FIGURES)
    figures[0]["indicator"] = "publicity_reach"
    result = score_report(pred_with(figures=figures), GOLD, SOURCE)
    m = result["metrics"]
    assert m["figure_f1"] == 1.0 and m["indicator_accuracy"] == 0.8 and m["unit_accuracy"] == 1.0
    # catalogue: (publicity_reach, 41) is an fp, (publicity_events, 41) an fn: 4/5 each way
    assert (m["catalogue_precision"], m["catalogue_recall"]) == (0.8, 0.8)
    wrong = [p for p in result["figures"]["matched"] if p["wrong"]]
    assert [(p["gold_index"], p["wrong"]) for p in wrong] == [(0, ["indicator"])]


def test_unit_compared_folded():
    figures = copy.deepcopy(GOLD_FIGURES)
    figures[0]["unit"] = " 场次 "
    assert metrics(pred_with(figures=figures))["unit_accuracy"] == 1.0


def test_wrong_value_at_right_place_is_ungrounded():
    figures = copy.deepcopy(GOLD_FIGURES)
    figures[0]["value"] = 42  # evidence 开展普法宣传41场次 holds no 42
    result = score_report(pred_with(figures=figures), GOLD, SOURCE)
    m = result["metrics"]
    assert (m["figure_tp"], m["figure_fp"], m["figure_fn"], m["ungrounded"]) == (4, 1, 1, 1)
    assert result["figures"]["extra"][0]["ungrounded"] == "value_not_in_evidence"
    # catalogue: (publicity_events, 42) is an fp and (publicity_events, 41) an fn
    assert (m["catalogue_precision"], m["catalogue_recall"]) == (0.8, 0.8)


def test_evidence_not_in_source_is_ungrounded():
    figures = GOLD_FIGURES + [fig("other", 7, "次", "召开会议7次")]
    result = score_report(pred_with(figures=figures), GOLD, SOURCE)
    assert result["metrics"]["ungrounded"] == 1 and result["metrics"]["figure_fp"] == 1
    assert result["figures"]["extra"][0]["ungrounded"] == "evidence_not_in_source"


def test_evidence_whitespace_and_width_are_folded():
    figures = copy.deepcopy(GOLD_FIGURES)
    figures[4]["evidence"] = "组织法治专题讲座２次"  # full-width digit, no spaces
    assert metrics(pred_with(figures=figures))["figure_f1"] == 1.0


def test_evidence_twice_order_does_not_matter():
    # gold 2 may sit at p1 or p2, gold 3 only at p2; any order of predictions finds both
    assert metrics(pred_with(figures=list(reversed(GOLD_FIGURES))))["figure_tp"] == 5


def test_evidence_twice_single_prediction_matches_once():
    m = metrics(pred_with(figures=[GOLD_FIGURES[3]]))
    assert (m["figure_tp"], m["figure_fp"], m["figure_fn"]) == (1, 0, 4)


def test_evidence_twice_needs_maximum_matching():
    # Gold: G1 only at p2, G2 only at p1.  Prediction P1 (ambiguous evidence, p1 or p2,
    # first in document order, attributes equal to G1) and P2 (only p2).  Greedy gives
    # P1->G1 and leaves P2 unmatched; the maximum matching is P1->G2, P2->G1.
    g1 = fig("legality_reviews", 16, "份", "全年审查机关合同合法性16份")
    g2 = fig("other", 16, "份", "合法性16份。另外")
    gold = {**GOLD, "figures": [g2, g1]}
    p1 = fig("legality_reviews", 16, "份", "审查机关合同合法性16份")
    p2 = fig("legality_reviews", 16, "份", "全年审查机关合同合法性16份")
    m = metrics({**GOLD, "figures": [p1, p2]}, gold)
    assert (m["figure_tp"], m["figure_fp"], m["figure_fn"]) == (2, 0, 0)
    assert m["indicator_accuracy"] == 0.5  # P1 carries legality_reviews, G2 says other


def test_gold_003_identical_evidence_matched_properly():
    gold = json.loads((GOLD_DIR / "003_09ab63e389e62a59.json").read_text(encoding="utf-8"))
    source = (CORPUS_DIR / "003_09ab63e389e62a59.txt").read_text(encoding="utf-8")
    i, j = 2, 19  # 审查机关合同合法性16份 (line 25 or 43) and 全年审查机关合同合法性16份 (line 43)
    assert gold["figures"][i]["value"] == gold["figures"][j]["value"] == 16
    swapped = copy.deepcopy(gold)
    swapped["figures"][i], swapped["figures"][j] = swapped["figures"][j], swapped["figures"][i]
    m = score_report(swapped, gold, source)["metrics"]
    assert m["figure_tp"] == len(gold["figures"]) and m["figure_fp"] == m["figure_fn"] == 0
    only_full_year = {**gold, "figures": [gold["figures"][j]]}
    m = score_report(only_full_year, gold, source)["metrics"]
    assert (m["figure_tp"], m["figure_fp"]) == (1, 0)


# ------------------------------------------------------------------ meta, sections, lists

def variant(base: str, subs: int = 0, dels: int = 0) -> str:
    """``base`` with its first ``subs`` characters replaced and last ``dels`` dropped."""
    return "甲" * subs + base[subs:len(base) - dels]


def at_edge(base: str, subs: int, dels: int, threshold: float, above: bool) -> str:
    """The variant of ``base``, checked to fall on the side of ``threshold`` the case's comment says."""
    pred = variant(base, subs, dels)
    assert (fuzz.ratio(base, pred) / 100 >= threshold - 1e-9) == above
    return pred


@pytest.mark.parametrize("base,subs,dels,correct", [
    ("一二三四五六七八九十", 1, 0, True),              # 1 - 2/20 = 0.9 exactly: counts
    ("一二三四五六七八九十壹贰叁肆伍", 1, 1, False),    # 1 - 3/29 = 0.8966: just below
    ("一二三四五六七八九十壹贰叁肆伍陆", 1, 1, True),   # 1 - 3/31 = 0.9032: just above
])
def test_title_similarity_edge(base, subs, dels, correct):
    pred = at_edge(base, subs, dels, 0.9, correct)
    assert meta_field_correct("title", pred, base) is correct


def test_title_none_cases():
    assert meta_field_correct("title", None, None)
    assert not meta_field_correct("title", "某报告", None)
    assert not meta_field_correct("title", None, "某报告")


def test_meta_normalisation():
    assert meta_field_correct("signers", ["李 德铭", "柯荣国"], ["李德铭", "柯荣国"])
    assert not meta_field_correct("signers", ["柯荣国", "李德铭"], ["李德铭", "柯荣国"])  # ordered
    assert meta_field_correct("doc_number", "晋英委〔２０２４〕26号", "晋英委〔2024〕26号")
    assert not meta_field_correct("report_year", "2023", 2023)
    meta = {**GOLD["meta"], "level": "county", "cc": None}  # cc None == [] (none)
    m = metrics(pred_with(meta=meta))
    assert m["meta_level"] == 0.0 and m["meta_cc"] == 1.0
    assert m["meta_mean"] == pytest.approx(10 / 11)


@pytest.mark.parametrize("base,subs,dels,matched", [
    ("一二三四五", 2, 0, True),                        # 1 - 4/10 = 0.6 exactly: matches
    ("一二三四五六七八九", 3, 1, False),               # 1 - 7/17 = 0.588: no match
    ("一二三四五六七", 2, 1, True),                    # 1 - 5/13 = 0.615: just above
])
def test_list_item_edge(base, subs, dels, matched):
    pred = at_edge(base, subs, dels, 0.6, matched)
    m = metrics(pred_with(shortcomings=[pred]), {**GOLD, "shortcomings": [base]})
    assert m["shortcomings_f1"] == (1.0 if matched else 0.0)


def test_list_greedy_takes_most_similar_pair_first():
    gold = ["一二三四五六七八九十", "一二三四五六七八甲乙"]
    pred = ["一二三四五六七八九丙", "一二三四五六七八甲乙"]
    # pred0~gold0 0.9, pred1~gold1 1.0, pred0~gold1 0.8: all above 0.6, best pairs first
    assert [(i, j) for i, j, _ in match_items(pred, gold)] == [(1, 1), (0, 0)]


def test_list_matching_is_one_to_one():
    """One predicted item close to two gold items counts once, and two copies of it count once."""
    gold = ["加强执法队伍建设", "加强执法队伍培训"]
    assert [(i, j) for i, j, _ in match_items(["加强执法队伍建设"], gold)] == [(0, 0)]
    assert [(i, j) for i, j, _ in match_items(["加强执法队伍建设", "加强执法队伍建设"], gold[:1])] == [(0, 0)]


def test_list_ties_are_broken_by_prediction_order_then_gold_order():
    gold = ["完善制度", "完善制度"]
    pred = ["完善制度", "完善制度"]  # every pair ties at 1.0
    assert match_items(pred, gold) == [(0, 0, 1.0), (1, 1, 1.0)]
    assert [(i, j) for i, j, _ in match_items(["完善制度"], gold)] == [(0, 0)]
    assert [(i, j) for i, j, _ in match_items(pred, gold[:1])] == [(0, 0)]


def test_empty_lists_score_one_and_one_sided_zero():
    m = metrics(pred_with(next_year_plans=[]))
    assert m["next_year_plans_f1"] == 1.0
    m = metrics(pred_with(next_year_plans=["多出来的一项"]))
    assert (m["next_year_plans_precision"], m["next_year_plans_f1"]) == (0.0, 0.0)
    # list_f1 pools both lists: tp 1 (shortcomings), fp 1
    assert m["list_f1"] == pytest.approx(2 / 3)


def test_sections():
    sections = copy.deepcopy(GOLD["sections"])
    sections["shortcomings"]["heading"] = "二、存在的问题"
    sections["other"] = {"present": True, "heading": "四、其他"}
    m = metrics(pred_with(sections=sections))
    assert m["sections_present_accuracy"] == 0.8  # other wrong
    assert m["sections_heading_accuracy"] == 0.5  # both sides have heading: measures, shortcomings


def test_null_block_in_gold_is_not_scored():
    gold = {**GOLD, "sections": None, "shortcomings": None}
    result = score_report({"figures": GOLD_FIGURES}, gold, SOURCE)
    m = result["metrics"]
    assert set(result["not_scored"]) == {"sections", "shortcomings"}
    assert m["sections_present_accuracy"] is None and m["shortcomings_f1"] is None
    assert m["next_year_plans_f1"] == 1.0  # gold [] and prediction absent (= [])
    total = score_set([("a", {}, gold, SOURCE), ("b", pred_with(), GOLD, SOURCE)])["total"]
    assert total["sections_present_accuracy"] == 1.0  # only report b counts
    assert total["shortcomings_f1"] == 1.0


# ------------------------------------------------------------------ totals, cost, dirs

def test_micro_totals_and_cost():
    usage = {"calls": 3, "prompt_tokens": 100, "completion_tokens": 20, "seconds": 1.5,
             "cache_hits": 1}
    a = pred_with(usage=usage)
    b = pred_with(figures=GOLD_FIGURES[:1], usage={**usage, "calls": 0})
    scores = score_set([("a", a, GOLD, SOURCE), ("b", b, GOLD, SOURCE)])
    t = scores["total"]
    # tp 5 + 1, fn 0 + 4: R = 6/10, P = 1
    assert (t["figure_tp"], t["figure_fn"], t["figure_recall"]) == (6, 4, 0.6)
    assert t["reports"] == 2 and t["calls"] == 3 and t["prompt_tokens"] == 200
    assert t["seconds"] == 3.0 and t["cache_hits"] == 2
    assert scores["reports"]["b"]["usage"]["calls"] == 0
    json.dumps(scores)  # JSON-serialisable
    assert score_set([("a", {}, GOLD, SOURCE)])["total"]["calls"] is None


@pytest.mark.parametrize("doc_id", GOLD_IDS)
def test_gold_against_itself_is_perfect(doc_id):
    gold = json.loads((GOLD_DIR / f"{doc_id}.json").read_text(encoding="utf-8"))
    source = (CORPUS_DIR / f"{doc_id}.txt").read_text(encoding="utf-8")
    result = score_report(gold, gold, source)
    m = result["metrics"]
    assert m["ungrounded"] == 0 and m["gold_unlocated"] == 0, result["figures"]["missed"]
    rates = {k: v for k, v in m.items() if k.endswith(("_precision", "_recall", "_f1",
                                                          "_accuracy")) or k.startswith("meta_")}
    assert rates and all(v == 1.0 for v in rates.values() if v is not None), rates


def test_score_dirs(tmp_path):
    pred_dir = tmp_path / "pred"
    pred_dir.mkdir()
    for doc_id in GOLD_IDS[1:]:
        shutil.copy(GOLD_DIR / f"{doc_id}.json", pred_dir)
    scores = score_dirs(pred_dir, GOLD_DIR, CORPUS_DIR)
    assert scores["missing_predictions"] == GOLD_IDS[:1]
    assert set(scores["reports"]) == set(GOLD_IDS)
    assert scores["reports"][GOLD_IDS[1]]["metrics"]["figure_f1"] == 1.0
    assert scores["reports"][GOLD_IDS[0]]["metrics"]["figure_recall"] == 0.0


def test_score_dirs_missing_source(tmp_path):
    (tmp_path / "x.json").write_text(json.dumps(GOLD), encoding="utf-8")
    with pytest.raises(LlmxError, match="no source for x"):
        score_dirs(tmp_path, tmp_path, tmp_path)


# ------------------------------------------------------------------ thresholds

def test_check_thresholds():
    total = {"figure_f1": 0.6, "ungrounded": 2, "meta_title": None}
    assert check_thresholds(total, ["figure_f1=0.5", "figure_f1>=0.6"]) == []
    assert check_thresholds(total, ["figure_f1=0.7"]) == ["figure_f1 = 0.6 < 0.7"]
    assert check_thresholds(total, ["ungrounded<=0"]) == ["ungrounded = 2 > 0"]
    assert check_thresholds(total, ["ungrounded<=2"]) == []
    assert check_thresholds(total, ["nope=1"]) == ["nope: unknown metric"]
    assert check_thresholds(total, ["meta_title=0.5"])[0].startswith("meta_title: not measured")
    with pytest.raises(LlmxError):
        check_thresholds(total, ["figure_f1 > 0.5"])


def test_the_per_report_detail_shows_what_was_matched_missed_and_made_up():
    """The detail a reader reviews (``llmx score -o``, the compare page) names each list item and meta
    field as the scores count them, not only the totals."""
    from llmx.eval.scoring.fields import score_list, score_meta

    gold = ["加强法治宣传教育", "完善行政执法程序", "提升依法行政能力"]
    pred = ["加强法治宣传教育工作", "提升依法行政能力", "与原文无关的一条"]
    counts, detail = score_list("shortcomings", pred, gold)
    assert counts == {"shortcomings_reports": 1, "shortcomings_tp": 2, "shortcomings_fp": 1, "shortcomings_fn": 1}
    assert [(m["pred"], m["gold"]) for m in detail["matched"]] == [("提升依法行政能力", "提升依法行政能力"),
                                                                   ("加强法治宣传教育工作", "加强法治宣传教育")]
    assert detail["matched"][0]["similarity"] == 1.0 and 0.6 <= detail["matched"][1]["similarity"] < 1
    assert detail["missed"] == ["完善行政执法程序"] and detail["extra"] == ["与原文无关的一条"]
    title = "英林镇2023年法治政府建设工作情况报告"
    misread = title.replace("工作", "工做")
    counts, detail = score_meta({"title": misread, "level": "county"}, {"title": title, "level": "township"})
    assert detail["title"] == {"pred": misread, "gold": title, "correct": True}  # fuzzy: one character off
    assert detail["level"] == {"pred": "county", "gold": "township", "correct": False}
    assert counts == {"meta_title_scored": 1, "meta_title_correct": 1, "meta_level_scored": 1, "meta_level_correct": 0}


def test_the_per_report_detail_of_sections_names_each_side():
    from llmx.eval.scoring.fields import score_sections

    gold = {"measures": {"present": True, "heading": "一、主要举措"}, "next_year": {"present": True, "heading": "三、计划"}}
    pred = {"measures": {"present": True, "heading": "一、主要举措"}}
    counts, detail = score_sections(pred, gold)
    assert detail == {"measures": {"present": [True, True], "heading": ["一、主要举措", "一、主要举措"]},
                      "next_year": {"present": [False, True], "heading": [None, "三、计划"]}}
    assert counts["sections_present_correct"] == 1 and counts["sections_heading_correct"] == 1


def test_a_title_against_no_title_is_never_fuzzy_matched():
    assert meta_field_correct("title", "某某镇2023年法治政府建设工作报告", "某某镇2023年法治政府建设工作报吿")
    assert not meta_field_correct("doc_number", "晋英委〔2024〕26号", "晋英委〔2024〕27号")  # fuzzy only for titles
    assert meta_field_correct("issuers", "甲单位", ["甲单位"])  # one name or a list of one: the same
