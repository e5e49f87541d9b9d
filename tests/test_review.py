"""``llmx review``: one mark per figure, escaping, source lookup; and the page in a real headless browser."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmx.apps.review import Placement, regions
from llmx.apps.review_command import review_command

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "eval" / "corpus"
ARTIFACTS = ROOT / "test-artifacts"

SOURCE = "甲镇报告\n<script>alert(1)</script>\n组织学法2次，开展普法6场次，发放资料300份，组织学法2次。\n"


def fig(evidence: str, number: str, value: float, unit: str, occurrence: int = 0, **extra) -> dict:
    """A figure whose start/end point at ``number`` inside the ``occurrence``-th ``evidence`` in SOURCE."""
    at = -1
    for _ in range(occurrence + 1):
        at = SOURCE.index(evidence, at + 1)
    start = SOURCE.index(number, at)
    return {"indicator": extra.get("indicator", "law_study_sessions"), "label": extra.get("label", "学法"),
            "value": value, "unit": unit, "qualifier": "exact", "target": False, "evidence": evidence,
            "start": start, "end": start + len(number), "verified": True}


def tiny_result() -> dict:
    """Duplicate evidence (the second one is meant), overlapping evidence, a figure not in the text,
    and one whose offsets do not fit its evidence."""
    figures = [
        fig("组织学法2次", "2", 2, "次", occurrence=1),
        fig("开展普法6场次，发放资料300份", "6", 6, "场次",
            indicator="publicity_events", label="普法<活动>"),
        fig("6场次，发放资料300份", "300", 300, "份", indicator="publicity_materials"),
        {**fig("组织学法2次", "2", 5, "次"), "evidence": "不在原文里的5次", "start": None, "end": None},
        {**fig("发放资料300份", "300", 300, "份"), "start": 0, "end": 1},  # offsets from another text
    ]
    sections = {k: {"present": k == "measures", "heading": "一、主要举措" if k == "measures" else None}
                for k in ("measures", "shortcomings", "leader_duties", "next_year", "other")}
    return {"doc_id": "tiny", "meta": {"title": "<b>报告</b>", "signers": []}, "sections": sections,
            "figures": figures, "shortcomings": [], "next_year_plans": [],
            "rejected": [{"item": fig("组织学法2次", "2", 2, "次"), "reason": "evidence <not> found"}],
            "uncovered": [{"value": 9, "unit": "次", "start": 3, "end": 4, "evidence": "9次", "reason": "r"}],
            "warnings": ["a <warning>"], "usage": {"calls": 0}}


class Marks(HTMLParser):
    """Collects ``mark.fig`` elements: their ids, text, and how deeply marks nest."""

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[dict] = []
        self.depth = self.max_depth = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "mark" and "fig" in dict(attrs).get("class", "").split():
            self.marks.append({**dict(attrs), "text": ""})
            self.depth += 1
            self.max_depth = max(self.max_depth, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.marks[-1]["text"] += data


def write_case(folder: Path, result: dict, source: str | None) -> Path:
    path = folder / f"{result['doc_id']}.json"
    path.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    if source is not None:
        (folder / f"{result['doc_id']}.txt").write_text(source, encoding="utf-8")
    return path


def review(*args: str):
    return CliRunner().invoke(review_command, list(args))


def test_one_mark_per_figure_and_everything_escaped(tmp_path: Path) -> None:
    result = tiny_result()
    path = write_case(tmp_path, result, SOURCE)
    out = review(str(path), "-o", str(tmp_path / "page.html"))  # source found beside the result
    assert out.exit_code == 0, out.output
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    parser = Marks()
    parser.feed(page)
    assert len(parser.marks) == len(result["figures"])
    assert parser.max_depth == 1, "marks never nest"
    by_id = {m["id"]: m for m in parser.marks}
    assert by_id["fig-0"]["text"] == "组织学法2次"
    assert page.index('id="fig-0"') > page.index('id="fig-2"'), "the occurrence holding the offsets is marked"
    assert by_id["fig-1"]["text"] == "开展普法6场次，"  # a shared clause is split at the comma
    assert by_id["fig-2"]["text"].endswith("300份")  # shared with fig-4, whose offsets are wrong
    assert by_id["fig-1"]["title"] == "普法<活动> · 6 场次 · publicity_events"
    assert "不在原文里" in page and "1 figure(s) whose evidence is not in this text" in page
    assert "1 figure(s) were not found at their offsets" in page and "loose" in by_id["fig-4"]["class"]
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for raw in ("<b>报告</b>", "普法<活动>", "<not>", "<warning>"):
        assert raw not in page
    assert "src=" not in page and "href=\"http" not in page, "no external assets"


def test_regions_are_disjoint_and_keep_each_number() -> None:
    placements = [Placement(0, (0, 10), (4, 5), True), Placement(1, (3, 20), (12, 13), True),
                  Placement(2, (11, 14), (12, 13), True), Placement(3, (2, 6), (3, 4), True)]
    spans = regions(placements, "x" * 20)
    assert sorted(p.index for p, _ in spans) == [0, 1, 2, 3]
    ordered = [span for _, span in spans]
    assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:]))
    for p, (left, right) in spans:
        assert left <= right
        if p.index != 2:  # 2 shares its number with 1, so only one of them can hold it
            assert left <= p.anchor[0] and p.anchor[1] <= right


def test_source_is_required_when_not_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_case(tmp_path, tiny_result(), None)
    out = review(str(path), "-o", str(tmp_path / "page.html"))
    assert out.exit_code == 2 and "--source" in out.stderr and str(path) in out.stderr
    assert not (tmp_path / "page.html").exists()
    (tmp_path / "elsewhere.txt").write_text(SOURCE, encoding="utf-8")
    out = review(str(path), "--source", str(tmp_path / "elsewhere.txt"), "-o", str(tmp_path / "page.html"))
    assert out.exit_code == 0, out.output


def test_a_file_that_is_not_a_result_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text('{"config": {}, "predictions": {}}', encoding="utf-8")
    out = review(str(path), "-o", str(tmp_path / "page.html"))
    assert out.exit_code == 2 and "not an llmx result" in out.stderr and "run.json" in out.stderr


# --- in a real browser --------------------------------------------------------


def test_review_page_in_headless_chromium(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    doc_id = "002_fbe45d23903cb0be"
    run = json.loads((ROOT / "eval" / "runs" / "design_rules.json").read_text(encoding="utf-8"))
    result = run["predictions"][f"corpus/{doc_id}"]
    path = write_case(tmp_path, result, None)
    out = review(str(path), "--source", str(CORPUS / f"{doc_id}.txt"), "-o", str(tmp_path / "page.html"))
    assert out.exit_code == 0, out.output

    browser.get((tmp_path / "page.html").as_uri())
    marks = browser.find_elements(By.CSS_SELECTOR, "mark.fig")
    assert len(marks) == len(result["figures"]) > 0
    target = marks[4]
    ActionChains(browser).move_to_element(target).perform()
    figure = result["figures"][int(target.get_attribute("data-index"))]
    value = figure["value"]
    shown = f"{int(value) if float(value).is_integer() else value} {figure['unit']}".strip()
    title = target.get_attribute("title")  # what a reader sees on hover: what, how many, which indicator
    assert title.split(" · ") == [figure["label"], shown, figure["indicator"]], title
    assert figure["label"] in browser.find_element(By.ID, "inspector").text
    browser.execute_script("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "review.png"))
