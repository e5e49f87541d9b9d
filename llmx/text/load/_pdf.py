"""PDF loading from the text layer with pypdf; pages without one are read by OCR (``llmx.ocr``)."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pypdf

from llmx.text.load._common import describe, fail

# pypdf logs what it repairs or cannot ("EOF marker not found", "incorrect startxref
# pointer") straight to stderr; llmx reports every PDF problem as its own one line.
logging.getLogger("pypdf").setLevel(logging.CRITICAL)

#: AES-encrypted PDFs (most often with no user password: any viewer opens them) need a crypto
#: library; llmx depends on ``pypdf[crypto]`` for it, so this only shows in a broken install.
_NEEDS_CRYPTO = ("PDF is AES-encrypted and reading it needs pypdf's crypto extra (cryptography), "
                 "which llmx depends on: pip install 'pypdf[crypto]'")


def load_pdf(path: Path, raw: bytes) -> tuple[str, str | None]:
    """Join the pages' text with newlines; OCR the images of pages that have no text layer.

    A page without text is almost always a scan; extracting nothing silently
    would look like a report without facts, so it is read by OCR, or the
    error names the extra that does it.  The "encoding" is ``ocr`` when any
    page was read by OCR, so the caller keeps that text beside the result.
    """
    reader = _open(path, raw)
    try:
        pages = [page.extract_text() or "" for page in reader.pages]
    except pypdf.errors.DependencyError:  # AES-128 unlocks without AES, but its streams need it
        fail(path, _NEEDS_CRYPTO)
    except Exception as exc:  # pypdf raises many types on damaged content streams
        fail(path, f"cannot extract text from PDF ({describe(exc)})")
    if all(page.strip() for page in pages):
        return "\n".join(pages), None
    from llmx.text.load.ocr import OCR_ENCODING, read_pdf_pages

    text, scanned = read_pdf_pages(path, pages, lambda i: _page_images(path, reader, i))
    if not text.strip():
        fail(path, "PDF has no text layer and OCR found no text on its pages")
    return text, OCR_ENCODING if scanned else None


def _page_images(path: Path, reader: pypdf.PdfReader, index: int) -> list:
    """The images drawn on page ``index`` (a scan is one per page), as Pillow images."""
    try:
        return [image.image for image in reader.pages[index].images]
    except ImportError as exc:  # pypdf decodes images with Pillow, which the [ocr] extra brings
        from llmx.text.load.ocr import missing_extra

        raise missing_extra(path) from exc
    except Exception as exc:  # undecodable image streams, missing filters
        fail(path, f"cannot read the images of page {index + 1} ({describe(exc)})")


def _open(path: Path, raw: bytes) -> pypdf.PdfReader:
    """Parse the file; unlock it if it only has an owner password (common on gov sites)."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
    except pypdf.errors.DependencyError:  # an AES-256 file is unlocked as it is opened
        fail(path, _NEEDS_CRYPTO)
    except Exception as exc:  # PdfReadError, EmptyFileError, ValueError, ...
        fail(path, f"not a readable PDF file ({describe(exc)})")
    if reader.is_encrypted:
        try:
            unlocked = bool(reader.decrypt(""))
        except pypdf.errors.DependencyError:  # AES with neither cryptography nor pycryptodome installed
            fail(path, _NEEDS_CRYPTO)
        except Exception:
            unlocked = False
        if not unlocked:
            fail(path, "PDF is encrypted and cannot be opened without a password")
    return reader
