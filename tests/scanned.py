"""Scanned-report fixtures made in the test: a report's text printed to page images, then a PDF.

The pages are drawn as a printer lays out a 公文: A4 at 150 dpi, a CJK font,
paragraphs indented two characters and wrapped at the right margin, blank
lines kept as paragraph gaps.  The PDF holds only the images (no text layer),
as a scanner's PDF does.  Nothing here is committed; a CJK font must be
installed (Debian: fonts-noto-cjk or fonts-wqy-zenhei, which .ci/run installs).
"""

from __future__ import annotations

import io
import subprocess
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from difflib import SequenceMatcher
from typing import Any

import pytest

PAGE = (1240, 1754)  # A4 at 150 dpi
MARGIN = 130
FONT_SIZE = 30  # pixels at 150 dpi: 14.4 pt, about the 三号 (16 pt) of a 公文 body
LEADING = 1.6
DPI = 150
FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc")


@dataclass(frozen=True)
class Font:
    """One CJK face: a font file and the face in it (a .ttc holds several: Noto's SC face is not the first)."""

    path: Path
    index: int = 0
    name: str = ""

    def at(self, size: int) -> Any:
        from PIL import ImageFont

        return ImageFont.truetype(str(self.path), size, index=self.index)


def _font_files() -> list[Path]:
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    files = [Path(line.split(":")[0].strip()) for line in listed.splitlines() if line.strip()]
    files += [p for name in FONT_FILES for p in Path("/usr/share/fonts").rglob(name)]
    return sorted({p for p in files if p.is_file()}, key=lambda p: (FONT_FILES.index(p.name) if p.name in FONT_FILES
                                                                  else len(FONT_FILES), str(p)))


def cjk_fonts() -> list[Font]:
    """Every installed CJK family once, regular weight, its simplified-Chinese face (Noto CJK SC, not JP)."""
    from PIL import ImageFont

    fonts, families = [], set()
    for path in _font_files():
        faces = []
        for index in range(16):
            try:
                family, style = ImageFont.truetype(str(path), 20, index=index).getname()
            except OSError:
                break
            faces.append((index, family or "", style or ""))
        for index, family, style in faces:
            if "Mono" in family or "Sharp" in family or style not in ("Regular", "Book", ""):
                continue
            base = family.rsplit(" ", 1)[0] if family.endswith((" JP", " KR", " SC", " TC", " HK")) else family
            simplified = not family.endswith((" JP", " KR", " TC", " HK"))
            if base not in families and simplified:
                families.add(base)
                fonts.append(Font(path, index, family))
    return fonts


def cjk_font() -> Font | None:
    """A font that draws Chinese, from fontconfig or the usual Debian places."""
    fonts = cjk_fonts()
    return fonts[0] if fonts else None


def require_cjk_font() -> Font:
    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font installed to print a report with (apt-get install fonts-wqy-zenhei)")
    return font


def layout(text: str, font: Font, dpi: int = DPI) -> list[list[str]]:
    """The printed rows of each page: paragraphs indented two characters, wrapped at the right margin."""
    scale = dpi / DPI
    face = font.at(round(FONT_SIZE * scale))
    width = round((PAGE[0] - 2 * MARGIN) * scale)
    rows: list[str] = []
    for paragraph in text.splitlines():
        paragraph = paragraph.strip()
        rows.extend(_wrap("\u3000\u3000" + paragraph, face, width) if paragraph else [""])
    per_page = (PAGE[1] - 2 * MARGIN) // int(FONT_SIZE * LEADING)
    return [rows[first:first + per_page] for first in range(0, len(rows), per_page)]


def render_pages(text: str, font: Font | Path, dpi: int = DPI) -> list:
    """The text printed on as many A4 page images as it needs (grayscale), at ``dpi``."""
    from PIL import Image, ImageDraw

    font = font if isinstance(font, Font) else Font(font)
    scale = dpi / DPI
    face = font.at(round(FONT_SIZE * scale))
    step = round(FONT_SIZE * LEADING * scale)
    margin = round(MARGIN * scale)
    pages = []
    for rows in layout(text, font, dpi):
        page = Image.new("L", (round(PAGE[0] * scale), round(PAGE[1] * scale)), 255)
        draw = ImageDraw.Draw(page)
        for i, row in enumerate(rows):
            draw.text((margin, margin + i * step), row, font=face, fill=0)
        pages.append(page)
    return pages


