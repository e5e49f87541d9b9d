"""Normalised views of a text that keep a map back to the original characters.

Every comparison in llmx (evidence lookup, scoring, validation) happens on
NFKC-folded text with all whitespace removed, because reports arrive with odd
spaces and full-width characters.  Offsets reported to the user must still
point into the text as given, so each normalised character remembers the
original offset it came from.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def fold(text: str) -> str:
    """NFKC-fold ``text`` and drop all whitespace (the contract's comparison form)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


@dataclass(frozen=True)
class FoldedText:
    """A folded copy of ``original`` with ``index[i]`` = original offset of ``folded[i]``."""

    original: str
    folded: str
    index: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> "FoldedText":
        """Fold character by character so every output character keeps its source offset."""
        out: list[str] = []
        index: list[int] = []
        for pos, ch in enumerate(original):
            for piece in unicodedata.normalize("NFKC", ch):
                if not piece.isspace():
                    out.append(piece)
                    index.append(pos)
        return cls(original, "".join(out), tuple(index))

    def span(self, fstart: int, fend: int) -> tuple[int, int]:
        """Map a folded span ``[fstart, fend)`` back to an original span."""
        if fend <= fstart:
            raise ValueError("empty span")
        return self.index[fstart], self.index[fend - 1] + 1

    def find_all(self, needle: str) -> list[tuple[int, int]]:
        """All original spans whose folded form equals ``fold(needle)`` (overlaps allowed)."""
        target = fold(needle)
        if not target:
            return []
        spans: list[tuple[int, int]] = []
        at = self.folded.find(target)
        while at >= 0:
            spans.append(self.span(at, at + len(target)))
            at = self.folded.find(target, at + 1)
        return spans
