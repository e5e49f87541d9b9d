"""Heading markers: the one definition of how a numbered heading opens a line.

Chinese official reports number their headings in a fixed hierarchy
(``一、`` > ``（一）`` > ``1.`` > ``（1）``); segmenting a report, telling a
heading line from prose while cleaning, and taking a heading's marker off an
item all read the same markers from here.
"""

from __future__ import annotations

import re

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
