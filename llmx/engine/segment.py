"""Segment: which template element each heading opens, and the body it governs.

Headings are found by their numbering (``text/headings.py``); which template
element a heading is dedicated to is decided by the report type's keywords.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmx.reports.report_type import ReportType
from llmx.text.headings import Heading



def element_of(heading: Heading, report_type: ReportType) -> str | None:
    """The element whose keywords the heading carries, most specific element first."""
    for element in report_type.elements:
        if any(word in heading.text for word in element.keywords):
            return element.key
    return None


@dataclass(frozen=True)
class SectionSpan:
    """A template element found in the text: its heading and the body it governs."""

    key: str
    heading: Heading
    start: int
    end: int


def find_sections(text: str, headings: list[Heading], report_type: ReportType) -> dict[str, SectionSpan]:
    """Map element keys to the highest-level heading dedicated to them, with its body span.

    A body runs to the next heading of the same or a higher level.  The first
    top-level heading, when no keyword claims it, belongs to the element the
    report type marks ``default_first`` (reports open with their main measures
    under all kinds of titles).
    """
    found: dict[str, SectionSpan] = {}
    top = min((h.level for h in headings), default=1)
    first_top = _first_at(headings, top)  # once: a compilation has thousands of headings
    for i, heading in enumerate(headings):
        key = element_of(heading, report_type)
        if key is None and heading is first_top:
            key = next((e.key for e in report_type.elements if e.default_first), None)
        if key is None:
            continue
        current = found.get(key)
        if current is None or heading.level < current.heading.level:
            found[key] = SectionSpan(key, heading, heading.start, _body_end(text, headings, i))
    return found


def _first_at(headings: list[Heading], level: int) -> Heading | None:
    return next((h for h in headings if h.level == level), None)


def _body_end(text: str, headings: list[Heading], i: int) -> int:
    level = headings[i].level
    nxt = next((h for h in headings[i + 1:] if h.level <= level), None)
    return nxt.start if nxt else len(text)


def element_at(sections: dict[str, SectionSpan], pos: int) -> str | None:
    """The element whose body holds offset ``pos`` (innermost when nested)."""
    inside = [s for s in sections.values() if s.start <= pos < s.end]
    return min(inside, key=lambda s: s.end - s.start).key if inside else None
