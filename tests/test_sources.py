"""Tests for llmx.text.load: every fixture is generated here, none is committed."""

from __future__ import annotations

import codecs
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from llmx.errors import LlmxError
from llmx.text.load import Document, load_document
from conftest import ROOT

CORPUS = sorted((Path(__file__).parent.parent / "eval" / "corpus").glob("*.txt"))

REPORT = (
    "某市人民政府2023年法治政府建设年度报告\n"
    "\n"
    "　　2023年，我市深入学习贯彻习近平法治思想，全面推进依法行政。\r\n"
    "一、主要举措和成效\n"
    "全年办理行政复议案件12件，纠错率8.3%。\n"
    "某市人民政府\n"
    "2024年1月10日\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def expect_error(path: Path, *fragments: str) -> str:
    """Load ``path`` expecting a one-line LlmxError that starts with the path."""
    with pytest.raises(LlmxError) as info:
        load_document(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


# --- plain text -------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding, raw",
    [
        ("utf-8", REPORT.encode("utf-8")),
        ("utf-8-sig", b"\xef\xbb\xbf" + REPORT.encode("utf-8")),
        ("gb18030", REPORT.encode("gb18030")),
        ("gb18030", REPORT.encode("gbk")),
        ("gb18030", REPORT.encode("gb2312")),
        ("utf-16-le", codecs.BOM_UTF16_LE + REPORT.encode("utf-16-le")),  # Notepad's "Unicode"
        ("utf-16-be", codecs.BOM_UTF16_BE + REPORT.encode("utf-16-be")),
        ("utf-32-le", codecs.BOM_UTF32_LE + REPORT.encode("utf-32-le")),
        ("utf-16-le", REPORT.encode("utf-16-le")),  # no BOM
        ("utf-16-be", REPORT.encode("utf-16-be")),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "gb2312", "utf16le-bom", "utf16be-bom", "utf32le-bom",
         "utf16le", "utf16be"],
)
def test_txt_encodings_give_identical_text(tmp_path: Path, encoding: str, raw: bytes) -> None:
    doc = load_document(write(tmp_path, "report.txt", raw))
    assert doc.text == REPORT  # BOM dropped, "\r\n" kept
    assert (doc.format, doc.encoding) == ("txt", encoding)


def test_short_gbk_text_is_not_read_as_big5(tmp_path: Path) -> None:
    # charset-normalizer ranks Big5 first for these bytes; we read them as GB18030.
    doc = load_document(write(tmp_path, "short.txt", "法治".encode("gbk")))
    assert doc.text == "法治"


def test_document_fields(tmp_path: Path) -> None:
    import hashlib

    raw = REPORT.encode("utf-8")
    path = write(tmp_path, "Report.TXT", raw)
    doc = load_document(str(path))
    assert isinstance(doc, Document)
    assert doc.path == path
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()


@pytest.mark.skipif(not CORPUS, reason="no corpus")
@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name)
def test_corpus_file_loads_unchanged(path: Path) -> None:
    assert load_document(path).text == path.read_bytes().decode("utf-8")
    assert load_document(path).text == path.read_text("utf-8")


# --- docx --------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_reading_order(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某市2023年法治政府建设年度报告")
    document.add_paragraph("一、主要举措和成效")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "行政复议案件", "12件"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "合计纠错率8.3%"
    document.add_paragraph("某市人民政府")
    path = tmp_path / "report.docx"
    document.save(path)

    doc = load_document(path)
    assert doc.text == (
        "某市2023年法治政府建设年度报告\n一、主要举措和成效\n"
        "行政复议案件\n12件\n合计纠错率8.3%\n某市人民政府"
    )
    assert (doc.format, doc.encoding) == ("docx", None)


# --- pdf ---------------------------------------------------------------------


def make_pdf(pages: list[list[str]], image: bool = False, user_password: str | None = None) -> bytes:
    """A PDF with a real Chinese text layer (reportlab's built-in STSong-Light CID font)."""
    pytest.importorskip("reportlab")
    from reportlab.lib.pdfencrypt import StandardEncryption
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    out = io.BytesIO()
    lock = None if user_password is None else StandardEncryption(user_password, ownerPassword="owner")
    pdf = canvas.Canvas(out, encrypt=lock)
    for lines in pages:
        pdf.setFont("STSong-Light", 12)  # font resets on every page
        for i, line in enumerate(lines):
            pdf.drawString(72, 750 - 20 * i, line)
        if image:
            from PIL import Image
            from reportlab.lib.utils import ImageReader

            pdf.drawImage(ImageReader(Image.new("RGB", (40, 40), "black")), 72, 600)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_pdf_text_layer(tmp_path: Path) -> None:
    path = write(tmp_path, "report.pdf", make_pdf([["某市2023年法治政府建设年度报告", "一、主要举措"], ["行政复议案件12件"]]))
    doc = load_document(path)
    lines = [line.strip() for line in doc.text.splitlines() if line.strip()]
    assert lines == ["某市2023年法治政府建设年度报告", "一、主要举措", "行政复议案件12件"]
    assert (doc.format, doc.encoding) == ("pdf", None)


