"""Labels a model gives: the ``llm``, ``llm-topk`` and ``choice`` designs.

The model answers through instructor with a response model whose keys must
be the catalogue's and whose ids must be the batch's; it may answer ``none``
(not a statistic).  A batch whose answer stays unusable after re-asks falls
back to the code's labels (``rule_labels.py``), and the numbers it held are
listed as undecided, so a result never passes the code's labels off as the
model's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationInfo, create_model, field_validator, model_validator

from llmx.engine.candidates import Candidate, check_batch_ids
from llmx.engine.rule_labels import TOPK, rank, rule_labels, unsure
from llmx.reports.catalogue import OTHER
from llmx.reports.report_type import ReportType
from llmx.errors import UnusableAnswer

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM

NONE = "none"  # a model's answer for a number that is not a statistic

_BATCH = 12


class _Label(BaseModel):
    id: int
    indicator: str


class _Labels(BaseModel):
    labels: list[_Label]


class _Choice(BaseModel):
    answer: str


def labels_model(keys: Sequence[str]) -> type[_Labels]:
    """A response model whose indicator must be one of ``keys`` and whose ids must match the batch."""
    allowed = tuple(keys)

    def snap(cls, value: Any) -> Any:
        """Mend near-miss spellings (``law_study_session``) before checking membership."""
        if isinstance(value, str) and value not in allowed:
            from rapidfuzz import process  # only when a model misspells a key: rules runs never import it

            best = process.extractOne(value, allowed, score_cutoff=88)
            return best[0] if best else value
        return value

    label = create_model(
        "Label", __base__=_Label, indicator=(_one_of(allowed), ...),
        __validators__=_validators(snap=field_validator("indicator", mode="before")(classmethod(snap))),
    )

    def complete(self, info: ValidationInfo):
        """Every id of the batch labelled, no stranger ids."""
        check_batch_ids((info.context or {}).get("ids"), [item.id for item in self.labels], "label")
        return self

    return create_model(
        "Labels", __base__=_Labels, labels=(list[label], ...),  # type: ignore[valid-type]
        __validators__=_validators(complete=model_validator(mode="after")(complete)),
    )


def _one_of(values: tuple[str, ...]) -> Any:
    """``Literal[values]`` for values known only at run time: the schema the model sees lists them."""
    return Literal.__getitem__(values)  # type: ignore[attr-defined]  # the subscription, spelled as a call


def _validators(**named: Any) -> dict[str, Callable[..., Any]]:
    """``create_model``'s ``__validators__``: pydantic's decorators return descriptors its stubs do not list."""
    return named


class ModelLabeller:
    """Labels candidates in batches through an LLM, falling back to the ranker per batch."""

    def __init__(self, llm: LLM, report_type: ReportType, doc_hash: str, *, topk: bool, version: str | None = None):
        self.llm, self.report_type, self.doc_hash, self.topk = llm, report_type, doc_hash, topk
        self.prompt = report_type.prompt("label_figures_topk" if topk else "label_figures", version)
        keys = (*report_type.catalogue.keys, NONE)
        self.response_model = labels_model(keys)
        self.fallbacks = 0
        self.undecided: list[Candidate] = []  # the ranker labelled them: the model's answer was unusable

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
            self.undecided.extend(batch)
            return rule_labels(batch, self.report_type.catalogue)
        return {item.id: item.indicator for item in answer.labels}

    def _item(self, c: Candidate) -> str:
        fields = {"id": c.id, "context": c.context}
        if self.topk:
            ranked = rank(c, self.report_type.catalogue)
            fields["options"] = " | ".join(
                f"{k}({self.report_type.catalogue.indicator(k).name})" for k, _ in ranked) + f" | {OTHER} | {NONE}"
        return self.prompt.render("item", **fields)

    def _catalogue_text(self) -> str:
        if self.topk:
            return ""
        return "\n".join(
            f"{i.key}: {i.name}（{'/'.join(i.units)}）例：{'；'.join(i.examples[:2])}"
            for i in self.report_type.catalogue.indicators
        )


class ChoiceLabeller:
    """Hybrid design: the ranker decides; the model chooses only where the ranker is unsure."""

    letters = "ABCDEFGH"

    def __init__(self, llm: LLM, report_type: ReportType, doc_hash: str, version: str | None = None):
        self.llm, self.report_type, self.doc_hash = llm, report_type, doc_hash
        self.prompt = report_type.prompt("label_choice", version)
        self.choices = int(self.prompt.parts.get("choices", TOPK))
        self.response_model = create_model(
            "Choice", __base__=_Choice,
            answer=(_one_of(tuple(self.letters[:self.choices + 1])), ...))
        self.fallbacks = 0
        self.undecided: list[Candidate] = []  # left as "other": the model's answer was unusable

    @property
    def version(self) -> str:
        return self.prompt.version

    def __call__(self, candidates: list[Candidate]) -> dict[int, str]:
        labels = rule_labels(candidates, self.report_type.catalogue)
        for c in unsure(candidates, self.report_type.catalogue):
            labels[c.id] = self._choose(c)
        return labels

    def _choose(self, c: Candidate) -> str:
        keys = [k for k, _ in rank(c, self.report_type.catalogue, top=self.choices)] + [OTHER]
        options = [self._option(i, k) for i, k in enumerate(keys)]
        messages = [
            {"role": "system", "content": self.prompt.render("system")},
            {"role": "user", "content": self.prompt.render("user", context=c.context, options="\n".join(options))},
        ]
        try:
            answer = self.llm.ask(self.response_model, messages, prompt_version=self.version, doc_hash=self.doc_hash)
        except UnusableAnswer:
            self.fallbacks += 1
            self.undecided.append(c)
            return OTHER
        return keys[self.letters.index(answer.answer)]

    def _option(self, i: int, key: str) -> str:
        if key == OTHER:
            return self.prompt.render("other", letter=self.letters[i])
        ind = self.report_type.catalogue.indicator(key)
        return self.prompt.render("option", letter=self.letters[i], name=ind.name, definition=ind.definition)
