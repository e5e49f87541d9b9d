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
from pathlib import Path

import pytest

PAGE = (1240, 1754)  # A4 at 150 dpi
MARGIN = 130
FONT_SIZE = 30
LEADING = 1.6
FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSerifCJK-Regular.ttc", "wqy-zenhei.ttc", "wqy-microhei.ttc")


def cjk_font() -> Path | None:
    """A font file that draws Chinese, from fontconfig or the usual Debian places."""
    try:
        listed = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    files = [Path(line.split(":")[0].strip()) for line in listed.splitlines() if line.strip()]
    files += [p for name in FONT_FILES for p in Path("/usr/share/fonts").rglob(name)]
    return next((p for p in files if p.is_file()), None)


def require_cjk_font() -> Path:
    font = cjk_font()
    if font is None:
        pytest.skip("no CJK font installed to print a report with (apt-get install fonts-wqy-zenhei)")
    return font


def render_pages(text: str, font_path: Path) -> list:
    """The text printed on as many A4 page images as it needs (grayscale)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(font_path), FONT_SIZE)
    width = PAGE[0] - 2 * MARGIN
    step = int(FONT_SIZE * LEADING)
    rows: list[str] = []
    for paragraph in text.splitlines():
        paragraph = paragraph.strip()
        rows.extend(_wrap("\u3000\u3000" + paragraph, font, width) if paragraph else [""])
    per_page = (PAGE[1] - 2 * MARGIN) // step
    pages = []
    for first in range(0, len(rows), per_page):
        page = Image.new("L", PAGE, 255)
        draw = ImageDraw.Draw(page)
        for i, row in enumerate(rows[first:first + per_page]):
            draw.text((MARGIN, MARGIN + i * step), row, font=font, fill=0)
        pages.append(page)
    return pages


def _wrap(paragraph: str, font, width: int) -> list[str]:
    """Cut a paragraph into printed lines no wider than ``width`` pixels, character by character."""
    rows, row = [], ""
    for ch in paragraph:
        if row and font.getlength(row + ch) > width:
            rows.append(row)
            row = ""
        row += ch
    return [*rows, row]


def pdf_of(pages: list) -> bytes:
    """The page images as one PDF with no text layer, as a scanner writes it."""
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=150)
    return out.getvalue()
