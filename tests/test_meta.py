"""Metadata from the 公文 layout: the five corpus reports and made-up headers."""

import json

import pytest

from llmx.text.meta import extract_meta
from llmx.text.headings import find_headings
from llmx.text.textmap import fold
from conftest import GOLD, corpus_files


def _meta(text):
    heads = find_headings(text)
    return extract_meta(text, heads[0].start if heads else len(text))


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem[:3])
def test_meta_matches_gold(path):
    text = path.read_text(encoding="utf-8")
    gold = json.loads((GOLD / f"{path.stem}.json").read_text(encoding="utf-8"))["meta"]
    got = _meta(text)
    for key, want in gold.items():
        assert fold(json.dumps(got[key], ensure_ascii=False)) == fold(json.dumps(want, ensure_ascii=False)), key


def test_header_fields_and_signature_block():
    text = ("某某县某某镇人民政府\n某政〔2025〕3号\n签发人：王五、赵六\n"
            "某某镇2024年度法治政府建设情况报告\n某某县人民政府：\n"
            "一、主要举措\n正文。\n\n某某县某某镇人民政府\n2025年1月5日\n抄送：县司法局，县委办。\n")
    m = _meta(text)
    assert m["doc_number"] == "某政〔2025〕3号"
    assert m["signers"] == ["王五", "赵六"]
    assert m["title"] == "某某镇2024年度法治政府建设情况报告"
    assert m["report_year"] == 2024
    assert m["recipients"] == ["某某县人民政府"]
    assert m["issuers"] == ["某某县某某镇人民政府"]
    assert m["date"] == "2025-01-05"
    assert m["cc"] == ["县司法局", "县委办"]
    assert (m["county"], m["township"], m["level"]) == ("某某县", "某某镇", "township")


def test_no_signature_block_falls_back_to_header_and_publication_date():
    text = "甲乙区丙丁街道办事处\n2023年工作报告\n发布时间：2024-02-03\n一、工作情况\n正文。\n"
    m = _meta(text)
    assert m["issuers"] == ["甲乙区丙丁街道办事处"]
    assert m["date"] == "2024-02-03"
    assert m["doc_number"] is None and m["signers"] == [] and m["cc"] == []


def test_title_broken_over_two_lines_is_joined():
    text = "某某镇人民政府关于2024年度法治政府建设情况的\n报告\n县政府：\n一、主要举措\n正文。\n"
    assert _meta(text)["title"] == "某某镇人民政府关于2024年度法治政府建设情况的报告"


def test_title_broken_after_its_year_is_joined():
    text = "某某区某某局2024年度\n法治政府建设工作报告\n一、主要举措\n正文。\n"
    m = _meta(text)
    assert m["title"] == "某某区某某局2024年度法治政府建设工作报告"
    assert m["issuers"] == ["某某区某某局"]


def test_a_year_line_before_a_titled_year_line_is_not_joined():
    text = "2024年\n某某镇2024年度法治政府建设情况报告\n一、主要举措\n正文。\n"
    assert _meta(text)["title"] == "某某镇2024年度法治政府建设情况报告"


def test_a_title_word_broken_by_a_converters_pinyin_still_names_the_title():
    text = "木渎镇(zhèn)2024年度法治政府建设(shè)情况报(bào)告\n2024年，木渎镇扎实推进法治建设，现报告如下。\n一、主要举措\n"
    assert _meta(text)["title"] == "木渎镇(zhèn)2024年度法治政府建设(shè)情况报(bào)告"


_OWN_TITLE = "关于2024年法治政府建设情况的报告"


@pytest.mark.parametrize("page, title", [
    ("某某镇人民政府" + _OWN_TITLE, "某某镇人民政府" + _OWN_TITLE),  # the body before it, as its own line has it
    ("2024年法治政府建设情况的报告", _OWN_TITLE),  # no body: the document's own title
    ("某某镇2023年法治政府建设情况的报告", _OWN_TITLE),
    ("学习贯彻" + _OWN_TITLE, _OWN_TITLE),  # a verb, not a body
    ("县政府办公室转发某某镇人民政府" + _OWN_TITLE, _OWN_TITLE),  # a body, but not the header's own
])
def test_a_page_title_stands_where_it_names_the_body_of_the_documents_own(page, title):
    text = f"{page}\n发布时间：2025-03-28\n某某镇人民政府\n{_OWN_TITLE}\n县政府：\n一、主要举措\n正文。\n"
    assert _meta(text)["title"] == title