def degrade(page: Any, *, skew: float = 0.0, blur: float = 0.0, noise: float = 0.0, jpeg: int | None = None,
            seed: int = 0) -> Any:
    """A page as a scanner returns it: turned ``skew`` degrees, blurred (Gaussian radius in pixels at 150
    dpi), with Gaussian noise of ``noise`` grey levels, and saved as JPEG of quality ``jpeg``."""
    import numpy as np
    from PIL import Image, ImageFilter

    scale = page.width / PAGE[0]
    if skew:
        page = page.rotate(skew, resample=Image.BICUBIC, expand=False, fillcolor=255)
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur * scale))
    if noise:
        pixels = np.asarray(page, dtype=np.float32)
        pixels = pixels + np.random.default_rng(seed).normal(0, noise, pixels.shape)
        page = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if jpeg:
        out = io.BytesIO()
        page.save(out, format="JPEG", quality=jpeg)
        page = Image.open(io.BytesIO(out.getvalue())).convert("L")
    return page


def _wrap(paragraph: str, font: Any, width: int) -> list[str]:
    """Cut a paragraph into printed lines no wider than ``width`` pixels, character by character."""
    rows, row = [], ""
    for ch in paragraph:
        if row and font.getlength(row + ch) > width:
            rows.append(row)
            row = ""
        row += ch
    return [*rows, row]


# ---------------------------------------------------------------- measuring what OCR kept (bench/ocr_check.py)

PUNCTUATION = set("，。；：、！？”）》」』%,.;:!?)")


def _squeeze(text: str) -> str:
    """Whitespace dropped and widths folded (NFKC): llmx matches evidence the same way, so ，/, is no loss."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _readable(row: str) -> bool:
    """A line that holds text: a letter, digit or CJK character (``| | | |``, a table's rules, holds none)."""
    return any(ch.isalnum() for ch in row)


def compare(printed_rows: list[str], ocr_text: str) -> dict[str, Any]:
    """Character recall, lines lost and end marks lost of ``ocr_text`` against the printed rows."""
    rows = [_squeeze(row) for row in printed_rows]
    source = "".join(rows)
    read = _squeeze(ocr_text)
    matched = [False] * len(source)
    for block in SequenceMatcher(None, source, read, autojunk=False).get_matching_blocks():
        for i in range(block.a, block.a + block.size):
            matched[i] = True
    lost, marks, marks_lost, at = [], 0, 0, 0
    for row in rows:
        span = matched[at:at + len(row)]
        if _readable(row) and sum(span) < len(row) / 2:
            lost.append(row)
        if row and row[-1] in PUNCTUATION:
            marks += 1
            marks_lost += not span[-1]
        at += len(row)
    content = [ok for ch, ok in zip(source, matched) if ch.isalnum()]
    return {"char_recall": sum(matched) / max(1, len(source)), "content_recall": sum(content) / max(1, len(content)),
            "lines": sum(_readable(r) for r in rows),
            "lines_lost": len(lost), "lost": lost, "end_marks": marks, "end_marks_lost": marks_lost}


def printed_text(rows: list[str]) -> str:
    """The text as printed: a row opening with the two-character indent starts a paragraph."""
    paragraphs: list[str] = []
    for row in rows:
        if not row or row.startswith("\u3000\u3000") or not paragraphs:
            paragraphs.append(row.strip())
        else:
            paragraphs[-1] += row
    return "\n".join(paragraphs)


def figure_recall(text: str, ocr_text: str) -> tuple[float, int]:
    """Recall of the OCR text's figures against the printed text's own (which is 1 by definition),
    and how many figures the OCR text has that the printed text has not (misreadings made into figures)."""
    import llmx

    def figures(source: str) -> Counter:
        report: Any = llmx.extract(source, design="rules")
        return Counter((f.indicator, f.value, f.unit, f.qualifier, f.target) for f in report.figures)

    truth, found = figures(text), figures(ocr_text)
    return sum((truth & found).values()) / max(1, sum(truth.values())), sum((found - truth).values())


def pdf_of(pages: list) -> bytes:
    """The page images as one PDF with no text layer, as a scanner writes it."""
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    return out.getvalue()
