"""Word (.docx) loading with python-docx: body paragraphs and table cells in reading order.

A .docx is a zip, and python-docx reads every part of it into memory and
parses the XML ones: a 4 MB "zip bomb" inflating to gigabytes took 4.3 GB
of memory.  So the archive's table is checked first, against caps far
above any real report (a 300-page report's XML is a few MB; its pictures
tens of MB).  Python's ``zipfile`` stops inflating a member at the size the
table declares, so the declared sizes are a real bound on what is
decompressed, even when they lie.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Iterator

import docx
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from llmx.text.load._common import describe, fail

MAX_XML_BYTES = 64 << 20  # every XML part together, inflated: parsed by lxml into a tree several times larger
MAX_INFLATED_BYTES = 512 << 20  # every part together (pictures included), inflated
MAX_MEMBERS = 10_000


def load_docx(path: Path, raw: bytes) -> tuple[str, None]:
    """Join the body's paragraphs with newlines, table cells interleaved where they stand.

    Reports put key figures in tables, so skipping them (as ``doc.paragraphs``
    alone would) loses evidence.
    """
    _check_archive(path, raw)
    try:
        document = docx.Document(io.BytesIO(raw))
        lines = list(_block_lines(document.iter_inner_content()))
    except Exception as exc:  # python-docx raises zip, XML and key errors on bad files
        fail(path, f"not a readable .docx file ({describe(exc)})")
    return "\n".join(lines), None


def _check_archive(path: Path, raw: bytes) -> None:
    """Refuse, in one line, an archive that would inflate past the caps (a damaged one python-docx reports)."""
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return
    if len(members) > MAX_MEMBERS:
        fail(path, f"refused: the .docx holds {len(members)} files, more than the {MAX_MEMBERS} llmx reads")
    xml = sum(m.file_size for m in members if m.filename.endswith((".xml", ".rels")))
    total = sum(m.file_size for m in members)
    for size, cap, what in ((xml, MAX_XML_BYTES, "its XML"), (total, MAX_INFLATED_BYTES, "its contents")):
        if size > cap:
            fail(path, f"refused: {what} would inflate to {_mb(size)} from {_mb(len(raw))} "
                       f"(more than the {_mb(cap)} llmx decompresses; a zip bomb or not a report)")


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.0f} MB" if size >= 1 << 20 else f"{size / 1024:.0f} KB"


def _block_lines(blocks: Iterator[Paragraph | Table]) -> Iterator[str]:
    """One line per paragraph; a table contributes its cells row by row, left to right."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield block.text
        else:
            for cell in _unique_cells(block):
                yield from _block_lines(cell.iter_inner_content())


def _unique_cells(table: Table) -> Iterator[_Cell]:
    """Cells in reading order, each merged cell once (python-docx repeats spanned cells)."""
    seen: set[object] = set()  # the XML elements themselves: id() of lxml proxies is reused
    for row in table.rows:
        for cell in row.cells:
            if cell._tc not in seen:
                seen.add(cell._tc)
                yield cell
