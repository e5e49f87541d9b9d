"""Cue rules: the nearest cue word that fits a number's unit names its indicator.

A number takes the indicator of the nearest cue (``reports/cues.py``, the
report type's words) in its own clause before it, then after it, then
earlier in the sentence, whose indicator admits the number's kind of unit;
with no such cue it is ``other``.  The distances and the exceptions
(a meeting's spirit studied is not a meeting held) are labelling rules, the
same for every report type; the words are the report type's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from llmx.text.numbers import ordinal_mark_at, unit_end
from llmx.reports.cues import Cues

# A meeting cue followed by these names what a meeting decided (会议精神), not a meeting held.
_MEETING_WORDS = ("会", "会议")
_CONTENT_AFTER = ("精神", "讲话", "重要讲话", "指示")
_AFTER_PENALTY = 12  # a cue after the number, in its clause, is weaker than one before it
_EARLIER_CLAUSE_PENALTY = 24  # a cue in an earlier clause of the sentence is weaker still
_GENERIC_UNIT = "个"  # the measure word that says nothing of what it counts: the noun after it does
_NOUN_MODIFIER = 2  # characters that may qualify a counted noun (市直, 省直) before it


def _split(written: str) -> tuple[str, tuple[str, ...]]:
    """``学习+法|宪法`` -> (``学习``, (``法``, ``宪法``))."""
    word, _, needs = written.partition("+")
    return word, tuple(n for n in needs.split("|") if n)


@dataclass(frozen=True)
class Window:
    """The text a number's cues are looked for in, with the number's and its clause's offsets in it."""

    text: str
    number_start: int
    number_end: int
    clause_start: int
    clause_end: int


@lru_cache(maxsize=8)
def cue_rules(cues: Cues) -> CueRules:
    """The rules over one cue file, built once (their indexes and memos live as long as the file's object)."""
    return CueRules(cues)


class CueRules:
    """The cue words of one report type, indexed for matching, with memoised answers."""

    def __init__(self, cues: Cues) -> None:
        self.unit_kinds = cues.unit_kinds
        self.indicators = cues.indicators
        self.noun_kinds = cues.noun_kinds

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        words = sorted({_split(w)[0] for _, _, ws in self.indicators for w in ws}, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words)))

    @cached_property
    def _by_word(self) -> dict[str, list[tuple[str, frozenset[str], tuple[str, ...]]]]:
        out: dict[str, list[tuple[str, frozenset[str], tuple[str, ...]]]] = {}
        for key, kinds, words in self.indicators:
            for written in words:
                word, needs = _split(written)
                out.setdefault(word, []).append((key, kinds, needs))
        for entries in out.values():  # a cue with a condition is more specific than the bare word
            entries.sort(key=lambda entry: not entry[2])
        return out

    def kinds_of(self, unit: str) -> frozenset[str]:
        return frozenset(kind for kind, units in self.unit_kinds.items() if unit in units)

    def kinds_at(self, window: Window | None, unit: str) -> frozenset[str]:
        """The kinds of the number's unit, or, for the generic 个, of the noun after it (52个单位); a rank
        (获得第二名, 位列第3位) has none: it places, it counts nothing an indicator counts.  Without a
        window, the unit's kinds."""
        if window is None:
            return self.kinds_of(unit)
        if ordinal_mark_at(window.text, window.number_start) is not None:
            return frozenset()
        if unit == _GENERIC_UNIT:
            after = window.text[unit_end(window.text, window.number_end, unit):window.clause_end].lstrip()
            for kind, nouns in self._noun_patterns:
                if nouns.match(after):
                    return frozenset({kind})
        return self.kinds_of(unit)

    @cached_property
    def _noun_patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """Per kind, its nouns after at most two characters that qualify them (52个市直单位)."""
        return tuple((kind, re.compile(rf"[\u4e00-\u9fff]{{0,{_NOUN_MODIFIER}}}?(?:{'|'.join(map(re.escape, nouns))})"))
                     for kind, nouns in self.noun_kinds)

    def admits(self, key: str, kinds: frozenset[str]) -> bool:
        """Whether indicator ``key`` counts in a unit of ``kinds`` (a breakdown in 人 of a whole in 次 is no
        part of it)."""
        return any(admits & kinds for indicator, admits, _ in self.indicators if indicator == key)

    def label(self, window: Window, unit: str, reading: str = "") -> str | None:
        """The indicator of the nearest cue that admits ``unit`` (``other`` where that cue names something no
        indicator counts, ``None`` where no cue places the number); a model's reading, if any, is read first.

        Memoised per cue file: the labels and the learned labeller's features both ask, and a long
        compilation repeats its clauses.
        """
        return self._labelled(window, unit, reading)

    @cached_property
    def _labelled(self) -> Callable[[Window, str, str], str | None]:
        return lru_cache(maxsize=1 << 14)(self._label)

    def _label(self, window: Window, unit: str, reading: str) -> str | None:
        kinds = self.kinds_at(window, unit)
        if not kinds:
            return None
        around = reading + window.text
        named_elsewhere = False  # a cue before the number in its clause took none of the unit's kinds
        for _, word, own in self.found(window, reading):
            present = [(key, admits) for key, admits, needs in self._by_word[word]
                       if not needs or any(n in around for n in needs)]
            fitting = next((key for key, admits in present if admits & kinds), None)
            if fitting and (own or not named_elsewhere):
                return fitting  # `other`: a cue names something no indicator counts
            named_elsewhere = named_elsewhere or (own and bool(present))
        # 参加现场调解6次: its clause names what it counts, in a unit none of that cue's indicators
        # takes; a cue of another clause (培训会2次 before it) does not name it either.
        return None

    def entries(self, word: str) -> list[tuple[str, frozenset[str], tuple[str, ...]]]:
        """(indicator, kinds it admits, words one of which must be near) for each use of cue ``word``."""
        return self._by_word.get(word, [])

    def found(self, w: Window, reading: str) -> tuple[tuple[int, str, bool], ...]:
        """(distance, word, in the number's own clause before it) for every cue in the reading
        (distance 0 and below) and the window, nearest first (memoised like ``label``)."""
        return self._sorted_found(w, reading)

    @cached_property
    def _sorted_found(self) -> Callable[[Window, str], tuple[tuple[int, str, bool], ...]]:
        return lru_cache(maxsize=1 << 14)(lambda w, reading: tuple(sorted(self._found(w, reading))))

    def _found(self, w: Window, reading: str) -> list[tuple[int, str, bool]]:
        found = [(-len(reading) + m.start(), m.group(), False) for m in self._pattern.finditer(reading)]
        for m in self._pattern.finditer(w.text):
            if m.start() < w.number_end and m.end() > w.number_start:
                continue
            if m.group().endswith(_MEETING_WORDS) and w.text.startswith(_CONTENT_AFTER, m.end()):
                continue  # 学习…委员会会议精神: a meeting's spirit studied, not a meeting held
            own = False
            if m.end() <= w.number_start:
                distance = w.number_start - m.end()
                own = m.start() >= w.clause_start
                if not own:
                    distance += _EARLIER_CLAUSE_PENALTY
            elif m.start() < w.clause_end:
                distance = w.clause_end - m.end() + _AFTER_PENALTY  # the head of what follows comes last
            else:
                continue
            found.append((distance, m.group(), own))
        return found
