"""Which catalogue indicator each candidate number counts: the part that needs reading.

Designs (chosen by the eval harness, see eval/README.md):

- ``rules``: the catalogue's bigram ranker alone, no model.
- ``llm``: the model labels batches of candidates with the whole catalogue in
  the (shared, cacheable) system prompt.
- ``llm-topk``: the model picks among each candidate's top ranked codes.

A model may also answer ``none`` (not a statistic); such candidates are
dropped as rejected.  When the model's answer stays unusable after re-asks,
the batch falls back to the ranker rather than losing the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ValidationInfo, create_model, field_validator, model_validator
from rapidfuzz import process

from .candidates import Candidate
from .catalogue import OTHER, Catalogue
from .domain import Domain
from .errors import UnusableAnswer
from .llm import LLM

NONE = "none"
DESIGNS = ("llm", "llm-topk", "rules")
_BATCH = 12
_TOPK = 4
_RULE_THRESHOLD = 0.34

Labeller = Callable[[list[Candidate]], dict[int, str]]


def rule_labels(candidates: Sequence[Candidate], catalogue: Catalogue) -> dict[int, str]:
    """Top-ranked key per candidate, or ``other`` when nothing matches well."""
    out = {}
    for c in candidates:
        key, score = catalogue.rank(c.label + c.context, c.mention.unit, top=1)[0]
        out[c.id] = key if score >= _RULE_THRESHOLD else OTHER
    return out


def labels_model(keys: Sequence[str]) -> type[BaseModel]:
    """A response model whose indicator must be one of ``keys`` and whose ids must match the batch."""
    allowed = tuple(keys)

    def snap(cls, value: Any) -> Any:
        """Mend near-miss spellings (``law_study_session``) before checking membership."""
        if isinstance(value, str) and value not in allowed:
            best = process.extractOne(value, allowed, score_cutoff=88)
            return best[0] if best else value
        return value

    label = create_model(
        "Label", id=(int, ...), indicator=(Literal[allowed], ...),  # type: ignore[valid-type]
        __validators__={"snap": field_validator("indicator", mode="before")(classmethod(snap))},
    )

    def complete(self, info: ValidationInfo):
        """Every id of the batch labelled, no stranger ids."""
        want = set((info.context or {}).get("ids", ()))
        if want:
            got = {item.id for item in self.labels}
            missing, extra = sorted(want - got), sorted(got - want)
            if missing or extra:
                raise ValueError(f"label every item exactly once: missing ids {missing}, unknown ids {extra}")
        return self

    return create_model(
        "Labels", labels=(list[label], ...),  # type: ignore[valid-type]
        __validators__={"complete": model_validator(mode="after")(complete)},
    )


class ModelLabeller:
    """Labels candidates in batches through an LLM, falling back to the ranker per batch."""

    def __init__(self, llm: LLM, domain: Domain, doc_hash: str, *, topk: bool):
        self.llm, self.domain, self.doc_hash, self.topk = llm, domain, doc_hash, topk
        self.prompt = domain.prompt("label_figures_topk" if topk else "label_figures")
        keys = (*domain.catalogue.keys, NONE)
        self.response_model = labels_model(keys)
        self.fallbacks = 0

    @property
    def version(self) -> str:
        return self.prompt.version

    def __call__(self, candidates: list[Candidate]) -> dict[int, str]:
        out: dict[int, str] = {}
        for i in range(0, len(candidates), _BATCH):
            out.update(self._batch(candidates[i:i + _BATCH]))
        return out

    def _batch(self, batch: list[Candidate]) -> dict[int, str]:
        messages = [
            {"role": "system", "content": self.prompt.render("system", catalogue=self._catalogue_text())},
            {"role": "user", "content": self.prompt.render("user", items="\n".join(map(self._item, batch)))},
        ]
        try:
            answer = self.llm.ask(self.response_model, messages, prompt_version=self.version,
                                  doc_hash=self.doc_hash, context={"ids": [c.id for c in batch]})
        except UnusableAnswer:
            self.fallbacks += 1
            return rule_labels(batch, self.domain.catalogue)
        return {item.id: item.indicator for item in answer.labels}

    def _item(self, c: Candidate) -> str:
        fields = {"id": c.id, "context": c.context}
        if self.topk:
            ranked = self.domain.catalogue.rank(c.label + c.context, c.mention.unit, top=_TOPK)
            fields["options"] = " | ".join(
                f"{k}({self.domain.catalogue.get(k).name})" for k, _ in ranked) + f" | {OTHER} | {NONE}"
        return self.prompt.render("item", **fields)

    def _catalogue_text(self) -> str:
        if self.topk:
            return ""
        return "\n".join(
            f"{i.key}: {i.name}（{'/'.join(i.units)}）例：{'；'.join(i.examples[:2])}"
            for i in self.domain.catalogue.indicators
        )
