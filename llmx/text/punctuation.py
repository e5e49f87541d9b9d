"""Punctuation classes: the one definition of what ends a sentence, a clause, an aside.

Reports mix full-width and ASCII marks (web pages, OCR, Word's autocorrect),
so each class lists both.  Every module that splits text at punctuation
composes its class from these parts, so a mark added here (a new kind of
full stop) is known everywhere at once.
"""

from __future__ import annotations

import re

FULL_STOP = "。！!？?\n\r"  # what ends a sentence outright
SEMICOLON = "；;"  # ends a sentence, but a list of parts (其中受理66件；不予受理18件) runs on across it
SENTENCE_END = FULL_STOP + SEMICOLON  # what ends a sentence (the assessment counts sentences by it too)
CLAUSE_COMMA = "，,"
COLON = "：:"
LIST_COMMA = "、"  # between the items of one enumeration: inside a clause, not between clauses
OPENING_BRACKETS = "（(【"
CLOSING_BRACKETS = "）)】"
BRACKETS = OPENING_BRACKETS + CLOSING_BRACKETS
VERTICAL_BARS = "|｜丨"  # table rules and separators in web furniture
DASHES = "-—–－―"  # hyphens and dashes: around a page number (- 3 -), inside a range (1—12月)
#: What ends a clause: a sentence end or a comma.
CLAUSE_END = SENTENCE_END + CLAUSE_COMMA
#: Marks only running prose has: a heading, a title or a list of names carries none of them.
PROSE = CLAUSE_COMMA + "。；;"


def char_class(*parts: str, negate: bool = False) -> str:
    """A regular-expression character class of every character in ``parts``."""
    chars = "".join(dict.fromkeys("".join(parts)))
    return f"[{'^' if negate else ''}{re.escape(chars)}]"


def compiled(*parts: str) -> re.Pattern[str]:
    """``char_class(*parts)``, compiled."""
    return re.compile(char_class(*parts))
