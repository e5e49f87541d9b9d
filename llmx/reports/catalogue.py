"""The indicator catalogue: data read from one YAML file, never repeated in code.

A catalogue file groups indicator keys; each key has a Chinese name, usual
units, a definition and example phrases.  The engine turns it into an enum
for the schemas, a prompt listing for the model, and a similarity ranker that
proposes likely keys for a phrase.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import add, itemgetter


from llmx.reports.cues import Cues
from llmx.errors import LlmxError
from llmx.text.textmap import fold
from llmx.yaml_text import YAMLError, parse_yaml

if TYPE_CHECKING:  # importlib.resources.abc is new in 3.11; annotations only
    from importlib.resources.abc import Traversable

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
    """All indicators of a report type, in file order."""

    indicators: tuple[Indicator, ...]
    cues: Cues | None = None  # the report type's cue words, when it has them: labels by cue, not by bigrams

    @classmethod
    def load(cls, path: Traversable) -> "Catalogue":
        """Read a catalogue YAML file of ``group -> key -> fields``."""
        try:
            raw = parse_yaml(path.read_text(encoding="utf-8"))
        except (OSError, YAMLError) as exc:
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

    def indicator(self, key: str) -> Indicator:
        """The entry for a key the code already knows is in the catalogue (a ranked or chosen key)."""
        found = self.get(key)
        if found is None:
            raise KeyError(f"{key!r} is not in the indicator catalogue")
        return found

    def rank(self, phrase: str, unit: str = "", top: int = 5) -> list[tuple[str, float]]:
        """Keys ordered by how well ``phrase`` matches their name, definition and examples.

        A character-bigram overlap is crude but language-agnostic, exact, and
        fast; it serves as a prior for the model and as a fallback without one.
        A long compilation repeats its phrases, so each distinct (phrase, unit)
        is scored once.
        """
        return list(self._ranking(phrase, unit)[:top])

    @cached_property
    def _ranking(self) -> Callable[[str, str], tuple[tuple[str, float], ...]]:
        """``_score`` memoised per catalogue (bounded, so a batch over many reports stays small)."""
        return lru_cache(maxsize=1 << 16)(self._score)

    @cached_property
    def _references(self) -> "_BigramIndex":
        """The bigrams of every name, definition and example, computed once per catalogue."""
        return _BigramIndex.of(self.indicators)

    def _score(self, phrase: str, unit: str) -> tuple[tuple[str, float], ...]:
        """Every key with its score, best first; ties keep catalogue order."""
        best = self._references.best_overlaps(_bigrams(phrase))
        scored = list(zip(self._indicator_keys, map(add, best, self._unit_bonuses(unit))))
        scored.sort(key=itemgetter(1), reverse=True)
        return tuple(scored)

    @cached_property
    def _indicator_keys(self) -> tuple[str, ...]:
        """Keys in catalogue order, paired with scores without touching each Indicator."""
        return tuple(i.key for i in self.indicators)

    @cached_property
    def _unit_bonuses(self) -> Callable[[str], tuple[float, ...]]:
        """``_unit_bonus`` of every indicator for a unit, computed once per unit."""
        return lru_cache(maxsize=256)(lambda unit: tuple(_unit_bonus(unit, ind) for ind in self.indicators))


def _unit_bonus(unit: str, ind: Indicator) -> float:
    """A usual unit lifts a key; a unit the key never has lowers it."""
    return 0.15 if unit and unit in ind.units else (-0.3 if unit and ind.units else 0.0)


@dataclass(frozen=True)
class _BigramIndex:
    """Reference texts of all indicators as an inverted index from bigram to reference.

    Scoring a phrase then touches only the references that share a bigram with
    it, instead of intersecting the phrase with every name, definition and
    example of the catalogue.
    """

    owners: tuple[int, ...]  # reference -> indicator position
    sizes: tuple[int, ...]  # reference -> number of distinct bigrams
    weights: tuple[float, ...]  # reference -> 1.0 (name, example) or 0.5 (definition)
    postings: dict[str, tuple[int, ...]]  # bigram -> references holding it
    indicators: int

    @classmethod
    def of(cls, indicators: tuple[Indicator, ...]) -> "_BigramIndex":
        """Index examples and names at full weight and definitions at half, as the ranking weighs them."""
        owners: list[int] = []
        sizes: list[int] = []
        weights: list[float] = []
        postings: dict[str, list[int]] = {}
        for position, ind in enumerate(indicators):
            texts = [(e, 1.0) for e in ind.examples] + [(ind.name, 1.0), (ind.definition, 0.5)]
            for text, weight in texts:
                grams = _bigrams(text)
                if not grams:
                    continue  # an empty reference scores 0.0, as every reference without a shared bigram
                for gram in grams:
                    postings.setdefault(gram, []).append(len(owners))
                owners.append(position)
                sizes.append(len(grams))
                weights.append(weight)
        return cls(tuple(owners), tuple(sizes), tuple(weights),
                   {g: tuple(refs) for g, refs in postings.items()}, len(indicators))

    def best_overlaps(self, grams: frozenset[str]) -> list[float]:
        """Per indicator, the best weighted share of a reference's bigrams found in ``grams``.

        The same arithmetic as ``_overlap(grams, reference) * weight`` maximised
        over the indicator's references, so scores (and ties) are unchanged.
        """
        shared: dict[int, int] = {}
        for gram in grams:
            for ref in self.postings.get(gram, ()):
                shared[ref] = shared.get(ref, 0) + 1
        best = [0.0] * self.indicators
        for ref, count in shared.items():
            score = count / self.sizes[ref] * self.weights[ref]
            owner = self.owners[ref]
            if score > best[owner]:
                best[owner] = score
        return best


def _bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the folded text, ignoring digits and punctuation."""
    chars = [c for c in fold(text) if c.isalpha()]
    return frozenset(a + b for a, b in zip(chars, chars[1:]))
