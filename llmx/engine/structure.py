"""Headings and the template elements they open, found by code.

Chinese official reports number their headings in a fixed hierarchy
(``一、`` > ``（一）`` > ``1.`` > ``（1）``), so headings are found exactly by
pattern; which template element a heading is dedicated to is decided by the
domain's keywords.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmx.domain.domain import Domain
from llmx.text.headings import LEVELS, MARKUP

_MAX_HEADING = 60


@dataclass(frozen=True)
class Heading:
    """A numbered heading: its level, text (to line end or first 。) and span."""

    level: int
    text: str
    start: int
    end: int
    line_end: int  # where the heading's line ends (the body after it starts here)


def find_headings(text: str) -> list[Heading]:
    """All numbered headings, in document order."""
    found: list[Heading] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        heading = _heading_in_line(line, pos)
        if heading:
            found.append(heading)
        pos += len(line)
    return found


def _heading_in_line(line: str, offset: int) -> Heading | None:
    """The heading a line opens with, or None."""
    body = line.rstrip("\r\n")
    lead = len(body) - len(body.lstrip())
    stripped = MARKUP.sub("", body[lead:]) if body[lead:lead + 1] in "*#" else body[lead:]
    shift = len(body[lead:]) - len(stripped)
    for level, pattern in LEVELS:
        if pattern.match(stripped):
            cut = stripped.find("。")
            text = (stripped if cut < 0 else stripped[:cut]).strip()
            text = MARKUP.sub("", text).strip()
            if not text or len(text) > _MAX_HEADING and cut < 0:
                return None
            start = offset + lead + shift
            return Heading(level, text, start, start + len(text), offset + len(line))
    return None


def element_of(heading: Heading, domain: Domain) -> str | None:
    """The element whose keywords the heading carries, most specific element first."""
    for element in domain.elements:
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


def find_sections(text: str, headings: list[Heading], domain: Domain) -> dict[str, SectionSpan]:
    """Map element keys to the highest-level heading dedicated to them, with its body span.

    A body runs to the next heading of the same or a higher level.  The first
    top-level heading, when no keyword claims it, belongs to the element the
    domain marks ``default_first`` (reports open with their main measures
    under all kinds of titles).
    """
    found: dict[str, SectionSpan] = {}
    top = min((h.level for h in headings), default=1)
    first_top = _first_at(headings, top)  # once: a compilation has thousands of headings
    for i, heading in enumerate(headings):
        key = element_of(heading, domain)
        if key is None and heading is first_top:
            key = next((e.key for e in domain.elements if e.default_first), None)
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
