"""Heading markers: the one definition of how a numbered heading opens a line.

Chinese official reports number their headings in a fixed hierarchy
(``一、`` > ``（一）`` > ``1.`` > ``（1）``); segmenting a report, telling a
heading line from prose while cleaning, and taking a heading's marker off an
item all read the same markers from here; ``find_headings`` is the
segmenting stage's first half (``engine/segment.py`` maps headings to the
report type's elements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CN_ORDINALS = "一二三四五六七八九十"
#: Each level's marker, outermost first (a pattern to ``match`` at the heading text's start).
MARKERS: tuple[tuple[int, str], ...] = (
    (1, rf"[{CN_ORDINALS}]+\s*[、．.]|第[{CN_ORDINALS}]+部分"),
    (2, rf"[（(]\s*[{CN_ORDINALS}]+\s*[）)]"),
    (3, r"[0-9０-９]{1,2}\s*[、．.](?![0-9０-９])"),
    (4, r"[（(]\s*[0-9０-９]{1,2}\s*[）)]"),
)
LEVELS: tuple[tuple[int, re.Pattern[str]], ...] = tuple((level, re.compile(p)) for level, p in MARKERS)
#: A line opening with a heading of the two Chinese-numbered levels.
CHINESE_NUMBERED = re.compile("^(?:" + "|".join(p for level, p in MARKERS if level <= 2) + ")")
#: Any level's marker at a line's start, with the spaces around it (to take it off a heading's text).
ANY_MARKER = re.compile(r"^\s*(?:" + "|".join(p for _, p in MARKERS) + r")\s*")
#: Markdown emphasis and heading marks a web page or a converter leaves around a heading.
MARKUP = re.compile(r"[*#]+")
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
