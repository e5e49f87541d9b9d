"""A report type's cue words: per indicator, the words that name what is counted, and kinds of unit.

A report says what a number counts in the words just before it (``调处矛盾
纠纷444起``) or, for a breakdown, earlier in its sentence (``开展法治培训，覆盖
镇村干部200余人``).  A report type lists, per catalogue indicator, the words
that name the thing counted and the kinds of unit it is counted in (events,
people, items, rates, …).  A number takes the indicator of the nearest cue —
in its own clause before it, then after it, then earlier in the sentence —
whose indicator admits the number's kind of unit; with no such cue it is
``other``.  The unit gate is what lets one word serve several indicators
(培训: trainings in 次, participants in 人).

This module reads a report type's cue file; ``engine/cue_rules.py`` applies
the cues to a number's window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass


from llmx.errors import LlmxError
from llmx.yaml_text import YAMLError, parse_yaml

if TYPE_CHECKING:  # importlib.resources.abc is new in 3.11; annotations only
    from importlib.resources.abc import Traversable


@dataclass(frozen=True, eq=False)  # one object per cue file: the rules memoise per object
class Cues:
    """Cue words per indicator (file order is priority order) and the units of each kind."""

    unit_kinds: dict[str, frozenset[str]]
    indicators: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...]  # (key, kinds, words)
    #: kind -> nouns: a number in the generic measure word 个 followed by one of them is of that kind
    #: (52个单位 counts bodies, as 52家 does), whatever kinds 个 alone has
    noun_kinds: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # A word written ``学习+法|宪法`` is a cue only where one of the words after ``+`` is in the
    # number's window too: a generic verb (学习, 检查, 审核) names an indicator only with its legal object.

    @classmethod
    def load(cls, path: Traversable) -> "Cues":
        try:
            raw = parse_yaml(path.read_text(encoding="utf-8"))
            kinds = {k: frozenset(map(str, v)) for k, v in raw["unit_kinds"].items()}
            entries = tuple((key, frozenset(spec["kinds"]), tuple(spec["words"]))
                            for key, spec in raw["cues"].items())
            raw_nouns = raw.get("noun_kinds") or {}
            if not all(isinstance(words, list) for words in raw_nouns.values()):
                raise TypeError("noun_kinds: each kind takes a list of words")
            nouns = tuple((kind, tuple(map(str, words))) for kind, words in raw_nouns.items())
        except (OSError, YAMLError, KeyError, TypeError, AttributeError) as exc:
            raise LlmxError(f"{path}: cannot read cue file: {exc}") from exc
        unknown = ({k for _, ks, _ in entries for k in ks} | {k for k, _ in nouns}) - set(kinds)
        if unknown:
            raise LlmxError(f"{path}: unknown unit kinds {sorted(unknown)}")
        return cls(kinds, entries, nouns)

