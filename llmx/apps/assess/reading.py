"""One report read once for every check: cleaned text, template sections, numbers, index block.

Why one reading: each check needs the same pieces (the text without web
furniture, where the shortcomings and next-year parts start, every number
with its unit); the engine's own functions make them, so a check sees the
report exactly as extraction did.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from llmx.reports.report_type import ReportType
from llmx.apps.assess.sentences import Sentence, split
from llmx.engine.segment import SectionSpan, find_sections
from llmx.text.headings import Heading, find_headings
from llmx.text.clean import clean
from llmx.text.dates import ANY_PARTS
from llmx.text.numbers import Mention, find_mentions


@dataclass(frozen=True)
class Reading:
    result: dict[str, Any]
    original: str
    text: str  # furniture blanked, traditional folded; same length as original
    index: dict[str, str]
    sections: dict[str, SectionSpan]
    mentions: list[Mention]
    headings: list[Heading]

    def span(self, key: str) -> tuple[int, int] | None:
        section = self.sections.get(key)
        return (section.start, section.end) if section else None

    def outside(self, keys: tuple[str, ...]) -> list[tuple[int, int]]:
        """The stretches of text not under any of the sections ``keys``."""
        cuts = sorted(s for k in keys if (s := self.span(k)))
        out, pos = [], 0
        for start, end in cuts:
            if start > pos:
                out.append((pos, start))
            pos = max(pos, end)
        if pos < len(self.text):
            out.append((pos, len(self.text)))
        return out

    def prose(self, min_chars: int, start: int = 0, end: int | None = None) -> list[Sentence]:
        """The report's sentences, without its numbered headings and its title: what it says, not how it is laid out."""
        heads = {(h.start, h.end) for h in self.headings}
        ends = {h.start: h.end for h in self.headings}
        title = re.sub(r"\s", "", str(self.meta.get("title") or ""))
        return [s for s in split(self.text, start, end, min_chars=min_chars)
                if not (s.start in ends and s.end <= ends[s.start] + 1) and (s.start, s.end) not in heads
                and (not title or re.sub(r"\s", "", s.text) != title)]

    @property
    def meta(self) -> dict[str, Any]:
        return self.result.get("meta") or {}


def read(result: dict[str, Any], text: str, report_type: ReportType) -> Reading:
    cleaned = clean(text)
    headings = find_headings(cleaned.text)
    sections = find_sections(cleaned.text, headings, report_type)
    mentions = find_mentions(cleaned.text, report_type.numbered_names)
    return Reading(result, text, cleaned.text, dict(cleaned.index), sections, mentions, headings)


def parse_date(value: str | None) -> dt.date | None:
    """A date written 2024-01-31, 2024/1/31 or 2024年1月31日; None for anything else."""
    m = ANY_PARTS.search(value or "")
    if not m:
        return None
    try:
        return dt.date(*(int(g) for g in m.groups()))
    except ValueError:
        return None