def test_county_level_report_names_its_county_and_no_township():
    text = "中共某某县委员会 某某县人民政府\n关于2023年法治政府建设情况的报告\n一、主要举措\n正文。\n"
    m = _meta(text)
    assert (m["level"], m["county"], m["township"]) == ("county", "某某县", None)
    assert m["issuers"] == ["中共某某县委员会", "某某县人民政府"]


@pytest.mark.parametrize("text, county", [
    ("东区街道2023年法治政府建设年度报告\n一、主要举措\n在中山市委、市政府的领导下，我街道推进法治建设。\n", "中山市"),
    ("那大镇2023年法治政府建设年度报告\n一、主要举措\n按照儋州市的部署，我镇推进法治建设。\n", "儋州市"),
    # a city that governs no township of that name, or no city at all, gives none
    ("东区街道2023年法治政府建设年度报告\n一、主要举措\n按照广州市的部署，我街道推进法治建设。\n", None),
    ("东区街道2023年法治政府建设年度报告\n一、主要举措\n我街道推进法治建设。\n", None),
])
def test_a_township_its_city_governs_with_no_county_between_has_that_city_for_county(text, county):
    m = _meta(text)
    assert (m["level"], m["county"]) == ("township", county)


def test_a_county_department_that_names_its_county_only_in_the_body_gets_it():
    text = ("2024年，县林业局坚持以习近平法治思想为指导，现将我局法治政府建设工作情况报告如下。\n一、主要举措\n"
            "赴荣昌区交流。印发了《邻水县林业局2024年度会前学法工作方案》，邻水县全面推进。\n")
    m = _meta(text)
    assert (m["level"], m["county"]) == ("department", "邻水县")


def test_a_county_department_that_speaks_of_its_county_as_quanqu_gets_the_county_its_text_names():
    text = ("2024年，我委引导全区卫生健康系统干部职工学法用法，现报告如下。\n一、主要举措\n"
            "配合荣昌区委机构编制委员会调整职能，指导荣昌区疾病预防控制中心规范执法。\n")
    m = _meta(text)
    assert (m["level"], m["county"]) == ("department", "荣昌区")


@pytest.mark.parametrize("opening", ["省司法厅健全区域执法协作机制", "自治区司法厅推进全区法治政府建设",
                                     "省司法厅健全县乡村三级公共法律服务体系", "区司法厅在区党委领导下推进全区法治建设",
                                     "市司法局指导全区各县开展工作"])
def test_a_province_department_that_names_a_county_keeps_none(opening):
    text = f"2024年，{opening}，现报告如下。\n一、主要举措\n指导阳新县司法局、阳新县开展执法检查。\n"
    assert _meta(text)["county"] is None


@pytest.mark.parametrize("opening", ["阿克陶县深化乡镇综合行政执法改革", "邻水县特色小镇建设加快推进"])
def test_a_county_report_with_a_word_ending_in_a_township_suffix_stays_the_countys(opening):
    text = f"2024年法治政府建设年度报告\n2024年，{opening}，取得成效。\n一、主要举措\n"
    assert _meta(text)["level"] == "county"


def test_a_city_department_keeps_no_county_for_the_counties_it_names():
    text = ("2024年，市林业局坚持以习近平法治思想为指导，现将我局法治政府建设工作情况报告如下。\n一、主要举措\n"
            "指导邻水县林业局、邻水县司法局开展执法检查。\n")
    m = _meta(text)
    assert (m["level"], m["county"]) == ("department", None)


@pytest.mark.parametrize("name, township, county", [
    ("阿克陶县某某镇人民政府", "某某镇", "阿克陶县"),  # a town the gazetteer lacks, after its county
    ("济南市历下区建筑新村街道", "建筑新村街道", "历下区"),  # not another county's 新村街道
])
def test_a_township_named_after_its_county_is_the_reporter(name, township, county):
    text = f"{name}2024年度法治政府建设报告\n2024年，在区委的领导下，扎实推进法治建设，现报告如下。\n一、主要举措\n"
    m = _meta(text)
    assert (m["level"], m["township"], m["county"]) == ("township", township, county)


def test_the_first_heading_names_the_year_an_opening_does_not():
    text = "某某区坚持以习近平法治思想为指导，法治建设成效彰显。\n一、2022年法治政府建设主要举措和成效\n正文。\n"
    assert _meta(text)["report_year"] == 2022


