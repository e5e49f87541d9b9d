"""Headings, template elements and section items, against the gold labels and made-up layouts."""

import json

import pytest

from llmx.engine.items import section_items
from llmx.engine.segment import element_at, find_sections
from llmx.text.headings import find_headings
from llmx.text.textmap import fold
from conftest import GOLD, corpus_files


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem[:3])
def test_sections_match_gold(path, report_type):
    text = path.read_text(encoding="utf-8")
    gold = json.loads((GOLD / f"{path.stem}.json").read_text(encoding="utf-8"))["sections"]
    found = find_sections(text, find_headings(text), report_type)
    for key, want in gold.items():
        got = found.get(key)
        assert (got is not None) == want["present"], key
        if got:
            assert got.heading.text == want["heading"]


def test_heading_levels_and_text_stop_at_full_stop():
    text = "一、总体情况\n（一）加强领导。正文在此。\n1.建立机制。内容\n(2) 小项\n一是不是标题。\n"
    heads = find_headings(text)
    assert [(h.level, h.text) for h in heads] == [
        (1, "一、总体情况"), (2, "（一）加强领导"), (3, "1.建立机制"), (4, "(2) 小项")]
    assert text[heads[1].start:heads[1].end] == "（一）加强领导"


def test_unmatched_first_heading_is_the_measures_element(report_type):
    text = "一、强化组织领导\n正文\n二、存在问题\n一是经费不足。\n三、下一步工作计划\n（一）加强学习。\n"
    found = find_sections(text, find_headings(text), report_type)
    assert found["measures"].heading.text == "一、强化组织领导"
    assert element_at(found, text.index("经费")) == "shortcomings"
    assert element_at(found, text.index("加强学习")) == "next_year"
    assert set(found) == {"measures", "shortcomings", "next_year"}


def _items(text, report_type, key):
    heads = find_headings(text)
    span = find_sections(text, heads, report_type)[key]
    return section_items(text, span.start, span.end, span.heading, heads, report_type.element(key).item_cues)


def test_items_from_sub_headings_inline_markers_and_cue_clauses(report_type):
    subs = "三、下一步工作计划\n（一）加强学习。内容。\n（二）规范执法。内容。\n"
    assert _items(subs, report_type, "next_year") == ["加强学习", "规范执法"]
    inline = "二、存在问题\n主要有：一是意识不强，表现为……。二是力量薄弱。\n"
    assert _items(inline, report_type, "shortcomings") == ["意识不强", "力量薄弱"]
    runon = "二、存在的不足\n包括执法力量有待充实；普法宣传开展得不够全面。\n"
    assert _items(runon, report_type, "shortcomings") == ["包括执法力量有待充实", "普法宣传开展得不够全面"]


@pytest.mark.parametrize("path", corpus_files(), ids=lambda p: p.stem[:3])
def test_items_resemble_gold(path, report_type):
    """Each gold item has a found item at the contract's 0.6 similarity (most of them, per report)."""
    from rapidfuzz import fuzz

    text = path.read_text(encoding="utf-8")
    gold = json.loads((GOLD / f"{path.stem}.json").read_text(encoding="utf-8"))
    for key, field in (("shortcomings", "shortcomings"), ("next_year", "next_year_plans")):
        found = _items(text, report_type, key)
        hits = sum(any(fuzz.ratio(fold(g), fold(f)) >= 60 for f in found) for g in gold[field])
        assert hits >= 0.5 * len(gold[field]), (field, found, gold[field])


def test_part_headings_and_broader_element_words(report_type):
    text = "第一部分 工作成效\n正文。\n第二部分 面临的问题\n正文。\n第三部分 下步打算\n正文。\n"
    found = find_sections(text, find_headings(text), report_type)
    assert {k: s.heading.text for k, s in found.items()} == {
        "measures": "第一部分 工作成效", "shortcomings": "第二部分 面临的问题", "next_year": "第三部分 下步打算"}
