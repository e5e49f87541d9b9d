"""The cleaning stage, the gazetteer and issuer levels: one case per class of web page and issuer."""

import json
from pathlib import Path

import pytest

from llmx.errors import LlmxError

from llmx.text.clean import clean
from llmx.text.meta import extract_meta
from llmx.text.places import gazetteer
from llmx.text.script import simplify
from llmx.text.headings import find_headings
from llmx.text.subject import level_of, split_orgs
from conftest import ROOT

WIDE = ROOT / "eval" / "wide"


def _meta(text):
    heads = find_headings(text)
    return extract_meta(text, heads[0].start if heads else len(text), ("报告", "法治政府建设情况"))


def test_simplify_keeps_length_and_offsets():
    text = "東城區政府堅持\n寧政發(fā)〔2019〕35號《關於…的報告》"
    out = simplify(text)
    assert len(out) == len(text) and out.splitlines()[0] == "东城区政府坚持"


def test_furniture_is_blanked_in_place_and_index_block_parsed():
    text = ("您当前的位置:首页 > 政务公开 > 规划计划\n"
            "  • 索 引 号: 123/2024-001 发布机构: 某某镇人民政府\n"
            "  • 成文日期: 2024-02-07\n"
            "某镇2023年法治政府建设年度报告_街镇园区文件_某区人民政府门户网站\n"
            "浏览次数: 76次 字号:【大 中 小】\n"
            "2023年，某镇开展普法宣传12场次，发放资料300份，全年工作扎实推进，取得成效。\n")
    ct = clean(text)
    assert len(ct.text) == len(text)
    assert ct.index["publisher"] == "某某镇人民政府" and ct.index["written"] == "2024-02-07"
    assert "76" not in ct.text and "首页" not in ct.text and "门户网站" not in ct.text
    assert "某镇2023年法治政府建设年度报告" in ct.text and "12场次" in ct.text


def test_restore_gives_the_source_spelling():
    ct = clean("小龍門鄉2024年法治政府建設情況報告\n")
    assert ct.text.startswith("小龙门乡")
    assert ct.restore("小龙门乡") == "小龍門鄉"
    assert ct.restore("龙门乡 报告") == "龍門鄉 報告"


@pytest.mark.parametrize("text, names", [
    ("长沙市天心区坡子街街道办事处", ["长沙市", "天心区", "坡子街街道"]),
    ("主城区建设", []),  # 城区 is a district's name, but here the tail of a word
    ("松洲街以习近平", ["松洲街"]),  # a street office in its short written form
    ("昌吉州人民政府", ["昌吉州"]),  # an autonomous prefecture's short form
    ("西城街街道办事处", ["西城街街道"]),  # the short form of 西城街道 opening a longer name, as written
])
def test_gazetteer_cuts_place_names(text, names):
    assert [p.name for p in gazetteer().find(text)] == names


@pytest.mark.parametrize("text, level", [
    ("2022年，我局深入学习", "department"),
    ("州生态环境局2022年度", "department"),
    ("浙江省卫生健康委", "department"),
    ("中共惠安县委", "county"),
    ("南安市卫生健康局", "department"),
    ("2024年，在市委、市政府的正确领导下，中原区坚持", "county"),
    ("现将省政府2021年度", "province"),
    ("现将2018年上海市法治政府建设", "province"),  # a municipality is province-level
    ("2023年，昌吉州人民政府始终坚持", "city"),
    ("2021年，双环邨街道全力推动", "township"),  # not in the gazetteer: read by its suffix
    ("以及市、区对法治建设工作的具体部署", None),
    # superiors thanked, not the reporter: the place-like 得益于县 is no county either
    ("得益于县委、县政府的坚强领导和大力支持，我镇各项工作稳步推进", "township"),
    ("受益于区委的关心，我街道法治建设", "township"),
    # superiors set aside leave empty clauses that must not use up the clauses read
    ("2025年以来，在市委、市政府的坚强领导下，在镇党委、镇人大的监督支持下，我镇政府以习近平法治思想为指导", "township"),
    ("2023年，全省政府系统深入推进依法行政，我县坚持", "county"),
    ("2024年，全省法治政府建设取得新成效", "province"),  # 全省 before 法治政府, not a 全省政府 system
    ("自治区党委、政府自觉将习近平法治思想作为根本遵循", "province"),
    ("2023年，我自治区坚持", "province"),
    ("中共浚县县委 浚县人民政府", "county"),  # 县委 is the county's own party committee
    ("区政府办坚持以习近平法治思想为指导", "department"),
    ("浚县县委办公室", "department"),
    ("浚县县委宣传部", "department"),  # a department of the county's party committee
    ("市委宣传部", "department"),  # the same without a place name before it
    ("渠县县委依法治县办", "department"),
    ("中共某某市荣昌区委教育工作委员会", "department"),  # an organ of the district's party committee
    ("鲁山县人民政府办理人大代表建议86件", "county"),  # 办理 is a verb, not an office
    ("新向阳街道办事处", "township"),  # a name the gazetteer lacks may hold 向, 于, 对…
])
def test_level_of_the_reporting_body(text, level):
    assert level_of(text) == level


