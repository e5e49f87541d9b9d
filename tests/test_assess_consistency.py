"""``llmx assess`` consistency: each kind on real report text from the gold sets (eval/) and on a made-up case.

Real text rarely holds a contradiction, so each real case is tested both ways: as
published (where it adds up, the check stays silent) and with one number changed
so that it no longer can (the check names it).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import llmx
from llmx.apps.assess import consistency
from llmx.apps.assess.reading import Reading, read
from llmx.apps.assess.rules import RuleBook
from llmx.reports.report_type import load_report_type

ROOT = Path(__file__).resolve().parents[1]
WIDE, WIDE2, CORPUS = ROOT / "eval" / "wide" / "raw", ROOT / "tests" / "data" / "wide2", ROOT / "eval" / "corpus"
REPORT_TYPE = load_report_type("fazhi")
RULES = RuleBook(REPORT_TYPE).for_region(None)


def reading_of(text: str, **meta: object) -> Reading:
    result = llmx.extract(text, design="rules").model_dump(mode="json")
    result["meta"].update(meta)
    return read(result, text, REPORT_TYPE)


def kinds(reading: Reading) -> list[str]:
    return [c["kind"] for c in consistency.check(reading, RULES)]


def real(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- parts_exceed_total ------------------------------------------------------------


def test_parts_that_add_up_to_the_total_pass_and_a_smaller_total_is_named():
    text = real(WIDE / "037.txt")
    sentence = next(s for s in text.split("。") if "共厘清" in s and "其中" in s)
    assert "parts_exceed_total" not in kinds(reading_of(text))
    total = sentence.split("共厘清")[1].split("项")[0]
    smaller = text.replace(f"共厘清{total}项", f"共厘清{int(total) - 1}项")
    found = consistency.parts_exceed_total(reading_of(smaller))
    assert [f["kind"] for f in found] == ["parts_exceed_total"] and f"{int(total) - 1}" in found[0]["evidence"]


def test_parts_inside_brackets_end_at_the_bracket():
    """共取消15项(其中2项为子项),新增17项…: what follows the bracket is not a part of the 15."""
    text = real(WIDE / "047.txt")
    assert "(其中" in text
    assert "parts_exceed_total" not in kinds(reading_of(text))


def test_made_up_parts_exceeding_their_total():
    text = "一、主要举措\n全年共受理行政复议案件10件，其中维持6件、撤销7件。\n"
    assert kinds(reading_of(text)) == ["parts_exceed_total"]
    assert kinds(reading_of(text.replace("撤销7件", "撤销4件"))) == []


# --- percent_over_100 --------------------------------------------------------------


def test_a_real_rate_passes_and_the_same_rate_over_100_is_named():
    text = real(WIDE2 / "007.txt")
    rate = "政务服务事项入驻率达到96.4%"
    assert rate in text and "percent_over_100" not in kinds(reading_of(text))
    found = consistency.percent_over_100(reading_of(text.replace(rate, "政务服务事项入驻率达到106.4%")), RULES)
    assert [f["kind"] for f in found] == ["percent_over_100"] and "入驻率" in found[0]["evidence"]


def test_growth_may_exceed_100_percent_a_rate_may_not():
    assert kinds(reading_of("一、主要举措\n行政诉讼案件结案率达105%。\n")) == ["percent_over_100"]
    assert kinds(reading_of("一、主要举措\n普法受众同比增长150%。\n")) == []


# --- year_mismatch -------------------------------------------------------------------


def test_a_report_about_its_own_year_passes_and_a_wrong_report_year_is_named():
    text = real(CORPUS / "000_463a946c1bd692f9.txt")
    reading = reading_of(text)
    year = reading.meta["report_year"]
    assert "year_mismatch" not in kinds(reading)
    wrong = reading_of(text, report_year=year - 1)
    found = consistency.year_mismatch(wrong)
    assert [f["kind"] for f in found] == ["year_mismatch"] and str(year) in found[0]["evidence"]


def test_made_up_report_copied_from_last_year():
    text = "2024年法治政府建设工作报告\n一、主要举措\n2023年以来，我镇坚持依法行政。2023年，我镇开展普法6场次。\n"
    assert kinds(reading_of(text, report_year=2024)) == ["year_mismatch"]
    assert kinds(reading_of(text, report_year=2023)) == []


# --- conflicting_values ----------------------------------------------------------


def test_two_programmes_with_one_wording_are_not_one_quantity():
    """002: 法律顾问 gave 提供法律咨询服务4520人次, the 三官一律一员 1200多人次: both true."""
    text = real(CORPUS / "002_fbe45d23903cb0be.txt")
    assert "提供法律咨询服务4520人次" in text and "提供法律咨询服务1200多人次" in text
    assert "conflicting_values" not in kinds(reading_of(text))


def test_a_real_total_stated_again_with_another_value_is_named():
    text = real(CORPUS / "000_463a946c1bd692f9.txt")
    sentence = "共录入省一体化大融合行政执法平台案件 16 件"
    assert sentence in text and "conflicting_values" not in kinds(reading_of(text))
    changed = text.replace("三、下一步工作计划", f"全年{sentence.replace('16', '19')}。\n三、下一步工作计划")
    found = consistency.conflicting_values(reading_of(changed), RULES)
    assert [f["kind"] for f in found] == ["conflicting_values"] and "19" in found[0]["evidence"]


def test_made_up_totals_that_disagree():
    text = "一、主要举措\n全年共受理行政复议案件12件。\n二、其他\n全年共受理行政复议案件15件。\n"
    assert kinds(reading_of(text)) == ["conflicting_values"]
    assert kinds(reading_of(text.replace("15件", "12件"))) == []


# --- target_already_done -------------------------------------------------------------


def test_a_real_plan_not_yet_done_passes_and_is_named_once_the_measures_report_it_done():
    text = real(CORPUS / "002_fbe45d23903cb0be.txt")
    plan = "出台审核目录范围、审核流程"
    assert plan in text and "target_already_done" not in kinds(reading_of(text))
    done = text.replace("四、下一年度推进法治政府建设的主要安排", "今年已出台审核目录范围、审核流程、审核规则要求。\n"
                        "四、下一年度推进法治政府建设的主要安排")
    found = consistency.target_already_done(reading_of(done), RULES)
    assert found and {f["kind"] for f in found} == {"target_already_done"} and "已出台" in found[0]["evidence"]


def test_made_up_plan_already_done():
    text = ("一、主要举措\n我镇已建成村级法治文化广场12个。\n"
            "二、下一步工作计划\n力争明年建成村级法治文化广场。\n")
    assert kinds(reading_of(text)) == ["target_already_done"]
    assert kinds(reading_of(text.replace("已建成", "正在规划"))) == []


def test_every_kind_is_tested_here():
    tested = Path(__file__).read_text(encoding="utf-8")
    assert all(f"# --- {k}" in tested for k in consistency.KINDS)


@pytest.fixture(autouse=True)
def _unchanged_rules():
    before = copy.deepcopy(RULES.raw)
    yield
    assert RULES.raw == before
