"""The validator: every figure grounded, with precise reasons when it is not."""

import json

import pytest

from llmx.text.grounding import Grounding
from conftest import GOLD, corpus_files

SOURCE = "全年共办理行政处罚案件 61 件，其中适用简易程序7件；发放普法资料13500余份。"


def fig(**kw):
    base = {"label": "行政处罚案件", "value": 61, "unit": "件", "qualifier": "exact",
            "evidence": "办理行政处罚案件 61 件"}
    return base | kw


def test_grounded_figure_is_located_at_its_number():
    verdict = Grounding(SOURCE).check(fig())
    assert verdict.ok
    assert SOURCE[verdict.mention.start:verdict.mention.end] == "61"


def test_evidence_is_matched_across_width_and_spaces():
    assert Grounding(SOURCE).check(fig(evidence="办理行政处罚案件６１件")).ok


@pytest.mark.parametrize("change, phrase", [
    ({"evidence": "办理行政处罚案件 62 件"}, "does not occur in the source"),
    ({"value": 62}, "value 62 is not stated in evidence"),
    ({"unit": "起"}, "unit '起' disagrees"),
    ({"qualifier": "approx"}, "qualifier 'approx' disagrees"),
    ({"evidence": "全" * 81}, "cite at most 80"),
])
def test_each_failure_says_what_is_wrong(change, phrase):
    verdict = Grounding(SOURCE).check(fig(**change))
    assert not verdict.ok
    assert phrase in verdict.problems[0]


@pytest.mark.parametrize("change, problem", [
    ({"evidence": "办理行政处罚案件 62 件"},
     "figure '行政处罚案件' (61件): evidence '办理行政处罚案件 62 件' does not occur in the source; quote it verbatim"),
    ({"value": 62}, "figure '行政处罚案件' (62件): value 62 is not stated in evidence '办理行政处罚案件 61 件'; "
                    "the source there says 61件"),
    ({"evidence": "全年共办理"}, "figure '行政处罚案件' (61件): value 61 is not stated in evidence '全年共办理'; "
                               "the source there says no number"),
    ({"unit": "起"}, "figure '行政处罚案件' (61起): unit '起' disagrees with the source, which reads 61件 (unit '件')"),
    ({"qualifier": "approx"}, "figure '行政处罚案件' (61件): qualifier 'approx' disagrees with the source "
                              "(parsed as 'exact')"),
])
def test_a_rejection_names_the_figure_and_says_exactly_what_the_source_has(change, problem):
    """The whole reason: it is what a re-asked model and a user reading ``rejected`` are told."""
    assert Grounding(SOURCE).check(fig(**change)).problems == (problem,)


def test_a_figure_without_unit_or_qualifier_is_read_as_unitless_and_exact():
    text = "共设立法律顾问室3个，聘请顾问 12 名，覆盖村居二十"
    figure = {"label": "村居", "value": 20, "evidence": "覆盖村居二十"}  # no unit, no qualifier given
    verdict = Grounding(text).check(figure)
    assert verdict.ok and text[verdict.mention.start:verdict.mention.end] == "二十"
    assert Grounding(text).check(figure | {"qualifier": "approx"}).problems  # the default is exact, not any


def test_a_figure_without_evidence_is_not_found_anywhere():
    problems = Grounding(SOURCE).check({"label": "x", "value": 61, "unit": "件"}).problems
    assert problems == ("figure 'x' (61件): evidence '' does not occur in the source; quote it verbatim",)


def test_message_quotes_what_the_source_says():
    verdict = Grounding(SOURCE).check(fig(value=7, evidence="其中适用简易程序7件；发放普法资料13500余份"))
    assert verdict.ok  # 7 is in the evidence
    wrong = Grounding(SOURCE).check(fig(value=8, evidence="其中适用简易程序7件"))
    assert "the source there says 7件" in wrong.problems[0]