def test_bodies_run_together_are_split():
    assert split_orgs("中共黄湾镇委员会黄湾镇人民政府") == ["中共黄湾镇委员会", "黄湾镇人民政府"]
    assert split_orgs("叶城县") == []


def test_traditional_page_keeps_its_spelling_in_meta():
    text = ("小龍門鄉2024年法治政府建設情況報告\n發布時間:2025-04-11 16:33 信息來源:辰溪縣小龍門鄉\n"
            "2024年,小龍門鄉在縣全面依法治縣委員會的指導下,深入貫徹習近平總書記關于全面依法治國新思想新戰略。\n")
    m = _meta(text)
    assert m["title"] == "小龍門鄉2024年法治政府建設情況報告"
    assert (m["level"], m["township"], m["county"]) == ("township", "小龍門鄉", "辰溪縣")
    assert m["date"] == "2025-04-11" and m["report_year"] == 2024 and m["issuers"] == []


def test_cited_document_number_is_not_the_reports():
    text = ("根据《法治政府建设与责任落实督察工作规定》(厅字〔2019〕28号),现将省政府2021年度法治政府建设情况报告如下。\n"
            "一、2021年主要工作\n")
    m = _meta(text)
    assert m["doc_number"] is None and m["title"] is None
    assert (m["report_year"], m["level"]) == (2021, "province")


def test_wide_gold_meta_fields_all_match():
    """The wide set's metadata, field by field (a regression net for every class above)."""
    wrong = []
    for gold_path in sorted((WIDE / "gold").glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))["meta"]
        got = _meta((WIDE / "raw" / f"{gold_path.stem}.txt").read_text(encoding="utf-8"))
        wrong += [f"{gold_path.stem}.{k}" for k in ("level", "county", "township", "doc_number", "date",
                                                     "report_year") if got[k] != gold[k]]
    assert len(wrong) <= 3, wrong


def test_gazetteer_reads_jionlp_zip_when_not_unzipped(tmp_path, monkeypatch):
    """A fresh jionlp install ships the dictionary zipped; it is unzipped only by jionlp's own first use."""
    import importlib.util
    import types
    import zipfile

    from llmx.text import places

    real = importlib.util.find_spec("jionlp")
    source = Path(next(iter(real.submodule_search_locations))) / "dictionary"
    folder = tmp_path / "jionlp" / "dictionary"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "china_location.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        if (source / "china_location.txt").is_file():
            archive.write(source / "china_location.txt", "china_location.txt")
        else:
            with zipfile.ZipFile(source / "china_location.zip") as shipped:
                archive.writestr("china_location.txt", shipped.read("china_location.txt"))
    monkeypatch.setenv("LLMX_CACHE_DIR", str(tmp_path / "cache"))
    fake = types.SimpleNamespace(submodule_search_locations=[str(tmp_path / "jionlp")])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: fake if name == "jionlp" else real)
    fresh = places.gazetteer.__wrapped__()
    assert [p.name for p in fresh.find("长沙市天心区坡子街街道")] == ["长沙市", "天心区", "坡子街街道"]
    (folder / "china_location.zip").unlink()
    with pytest.raises(LlmxError, match="reinstall jionlp"):
        places.gazetteer.__wrapped__()


def test_title_broken_after_its_issuers_is_joined():
    text = ("中共永和镇委员会 永和镇人民政府关于2023年度\n法治政府建设情况的报告\n县委、县政府：\n"
            "2023年，永和镇坚持以习近平法治思想为指导，扎实推进法治建设，成效明显，现报告如下。\n一、主要举措\n")
    m = _meta(text)
    assert m["title"] == "中共永和镇委员会 永和镇人民政府关于2023年度法治政府建设情况的报告"
    assert m["issuers"] == ["中共永和镇委员会", "永和镇人民政府"] and m["recipients"] == ["县委", "县政府"]


