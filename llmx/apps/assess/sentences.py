"""Sentences and their normalised form: the unit every text check counts.

Why normalise: a report copied from last year changes its years and its
counts (2023年 -> 2024年, 6次 -> 8次) and little else; comparing sentences
with every number and year replaced shows the copying that exact matching
would miss.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmx.text.punctuation import SENTENCE_END, char_class

_END = re.compile(char_class(SENTENCE_END) + "+")  # the engine's own sentence ends
_NUMBER = re.compile(r"[0-9０-９]+(?:[.．][0-9０-９]+)?|[零〇一二三四五六七八九十两百千万亿]{2,}")
_SPACE = re.compile(r"[\s\u3000\xa0]+")
_PUNCT = re.compile(r"[，,、：:“”\"‘’'（）()《》〈〉【】\[\]…—\-·.]")


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    text: str


def split(text: str, start: int = 0, end: int | None = None, min_chars: int = 1) -> list[Sentence]:
    """The sentences of ``text[start:end]`` (ended by 。！？； or a line break) with at least ``min_chars``
    characters other than spaces, each with its offsets in ``text``."""
    end = len(text) if end is None else end
    out = []
    pos = start
    for m in _END.finditer(text, start, end):
        piece = text[pos:m.start()]
        if len(_SPACE.sub("", piece)) >= min_chars:
            lead = len(piece) - len(piece.lstrip())
            out.append(Sentence(pos + lead, m.start(), piece.strip()))
        pos = m.end()
    piece = text[pos:end]
    if len(_SPACE.sub("", piece)) >= min_chars:
        lead = len(piece) - len(piece.lstrip())
        out.append(Sentence(pos + lead, end, piece.strip()))
    return out


def normalise(sentence: str) -> str:
    """The sentence with spaces and punctuation dropped and every number or year written ``#``."""
    return _PUNCT.sub("", _NUMBER.sub("#", _SPACE.sub("", sentence)))
