"""The promise: no number leaves llmx unless it stands in the source, where cited, as claimed.

``Grounding`` indexes a source once (folded text for evidence lookup, the
regex pass for numbers).  ``check`` verifies one figure and explains each
failure precisely enough to be sent back to the model as a re-ask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .numbers import Mention, find_mentions
from .textmap import FoldedText, fold


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

    def __post_init__(self) -> None:
        self.folded = FoldedText.of(self.text)
        self.mentions = find_mentions(self.text, self.numbered_names)

    def check(self, figure: dict[str, Any], near: int | None = None, max_evidence: int = 80) -> Verdict:
        """Verify evidence, value, unit and qualifier of ``figure`` against the source."""
        name = f"figure {figure.get('label', '')!r} ({figure.get('value')}{figure.get('unit', '')})"
        evidence = str(figure.get("evidence", ""))
        if len(evidence) > max_evidence:
            return Verdict((f"{name}: evidence is {len(evidence)} characters; cite at most {max_evidence}",))
        spans = self.folded.find_all(evidence)
        if not spans:
            return Verdict((f"{name}: evidence {evidence!r} does not occur in the source; quote it verbatim",))
        inside = [m for s, e in spans for m in self.mentions if s <= m.start and m.end <= e]
        same = [m for m in inside if _equal(m.value, figure.get("value"))]
        if not same:
            stated = ", ".join(f"{m.text}{m.unit}" for m in inside) or "no number"
            return Verdict((f"{name}: value {figure.get('value')} is not stated in evidence "
                            f"{evidence!r}; the source there says {stated}",))
        mention = min(same, key=lambda m: abs(m.start - near)) if near is not None else same[0]
        return Verdict(_agreement(name, figure, mention), mention)


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
