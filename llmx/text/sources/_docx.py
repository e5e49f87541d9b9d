"""Word (.docx) loading with python-docx: body paragraphs and table cells in reading order."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Iterator

import docx
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from llmx.text.sources._common import describe, fail


def load_docx(path: Path, raw: bytes) -> tuple[str, None]:
    """Join the body's paragraphs with newlines, table cells interleaved where they stand.

    Reports put key figures in tables, so skipping them (as ``doc.paragraphs``
    alone would) loses evidence.
    """
    try:
        document = docx.Document(io.BytesIO(raw))
        lines = list(_block_lines(document.iter_inner_content()))
    except Exception as exc:  # python-docx raises zip, XML and key errors on bad files
        fail(path, f"not a readable .docx file ({describe(exc)})")
    return "\n".join(lines), None


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