def test_county_portal_publishing_a_townships_report():
    """The page's publisher is the county; the report's own opening names the township."""
    text = ("发布机构：松溪县人民政府\n郑墩镇2023年法治政府建设年度报告\n"
            "2023年，在县委、县政府的坚强领导下，郑墩镇坚持以习近平法治思想为指导，扎实推进法治建设。\n一、主要举措\n")
    m = _meta(text)
    assert (m["level"], m["township"], m["county"]) == ("township", "郑墩镇", "松溪县")


def test_a_county_portals_breadcrumb_places_a_townships_report():
    """Where no publisher is given, the path of the county's site (on the line after 位置:) names it."""
    text = ("您现在所在的位置 :\n首页 > 海丰县人民政府门户网站 > 专题专栏 > 2025年\n"
            "2025年，在县委、县政府的正确领导下，平东镇坚持以习近平法治思想为指导，扎实推进法治建设。\n一、主要举措\n")
    m = _meta(text)
    assert (m["level"], m["township"], m["county"]) == ("township", "平东镇", "海丰县")


def test_body_lines_that_mention_tool_words_keep_their_figures():
    text = ("某镇2023年法治政府建设年度报告\n2023年，我镇扎实推进法治建设，成效明显，现报告如下。\n"
            "购置打印机3台\n时间：2023年全年共开展普法活动56场次\n")
    ct = clean(text)
    assert ct.text == text and ct.index == {}


@pytest.mark.parametrize("text, level", [
    ("松溪县人民政府办公室", "department"),
    ("城南街道办在区委的领导下", "township"),
    ("2023年，镇党委、政府坚持", "township"),
    ("2023年，县委、县政府高度重视法治政府建设，大坪镇坚持", "township"),
])
def test_level_of_offices_and_party_bodies(text, level):
    assert level_of(text) == level


def test_gazetteer_table_is_cached_keyed_by_dictionary_and_code(tmp_path, monkeypatch):
    """The second start loads the table the first one built; a damaged or stale table is rebuilt, never trusted."""
    import pickle

    from llmx.text import places

    monkeypatch.setenv("LLMX_CACHE_DIR", str(tmp_path))
    built = places.gazetteer.__wrapped__()
    tables = list((tmp_path / "gazetteer").glob("*.pickle"))
    assert len(tables) == 1
    loaded = places.gazetteer.__wrapped__()
    assert loaded.by_name == built.by_name
    assert [p.name for p in loaded.find("长沙市天心区坡子街街道")] == ["长沙市", "天心区", "坡子街街道"]

    tables[0].write_bytes(b"not a pickle")  # damaged: rebuilt and rewritten
    assert places.gazetteer.__wrapped__().by_name == built.by_name
    assert tables[0].read_bytes() != b"not a pickle"

    import os
    import time

    stale = tmp_path / "gazetteer" / "0123.pickle"  # a table no run has used for eight days
    stale.write_bytes(tables[0].read_bytes())
    os.utime(stale, (time.time() - 8 * 86400,) * 2)
    recent = tmp_path / "gazetteer" / "4567.pickle"  # another install's, used today: kept
    recent.write_bytes(tables[0].read_bytes())
    monkeypatch.setattr(places, "_build_key", lambda dictionary: "changed")  # new code or a new dictionary
    assert places.gazetteer.__wrapped__().by_name == built.by_name
    left = {p.name for p in (tmp_path / "gazetteer").iterdir()}
    assert "0123.pickle" not in left and {"4567.pickle", "changed.pickle", tables[0].name} <= left

    changed = tmp_path / "gazetteer" / "changed.pickle"  # a table anyone could have written is not loaded
    changed.write_bytes(pickle.dumps({"假名": []}))
    changed.chmod(0o666)
    assert places.gazetteer.__wrapped__().by_name == built.by_name


def test_gazetteer_works_when_the_cache_cannot_be_written(tmp_path, monkeypatch):
    from llmx.text import places

    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("LLMX_CACHE_DIR", str(blocker))
    assert places.gazetteer.__wrapped__().lookup("坡子街街道")


