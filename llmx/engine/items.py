"""Items: the entries of a section's list (problems, planned tasks), found by their markers.

Reports enumerate items in three ways: sub-headings (``（一）加强…。``),
inline markers (``一是…。二是…``), or a run-on sentence of clauses.  The
first two are exact; the third falls back to clauses that carry the
report type's cue words.
"""

from __future__ import annotations

import re

from llmx.reports.report_type import ReportType
from llmx.engine.segment import SectionSpan
from llmx.text.headings import ANY_MARKER, CN_ORDINALS, MARKUP, Heading
from llmx.text.punctuation import CLAUSE_END, COLON, compiled

_INLINE = re.compile(rf"[{CN_ORDINALS}]+是")  # 一是…二是…: items numbered inline
_CLAUSE_END = compiled(CLAUSE_END, COLON)
_SENTENCE_SPLIT = compiled(CLAUSE_END)


def item_lists(text: str, sections: dict[str, SectionSpan], headings: list[Heading],
               report_type: ReportType) -> dict[str, list[str]]:
    """Each of the report type's list fields: the items of its element's section (none without one)."""
    out = {}
    for element in report_type.elements:
        if element.list_field:
            span = sections.get(element.key)
            out[element.list_field] = section_items(
                text, span.start, span.end, span.heading, headings, element.item_cues) if span else []
    return out


def section_items(text: str, start: int, end: int, heading: Heading,
                  headings: list[Heading], cues: tuple[str, ...] = ()) -> list[str]:
    """Item phrases of the section body ``text[start:end]`` in order."""
    subs = [h for h in headings if start < h.start < end and h.level > heading.level]
    if subs:
        level = min(h.level for h in subs)
        return _dedupe(ANY_MARKER.sub("", h.text).strip() for h in subs if h.level == level)
    body = MARKUP.sub("", text[heading.line_end:end])
    inline = _inline_items(body)
    if inline:
        return inline
    return _cue_clauses(body, cues)


def _inline_items(body: str) -> list[str]:
    """``一是X，…`` items: X up to its first clause break."""
    items = []
    for match in _INLINE.finditer(body):
        rest = body[match.end():]
        stop = _CLAUSE_END.search(rest)
        items.append(rest[: stop.start() if stop else len(rest)].strip())
    return _dedupe(items)


def _cue_clauses(body: str, cues: tuple[str, ...]) -> list[str]:
    """Clauses holding a cue word, for sections that list items as one run-on sentence."""
    clauses = (c.strip() for c in _SENTENCE_SPLIT.split(body))
    return _dedupe(c for c in clauses if 4 <= len(c) <= 60 and any(w in c for w in cues))


def _dedupe(items) -> list[str]:
    """Non-empty items, first occurrences, in order (a dict keeps it linear in long sections)."""
    return list(dict.fromkeys(item for item in items if item))