def test_the_opening_formula_ending_in_a_colon_is_no_address_line():
    """现将我局…报告如下： ends with a colon as a 主送 line does, but names the reporter."""
    text = "根据年度报告制度的要求，现将我局2022年度法治政府建设工作报告如下：\n一、加强组织领导\n正文。\n"
    assert _meta(text)["level"] == "department"


@pytest.mark.parametrize(("later", "level"), [("自治区人民政府把学习贯彻习近平法治思想作为重大政治责任。", "province"),
                                              ("区人民政府把学习贯彻习近平法治思想作为重大政治责任。", "county"),
                                              ("认真落实自治区党委决策部署。", "county")])  # a superior named
def test_we_the_district_is_an_autonomous_region_where_its_government_opens_a_clause(later, level):
    text = f"2022年，我区坚持以习近平法治思想为指导，现将有关情况报告如下：\n一、深入学习贯彻习近平法治思想\n{later}\n"
    assert _meta(text)["level"] == level


def test_an_index_title_opening_with_a_bracketed_doc_number_keeps_only_the_title():
    text = ("- 发文字号:\n- 标题: [天政发〔2026〕7号]天水市人民政府关于2025年法治政府建设情况的报告\n"
            "[天政发〔2026〕7号]天水市人民政府关于2025年法治政府建设情况的报告\n"
            "现将2025年度法治政府建设情况报告如下。\n一、主要举措\n正文。\n")
    m = _meta(text)
    assert m["title"] == "天水市人民政府关于2025年法治政府建设情况的报告"
    assert m["doc_number"] == "天政发〔2026〕7号"


def test_a_summary_line_under_the_title_does_not_replace_it():
    import llmx

    text = "某县2024年法治政府建设情况的报告\n——暨2024年度工作总结\n2024年，我县坚持依法行政。\n一、主要举措\n正文。\n"
    assert llmx.extract(text, design="rules").meta.title == "某县2024年法治政府建设情况的报告"


@pytest.mark.parametrize(("text", "level", "county"), [
    ("2021年，在市委的坚强领导下，北京经济技术开发区坚持以习近平法治思想为指导。\n一、主要举措\n正文。\n",
     "county", "北京经济技术开发区"),
    ("高新区综治局2022年法治政府建设年度报告\n2022年，我局扎实推进法治建设。\n一、主要举措\n正文。\n",
     "department", "高新区"),
    ("今年以来，广西-东盟经开区深入推进依法行政。\n一、主要举措\n正文。\n", "county", "广西-东盟经开区"),
    ("2021年，天津滨海高新区深入推进依法行政。\n一、主要举措\n正文。\n", "county", "天津滨海高新区"),
    ("2022年，济南高新区巨野河街道坚持依法行政。\n一、主要举措\n正文。\n", "township", "济南高新区"),  # its street
])
def test_a_development_zone_that_reports_stands_for_a_county(text, level, county):
    """No gazetteer holds 开发区/高新区, yet the zone governs as a county does: its bureaus are departments."""
    m = _meta(text)
    assert (m["level"], m["county"]) == (level, county)


@pytest.mark.parametrize(("text", "level"), [
    ("2022年，某某街道深入推进经济开发区建设，法治建设成效彰显。\n一、主要举措\n正文。\n", "township"),
    ("2022年，市政府坚持依法行政，助推开发区高质量发展。\n一、主要举措\n正文。\n", "city"),  # a verb's object
    ("2022年，沈阳市司法局坚持依法行政，服务开发区建设。\n一、主要举措\n正文。\n", "department"),
])
def test_a_zone_named_inside_a_clause_or_after_a_verb_is_not_the_reporters(text, level):
    m = _meta(text)
    assert (m["level"], m["county"]) == (level, None)