def test_near_picks_the_occurrence_closest_to_the_cited_place():
    text = "审查合同16份。另有其他。审查合同16份。"
    g = Grounding(text)
    second = text.rindex("16")
    assert g.check(fig(value=16, unit="份", evidence="审查合同16份"), near=second).mention.start == second


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem[:3])
def test_every_gold_figure_verifies(path, report_type):
    grounding = Grounding(path.read_text(encoding="utf-8"), report_type.numbered_names)
    gold = json.loads((GOLD / f"{path.stem}.json").read_text(encoding="utf-8"))
    for figure in gold["figures"]:
        assert grounding.check(figure).ok, figure


def test_a_candidate_whose_number_is_not_in_its_evidence_is_rejected_not_kept():
    """The pipeline keeps a figure only through ``Grounding.check``: a candidate read wrong (a value its
    evidence does not hold) goes to ``rejected`` with the reason, and every kept figure is verified."""
    from dataclasses import replace

    from llmx.reports.report_type import load_report_type
    from llmx.engine.verify import verified_figures
    from llmx.pipeline import analyse

    found = analyse("全年组织集中学法12次，发放普法资料300份。", load_report_type("fazhi"))
    good, bad = found.candidates
    misread = replace(bad, mention=replace(bad.mention, value=301))
    labels = {good.id: "law_study_sessions", bad.id: "publicity_materials"}
    figures, rejected, _ = verified_figures([good, misread], labels, {}, found.grounding, found.cleaned)
    assert [f["value"] for f in figures] == [12] and all(f["verified"] for f in figures)
    assert len(rejected) == 1 and rejected[0]["item"]["value"] == 301 and "301" in rejected[0]["reason"]


def test_a_number_the_model_calls_no_statistic_is_set_aside_with_where_it_stands():
    """A model answering ``none`` keeps the number out of the figures, in ``uncovered``, with its place."""
    from llmx.reports.report_type import load_report_type
    from llmx.engine.model_labels import NONE
    from llmx.engine.verify import verified_figures
    from llmx.pipeline import analyse

    text = "全年组织集中学法12次，发放普法资料300份。"
    found = analyse(text, load_report_type("fazhi"))
    first, second = found.candidates
    labels = {first.id: NONE, second.id: "publicity_materials"}
    figures, rejected, uncovered = verified_figures(found.candidates, labels, {}, found.grounding, found.cleaned)
    assert [f["value"] for f in figures] == [300] and not rejected
    start = text.index("12")
    assert uncovered == [{"value": 12, "unit": "次", "start": start, "end": start + 2, "evidence": first.evidence,
                          "reason": "model: not a statistic"}]


def test_a_figure_whose_number_is_found_but_whose_unit_disagrees_is_rejected():
    """Finding the number is not enough: a figure is kept only when every check passes."""
    from dataclasses import replace

    from llmx.reports.report_type import load_report_type
    from llmx.engine.verify import verified_figures
    from llmx.pipeline import analyse

    found = analyse("全年组织集中学法12次，发放普法资料300份。", load_report_type("fazhi"))
    good, bad = found.candidates
    wrong_unit = replace(bad, mention=replace(bad.mention, unit="次", qualifier="approx"))
    labels = {good.id: "law_study_sessions", bad.id: "publicity_materials"}
    figures, rejected, _ = verified_figures([good, wrong_unit], labels, {}, found.grounding, found.cleaned)
    assert [f["value"] for f in figures] == [12]
    assert len(rejected) == 1  # both problems, in one reason, in the order they are checked
    assert rejected[0]["reason"] == (
        "figure '发放普法资料' (300次): unit '次' disagrees with the source, which reads 300份 (unit '份'); "
        "figure '发放普法资料' (300次): qualifier 'approx' disagrees with the source (parsed as 'exact')")


@pytest.mark.parametrize("value", ["六十一", None, "61件"])
def test_a_value_that_is_not_a_number_never_verifies(value):
    """A value that cannot be read as a number matches no number of the source (a model once could
    propose one; the check must not take it as equal to the number it cites)."""
    verdict = Grounding(SOURCE).check(fig(value=value))
    assert not verdict.ok and verdict.problems
