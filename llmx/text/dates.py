"""How pages and reports write a calendar date: one definition for every stage that reads one.

A date is a year (19xx, 20xx), a month and a day, written three ways:
``2024-02-19`` (or ``/``, ``.``) on web pages, ``2024年2月19日`` in a 公文's
signature, and, where any mix is taken, either separator at each step.  The
patterns come as text, to build larger patterns with (``clean.py``'s page
furniture), and compiled with the year, month and day captured, to read one.
"""

from __future__ import annotations

import re

#: A calendar year written in digits.
YEAR = r"(?:19|20)\d{2}"
#: The time of day a page prints after its publication date (10:57, 09:07:00).
TIME_OF_DAY = r"\d{1,2}:\d{2}(?::\d{2})?"


def _shapes(year: str, month: str, day: str) -> tuple[str, str, str]:
    return (rf"{year}\s*[-/.]\s*{month}\s*[-/.]\s*{day}",
            rf"{year}\s*年\s*{month}\s*月\s*{day}\s*日",
            rf"{year}\s*(?:[-/.年])\s*{month}\s*(?:[-/.月])\s*{day}")


#: 2024-02-19 / 2024/2/19 / 2024.02.19; 2024年2月19日; either separator at each step (2024年2月19).
DATE_ISO, DATE_CN, DATE_ANY = _shapes(YEAR, r"\d{1,2}", r"\d{1,2}")
#: The same three, compiled with year, month and day as groups 1-3.
ISO_PARTS, CN_PARTS, ANY_PARTS = (re.compile(p) for p in _shapes(rf"({YEAR})", r"(\d{1,2})", r"(\d{1,2})"))


def as_iso(match: re.Match[str]) -> str:
    """A ``*_PARTS`` match as YYYY-MM-DD."""
    year, month, day = (int(g) for g in match.groups()[:3])
    return f"{year:04d}-{month:02d}-{day:02d}"
