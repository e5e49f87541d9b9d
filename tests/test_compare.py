"""llmx.eval.compare on two small hand-made runs (no scoring needed to build them)."""

from __future__ import annotations

from rich.console import Console

from llmx.eval.compare import compare, direction, render_html, render_markdown, render_rich


def matched(index, evidence, wrong=()):
    return {"gold_index": index, "pred_index": index, "value": index + 1, "indicator": "x",
            "evidence": evidence, "wrong": list(wrong)}


def run(name, figure_f1, ungrounded, seconds, cache_hits, figures):
    total = {"reports": 1, "figure_f1": figure_f1, "ungrounded": ungrounded,
             "seconds": seconds, "cache_hits": cache_hits, "meta_mean": 0.5, "calls": None}
    report = {"metrics": {"figure_f1": figure_f1, "ungrounded": ungrounded}, "figures": figures}
    return {"config": {"name": name, "model": "m"}, "scores": {"reports": {"d1": report},
                                                                  "total": total}}


A = run("a", 0.8, 0, 10.0, 0, {"matched": [matched(0, "甲1次"), matched(1, "乙2件"),
                                           matched(2, "丙3人", ["unit"])],
                               "missed": [{"gold_index": 3, "value": 4, "evidence": "丁4条"}]})
B = run("b", 0.6, 2, 12.0, 5, {"matched": [matched(0, "甲1次"), matched(1, "乙2件", ["indicator"]),
                                           matched(3, "丁4条")],
                               "missed": [{"gold_index": 2, "value": 3, "evidence": "丙3人"}]})


def rows_by_metric(cmp):
    return {r["metric"]: r for r in cmp["rows"]}


def test_rows_and_regression_flags():
    rows = rows_by_metric(compare(A, B))
    assert abs(rows["figure_f1"]["delta"] + 0.2) < 1e-12
    assert rows["figure_f1"]["regression"]             # lower is worse
    assert rows["ungrounded"]["regression"]            # higher is worse
    assert rows["seconds"]["regression"] and rows["seconds"]["delta"] == 2.0
    assert not rows["cache_hits"]["regression"]        # neutral
    assert not rows["meta_mean"]["regression"] and rows["meta_mean"]["delta"] == 0.0
    assert rows["calls"]["delta"] is None and not rows["calls"]["regression"]
    reverse = rows_by_metric(compare(B, A))
    assert not reverse["figure_f1"]["regression"] and not reverse["ungrounded"]["regression"]


def test_directions():
    assert direction("figure_f1") == "higher" and direction("prompt_tokens") == "lower"
    assert direction("cache_hits") is None


def test_per_report_deltas():
    cmp = compare(A, B)
    d1 = {r["metric"]: r for r in cmp["reports"]["d1"]}
    assert d1["figure_f1"]["regression"] and d1["ungrounded"]["delta"] == 2


def test_flips():
    flips = compare(A, B)["flips"]
    # gold 0 stays correct, gold 1 correct -> wrong, gold 2 wrong -> missing (not a flip),
    # gold 3 missing -> correct
    assert [(f["gold_index"], f["a"], f["b"], f["change"]) for f in flips] == [
        (1, "correct", "wrong indicator", "lost"), (3, "missing", "correct", "gained")]
    assert flips[0]["evidence"] == "乙2件"


def test_renders_contain_metrics():
    cmp = compare(A, B)
    md = render_markdown(cmp)
    assert "| figure_f1 | 0.800 | 0.600 | -0.200 |" in md and "REGRESSION |" in md
    assert "| d1 | 1 | 2 | 乙2件 | correct | wrong indicator | lost |" in md
    page = render_html(cmp)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "figure_f1" in page and 'class="regression"' in page and "乙2件" in page
    assert "http" not in page and "<script" not in page and "<link" not in page
    console = Console(record=True, width=200)
    console.print(render_rich(cmp))
    text = console.export_text()
    assert "figure_f1" in text and "REGRESSION" in text and "Figure flips" in text
