"""The indicator catalogue: data read from one YAML file, never repeated in code.

A catalogue file groups indicator keys; each key has a Chinese name, usual
units, a definition and example phrases.  The engine turns it into an enum
for the schemas, a prompt listing for the model, and a similarity ranker that
proposes likely keys for a phrase.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

from .cues import Cues
from .errors import LlmxError
from .textmap import fold

OTHER = "other"


@dataclass(frozen=True)
class Indicator:
    """One catalogue entry."""

    key: str
    group: str
    name: str
    units: tuple[str, ...]
    definition: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """All indicators of a domain, in file order."""

    indicators: tuple[Indicator, ...]
    cues: Cues | None = None  # the report type's cue words, when it has them: labels by cue, not by bigrams

    @classmethod
    def load(cls, path: Path) -> "Catalogue":
        """Read a catalogue YAML file of ``group -> key -> fields``."""
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise LlmxError(f"{path}: cannot read indicator catalogue: {exc}") from exc
        items = []
        for group, entries in raw.items():
            for key, spec in entries.items():
                items.append(
                    Indicator(
                        key=key,
                        group=group,
                        name=spec["name"],
                        units=tuple(spec.get("units", [])),
                        definition=spec.get("definition", ""),
                        examples=tuple(spec.get("examples", [])),
                    )
                )
        return cls(tuple(items))

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """Every indicator key plus the catch-all ``other``."""
        return tuple(i.key for i in self.indicators) + (OTHER,)

    def get(self, key: str) -> Indicator | None:
        return next((i for i in self.indicators if i.key == key), None)

    def rank(self, phrase: str, unit: str = "", top: int = 5) -> list[tuple[str, float]]:
        """Keys ordered by how well ``phrase`` matches their name, definition and examples.

        A character-bigram overlap is crude but language-agnostic, exact, and
        fast; it serves as a prior for the model and as a fallback without one.
        """
        grams = _bigrams(phrase)
        scored = []
        for ind in self.indicators:
            sample = max((_overlap(grams, _bigrams(e)) for e in ind.examples), default=0.0)
            name = _overlap(grams, _bigrams(ind.name))
            definition = _overlap(grams, _bigrams(ind.definition)) * 0.5
            bonus = 0.15 if unit and unit in ind.units else (-0.3 if unit and ind.units else 0.0)
            scored.append((ind.key, max(sample, name, definition) + bonus))
        scored.sort(key=lambda kv: kv[1], reverse=True)
        return scored[:top]


def _bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the folded text, ignoring digits and punctuation."""
    chars = [c for c in fold(text) if c.isalpha()]
    return frozenset(a + b for a, b in zip(chars, chars[1:]))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of ``b``'s bigrams present in ``a`` (how much of the reference is echoed)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(b)
