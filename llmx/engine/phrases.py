"""What each number counts, as the model reads it (the hybrid design).

Code can cut the evidence clause, but the thing counted is often outside it
(``换发 2 人`` counts 行政执法证件换发) or buried in it (``完成陈山、西埔2个
村级法律顾问示范点建设`` counts 村级法律顾问示范点): naming it needs reading.
The model writes one short phrase per number, in batches.  A batch whose
answer is confused (a phrase with digits or over 40 characters, ids missing
or doubled) is not read at all and not re-asked: measured on the gold set,
such a batch is misaligned as a whole, re-asks cost 14 of 24 calls, and
keeping its other phrases lowered indicator accuracy (eval/README.md).  The phrase helps the ranker
place the number in the catalogue; the output ``label`` stays the source
wording cut by code (measured closer to the gold labels, see eval/README.md).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from llmx.engine.candidates import Candidate, check_batch_ids
from llmx.reports.report_type import ReportType
from llmx.errors import UnusableAnswer

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM

_BATCH = 15


_MAX_READING = 40


class Phrase(BaseModel):
    id: int
    label: str = Field(min_length=1, max_length=_MAX_READING)

    @field_validator("label")
    @classmethod
    def no_digits(cls, value: str) -> str:
        """A reading names what is counted; digits mean it copied the context instead."""
        if any(ch.isdigit() for ch in value):
            raise ValueError(f"label {value!r} contains a number; name only what is counted")
        return value.strip()


class Phrases(BaseModel):
    labels: list[Phrase]

    @model_validator(mode="after")
    def complete(self, info: ValidationInfo) -> "Phrases":
        """Every id of the batch named exactly once: otherwise the readings are misaligned."""
        check_batch_ids((info.context or {}).get("ids"), [p.id for p in self.labels], "name")
        return self


class PhraseWriter:
    """Reads what each candidate counts, batch by batch."""

    def __init__(self, llm: LLM, report_type: ReportType, doc_hash: str, version: str | None = None):
        self.llm, self.doc_hash = llm, doc_hash
        self.prompt = report_type.prompt("name_figures", version)
        self.fallbacks = 0
        self.undecided: list[Candidate] = []  # asked about, but the answer was a fault: rules decided them

    @property
    def version(self) -> str:
        return self.prompt.version

    def __call__(self, candidates: list[Candidate]) -> list[Candidate]:
        named: dict[int, str] = {}
        for i in range(0, len(candidates), _BATCH):
            named.update(self._batch(candidates[i:i + _BATCH]))
        return [replace(c, reading=named.get(c.id, "")) for c in candidates]

    def _batch(self, batch: list[Candidate]) -> dict[int, str]:
        items = "\n".join(self.prompt.render("item", id=c.id, context=c.context) for c in batch)
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": self.prompt.render("system")},
            {"role": "user", "content": self.prompt.render("user", items=items)},
        ]
        faults = len(self.llm.unusable)
        try:
            answer = self.llm.ask(Phrases, messages, prompt_version=self.version, doc_hash=self.doc_hash,
                                  context={"ids": [c.id for c in batch]}, reasks=0)
        except UnusableAnswer:
            self.fallbacks += 1
            if len(self.llm.unusable) > faults:  # a fault, not a confused batch left unread by design
                self.undecided.extend(batch)
            return {}
        return {p.id: p.label for p in answer.labels}
