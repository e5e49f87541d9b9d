"""``llmx assess``: the scorecard's checks, the rules and their overrides, reuse between two years,
the command's outputs and failures, and the cross-report page in a real headless browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import llmx
from llmx.apps.assess import checks
from llmx.apps.assess_command import assess_command
from llmx.apps.assess.reading import read
from llmx.apps.assess.reuse import previous_of, reuse_share
from llmx.apps.assess.rules import RuleBook
from llmx.apps.assess.scorecard import assess_all
from llmx.apps.assess.inputs import Input
from llmx.reports.report_type import load_report_type

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "eval" / "corpus"
PAIRS = ROOT / "eval" / "pairs"
ARTIFACTS = ROOT / "test-artifacts"
REPORT_TYPE = load_report_type("fazhi")
BOOK = RuleBook(REPORT_TYPE)

REPORT = """关于2023年度法治政府建设情况的报告
签发人：张三
县委、县政府：
一、2023年法治政府建设主要举措
2023年以来，我镇坚持依法行政。全年开展普法宣传12场次，发放资料3000份。
二、存在的不足
一是法治意识有待提高。二是行政执法人员持证率仅为60%，执法案卷评查发现问题5个。
三、下一步工作计划
深入推进法治政府建设。
某某镇人民政府
{date}
"""


def assess(text: str, **meta: object) -> dict:
    result = llmx.extract(text, design="rules").model_dump(mode="json")
    result["meta"].update(meta)
    return assess_all([Input(result, text, Path("x.txt"), None)], REPORT_TYPE, BOOK)[0]


# --- completeness, timeliness, evidence, shortcomings -------------------------------


def test_completeness_names_each_element_and_document_part():
    card = assess(REPORT.format(date="2024年1月20日"))
    elements = card["completeness"]["elements"]
    assert elements["measures"] and elements["shortcomings"] and elements["next_year"]
    assert not elements["leader_duties"]
    assert card["completeness"]["signed"] and card["completeness"]["dated"] and card["completeness"]["recipients"]
    assert "completeness: no leader_duties element" in card["flags"]
    assert not any("no other element" in f for f in card["flags"])  # optional: only when there is something to say


def test_timeliness_against_the_level_deadline():
    on_time = assess(REPORT.format(date="2024年1月20日"))["timeliness"]
    late = assess(REPORT.format(date="2024年3月20日"))["timeliness"]
    assert on_time["status"] == "on_time" and on_time["days_late"] == 0
    assert late["status"] == "late" and late["days_late"] > 0
    assert late["deadline"] == on_time["deadline"] and late["deadline"] < late["date"]
    province = assess(REPORT.format(date="2024年3月20日"), level="province")["timeliness"]
    assert province["status"] == "on_time" and province["deadline"] > late["deadline"]
    unknown = assess(REPORT.format(date=""), date=None)["timeliness"]
    assert unknown["status"] == "unknown" and unknown["days_late"] is None


@pytest.mark.parametrize("header", [
    "发布日期：2024-03-20\n",
    "来源：某某镇 2024-03-20 10:00 阅读人数：1\n",  # a source line stating when it was published
    "关于2023年度法治政府建设情况的报告 某某镇 2024-03-20\n",  # the page's date beside its title
])
def test_a_publication_date_is_not_taken_for_the_report_date(header):
    """A page whose header gives only when it was published: meta.date falls back to it; timeliness judges
    it as publication."""
    page = header + REPORT.format(date="")
    card = assess(page)
    t = card["timeliness"]
    assert t["published"] == "2024-03-20" and t["date"] is None and t["publish_days_late"] == 0
    assert t["status"] == "on_time"


def test_rules_file_overrides_a_province_deadline(tmp_path: Path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(yaml.safe_dump({"provinces": {"35": {"deadlines": {"submit": {"default": "04-01"}}}}}),
                     encoding="utf-8")
    book = RuleBook(REPORT_TYPE, rules)
    base = RuleBook(REPORT_TYPE)
    assert book.for_region("350582").before("submit", "township", 2023) > base.for_region("350582").before(
        "submit", "township", 2023)
    assert book.for_region("110105").before("submit", "township", 2023) == base.for_region("110105").before(
        "submit", "township", 2023)


def test_evidence_counts_facts_and_slogans():
    text = ("一、主要举措\n我镇坚持以习近平法治思想为指导，全面推进依法治镇工作。\n全年开展普法宣传12场次，覆盖群众两千余人次。\n"
            "中共某某镇委员会\n")
    evidence = assess(text)["evidence"]
    assert evidence["sentences"] == 2 and evidence["fact_sentences"] == 1  # the 落款 line is neither
    assert evidence["statistics"] >= 1 and evidence["statistics_per_1000_chars"] > 0
    assert 0 < evidence["indicator_share"] < 1
    assert evidence["indicators_reported"] == len(evidence["per_indicator"]) == len({
        f.indicator for f in llmx.extract(text, design="rules").figures if f.indicator != "other"})


def test_evidence_on_a_real_report_counts_only_what_it_reports_done():
    """Plans are neither facts nor slogans: cutting the next-year part off a real report changes no count."""
    text = (CORPUS / "000_463a946c1bd692f9.txt").read_text(encoding="utf-8")
    cut = text[:text.index("三、下一步工作计划")]
    whole, without_plans = assess(text)["evidence"], assess(cut)["evidence"]
    assert whole["sentences"] == without_plans["sentences"] > 0
    assert whole["fact_sentences"] == without_plans["fact_sentences"]
    assert 0 <= whole["fact_share"] <= 1 and 0 <= whole["indicator_share"] <= 1


def test_shortcomings_specific_or_boilerplate():
    rules = BOOK.for_region(None)
    assert checks.specific_because("法治意识有待提高", rules) == []
    assert checks.specific_because("行政执法人员持证率仅为60%", rules)
    assert checks.specific_because("执法案卷评查发现问题5个", rules)
    card = assess(REPORT.format(date="2024年1月20日"))["shortcomings"]
    assert card["count"] == card["specific"] + card["boilerplate"] and card["specific"] >= 1


def test_ranks_are_within_each_group_and_ties_share_a_rank():
    from llmx.apps.assess.ranking import ranks

    def card(code: str, fact_share: float | None) -> dict:
        return {"meta": {"region_code": code}, "evidence": {"fact_share": fact_share}}

    cards = [card("350582", 0.5), card("350582", 0.2), card("350582", 0.5), card("110105", 0.1), card("350582", None)]
    by_county = [r["fact_share"] for r in ranks(cards, "county")]
    assert by_county == [1, 3, 1, 1, None]  # 110105 is alone in its county: first there
    everyone = [r["fact_share"] for r in ranks(cards, "all")]
    assert everyone == [1, 3, 1, 4, None]


def test_a_shortcoming_is_judged_with_its_elaboration():
    text = ("一、主要举措\n全年开展普法宣传12场次，覆盖群众两千余人次。\n二、存在的不足\n"
            "一是依法行政能力有待提高。部分执法人员对法律掌握不够。二是法治意识有待提高，氛围不浓。\n"
            "三、下一步工作计划\n加强执法队伍建设。\n")
    items = assess(text)["shortcomings"]["items"]
    assert [i["specific"] for i in items] == [True, False]
    assert any("执法人员" in b for b in items[0]["because"])


# --- reuse ------------------------------------------------------------------------


LAST_YEAR = """关于2022年度法治政府建设情况的报告
县委、县政府：
一、2022年法治政府建设主要举措
2022年以来，我镇坚持依法行政，严格落实重大行政决策程序。全年开展普法宣传8场次，发放资料2000份。
二、存在的不足
行政执法人员持证率偏低，执法能力有待提高。
三、下一步工作计划
推进建成村级法治文化广场。
某某镇人民政府
2023年1月15日
"""
THIS_YEAR = """关于2023年度法治政府建设情况的报告
县委、县政府：
一、2023年法治政府建设主要举措
2023年以来，我镇坚持依法行政，严格落实重大行政决策程序。全年开展普法宣传12场次，发放资料3000份。
今年已建成村级法治文化广场，群众反映良好。
二、存在的不足
行政执法人员持证率偏低，执法能力有待提高。
三、下一步工作计划
加强执法队伍建设。
某某镇人民政府
2024年1月20日
"""


def _input(text: str, name: str) -> Input:
    result = llmx.extract(text, design="rules").model_dump(mode="json")
    result["doc_id"] = name
    result["meta"]["region_code"] = "350582"
    return Input(result, text, Path(f"{name}.txt"), None)


def test_reuse_is_measured_against_the_same_body_one_year_earlier():
    cards = {c["doc_id"]: c for c in assess_all([_input(LAST_YEAR, "y2022"), _input(THIS_YEAR, "y2023")],
                                                 REPORT_TYPE, BOOK)}
    assert cards["y2022"]["reuse"] is None
    r = cards["y2023"]["reuse"]
    assert r["previous"] == "y2022" and 0 < r["share"] < 1
    assert [x["this_year"] for x in r["repeated_shortcomings"]] == ["执法能力有待提高"]
    assert any("法治文化广场" in p["plan"] for p in r["plans_done"])


def test_numbers_and_years_do_not_hide_a_copied_sentence():
    share, _ = reuse_share(["2023年全年开展普法宣传12场次发放资料3000份"], ["2022年全年开展普法宣传8场次发放资料2000份"], 92)
    assert share == 1
    share, _ = reuse_share(["全年办理行政复议案件并全部按期审结"], ["组织干部参加旁听庭审活动"], 92)
    assert share == 0


def test_another_region_is_another_body():
    other = _input(LAST_YEAR, "y2022")
    other.result["meta"]["region_code"] = "110105"
    this = _input(THIS_YEAR, "y2023")
    readings = [read(i.result, i.text, REPORT_TYPE) for i in (other, this)]
    assert previous_of(readings[1], readings) is None


def test_real_pairs_are_paired_with_their_own_previous_year_only():
    """eval/pairs: the same bodies' reports from consecutive years, as published; all assessed together,
    each newer report finds its own older one and nothing else does."""
    rows = [line.split("\t") for line in (PAIRS / "pairs.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    assert len(rows) >= 5
    expected = {Path(newer).stem: Path(older).stem for _, older, newer, *_ in rows}
    files = sorted(PAIRS.glob("*.txt"))
    cards = assess_all([_pair_input(p) for p in files], REPORT_TYPE, BOOK)
    found = {c["doc_id"]: c["reuse"]["previous"] for c in cards if c["reuse"]}
    assert found == expected
    assert all(0 <= c["reuse"]["share"] <= 1 for c in cards if c["reuse"])


def _pair_input(path: Path) -> Input:
    text = path.read_text(encoding="utf-8")
    result = llmx.extract(text, design="rules").model_dump(mode="json")
    result["doc_id"] = path.stem
    return Input(result, text, path, None)


# --- the command --------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(assess_command, list(args), catch_exceptions=False)


def test_command_writes_scorecards_tables_and_page(tmp_path: Path):
    out = run(str(CORPUS), "-o", str(tmp_path / "cards") + "/", "--csv", str(tmp_path) + "/",
              "--xlsx", str(tmp_path) + "/", "--html", str(tmp_path) + "/", "--json")
    assert out.exit_code == 0, out.output
    cards = sorted((tmp_path / "cards").glob("*.assess.json"))
    assert [c.name.removesuffix(".assess.json") for c in cards] == sorted(p.stem for p in CORPUS.glob("*.txt"))
    card = json.loads(cards[0].read_text(encoding="utf-8"))
    assert {"completeness", "timeliness", "evidence", "shortcomings", "consistency", "reuse", "flags"} <= set(card)
    summary = json.loads(out.stdout.splitlines()[0])
    assert [r["doc_id"] for r in summary["reports"]] == [c.name.removesuffix(".assess.json") for c in cards]
    assert (tmp_path / "assess.csv").read_text(encoding="utf-8-sig").splitlines()[0].startswith("doc_id,")
    assert (tmp_path / "assess_flags.csv").exists() and (tmp_path / "assess.xlsx").exists()
    page = (tmp_path / "assess.html").read_text(encoding="utf-8")
    assert "<script src=" not in page  # plotly is inlined: the page works offline


def test_results_with_their_sources_are_assessed_like_the_reports(tmp_path: Path):
    report = CORPUS / "000_463a946c1bd692f9.txt"
    result = llmx.extract(report, design="rules").model_dump(mode="json")
    (tmp_path / f"{report.stem}.json").write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    (tmp_path / report.name).write_text(report.read_text(encoding="utf-8"), encoding="utf-8")
    from_result = run(str(tmp_path / f"{report.stem}.json"))
    from_report = run(str(report))
    assert from_result.exit_code == from_report.exit_code == 0
    a, b = json.loads(from_result.stdout)[0], json.loads(from_report.stdout)[0]
    assert {k: v for k, v in a.items() if k not in ("source", "result")} == \
        {k: v for k, v in b.items() if k not in ("source", "result")}


@pytest.mark.parametrize("case", ["missing", "not_result", "bad_rules"])
def test_bad_input_is_one_line_exit_2_and_no_output(tmp_path: Path, case: str):
    args = [str(CORPUS / "000_463a946c1bd692f9.txt")]
    if case == "missing":
        args = [str(tmp_path / "nope.json")]
    elif case == "not_result":
        (tmp_path / "x.json").write_text('{"a": 1}', encoding="utf-8")
        args = [str(tmp_path / "x.json")]
    else:
        (tmp_path / "r.yaml").write_text("deadlines:\n  submit:\n    default: '13-45'\n", encoding="utf-8")
        args += ["--rules", str(tmp_path / "r.yaml")]
    out_dir = tmp_path / "out"
    result = run(*args, "-o", str(out_dir) + "/", "--html", str(out_dir / "p.html"))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llmx: error: ")
    assert not out_dir.exists()


# --- the page in a real browser -------------------------------------------------------


def test_page_sorts_and_draws_every_chart_offline(browser, tmp_path: Path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    page = tmp_path / "assess.html"
    out = run(str(CORPUS), "--html", str(page), "-o", str(tmp_path / "cards") + "/")
    assert out.exit_code == 0, out.output
    cards = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((tmp_path / "cards").glob("*.json"))]
    browser.get(page.as_uri())
    WebDriverWait(browser, 20).until(lambda d: d.execute_script("return typeof Plotly !== 'undefined'"))
    plots = browser.find_elements(By.CSS_SELECTOR, "div.js-plotly-plot")
    indicators = {k for c in cards for k in c["evidence"]["per_indicator"]}
    assert len(plots) == len(browser.find_elements(By.CSS_SELECTOR, "div.chart")) > len(indicators) > 0
    assert all(p.find_elements(By.CSS_SELECTOR, "svg.main-svg") for p in plots)  # drawn, not just placed

    headers = browser.find_elements(By.CSS_SELECTOR, "#scores th")
    column = [h.text for h in headers].index("fact_share")
    headers[column].click()
    shown = [float(r.find_elements(By.TAG_NAME, "td")[column].get_attribute("data-v"))
             for r in browser.find_elements(By.CSS_SELECTOR, "#scores tbody tr")]
    assert shown == sorted(c["evidence"]["fact_share"] for c in cards) and len(shown) == len(cards)
    headers[column].click()
    again = [float(r.find_elements(By.TAG_NAME, "td")[column].get_attribute("data-v"))
             for r in browser.find_elements(By.CSS_SELECTOR, "#scores tbody tr")]
    assert again == sorted(shown, reverse=True)
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "assess.png"))



def test_a_report_year_is_left_out_of_the_titles_reuse_compares_in_digits_or_in_numerals() -> None:
    """Two years' titles of one body are the same title once the year goes, however it is written."""
    from llmx.apps.assess.reuse import _title

    digits = _title({"title": "某镇2023年度法治政府建设工作报告"})
    assert digits == _title({"title": "某镇2024年度法治政府建设工作报告"}) == "某镇法治政府建设工作报告"
    assert _title({"title": "某镇二〇二四年法治政府建设工作报告"}) == "某镇法治政府建设工作报告"