def test_pdf_without_text_or_images_needs_no_ocr_and_says_so(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.pdf", make_pdf([[], []]))
    expect_error(path, "PDF has no text layer and OCR found no text on its pages")


def test_pdf_whose_scan_holds_no_text_says_so(tmp_path: Path) -> None:
    pytest.importorskip("rapidocr_onnxruntime", reason="the [ocr] extra is not installed")
    path = write(tmp_path, "scan.pdf", make_pdf([[], []], image=True))  # a black square per page
    expect_error(path, "PDF has no text layer and OCR found no text on its pages")


def test_pdf_with_owner_password_only_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.pdf", make_pdf([["法治政府建设"]], user_password=""))
    assert load_document(path).text.strip() == "法治政府建设"


def test_pdf_with_user_password(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.pdf", make_pdf([["法治政府建设"]], user_password="secret"))
    expect_error(path, "encrypted")


# --- html --------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>某市2023年法治政府建设年度报告_某市人民政府</title>
<script>document.write("今天是星期五");</script><style>p {color: red}</style></head>
<body>
<div id="header"><div>今天是2024年1月12日 星期五</div>
  <ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li></ul></div>
<div class="breadcrumb">当前位置：<a>首页</a> &gt; <a>政务公开</a> &gt; 法治政府建设</div>
<div class="wrap"><div class="article">
  <h1>某市2023年法治政府建设年度报告</h1>
  <div class="info"><span>日期:2024-01-12 08:53 来源:市司法局</span>
    <span>字号：<a>大</a> <a>中</a> <a>小</a></span></div>
  <div id="zoom"><div class="TRS_Editor">
    <p>　　2023年，我市深入学习贯彻习近平法治思想，
       全面推进依法行政。</p>
    <p>一、主要举措和成效</p>
    <table><tr><td>行政复议案件</td><td>12件</td></tr></table>
    <p>某市人民政府<br>2024年1月10日</p>
    <script>track();</script>
  </div></div>
  <div class="bdshare">分享到：<a>微信</a><a>微博</a></div>
  <div>【打印】【关闭】</div>
  <p>扫一扫在手机上查看当前页面</p>
</div></div>
<div class="footer">版权所有：某市人民政府 主办：某市人民政府办公室</div>
</body></html>
"""

PAGE_TEXT = (
    "某市2023年法治政府建设年度报告\n"
    "日期:2024-01-12 08:53 来源:市司法局\n"
    "2023年，我市深入学习贯彻习近平法治思想， 全面推进依法行政。\n"
    "一、主要举措和成效\n"
    "行政复议案件\n"
    "12件\n"
    "某市人民政府\n"
    "2024年1月10日"
)


@pytest.mark.parametrize("codec", ["gbk", "utf-8"])
def test_html_keeps_only_the_report(tmp_path: Path, codec: str) -> None:
    # The gbk page is read by its <meta charset>; the utf-8 one despite it.
    doc = load_document(write(tmp_path, "report.html", PAGE.encode(codec)))
    assert doc.text == PAGE_TEXT
    assert doc.format == "html"
    assert doc.encoding == ("gb18030" if codec == "gbk" else "utf-8")


def test_html_without_known_container_drops_furniture_lines(tmp_path: Path) -> None:
    page = """<html><body><form id="form1"><div class="top-nav"><a>首页</a></div>
    <div>今天是2024年1月12日 星期五</div><div>当前位置：首页 &gt; 通知公告</div>
    <div class="box"><h2>某区2023年法治政府建设年度报告</h2><div>发布时间：2024-01-12</div>
    <p>2023年，全区行政复议案件12件。</p><div>分享到：</div>
    <div>【打印】【关闭】</div><div>字号：大 中 小</div><div>扫一扫在手机上查看当前页面</div>
    </div></form></body></html>"""
    doc = load_document(write(tmp_path, "page.htm", page.encode("utf-8")))
    assert doc.text == "某区2023年法治政府建设年度报告\n发布时间：2024-01-12\n2023年，全区行政复议案件12件。"


# --- errors ------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "nope.txt", "no such file")


def test_directory(tmp_path: Path) -> None:
    expect_error(tmp_path, "directory")


@pytest.mark.parametrize("name", ["empty.txt", "empty.docx", "empty.pdf", "empty.html"])
@pytest.mark.parametrize("data", [b"", b" \r\n\t "], ids=["0-bytes", "whitespace"])
def test_empty_file(tmp_path: Path, name: str, data: bytes) -> None:
    expect_error(write(tmp_path, name, data), "empty")


def test_html_with_no_report_text_is_empty(tmp_path: Path) -> None:
    page = b"<html><body><nav>home</nav><script>x()</script></body></html>"
    expect_error(write(tmp_path, "nav.html", page), "empty")


def test_utf8_bom_only_is_empty(tmp_path: Path) -> None:
    expect_error(write(tmp_path, "bom.txt", b"\xef\xbb\xbf\n"), "empty")


@pytest.mark.parametrize("name", ["data.txt", "data.html"])
def test_binary_file(tmp_path: Path, name: str) -> None:
    expect_error(write(tmp_path, name, b"PK\x03\x04\x00\x00binary\x00"), "binary")


def test_bom_with_invalid_utf8(tmp_path: Path) -> None:
    expect_error(write(tmp_path, "bad.txt", b"\xef\xbb\xbf\xff\xfe\xfd"), "utf-8")


def test_undecodable_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import charset_normalizer

    monkeypatch.setattr(charset_normalizer, "from_bytes", lambda raw: [])
    expect_error(write(tmp_path, "odd.txt", b"\xff\xfe\xfa"), "cannot decode")


@pytest.mark.parametrize("name", ["report.doc", "report.rtf", "README"])
def test_unsupported_extension(tmp_path: Path, name: str) -> None:
    message = expect_error(write(tmp_path, name, b"text"), "unsupported file type")
    for suffix in (".docx", ".htm", ".html", ".pdf", ".txt"):
        assert suffix in message


@pytest.mark.parametrize(
    "data",
    [b"this is not a zip", zipfile.ZipFile.__name__.encode() * 10, None],
    ids=["garbage", "text", "zip-without-document"],
)
def test_corrupt_docx(tmp_path: Path, data: bytes | None) -> None:
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("hello.txt", "hi")
        data = buffer.getvalue()
    expect_error(write(tmp_path, "bad.docx", data), "not a readable .docx file")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\nnot really a pdf\n", b"hello world", None],
    ids=["header-only", "garbage", "truncated"],
)
def test_corrupt_pdf(tmp_path: Path, data: bytes | None) -> None:
    if data is None:
        data = make_pdf([["某市2023年法治政府建设年度报告"]])[:300]
    message = expect_error(write(tmp_path, "bad.pdf", data))
    assert "PDF" in message


# --- hostile files (issue 19) ------------------------------------------------


def _docx_bomb(inflated: int) -> bytes:
    """A real .docx (it opens in python-docx) whose document.xml inflates to ``inflated`` bytes of XML."""
    import docx

    document = docx.Document()
    document.add_paragraph("法治政府建设")
    buffer = io.BytesIO()
    document.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml":
                bomb.writestr(info, data)
                continue
            head, tail = data.split(b"<w:body>")
            padding = b"<!--" + b" " * 65536 + b"-->"
            with bomb.open("word/document.xml", "w", force_zip64=True) as member:
                member.write(head + b"<w:body>")
                for _ in range(inflated // len(padding)):
                    member.write(padding)
                member.write(tail)
    return out.getvalue()


def test_docx_zip_bomb_is_refused_in_one_line_before_it_is_inflated(tmp_path: Path) -> None:
    from llmx.text.load import _docx

    raw = _docx_bomb(_docx.MAX_XML_BYTES + (8 << 20))
    assert len(raw) < (1 << 20)  # a small file...
    path = write(tmp_path, "bomb.docx", raw)
    message = expect_error(path, "refused")
    assert "inflate to" in message and f"{_docx.MAX_XML_BYTES >> 20} MB" in message


def test_docx_under_the_caps_still_loads(tmp_path: Path) -> None:
    path = write(tmp_path, "padded.docx", _docx_bomb(4 << 20))
    assert load_document(path).text.strip() == "法治政府建设"


def test_input_over_the_read_cap_is_refused_without_reading_it_all(tmp_path: Path, monkeypatch) -> None:
    from llmx.text import load as sources
    from llmx.text.load import stdin

    monkeypatch.setattr(sources, "MAX_INPUT_BYTES", 1024)
    path = write(tmp_path, "huge.txt", "法治政府".encode("utf-8") * 1000)
    assert "larger than" in expect_error(path, "refused")
    assert stdin.MAX_INPUT_BYTES >= 64 << 20  # the real cap: far above any report


def _aes_pdf(algorithm: str) -> bytes:
    """The text-layer PDF, encrypted with ``algorithm``, no user password: any viewer opens it."""
    pytest.importorskip("cryptography")
    import pypdf

    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf([["法治政府建设"]])))
    writer.encrypt(user_password="", owner_password="owner", algorithm=algorithm)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128"])
def test_aes_pdf_without_user_password_loads(tmp_path: Path, algorithm: str) -> None:
    path = write(tmp_path, "aes.pdf", _aes_pdf(algorithm))
    assert load_document(path).text.strip() == "法治政府建设"


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128"])
def test_aes_pdf_without_a_crypto_library_names_the_extra(tmp_path: Path, algorithm: str) -> None:
    """A broken install (no cryptography, no pycryptodome): one line naming what to install."""
    path = write(tmp_path, "aes.pdf", _aes_pdf(algorithm))
    blocked = ("import sys; sys.modules.update(dict.fromkeys(['cryptography', 'Crypto'], None)); "
               "from llmx.apps.cli import main; main()")
    proc = subprocess.run([sys.executable, "-c", blocked, "extract", str(path), "--design", "rules"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert str(path) in proc.stderr and "pypdf[crypto]" in proc.stderr


def test_pdf_crypto_extra_is_a_dependency() -> None:
    import tomllib

    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert any(d.replace(" ", "").startswith("pypdf[crypto]") for d in dependencies)
