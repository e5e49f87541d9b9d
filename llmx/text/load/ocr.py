"""OCR of scanned PDF pages and page images, offline, with RapidOCR.

Why RapidOCR (``rapidocr-onnxruntime``): it runs PaddleOCR's PP-OCR
detection, angle and recognition models through ONNX Runtime, and its wheel
ships those models, so OCR works with no download and no network, which a
machine that must never send a report anywhere needs.  It is an optional
extra (``pip install 'llmx[ocr]'``): most reports have a text layer, and the
engine pulls in onnxruntime and OpenCV.

Why the recogniser is PP-OCRv6's (``REC_MODEL``), not the PP-OCRv4 mobile one
``rapidocr-onnxruntime`` ships: on pages spoiled like scans, v4 read the
narrow quotation marks of some fonts (WenQuanYi Zen Hei) as nothing, and
``《》`` as ``（）``; v6 reads them (``bench/ocr_check.py``, docs/ocr.md), and
faster.  The ``rapidocr`` 3.x wheel ships the model file; 1.4's engine runs
it, taking the character list from the model's own metadata.  Detection
stays v4: v6's changed no recall and was slower.

Why the text is laid out as it is: the pipeline finds headings, items and
evidence in *lines* and *paragraphs*, but OCR returns one box per printed
line.  Boxes are grouped into lines by vertical overlap, and a line that runs
to the right margin is joined to the next one (a paragraph wrapped by the
printer), unless the next line is indented (a new paragraph, as 公文 indent
two characters) — so a wrapped sentence is one sentence again.

Why two of RapidOCR's steps are changed (``read_boxes``), both found by
``bench/ocr_check.py`` on printed pages spoiled like scans:

- No per-line angle classifier.  It turned a line full of quotation marks
  (“四个意识”…“网格群”) upside down, with 0.93 confidence, and the
  recognizer then read nothing: whole lines vanished, one in eight on some
  pages.  A page's lines are never upside down one by one; a page put in
  the scanner upside down is, so the classifier votes for the whole page.
- Each line box is widened by half a line height at both ends.  The detector
  hugs the ink, and a line's last mark (。，、 sit in the lower left of their
  cell) lies right of the last dense glyph, so the box ended before it and
  the mark was dropped, with some fonts on most lines.  The widening stops
  halfway to any other box on the same band (a table's next cell).

Why marks are mended: PP-OCR reads a closing ``”`` as a straight ``"`` and
closes ``〔2024〕`` with ``】``; evidence quoted from the report (``“法律明白人”230人``)
would then not be found in the text.  Only a closer that follows an opener
of its own pair on the same line is changed, so a mark the scan really has
is kept.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from statistics import median
from typing import Any

from llmx.errors import LlmxError
from llmx.files import write_atomic

#: How a user gets the engine; named in every error about it.
EXTRA_HINT = "pip install 'llmx[ocr]'"
#: Page-image formats read by OCR (lower case suffixes).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
#: A line ending within this many line heights of the right margin was wrapped by the printer.
FULL_LINE_SLACK = 1.5
#: A line starting this many line heights right of the left margin opens a paragraph.
INDENT = 1.0
#: How far (in box heights) each detected line box is widened at both ends before it is read.
END_PAD = 0.5
#: Lines the angle classifier looks at to tell whether a whole page is upside down.
PAGE_VOTES = 15

#: The recognition model: (the package whose wheel ships it, its path inside that package).
REC_MODEL = ("rapidocr", "models/PP-OCRv6_rec_small.onnx")

#: Opening marks and the closer each takes; the value's other characters are OCR's misreadings of it.
PAIRS = {"“": "”\"", "〔": "〕】］]", "（": "）)"}

#: ``(page number from 1, pages)`` after each OCR'd page; None = silent.
PageProgress = Callable[[int, int], None]


def _stderr_progress(path: Path) -> PageProgress:
    def report(page: int, pages: int) -> None:
        print(f"llmx: OCR {path}: page {page}/{pages}", file=sys.stderr, flush=True)
    return report


_progress: ContextVar[bool] = ContextVar("llmx_ocr_progress", default=True)


@contextmanager
def quiet_progress(quiet: bool = True) -> Iterator[None]:
    """Silence the per-page progress lines (``--quiet``, or a JSON-only run) inside the block."""
    token = _progress.set(not quiet)
    try:
        yield
    finally:
        _progress.reset(token)


@dataclass(frozen=True)
class Line:
    """One printed line: its text and its box on the page, in pixels."""

    text: str
    left: float
    right: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@lru_cache(maxsize=1)
def _engine() -> Any:
    """The RapidOCR engine, loaded once per process (loading the models takes about a second)."""
    from rapidocr_onnxruntime import RapidOCR  # the [ocr] extra

    return RapidOCR(rec_model_path=str(rec_model()))


def rec_model() -> Path:
    """Where the recognition model is installed; ImportError (the extra is missing) when it is not.

    Found without importing its package, which would load that engine's own stack for nothing.
    """
    package, inside = REC_MODEL
    spec = find_spec(package)
    locations = list(spec.submodule_search_locations or []) if spec else []
    found = [Path(place) / inside for place in locations if (Path(place) / inside).is_file()]
    if not found:
        raise ImportError(f"{package} with {inside}")
    return found[0]


def missing_extra(path: Path) -> LlmxError:
    """The one-line error for a file only OCR can read when the engine is not installed."""
    return LlmxError(f"{path}: has no text layer and reading it needs OCR, which is not installed: {EXTRA_HINT}")


def engine(path: Path) -> Any:
    """The engine, or a one-line error naming ``path`` and the extra that provides it."""
    try:
        return _engine()
    except ImportError as exc:
        raise missing_extra(path) from exc


def page_lines(image: Any, path: Path) -> list[Line]:
    """The printed lines of one page image, top to bottom."""
    import numpy as np

    return group_lines(read_boxes(engine(path), np.asarray(image.convert("RGB"))))


def read_boxes(ocr: Any, pixels: Any, *, turned: bool = False) -> list[tuple[Any, str, float]]:
    """RapidOCR's steps, as ``[corners, text, score]`` rows, with two of them changed (see the module's doc).

    Detection runs as RapidOCR runs it (the page scaled to at most
    ``max_side_len``); each box is widened at both ends (``widen``) and read
    from the page at full resolution; answers below RapidOCR's
    ``text_score`` are dropped as it drops them.  There is no per-line angle
    classifier: the classifier votes once for the whole page instead, and a
    page most of whose lines it finds upside down is turned and read again.
    """
    import numpy as np
    from PIL import Image

    height, width = pixels.shape[:2]
    scale = min(1.0, ocr.max_side_len / max(height, width))
    small = pixels if scale == 1.0 else np.asarray(
        Image.fromarray(pixels).resize((round(width * scale), round(height * scale)), Image.Resampling.BILINEAR))
    small, record = ocr.maybe_add_letterbox(small, {})  # a thin strip is padded above and below first
    found, _ = ocr.text_det(small)
    if found is None or len(found) == 0:
        return []
    shift = np.array([record["padding_1"]["left"], record["padding_1"]["top"]], dtype=np.float32)
    boxes = widen([(np.asarray(box, dtype=np.float32) - shift) / scale for box in found], width, height)
    crops = ocr.get_crop_img_list(pixels, boxes)
    if not turned and _upside_down(ocr, crops):
        return read_boxes(ocr, np.ascontiguousarray(pixels[::-1, ::-1]), turned=True)
    answers, _ = ocr.text_rec(crops, False)
    return [(box, answer[0].strip(), float(answer[1])) for box, answer in zip(boxes, answers)
            if float(answer[1]) >= ocr.text_score and answer[0].strip()]


def _upside_down(ocr: Any, crops: list[Any]) -> bool:
    """True when most of the page's widest lines (up to ``PAGE_VOTES``) are confidently upside down."""
    widest = sorted(crops, key=lambda crop: crop.shape[1], reverse=True)[:PAGE_VOTES]
    _, votes, _ = ocr.text_cls([crop.copy() for crop in widest])
    turned = sum(label == "180" and float(score) >= ocr.text_cls.cls_thresh for label, score in votes)
    return turned > len(votes) / 2


