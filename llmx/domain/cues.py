"""Indicator labels from cue words and kinds of unit: the nearest fitting cue decides.

A report says what a number counts in the words just before it (``调处矛盾
纠纷444起``) or, for a breakdown, earlier in its sentence (``开展法治培训，覆盖
镇村干部200余人``).  A report type lists, per catalogue indicator, the words
that name the thing counted and the kinds of unit it is counted in (events,
people, items, rates, …).  A number takes the indicator of the nearest cue —
in its own clause before it, then after it, then earlier in the sentence —
whose indicator admits the number's kind of unit; with no such cue it is
``other``.  The unit gate is what lets one word serve several indicators
(培训: trainings in 次, participants in 人).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
from dataclasses import dataclass
from functools import cached_property

import yaml

from llmx.errors import LlmxError

if TYPE_CHECKING:  # importlib.resources.abc is new in 3.11; annotations only
    from importlib.resources.abc import Traversable

OTHER = "other"
_AFTER_PENALTY = 12  # a cue after the number, in its clause, is weaker than one before it
_EARLIER_CLAUSE_PENALTY = 24  # a cue in an earlier clause of the sentence is weaker still


@dataclass(frozen=True)
class Window:
    """The text a number's cues are looked for in, with the number's and its clause's offsets in it."""

    text: str
    number_start: int
    number_end: int
    clause_start: int
    clause_end: int


@dataclass(frozen=True)
class Cues:
    """Cue words per indicator (file order is priority order) and the units of each kind."""

    unit_kinds: dict[str, frozenset[str]]
    indicators: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...]  # (key, kinds, words)

    @classmethod
    def load(cls, path: Traversable) -> "Cues":
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            kinds = {k: frozenset(map(str, v)) for k, v in raw["unit_kinds"].items()}
            entries = tuple((key, frozenset(spec["kinds"]), tuple(spec["words"]))
                            for key, spec in raw["cues"].items())
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            raise LlmxError(f"{path}: cannot read cue file: {exc}") from exc
        unknown = {k for _, ks, _ in entries for k in ks} - set(kinds)
        if unknown:
            raise LlmxError(f"{path}: unknown unit kinds {sorted(unknown)}")
        return cls(kinds, entries)

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        words = sorted({w for _, _, ws in self.indicators for w in ws}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words)))

    @cached_property
    def _by_word(self) -> dict[str, list[tuple[str, frozenset[str]]]]:
        out: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for key, kinds, words in self.indicators:
            for word in words:
                out.setdefault(word, []).append((key, kinds))
        return out

    def kinds_of(self, unit: str) -> frozenset[str]:
        return frozenset(kind for kind, units in self.unit_kinds.items() if unit in units)

    def label(self, window: Window, unit: str, reading: str = "") -> str | None:
        """The indicator of the nearest cue that admits ``unit``; a model's reading, if any, is read first."""
        kinds = self.kinds_of(unit)
        if not kinds:
            return None
        for _, word in sorted(self._found(window, reading)):
            for key, admits in self._by_word[word]:
                if admits & kinds:
                    return None if key == OTHER else key
        return None

    def _found(self, w: Window, reading: str) -> list[tuple[int, str]]:
        """(distance, word) for every cue in the reading (distance 0 and below) and the window."""
        found = [(-len(reading) + m.start(), m.group()) for m in self._pattern.finditer(reading)]
        for m in self._pattern.finditer(w.text):
            if m.start() < w.number_end and m.end() > w.number_start:
                continue
            if m.end() <= w.number_start:
                distance = w.number_start - m.end()
                if m.start() < w.clause_start:
                    distance += _EARLIER_CLAUSE_PENALTY
            elif m.start() < w.clause_end:
                distance = w.clause_end - m.end() + _AFTER_PENALTY  # the head of what follows comes last
            else:
                continue
            found.append((distance, m.group()))
        return found