@pytest.mark.parametrize("line, field, value", [
    ("栏目：工作报告 发布时间：2024-01-15", "published", "2024-01-15"),  # an unknown label first
    ("某某县人民政府门户网站 www.example.gov.cn 发布时间:2023-03-02 09:10", "published", "2023-03-02 09:10"),
    ("信息来源：县司法局 更新时间：2022/03/29 11:30:01", "published", "2022/03/29 11:30:01"),
    ("信息来源：县司法局 点评人：张三", "source", "县司法局"),  # an unknown label ends the value before it
    ("[ 索引号 ] 1150/2025-00005 [ 发布日期 ] 2025-01-13", "published", "2025-01-13"),  # labels in brackets
    ("[ 索引号 ] 1150ABC/2025-00005", "index_number", "1150ABC/2025-00005"),  # a bracket closes a label
    ("成文时间：2022年02月28日", "written", "2022年02月28日"),
    ("时间:2023-02-28 15:36 阅读:1", "published", "2023-02-28 15:36"),  # a view counter is furniture
    ("索引号 1132098/2023-00355 组配分类 业务工作", "index_number", "1132098/2023-00355"),  # a row, no colons
    ("发布机构 某某县某某镇 发文日期 2023-03-29", "publisher", "某某县某某镇"),
    ("某县人民政府门户网(wǎng)站 发(fā)布时间:2025-12-24 11:51", "published", "2025-12-24 11:51"),  # pinyin
    ("索引号 1132098/2023-00355 发布机构 某县司法局 发布日期：2023-03-29", "published", "2023-03-29"),  # both
])
def test_index_fields_in_header_lines_of_any_layout(line, field, value):
    text = f"某县2024年法治政府建设年度报告\n{line}\n2024年，某县扎实推进法治政府建设，取得明显成效，现报告如下。\n"
    ct = clean(text)
    assert ct.index[field] == value
    assert value not in ct.text.splitlines()[1]  # the fields are furniture; text before them may stay


@pytest.mark.parametrize("line", ["索引号 1132098/2023-00355", "来源 县司法局 全镇开展普法活动12场次",
                                  "来源 县司法局，作者 张三开展普法活动12场次"])
def test_a_label_without_a_colon_alone_or_in_prose_is_no_index_row(line):
    text = f"某县2024年法治政府建设年度报告\n{line}\n2024年，某县扎实推进法治政府建设，取得明显成效，现报告如下。\n"
    assert clean(text).text.splitlines()[1] == line


def test_a_title_line_with_fields_after_it_keeps_the_title():
    text = ("某某县2023年法治政府建设年度报告 发布时间：2024-03-01 来源：县司法局\n"
            "2023年，某某县扎实推进法治政府建设，取得明显成效，现报告如下。\n")
    m = _meta(text)
    assert m["title"] == "某某县2023年法治政府建设年度报告" and m["date"] == "2024-03-01"


def test_index_value_on_its_own_line_that_also_opens_the_next_field():
    text = ("- 索 引 号:4300/2025-00578\n发布机构:\n某县教育局 成文日期:2025-02-25 15:58 - 名称:\n"
            "某县教育局2024年度法治政府建设年度报告\n2024年，某县教育局扎实推进依法治教，取得明显成效。\n")
    ct = clean(text)
    assert ct.index["publisher"] == "某县教育局" and ct.index["written"] == "2025-02-25 15:58"
    assert _meta(text)["date"] == "2025-02-25"


def test_party_group_of_a_department_is_an_issuer():
    assert split_orgs("中共某某县教育局党组") == ["中共某某县教育局党组"]


def test_pinyin_reading_inside_the_bodys_name():
    """Mirror sites annotate rare characters with their reading: 梅州(méi)市教育局 is still a department."""
    text = "2023年法治政府建设年度报告\n2023年，梅州(méi)市教育局坚持以习近平法治思想为指导，扎实推进依法治教。\n"
    assert _meta(text)["level"] == "department"


def test_issuer_header_over_several_lines_and_a_street_office_named_with_its_government():
    text = ("中共某某区广顺街道工作委员会\n某某区人民政府广顺街道办事处\n关于2025年度法治政府建设情况的报告\n区委、区政府：\n"
            "2025年，广顺街道扎实推进法治政府建设，取得明显成效，现报告如下。\n")
    m = _meta(text)
    assert m["issuers"] == ["中共某某区广顺街道工作委员会", "某某区人民政府广顺街道办事处"]
    assert m["title"] == "关于2025年度法治政府建设情况的报告" and m["level"] == "township"
    assert split_orgs("鲤城区人民政府金龙街道办事处") == ["鲤城区人民政府金龙街道办事处"]
    assert level_of("鲤城区人民政府金龙街道办事处") == "township"


