"""Input loaders: turn a report file into one ``Document`` whose ``text`` all offsets use.

Every problem a user can fix (missing file, wrong type, scan without text,
damaged file) surfaces as a one-line ``LlmxError`` starting with the path; no
library exception escapes.  Formats are registered in ``LOADERS``.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from pathlib import Path

from llmx.errors import InputError
from llmx.text.load.ocr import IMAGE_SUFFIXES, OCR_ENCODING, load_image
from llmx.text.load._common import Loader, fail
from llmx.text.load._text import load_txt
from llmx.text.load.stdin import MAX_INPUT_BYTES, STDIN, TOO_LARGE, read_stdin, sniff_suffix

__all__ = ["Document", "document_from_text", "load_document", "LOADERS"]


@dataclass(frozen=True)
class Document:
    """A loaded report.  ``text`` is what every evidence offset points into."""

    path: Path
    text: str
    format: str  # "txt" | "docx" | "pdf" | "html" | "image"
    encoding: str | None  # detected encoding for txt/html, "ocr" when OCR read it, else None
    sha256: str  # of the raw file bytes: the document's cache key

    @property
    def ocr(self) -> bool:
        """True when the text came from OCR, so it must be kept beside the result to check offsets."""
        return self.encoding == OCR_ENCODING


def _on_first_use(module: str, name: str) -> Loader:
    """A loader whose module is imported when a file of its kind first comes.

    python-docx, pypdf and BeautifulSoup together take about 0.4 s to import;
    a run over .txt files needs none of them.
    """

    def load(path: Path, raw: bytes) -> tuple[str, str | None]:
        loader: Loader = getattr(importlib.import_module(f"llmx.text.load.{module}"), name)
        return loader(path, raw)

    return load


#: File suffix (lower case) -> (format name, loader).
LOADERS: dict[str, tuple[str, Loader]] = {
    ".txt": ("txt", load_txt),
    ".docx": ("docx", _on_first_use("_docx", "load_docx")),
    ".pdf": ("pdf", _on_first_use("_pdf", "load_pdf")),
    ".html": ("html", _on_first_use("_html", "load_html")),
    ".htm": ("html", _on_first_use("_html", "load_html")),
    **{suffix: ("image", load_image) for suffix in IMAGE_SUFFIXES},
}


def load_document(path: str | Path) -> Document:
    """Read ``path`` (``-``: standard input) with the loader for its suffix and check it holds some text."""
    if str(path) == STDIN:
        raw = read_stdin()
        path = Path(f"stdin{sniff_suffix(raw)}")
        fmt, loader = _loader_for(path)
        if not raw.strip():
            fail(path, "standard input is empty (no text)")
    else:
        path = Path(path)
        _require_file(path)
        fmt, loader = _loader_for(path)
        raw = _read_bytes(path)
    text, encoding = loader(path, raw)
    if not text.strip():
        fail(path, "file is empty (no text)")
    return Document(path, text, fmt, encoding, hashlib.sha256(raw).hexdigest())


def document_from_text(text: str, name: str | None = None) -> Document:
    """A report given as text: named ``name``, else ``text-<its hash>`` (the result's ``doc_id``)."""
    if not text.strip():
        raise InputError("the report text is empty")
    sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Document(Path(name or f"text-{sha256[:16]}"), text, "txt", None, sha256)


def _loader_for(path: Path) -> tuple[str, Loader]:
    """Pick by suffix, case-insensitively; name the supported ones when it is unknown."""
    try:
        return LOADERS[path.suffix.lower()]
    except KeyError:
        supported = ", ".join(sorted(LOADERS))
        fail(path, f"unsupported file type {path.suffix or '(no extension)'!r}; supported: {supported}")


def _require_file(path: Path) -> None:
    """Checked before the suffix, so a typo'd path is reported as missing, not unsupported."""
    if path.is_dir():
        fail(path, "is a directory, not a file")
    if not path.exists():
        fail(path, "no such file")


def _read_bytes(path: Path) -> bytes:
    """Read the file, turning OS-level problems into user-facing errors; refuse one over ``MAX_INPUT_BYTES``.

    Read with a bound rather than sized by ``stat``: a FIFO or /dev/zero has
    no size to check but would still fill memory.
    """
    try:
        with path.open("rb") as f:
            raw = f.read(MAX_INPUT_BYTES + 1)
        if len(raw) > MAX_INPUT_BYTES:
            fail(path, TOO_LARGE)
    except OSError as exc:
        fail(path, f"cannot read file ({exc.strerror or exc})")
    if not raw.strip():
        fail(path, "file is empty (no text)")
    return raw
