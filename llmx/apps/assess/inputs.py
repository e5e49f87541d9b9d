"""What ``llmx assess`` reads: extract results with their source text, or reports to extract first.

Why the text too: the checks read sentences, not only figures (slogans,
parts that exceed their total, sentences reused from last year), so a result
without its source cannot be assessed; the source is found where ``review``
finds it (beside the result, or in eval/corpus/).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmx.apps.review import resolve_source
from llmx.apps.table import checked_result
from llmx.errors import LlmxError
from llmx.text.load import load_document


@dataclass(frozen=True)
class Input:
    """One report to assess: its result, its text, and where each came from."""

    result: dict[str, Any]
    text: str
    source: Path
    result_path: Path | None  # None when llmx assess extracted it


def expand(paths: Sequence[str]) -> list[Path]:
    """Files as given; a folder stands for its ``*.json`` results, else its ``*.txt`` reports."""
    out: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            found = ([p for p in sorted(path.glob("*.json")) if not p.name.endswith(".assess.json")]
                     or sorted(path.glob("*.txt")))
            if not found:
                raise LlmxError(f"{path}: no results (*.json) or reports (*.txt) in this folder")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise LlmxError(f"{path}: no such file or folder")
    return out


def read_result_input(path: Path) -> Input:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LlmxError(f"{path}: not a readable result JSON: {exc}") from exc
    result = checked_result(data, path)
    source = resolve_source(path, str(result["doc_id"]), None)
    return Input(result, load_document(source).text, source, path)


def read_inputs(paths: Sequence[str], design: str, report_type: str, config: Any = None) -> list[Input]:
    """Every input read (results) or extracted (reports) before any is assessed, so a bad file fails first."""
    files = expand(paths)
    results = [read_result_input(p) for p in files if p.suffix.lower() == ".json"]
    reports = [p for p in files if p.suffix.lower() != ".json"]
    if not reports:
        return results
    from llmx.api import Extractor, read_source

    documents = [read_source(p) for p in reports]
    extracted = []
    with Extractor(design=design, report_type=report_type, config=config) as ex:
        for doc in documents:
            report = ex.extract(doc)
            extracted.append(Input(report.model_dump(mode="json"), doc.text, doc.path, None))
    return results + extracted
