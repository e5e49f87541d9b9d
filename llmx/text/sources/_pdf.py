"""PDF loading from the text layer with pypdf; scanned PDFs are refused, not guessed at."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pypdf

from llmx.text.sources._common import describe, fail

# pypdf logs what it repairs or cannot ("EOF marker not found", "incorrect startxref
# pointer") straight to stderr; llmx reports every PDF problem as its own one line.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def load_pdf(path: Path, raw: bytes) -> tuple[str, None]:
    """Join the pages' extracted text with newlines.

    A PDF whose pages yield no text is almost always a scan; extracting
    nothing silently would look like a report without facts, so say so.
    """
    reader = _open(path, raw)
    try:
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as exc:  # pypdf raises many types on damaged content streams
        fail(path, f"cannot extract text from PDF ({describe(exc)})")
    text = "\n".join(pages)
    if not text.strip():
        fail(path, "PDF has no text layer (scanned?); run OCR first")
    return text, None


def _open(path: Path, raw: bytes) -> pypdf.PdfReader:
    """Parse the file; unlock it if it only has an owner password (common on gov sites)."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
    except Exception as exc:  # PdfReadError, EmptyFileError, ValueError, ...
        fail(path, f"not a readable PDF file ({describe(exc)})")
    if reader.is_encrypted:
        try:
            unlocked = bool(reader.decrypt(""))
        except Exception:  # e.g. AES without the optional crypto dependency
            unlocked = False
        if not unlocked:
            fail(path, "PDF is encrypted and cannot be opened without a password")
    return reader
