"""``-`` as a report: read standard input and tell its format by its first bytes.

Why sniff: piped bytes have no file name, so the suffix that picks a loader
everywhere else is missing.  Every format llmx reads announces itself in its
first bytes (``%PDF``, a zip header for .docx, image magic numbers, a tag for
HTML); anything else is read as text, the commonest thing to pipe.
"""

from __future__ import annotations

import sys

from llmx.errors import LlmxError

#: The path that means standard input (the Unix convention).
STDIN = "-"
#: The most bytes llmx reads from one report, a file or stdin: far above any report, even a
#: scanned one, and a bound on memory whatever is fed in (/dev/zero, a FIFO, a 10 GB file).
MAX_INPUT_BYTES = 256 << 20
TOO_LARGE = f"refused: larger than the {MAX_INPUT_BYTES >> 20} MB llmx reads from one report"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", ".pdf"),
    (b"PK\x03\x04", ".docx"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"\xff\xd8\xff", ".jpg"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
)
_HTML_OPENERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<div", b"<p")


def read_stdin() -> bytes:
    """All of standard input; an error when it is a terminal (nothing was piped)."""
    if sys.stdin is None or sys.stdin.isatty():
        raise LlmxError("-: reads a report from standard input, but nothing is piped in")
    raw = sys.stdin.buffer.read(MAX_INPUT_BYTES + 1)
    if len(raw) > MAX_INPUT_BYTES:
        raise LlmxError(f"-: {TOO_LARGE}")
    return raw


def sniff_suffix(raw: bytes) -> str:
    """The file suffix whose loader reads ``raw``: by magic number, then an opening HTML tag, else .txt."""
    for magic, suffix in _MAGIC:
        if raw.startswith(magic):
            return suffix
    head = raw[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return ".html" if head.startswith(_HTML_OPENERS) else ".txt"
