"""OCR of scans (issue 14, point 1): a bundled report printed to page images, then a PDF, extracts as its text does.

The scan is made here (``scanned``): the report's text drawn with a CJK font,
one image per A4 page, saved as an image-only PDF.  It is extracted by the
CLI in a real process (so per-page progress reaches a real stderr) and scored
with the project scorer against the report's gold, using the OCR text saved
beside the result as the source.  These tests skip, naming what is missing,
without the [ocr] extra or a CJK font; .ci/run installs both.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS, GOLD, ROOT
from llmx.apps.cli import main
from llmx.text.load.ocr import Line, group_lines, join_pages, mend_marks
from llmx.eval.scoring.report import score_report
from scanned import (Font, cjk_fonts, compare, degrade, figure_recall, layout, pdf_of, printed_text, render_pages,
                     require_cjk_font)

REPORT = CORPUS / "000_463a946c1bd692f9.txt"  # the shortest bundled report: 5 pages, 27 gold figures
OCR_EXTRA = "pip install 'llmx[ocr]'"


def needs_ocr() -> Font:
    pytest.importorskip("rapidocr_onnxruntime", reason="the [ocr] extra is not installed: " + OCR_EXTRA)
    return require_cjk_font()


@pytest.fixture(scope="module")
def scanned_run(tmp_path_factory):
    """The scan of REPORT extracted once by ``llmx extract --design rules``; what every test below reads."""
    font = needs_ocr()
    folder = tmp_path_factory.mktemp("scan")
    pages = render_pages(REPORT.read_text(encoding="utf-8"), font)
    pdf = folder / f"{REPORT.stem}.pdf"
    pdf.write_bytes(pdf_of(pages))
    out = folder / "out"
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "llmx.apps.cli", "extract", str(pdf), "--design", "rules",
                           "-o", f"{out}/"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    seconds = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    print(f"\nOCR: {len(pages)} pages in {seconds:.1f} s = {seconds / len(pages):.1f} s per page")
    return {"pages": len(pages), "pdf": pdf, "out": out, "stderr": proc.stderr,
            "result": json.loads((out / f"{REPORT.stem}.json").read_text(encoding="utf-8")),
            "text": (out / f"{REPORT.stem}.ocr.txt").read_text(encoding="utf-8")}


def test_scanned_report_scores_like_its_text_against_gold(scanned_run, report_type):
    gold = json.loads((GOLD / f"{REPORT.stem}.json").read_text(encoding="utf-8"))
    scores = score_report(scanned_run["result"], gold, scanned_run["text"], report_type.numbered_names)["metrics"]
    assert scores["figure_f1"] >= 0.95, scores
    assert scores["ungrounded"] == 0 and scores["gold_unlocated"] == 0, scores


def test_every_figure_is_at_its_offsets_in_the_saved_ocr_text(scanned_run, report_type):
    from llmx.text.numbers import find_mentions

    text, figures = scanned_run["text"], scanned_run["result"]["figures"]
    numbers = {(m.start, m.end): m.value for m in find_mentions(text, tuple(report_type.numbered_names))}
    assert len(figures) >= 20
    for fig in figures:
        assert numbers.get((fig["start"], fig["end"])) == fig["value"], (text[fig["start"]:fig["end"]], fig)
        at = text.find(fig["evidence"], max(0, fig["end"] - len(fig["evidence"])))  # the one holding the number
        assert at != -1 and at <= fig["start"] and fig["end"] <= at + len(fig["evidence"]), fig


def test_long_scan_reports_progress_per_page(scanned_run):
    lines = [line for line in scanned_run["stderr"].splitlines() if line.startswith("llmx: OCR ")]
    n = scanned_run["pages"]
    assert n >= 3
    assert lines == [f"llmx: OCR {scanned_run['pdf']}: page {i}/{n}" for i in range(1, n + 1)]


def _installed_fonts() -> list:
    fonts = cjk_fonts()
    return fonts or [None]  # None: the test skips, naming what is missing


def _font_id(font) -> str:
    return font.name.replace(" ", "-") if font else "no-font"


@pytest.mark.parametrize("font", _installed_fonts(), ids=_font_id)
def test_page_image_is_read_and_its_text_kept_beside_the_result(tmp_path, font):
    """Every installed CJK font (it failed with Noto Serif CJK, whose first face is the Japanese one)."""
    font = font or needs_ocr()
    needs_ocr()
    page = render_pages("某镇2023年法治政府建设年度报告\n全年办理行政复议案件12件，纠错率8.3%。", font)[0]
    image = tmp_path / "scan.png"
    page.crop((0, 0, page.width, 300)).save(image)  # one short strip: OCR stays cheap
    result = CliRunner().invoke(main, ["extract", str(image), "--design", "rules", "--quiet",
                                       "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out.ocr.txt").read_text(encoding="utf-8")
    assert "全年办理行政复议案件12件，纠错率8.3%。" in text
    figures = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))["figures"]
    assert [(f["value"], text[f["start"]:f["end"]]) for f in figures][:1] == [(12, "12")]


def test_batch_keeps_a_scans_text_beside_its_result(tmp_path):
    """In a batch the worker only reads; the main thread writes the OCR text, then the result."""
    font = needs_ocr()
    page = render_pages("某镇2023年法治政府建设年度报告\n全年办理行政复议案件12件，纠错率8.3%。", font)[0]
    (tmp_path / "in").mkdir()
    page.crop((0, 0, page.width, 300)).save(tmp_path / "in" / "scan.png")
    result = CliRunner().invoke(main, ["batch", str(tmp_path / "in" / "scan.png"), "-o", str(tmp_path / "out"),
                                       "--design", "rules"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "out" / "scan.ocr.txt").read_text(encoding="utf-8")
    figures = json.loads((tmp_path / "out" / "scan.json").read_text(encoding="utf-8"))["figures"]
    assert [(f["value"], text[f["start"]:f["end"]]) for f in figures][:1] == [(12, "12")]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["scan.json", "scan.ocr.txt"]


@pytest.mark.parametrize("missing", ["rapidocr_onnxruntime", "rapidocr"])
@pytest.mark.parametrize("suffix", [".png", ".pdf"])
def test_missing_ocr_extra_is_one_line_naming_it(tmp_path, suffix, missing):
    """A real process in which the engine, or the package shipping its recognition model, cannot be
    imported, as without the extra."""
    from PIL import Image

    scan = tmp_path / f"scan{suffix}"
    Image.new("L", (200, 100), 255).save(scan)  # Pillow writes an image-only PDF for .pdf
    block = (f"import sys; sys.modules[{missing!r}] = None; sys.argv[0] = 'llmx'; "
             "from llmx.apps.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", block, "extract", str(scan), "--design", "rules",
                           "-o", str(tmp_path / "out.json")], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(f"llmx: error: {scan}: ") and OCR_EXTRA in proc.stderr
    assert not list(tmp_path.glob("out*"))


def _paragraphs(report: Path, *numbers: int) -> list[str]:
    lines = report.read_text(encoding="utf-8").splitlines()
    return [lines[n - 1].strip() for n in numbers]


#: One printed page: two paragraphs of report 001 full of quotation marks (the angle classifier turned such
#: lines upside down and they vanished) and one of report 000 full of figures, most lines ending in a mark.
SPOILED_PAGE = "\n".join(_paragraphs(CORPUS / "001_acdc9367334b1221.txt", 16, 22)
                          + _paragraphs(CORPUS / "000_463a946c1bd692f9.txt", 25, 27))
#: The issue's page (150 dpi, half a degree of skew, slight blur and noise), and the worst of bench/ocr_check.py.
SPOILS = {"issue": dict(skew=0.5, blur=0.8, noise=12), "worst": dict(skew=1.0, blur=1.0, noise=20, jpeg=40)}


@pytest.mark.parametrize("spoil", list(SPOILS.values()), ids=list(SPOILS))
@pytest.mark.parametrize("font", _installed_fonts(), ids=_font_id)
def test_a_spoiled_scan_keeps_every_line_and_every_figure(font, spoil):
    """Issue 19: such a page lost about one line in eight whole, and some fonts lost lines' last marks.

    Every installed CJK font is tried, so the suite holds whichever one a machine has;
    ``python bench/ocr_check.py`` measures the full grid (resolutions, skew, blur, noise, JPEG).
    """
    font = font or needs_ocr()
    needs_ocr()
    from llmx.text.load.ocr import join_pages, page_lines

    rows = [row for page in layout(SPOILED_PAGE, font) for row in page]
    (page,) = render_pages(SPOILED_PAGE, font)
    ocr_text = join_pages([page_lines(degrade(page, **spoil), Path("scan.png"))])
    kept = compare(rows, ocr_text)
    recall, extra = figure_recall(printed_text(rows), ocr_text)
    assert kept["lines_lost"] == 0, kept["lost"]
    assert kept["end_marks_lost"] == 0, ocr_text
    assert kept["content_recall"] >= 0.99, (kept, ocr_text)  # every letter, digit and CJK character, nearly
    assert recall >= 0.98, ocr_text  # the goal: within 0.02 of the text's own figures
    # The goal: with PP-OCRv4's recogniser, WenQuanYi Zen Hei at the worst spoil lost the quotation marks
    # of ”“ pairs and read 《》 as （） (0.972 on this page); only 3•15's bullet, read as 0, is left.
    assert kept["char_recall"] >= 0.99, (kept, ocr_text)
    assert extra == 0, ocr_text  # 3015 (3•15 misread) stays a quoted name, not a figure


def test_a_page_scanned_upside_down_is_turned_whole():
    """Without the per-line classifier, the page as a whole is voted upright or upside down."""
    font = needs_ocr()
    from llmx.text.load.ocr import join_pages, page_lines

    text = "\n".join(_paragraphs(CORPUS / "000_463a946c1bd692f9.txt", 25, 27))
    page = render_pages(text, font)[0]
    page = page.crop((0, 0, page.width, 560))
    upright = join_pages([page_lines(page, Path("scan.png"))])
    assert join_pages([page_lines(page.rotate(180), Path("scan.png"))]) == upright
    assert "全镇17名干部持有行政执法证。" in upright


def box(text: str, left: float, right: float, top: float, height: float = 30):
    """A RapidOCR result row: corners clockwise from top-left, text, score."""
    return [[[left, top], [right, top], [right, top + height], [left, top + height]], text, 0.99]


def test_boxes_become_lines_and_wrapped_lines_one_paragraph():
    page = group_lines([
        box("一、主要举措", 130, 400, 100),
        box("　　全年办理行政复议案件", 190, 700, 150), box("12件，纠错率", 705, 1100, 152),  # one row, two boxes
        box("8.3%。", 130, 260, 200),  # wrapped: the row above runs to the margin
        box("二、存在问题", 130, 400, 250),
    ])
    assert [line.text for line in page] == ["一、主要举措", "　　全年办理行政复议案件12件，纠错率", "8.3%。", "二、存在问题"]
    assert join_pages([page]).splitlines() == ["一、主要举措", "　　全年办理行政复议案件12件，纠错率8.3%。", "二、存在问题"]


def test_a_paragraph_wrapped_over_a_page_break_is_joined_but_an_indented_one_is_not():
    full = Line("培育法律明白人", 130, 1100, 1500, 1530)
    follow, indented = Line("230人。", 130, 300, 100, 130), Line("二、下一步", 190, 400, 150, 180)
    assert join_pages([[full], [follow, indented]]).splitlines() == ["培育法律明白人230人。", "二、下一步"]


@pytest.mark.parametrize("read, meant", [
    ('共培育“法律明白人"230人', "共培育“法律明白人”230人"),
    ("晋英委〔2024】26号", "晋英委〔2024〕26号"),
    ('他说"好"', '他说"好"'),  # no opener of its own: a straight quote the scan really has
    ("（一）深入", "（一）深入"),
    ("通过“线上和线下“两条线", "通过“线上和线下”两条线"),  # double quotes never nest: the second closes
    ("借助“大美安砂”“安砂镇“等", "借助“大美安砂”“安砂镇”等"),
])
def test_misread_closing_marks_are_mended_only_after_their_opener(read, meant):
    assert mend_marks(read) == meant
