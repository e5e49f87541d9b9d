"""A source indexed for the promise: no number leaves llmx unless it stands there, where cited, as claimed.

``Grounding`` indexes a source once, in the numbers stage (the regex pass for
numbers, folded text for evidence lookup); ``check`` verifies one figure and
explains each failure precisely enough to be sent back to the model as a
re-ask.  ``engine/verify.py`` applies it to every labelled candidate.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any

from llmx.text.numbers import Mention, find_mentions
from llmx.text.textmap import FoldedText, fold


@dataclass(frozen=True)
class Verdict:
    """Outcome for one figure: problems (empty = verified) and the located number."""

    problems: tuple[str, ...]
    mention: Mention | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Grounding:
    """A source text indexed for verification."""

    text: str
    numbered_names: tuple[str, ...] = ()
    folded: FoldedText = field(init=False)
    mentions: list[Mention] = field(init=False)
    starts: list[int] = field(init=False)  # mention starts, ascending: a bisect finds the numbers of a span

    def __post_init__(self) -> None:
        self.folded = FoldedText.of(self.text)
        self.mentions = find_mentions(self.text, self.numbered_names)
        self.starts = [m.start for m in self.mentions]

    def check(self, figure: dict[str, Any], near: int | None = None, max_evidence: int = 80) -> Verdict:
        """Verify evidence, value, unit and qualifier of ``figure`` against the source.

        With ``near`` the evidence is first looked for around that offset: if an
        occurrence there holds a number of the figure's value starting exactly at
        ``near``, that number is the one the full search would pick (the closest,
        at distance 0), so the verdict is the same without scanning the whole text.
        """
        name = f"figure {figure.get('label', '')!r} ({figure.get('value')}{figure.get('unit', '')})"
        evidence = str(figure.get("evidence", ""))
        if len(evidence) > max_evidence:
            return Verdict((f"{name}: evidence is {len(evidence)} characters; cite at most {max_evidence}",))
        if near is not None:
            here = [m for m in self._same_value(self.folded.find_around(evidence, near), figure)
                    if m.start == near]
            if here:
                return Verdict(_agreement(name, figure, here[0]), here[0])
        spans = self.folded.find_all(evidence)
        if not spans:
            return Verdict((f"{name}: evidence {evidence!r} does not occur in the source; quote it verbatim",))
        same = self._same_value(spans, figure)
        if not same:
            stated = ", ".join(f"{m.text}{m.unit}" for m in self._inside(spans)) or "no number"
            return Verdict((f"{name}: value {figure.get('value')} is not stated in evidence "
                            f"{evidence!r}; the source there says {stated}",))
        mention = min(same, key=lambda m: abs(m.start - near)) if near is not None else same[0]
        return Verdict(_agreement(name, figure, mention), mention)

    def _inside(self, spans: list[tuple[int, int]]) -> list[Mention]:
        """Mentions lying within any of ``spans``, span by span, each span's in text order."""
        inside = []
        for s, e in spans:
            i = bisect_left(self.starts, s)
            while i < len(self.starts) and self.starts[i] < e:
                if self.mentions[i].end <= e:
                    inside.append(self.mentions[i])
                i += 1
        return inside

    def _same_value(self, spans: list[tuple[int, int]], figure: dict[str, Any]) -> list[Mention]:
        """Mentions within ``spans`` whose value equals the figure's."""
        return [m for m in self._inside(spans) if _equal(m.value, figure.get("value"))]


def _equal(a: Any, b: Any) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    except (TypeError, ValueError):
        return False


def _agreement(name: str, figure: dict[str, Any], m: Mention) -> tuple[str, ...]:
    """Unit and qualifier must agree with the parse of the located number."""
    problems = []
    if fold(str(figure.get("unit", ""))) != fold(m.unit):
        problems.append(f"{name}: unit {figure.get('unit')!r} disagrees with the source, "
                        f"which reads {m.text}{m.unit} (unit {m.unit!r})")
    if figure.get("qualifier", "exact") != m.qualifier:
        problems.append(f"{name}: qualifier {figure.get('qualifier')!r} disagrees with the source "
                        f"(parsed as {m.qualifier!r})")
    return tuple(problems)