def widen(boxes: list[Any], width: int, height: int) -> list[Any]:
    """Each box (corners from top-left, clockwise) longer by ``END_PAD`` of its height at both ends.

    Never into another box on the same band: at most half the gap to it.
    """
    import numpy as np

    spans = [(float(b[:, 0].min()), float(b[:, 0].max()), float(b[:, 1].min()), float(b[:, 1].max())) for b in boxes]
    out = []
    for i, box in enumerate(boxes):
        left, right, top, bottom = spans[i]
        along = box[1] - box[0]
        along = along / max(float(np.linalg.norm(along)), 1e-6)
        pad = END_PAD * float(np.linalg.norm(box[3] - box[0]))
        band = [s for j, s in enumerate(spans) if j != i and s[2] < bottom and top < s[3]]
        before = min([pad] + [(left - s[1]) / 2 for s in band if s[1] <= left])
        after = min([pad] + [(s[0] - right) / 2 for s in band if s[0] >= right])
        wide = box.copy()
        wide[[0, 3]] -= along * max(before, 0.0)
        wide[[1, 2]] += along * max(after, 0.0)
        wide[:, 0] = np.clip(wide[:, 0], 0, width - 1)
        wide[:, 1] = np.clip(wide[:, 1], 0, height - 1)
        out.append(wide.astype(np.float32))
    return out


def group_lines(boxes: Iterable[Any]) -> list[Line]:
    """RapidOCR's ``[corners, text, score]`` boxes as lines: boxes whose middles share a band, left to right."""
    parts = sorted((_box(corners, text) for corners, text, _score in boxes), key=lambda b: (b.top, b.left))
    lines: list[list[Line]] = []
    for part in parts:
        middle = (part.top + part.bottom) / 2
        row = next((row for row in lines if row[0].top <= middle <= row[0].bottom), None)
        if row is None:
            lines.append([part])
        else:
            row.append(part)
    return sorted((_merge(row) for row in lines), key=lambda line: line.top)


