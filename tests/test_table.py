"""``llmx table``: sums, value lists and counts against hand-computed values on tiny hand-made results."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmx.apps.table import format_value, reports_path
from llmx.apps.table_command import table_command


def figure(indicator: str, value: float, unit: str, verified: bool = True, target: bool = False,
           unsure: bool = False) -> dict:
    return {"indicator": indicator, "label": "x", "value": value, "unit": unit, "qualifier": "exact",
            "target": target, "evidence": f"x{value}{unit}", "start": 0, "end": 1, "verified": verified,
            "confidence": 0.5 if unsure else 0.99, "unsure": unsure}


def result(doc_id: str, figures: list[dict], **extra) -> dict:
    sections = {k: {"present": k in extra.get("present", ()), "heading": None}
                for k in ("measures", "shortcomings", "leader_duties", "next_year", "other")}
    return {
        "doc_id": doc_id,
        "meta": {"title": f"{doc_id} 报告", "report_year": 2023, "signers": ["甲", "乙"], "level": "township"},
        "sections": sections, "figures": figures,
        "shortcomings": extra.get("shortcomings", []), "next_year_plans": extra.get("plans", []),
        "rejected": extra.get("rejected", []), "uncovered": extra.get("uncovered", []), "warnings": [],
        "meta_unsure": extra.get("meta_unsure", []),
    }


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    """Two results plus the files a results folder also holds (errors.jsonl, foreign and broken JSON)."""
    folder = tmp_path / "out"
    folder.mkdir()
    a = result("a", [
        figure("law_study_sessions", 2, "次"),
        figure("law_study_sessions", 6.0, "次"),
        figure("law_study_sessions", 4, "次", verified=False, target=True),
        figure("penalty_cases", 3, "件", unsure=True),
        figure("penalty_cases", 5, "人", unsure=True),
        figure("other", 0.1, "万元"),
        figure("other", 0.2, "万元"),
        figure("legal_adviser_coverage_rate", 100, "%"),
    ], present=("measures", "next_year"), shortcomings=["s1", "s2"], plans=["p1"],
        rejected=[{"item": figure("other", 9, "次"), "reason": "r"}], uncovered=[{"value": 1}, {"value": 2}],
        meta_unsure=["title", "date"])
    b = result("b", [figure("law_study_sessions", 1, "次")], present=("measures",))
    for r in (a, b):
        (folder / f"{r['doc_id']}.json").write_text(json.dumps(r, ensure_ascii=False), encoding="utf-8")
    (folder / "errors.jsonl").write_text('{"file": "c.txt", "error": "bad"}\n', encoding="utf-8")
    (folder / "run.json").write_text('{"config": {}, "predictions": {}}', encoding="utf-8")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    return folder


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def run(*args: str):
    return CliRunner().invoke(table_command, list(args))


def test_indicator_rows_match_hand_computed_values(outdir: Path, tmp_path: Path) -> None:
    out = run(str(outdir), "--csv", str(tmp_path / "t.csv"))
    assert out.exit_code == 0, out.output
    rows = {(r["doc_id"], r["indicator"]): r for r in read_csv(tmp_path / "t.csv")}
    # catalogue order within a report, ``other`` last
    assert list(rows) == [("a", "law_study_sessions"), ("a", "legal_adviser_coverage_rate"),
                          ("a", "penalty_cases"), ("a", "other"), ("b", "law_study_sessions")]
    study = rows[("a", "law_study_sessions")]
    assert study["indicator_name"] == "学法次数"
    assert (study["figures"], study["sum"], study["values"], study["units"]) == ("3", "12", "2;6;4", "次")
    assert (study["verified"], study["targets"]) == ("2", "1")
    assert "target" in study["note"]
    penalty = rows[("a", "penalty_cases")]
    assert penalty["sum"] == "" and penalty["units"] == "件;人" and "units differ" in penalty["note"]
    assert rows[("a", "other")]["sum"] == "0.3" and rows[("a", "other")]["indicator_name"] == ""
    assert rows[("a", "legal_adviser_coverage_rate")]["sum"] == ""
    assert (penalty["unsure"], study["unsure"]) == ("2", "0")
    assert rows[("b", "law_study_sessions")]["sum"] == "1"


def test_report_rows_and_skipped_files(outdir: Path, tmp_path: Path) -> None:
    out = run(str(outdir), "--csv", str(tmp_path / "t.csv"))
    assert out.exit_code == 0
    assert "run.json" in out.stderr and "broken.json" in out.stderr and "errors.jsonl" not in out.stderr
    rows = read_csv(reports_path(tmp_path / "t.csv"))
    assert reports_path(tmp_path / "t.csv").name == "t_reports.csv"
    assert [r["doc_id"] for r in rows] == ["a", "b"]
    a = rows[0]
    assert a["title"] == "a 报告" and a["signers"] == "甲;乙" and a["report_year"] == "2023"
    assert (a["measures_present"], a["shortcomings_present"], a["next_year_present"]) == ("yes", "no", "yes")
    assert a["elements_present"] == "2"
    assert (a["figures"], a["rejected"], a["uncovered"], a["shortcomings"], a["next_year_plans"]) == \
        ("8", "1", "2", "2", "1")
    assert rows[1]["elements_present"] == "1"
    assert (a["unsure"], a["meta_unsure"], rows[1]["unsure"], rows[1]["meta_unsure"]) == ("2", "title;date", "0", "")


def test_xlsx_has_both_sheets_with_numbers(outdir: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    out = run(str(outdir), "--xlsx", str(tmp_path / "t.xlsx"))
    assert out.exit_code == 0, out.output
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == ["indicators", "reports"]
    header = [c.value for c in book["indicators"][1]]
    first = dict(zip(header, [c.value for c in book["indicators"][2]]))
    assert first["sum"] == 12 and first["figures"] == 3
    assert book["reports"].max_row == 3


@pytest.mark.parametrize("setup, message", [
    (lambda p: None, "no such folder"),
    (lambda p: p.mkdir(), "no llmx result files"),
])
def test_bad_folder_is_one_line_error(tmp_path: Path, setup, message: str) -> None:
    folder = tmp_path / "missing"
    setup(folder)
    out = run(str(folder), "--csv", str(tmp_path / "t.csv"))
    assert out.exit_code == 2 and message in out.stderr and str(folder) in out.stderr
    assert not (tmp_path / "t.csv").exists()


def test_needs_an_output(outdir: Path) -> None:
    out = run(str(outdir))
    assert out.exit_code == 2 and "--csv" in out.stderr


def test_format_value_has_no_float_noise() -> None:
    assert [format_value(v) for v in (2736000.0, 0.1 + 0.2, 95.23, 7)] == ["2736000", "0.3", "95.23", "7"]
