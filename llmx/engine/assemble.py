"""Assemble: the report type's result from what the stages found, validated by its model.

Strings go back in the source's own characters (``CleanText.restore``): a
user reading a traditional-character page sees its headings as printed.
The result also says where the text does not look like this report type,
and which metadata fields a reader should check (``meta_doubt.py``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from llmx.reports.report_type import ReportType
from llmx.engine.segment import SectionSpan
from llmx.text.clean import CleanText


def assemble(report_type: ReportType, doc_id: str, cleaned: CleanText, meta: dict[str, Any], meta_unsure: list[str],
             sections: dict[str, SectionSpan], found: tuple[list[dict], list[dict], list[dict]],
             lists: dict[str, list[str]], run: dict[str, Any]) -> BaseModel:
    """The result: ``meta_unsure`` the meta fields in doubt (``meta_doubt.py``), ``found`` is (figures,
    rejected, uncovered) from verify, ``lists`` the items per list field, ``run`` the model, prompt
    version and usage of the run."""
    figures, rejected, uncovered = found
    report = {
        "doc_id": doc_id,
        "meta": meta,
        "meta_unsure": meta_unsure,
        "sections": {e.key: _section(sections.get(e.key), cleaned) for e in report_type.elements},
        "figures": figures,
        **{k: [cleaned.restore(i) for i in v] for k, v in lists.items()},
        "rejected": rejected,
        "uncovered": uncovered,
        "warnings": _warnings(cleaned.text, sections, report_type),
        **run,
    }
    return report_type.report_model.model_validate(report)


def _section(span: SectionSpan | None, cleaned: CleanText) -> dict[str, Any]:
    if span is None:
        return {"present": False, "heading": None}
    return {"present": True, "heading": cleaned.restore(span.heading.text, span.heading.start)}


def _warnings(text: str, sections: dict[str, SectionSpan], report_type: ReportType) -> list[str]:
    """Flag texts that do not look like this report type (they are still processed)."""
    hits = sum(text.count(word) for word in report_type.vocabulary)
    if not sections and hits < 3:
        return [f"this text does not look like a {report_type.name} report: no template element "
                f"heading and {hits} words of its vocabulary"]
    if not sections:
        return ["no template element heading found"]
    return []