@pytest.mark.parametrize(("body", "level"), [
    ("一、工作开展情况\n（一）深入学习\n一是紧扣主题。乡党委坚持学法，组织全乡干部职工学习。\n", "township"),
    ("一、基本情况\n（一）加强能力建设。局党组共组织学习22次，在全市水务系统开展培训，全市水务执法培训1次。\n",
     "department"),
    ("一、主要举措\n（一）加强组织领导。市政府常务会议专题学法4次，召开全市法治政府建设推进会。\n", "city"),
    ("一、主要举措\n（一）加强组织领导。召开专题会议2次。\n", None),
    # other bodies' organs and a regulation's 本办法 say nothing of the reporter
    ("一、主要举措\n（一）全县召开会议5次，全县各级扎实推进，督促各乡镇党委书记履行职责。\n", "county"),
    ("一、主要举措\n（一）全区上下扎实推进，各街道党工委、办事处认真落实。\n", "county"),
    ("一、主要举措\n（一）全市各级扎实推进，各委办局党组理论学习中心组学法。\n", "city"),
    ("一、主要举措\n（一）本办法自印发之日起施行，全县推进。\n", "county"),
    # a 全县 report whose first lines name the region's party committee is still a county's
    ("一、主要举措\n（一）全县召开会议5次，全县上下认真落实，自治区党委依法治区办督察反馈问题整改到位。\n", "county"),
])
def test_a_report_opening_with_a_heading_is_placed_by_how_it_speaks_of_itself(body, level):
    """No opening sentence names the reporter: its own organ (局党组) outvotes the place it serves (全市)."""
    assert _meta(body)["level"] == level


@pytest.mark.parametrize(("opening", "level"), [("我街严格按照区委要求推进法治建设。", "township"),
                                                 ("区民宗局法治政府建设工作扎实推进。", "department")])
def test_the_opening_names_a_street_or_a_bureau_before_the_words_rule_of_law_government(opening, level):
    """我街 is a street office's 我; 法治政府 after 区民宗局 is the work, not a 政府 the bureau belongs to."""
    assert _meta(f"{opening}\n一、主要举措\n正文。\n")["level"] == level


@pytest.mark.parametrize("first, second, title", [
    # 法治政府部门建设 makes the first line a title (fazhi's title words), yet no whole title ends so
    ("关于2022年度法治政府部门建设", "工作情况的报告", "关于2022年度法治政府部门建设工作情况的报告"),
    # a line that ends as a whole title does is one: the line under it replaces it, as any later title line does
    ("关于2022年度法治政府建设情况的报告", "工作情况的报告", "工作情况的报告"),
    # a line under it with a year is a title of its own
    ("关于法治政府部门建设", "2022年度工作情况的报告", "2022年度工作情况的报告"),
])
def test_a_title_line_that_ends_as_no_whole_title_does_is_finished_by_the_title_line_under_it(first, second, title):
    from llmx.reports.report_type import load_report_type

    fazhi = load_report_type("fazhi")
    text = (f"湖南省交通运输厅\n\n{first}\n\n{second}\n\n"
            "2022年，我厅深入推进法治建设。现将有关工作情况报告如下：\n一、主要举措\n正文。\n")
    heads = find_headings(text)
    meta = extract_meta(text, heads[0].start, fazhi.title_words, fazhi.summary_title_words)
    assert meta["title"] == title


@pytest.mark.parametrize("header, date", [
    # a page's date on the title's line (split from it at 报告), with or without the body before it
    ("2024年度某某街道法治政府建设工作报告 2024-12-12\n", "2024-12-12"),
    ("某市统计局2019年度法治政府建设情况报告 某市统计局 2020-06-08\n", "2020-06-08"),
    # a page's source line that gives the time of day with its date; an index label of Shenzhen's sites
    ("某市人民政府关于2023年法治政府建设情况的报告\n来源:市司法局 2024-02-19 10:57 阅读人数:1\n", "2024-02-19"),
    ("某某街道2025年法治政府建设年度报告\n信息提供日期 : 2026-01-16 16:57来源 : 某某街道办\n", "2026-01-16"),
    # a date with the time of day anywhere on a header line: before a source label, after a label no index knows
    ("某市教育局关于2024年度法治政府建设情况的报告\n某市教育局   2025-01-07 09:07:00   来源:政策法规调研科\n", "2025-01-07"),
    ("省应急管理厅 2022 年度法治政府建设工作报告\n发布: 2022-06-08 19:50:11   阅读: 次 【\n", "2022-06-08"),
    # a source line's date without a time, a date under a label no index knows, a news item's date: none
    ("某市人民政府关于2023年法治政府建设情况的报告\n来源:市司法局 2024-02-19\n", None),
    ("某市人民政府关于2023年法治政府建设情况的报告\n实施日期 2024-03-01\n", None),
    ("某某镇召开安全生产会议 2024-01-05\n某市人民政府关于2023年法治政府建设情况的报告\n", None),
])
def test_a_page_date_stated_in_its_header_is_the_date_when_the_text_gives_none(header, date):
    text = f"{header}\n2023年，我市深入推进法治政府建设。现将有关情况报告如下：\n一、主要举措\n正文。\n"
    assert _meta(text)["date"] == date