def _box(corners: Any, text: str) -> Line:
    xs = [float(x) for x, _ in corners]
    ys = [float(y) for _, y in corners]
    return Line(text, min(xs), max(xs), min(ys), max(ys))


def _merge(row: list[Line]) -> Line:
    row = sorted(row, key=lambda b: b.left)
    return Line("".join(b.text for b in row), row[0].left, max(b.right for b in row),
                min(b.top for b in row), max(b.bottom for b in row))


def join_pages(pages: list[list[Line]]) -> str:
    """The document text: one line per paragraph, printer's wraps undone, across page breaks too."""
    out: list[str] = []
    wrapped = False  # the previous line ran to the margin
    for lines in pages:
        if not lines:
            continue
        left = min(line.left for line in lines)
        right = max(line.right for line in lines)
        height = median(line.height for line in lines)
        for line in lines:
            indented = line.left - left >= INDENT * height
            if wrapped and out and not indented:
                out[-1] += line.text
            else:
                out.append(line.text)
            wrapped = right - line.right <= FULL_LINE_SLACK * height
    return "\n".join(mend_marks(line) for line in out)


def mend_marks(line: str) -> str:
    """Closers misread as another mark (``"`` for ``”``, ``】`` for ``〕``) after their opener, set right.

    Chinese double quotes never nest (a quote inside a quote takes ‘’), so a
    ``“`` while a ``“`` is open is a closing ``”`` read as an opening one.
    """
    chars = list(line)
    open_: list[str] = []  # openers not yet closed, innermost last
    for i, ch in enumerate(chars):
        if ch == "“" and "“" in open_:
            while open_ and open_.pop() != "“":
                pass
            chars[i] = "”"
        elif ch in PAIRS:
            open_.append(ch)
        elif open_ and ch in PAIRS[open_[-1]]:
            chars[i] = PAIRS[open_.pop()][0]
    return "".join(chars)


def read_images(path: Path, images: list[Any]) -> str:
    """OCR every page image of ``path`` in order, reporting progress per page on stderr."""
    report = _stderr_progress(path) if _progress.get() and len(images) > 1 else None
    pages = []
    for number, image in enumerate(images, 1):
        pages.append(page_lines(image, path))
        if report:
            report(number, len(images))
    return join_pages(pages)


def read_pdf_pages(path: Path, texts: list[str], page_images: Callable[[int], list[Any]]) -> tuple[str, int]:
    """A PDF's text: each page's text layer, or OCR of its images where it has none.

    Runs of scanned pages are laid out together, so a paragraph wrapped over a
    page break is joined again.  Returns the text and how many pages were OCR'd.
    """
    todo = [i for i, text in enumerate(texts) if not text.strip()]
    report = _stderr_progress(path) if _progress.get() and len(todo) > 1 else None
    chunks: list[str | list[list[Line]]] = []
    scanned = 0
    for i, text in enumerate(texts):
        if text.strip():
            chunks.append(text)
            continue
        images = page_images(i)  # a blank page has none and needs no OCR
        scanned += bool(images)
        lines = [line for image in images for line in page_lines(image, path)]
        if chunks and isinstance(chunks[-1], list):
            chunks[-1].append(lines)
        else:
            chunks.append([lines])
        if report:
            report(todo.index(i) + 1, len(todo))
    return "\n".join(c if isinstance(c, str) else join_pages(c) for c in chunks), scanned


def load_image(path: Path, raw: bytes) -> tuple[str, str]:
    """A page image (or a multi-page TIFF) read by OCR; the "encoding" says the text is OCR's."""
    import io

    try:
        from PIL import Image, ImageSequence
    except ImportError as exc:
        raise missing_extra(path) from exc
    engine(path)  # name the missing extra before decoding anything
    try:
        with Image.open(io.BytesIO(raw)) as picture:
            frames = [frame.copy() for frame in ImageSequence.Iterator(picture)]
    except Exception as exc:  # Pillow raises UnidentifiedImageError, OSError, SyntaxError, ...
        raise LlmxError(f"{path}: not a readable image ({type(exc).__name__}: {' '.join(str(exc).split())[:160]})"
                        ) from exc
    return read_images(path, frames), OCR_ENCODING


#: ``Document.encoding`` of a text that OCR read (it has no byte encoding of its own).
OCR_ENCODING = "ocr"
#: Suffix of the OCR text kept beside a result: its evidence offsets point into that text.
TEXT_SUFFIX = ".ocr.txt"


def text_beside(result_path: Path) -> Path:
    """Where a result's OCR text is kept: ``out/report.json`` -> ``out/report.ocr.txt``.

    OCR text cannot be read again from the file for free (and may differ with
    another engine version), so the exact text every offset points into is
    saved next to the result.
    """
    return result_path.with_name(result_path.stem + TEXT_SUFFIX)


def keep_beside(result_path: Path, text: str) -> Path:
    """Save an OCR'd report's text beside its result (before the result, so a result never lacks it)."""
    beside = text_beside(result_path)
    write_atomic(beside, text)
    return beside