def test_title_without_report_and_a_share_widget_before_it():
    """A department's title may end in 工作情况; 分享到: is a widget that waits for no value."""
    text = ("分享到:\n某某省交通运输厅2025年法治政府部门建设工作情况\n"
            "2025年，某某省交通运输厅坚持以习近平法治思想为指导，扎实推进法治政府部门建设。\n")
    from llmx.reports.report_type import load_report_type

    heads = find_headings(text)
    m = extract_meta(text, heads[0].start if heads else len(text), load_report_type("fazhi").title_words)
    assert m["title"] == "某某省交通运输厅2025年法治政府部门建设工作情况"
    assert m["issuers"] == ["某某省交通运输厅"] and m["level"] == "department"


def test_a_summary_is_the_title_only_where_no_line_names_a_report():
    """某镇…法治政府建设工作总结 titles a report published as a summary; beside a line that names the
    report it is a subtitle, and the report's own title stays."""
    from llmx.reports.report_type import load_report_type

    fazhi = load_report_type("fazhi")

    def title(text: str) -> str | None:
        heads = find_headings(text)
        return extract_meta(text, heads[0].start if heads else len(text), fazhi.title_words,
                            fazhi.summary_title_words)["title"]

    body = "2024年，某镇坚持以习近平法治思想为指导，扎实推进法治政府建设，现将有关情况报告如下：\n"
    assert title("某镇2024年法治政府建设工作总结\n" + body) == "某镇2024年法治政府建设工作总结"
    assert title("某镇关于2024年度法治政府建设情况的报告\n某镇2024年法治政府建设工作总结\n" + body) \
        == "某镇关于2024年度法治政府建设情况的报告"
    assert title("首页 > 法治政府建设工作总结\n" + body) is None  # a breadcrumb names a column of the site
    assert title("某镇2023年法治政府建设工作总结\n上一篇：某镇2022年法治政府建设工作总结\n" + body) \
        == "某镇2023年法治政府建设工作总结"  # the link to the page before is the site's


def test_links_to_the_neighbouring_pages_are_furniture_wherever_they_sit():
    """上一篇：/下一篇： below the report are the page's, not a title and not a count of 篇."""
    import tempfile

    import llmx

    text = ("某镇2023年法治政府建设工作报告\n2023年，我镇坚持依法行政，办理行政复议案件3件。\n"
            "上一篇：关于2022年工作的报告\n下一篇: 某镇2024年工作计划\n")
    cleaned = clean(text)
    assert "上一篇" not in cleaned.text and "下一篇" not in cleaned.text and len(cleaned.text) == len(text)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.txt"
        path.write_text(text, encoding="utf-8")
        result = llmx.extract(path, design="rules")
    assert result.meta.title == "某镇2023年法治政府建设工作报告"
    assert [f.value for f in result.figures] == [3]


def test_index_block_as_a_table_and_an_aggregators_line_about_the_document():
    text = ("《某市人民政府2018年度法治政府建设工作报告》是2019年某市人民政府发布的通知。\n"
            "成文日期 | 2019-03-16 | 公开方式 | 主动公开 |\n| 发文机关: | 某县应急管理局 | 发文日期: | |\n"
            "| 文号 : | |||\n某县应急管理局\n2018年法治政府建设报告\n"
            "某县应急管理局坚持以习近平法治思想为统揽，全面贯彻落实关于法治建设的各项重要部署。\n")
    ct = clean(text)
    assert ct.index["written"] == "2019-03-16" and ct.index["publisher"] == "某县应急管理局"
    assert "doc_number" not in ct.index  # an empty cell waits for no value on the next line
    m = _meta(text)
    assert m["issuers"] == ["某县应急管理局"] and m["report_year"] == 2018 and m["date"] == "2019-03-16"


def test_a_header_line_repeated_names_its_bodies_once():
    text = ("某县教育局\n某县教育局\n2023年法治政府建设年度报告\n"
            "2023年，某县教育局扎实推进依法治教，取得明显成效，现报告如下。\n")
    assert _meta(text)["issuers"] == ["某县教育局"]
