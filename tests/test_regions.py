"""``meta.region_code`` (issue 14, point 3): the 行政区划代码 of a report's place, or null rather than a guess."""

from __future__ import annotations

import pytest

from conftest import CORPUS, contract_json
from llmx.text.regions import region_code

# The national codes of the bundled reports' counties (GB/T 2260), written out as published.
BUNDLED = {
    "000_463a946c1bd692f9": ("英林镇", "350582"),  # 晋江市, Fujian
    "001_acdc9367334b1221": ("安砂镇", "350481"),  # 永安市, Fujian
    "002_fbe45d23903cb0be": ("岔河镇", "320623"),  # 如东县, Jiangsu
    "003_09ab63e389e62a59": ("清江镇", "330382"),  # 乐清市, Zhejiang
    "004_10dd5ecf361dedb7": ("官田乡", "350881"),  # 漳平市, Fujian
}


@pytest.mark.parametrize("doc_id", sorted(BUNDLED))
def test_a_township_report_carries_its_county_code(doc_id):
    meta = contract_json(CORPUS / f"{doc_id}.txt")["meta"]
    assert (meta["township"], meta["region_code"]) == BUNDLED[doc_id]


def report(opening: str) -> str:
    return (f"{opening}2023年法治政府建设年度报告\n一、主要举措和成效\n"
            "全年办理行政复议案件12件。\n二、存在问题\n法治意识有待提高。\n")


@pytest.mark.parametrize("opening, code", [
    ("北京市朝阳区人民政府", "110105"),
    ("吉林省长春市朝阳区人民政府", "220104"),
    ("朝阳区人民政府", None),  # two 朝阳区 and nothing to tell them apart: no guess
])
def test_a_name_two_places_share_is_told_apart_by_the_places_named_with_it(tmp_path, opening, code):
    path = tmp_path / "report.txt"
    path.write_text(report(opening), encoding="utf-8")
    meta = contract_json(path)["meta"]
    assert (meta["level"], meta["county"]) == ("county", "朝阳区")
    assert meta["region_code"] == code


def test_traditional_spelling_and_unknown_places():
    assert region_code({"level": "county", "county": "辰溪縣"}, ()) == "431223"
    assert region_code({"level": "township", "township": "某某镇", "county": "某某县"}, ()) is None
    assert region_code({"level": "department"}, ()) is None


def test_a_township_its_city_governs_directly_has_the_citys_code():
    """中山市 governs 港口镇 with no county between: the city stands as its county, and its code is the city's."""
    assert region_code({"level": "township", "township": "港口镇", "county": "中山市"}, ()) == "442000"
