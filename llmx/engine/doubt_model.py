"""A doubt model: a logistic regression over named features, kept as plain numbers.

Both kinds of doubt llmx states use one: ``figure_doubt.py`` (is a figure a
statistic with the right indicator?) and ``meta_doubt.py`` (is a metadata
field right?).  Rows are a matrix with one named column per feature; the
model is weights by feature name and an intercept, so a row built with a
feature the model never saw costs nothing and a weight the row lacks reads
as 0.  ``llmx train`` fits them (``llmx/eval/train.py``) and keeps them in
the labeller file's ``info``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class DoubtRows:
    """A doubt model's features of many rows (figures, or metadata fields): one column per name."""

    names: tuple[str, ...]
    matrix: np.ndarray  # (rows, names)

    def __len__(self) -> int:
        return len(self.matrix)

    def take(self, mask: np.ndarray) -> DoubtRows:
        return DoubtRows(self.names, self.matrix[mask])

    @staticmethod
    def of_dicts(rows: Sequence[Mapping[str, float]]) -> DoubtRows:
        """Rows given as feature name -> value; a name a row lacks is 0 there."""
        import numpy as np

        names = tuple(dict.fromkeys(n for row in rows for n in row))
        at = {n: j for j, n in enumerate(names)}
        matrix = np.zeros((len(rows), len(names)))
        for i, row in enumerate(rows):
            for name, value in row.items():
                matrix[i, at[name]] = value
        return DoubtRows(names, matrix)

    @staticmethod
    def joined(parts: Sequence[DoubtRows]) -> DoubtRows:
        """Rows of several labellers, whose classes may differ, on the union of their columns."""
        import numpy as np

        names = tuple(dict.fromkeys(n for part in parts for n in part.names))
        at = {n: j for j, n in enumerate(names)}
        matrix = np.zeros((sum(len(p) for p in parts), len(names)))
        row = 0
        for part in parts:
            matrix[row:row + len(part), [at[n] for n in part.names]] = part.matrix
            row += len(part)
        return DoubtRows(names, matrix)


@dataclass(frozen=True)
class DoubtModel:
    """Weights by feature name and an intercept; the empty one (a labeller fitted inside a fold) says 0.5."""

    weights: dict[str, float] = field(default_factory=dict)
    intercept: float = 0.0

    def p_right(self, rows: DoubtRows) -> np.ndarray:
        """The probability that each row is right (a figure: a statistic with the right indicator)."""
        import numpy as np

        w = np.array([self.weights.get(n, 0.0) for n in rows.names])
        return 1.0 / (1.0 + np.exp(-(self.intercept + rows.matrix @ w)))

    def as_info(self) -> dict[str, Any]:
        return {"intercept": self.intercept, "weights": dict(sorted(self.weights.items()))}

    @classmethod
    def from_info(cls, info: dict[str, Any] | None) -> DoubtModel:
        if not info:
            return cls()
        return cls({str(k): float(v) for k, v in info["weights"].items()}, float(info["intercept"]))
