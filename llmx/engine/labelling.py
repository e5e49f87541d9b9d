"""Which catalogue indicator each candidate number counts: the part that needs reading.

Designs (chosen by the eval harness, see eval/README.md):

- ``rules`` (default): cue words and kinds of unit (``cues.py``), no model.
  Measured on both gold sets, no model design labels better (eval/README.md).
- ``learned``: the cues' key, overruled where the labeller trained on the
  gold labels (``learned.py``) speaks clearly against it; no model.
- ``hybrid``: the model names what a number counts (``phrases.py``) only where
  no cue word places it; the cues of that name then place it in the catalogue.
- ``hybrid-all``: the same reading asked for every number.
- ``choice``: the ranker, and the model only for the numbers the ranker
  cannot place (a multiple choice among its closest codes, one per call).
- ``llm``: the model labels batches of candidates with the whole catalogue in
  the (shared, cacheable) system prompt.
- ``llm-topk``: the model picks among each candidate's top ranked codes.

A model may also answer ``none`` (not a statistic); such candidates are
dropped as rejected.  When the model's answer stays unusable after re-asks,
the batch falls back to the ranker rather than losing the figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ValidationInfo, create_model, field_validator, model_validator
from rapidfuzz import process

from llmx.engine.candidates import Candidate, check_batch_ids
from llmx.domain.catalogue import OTHER, Catalogue
from llmx.domain.cues import Cues
from llmx.domain.domain import Domain
from llmx.errors import ConfigurationError, UnusableAnswer

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM

NONE = "none"
DESIGNS = ("rules", "learned", "hybrid", "hybrid-all", "choice", "llm", "llm-topk")  # the first is the default
MODEL_FREE = ("rules", "learned")  # designs that never call a language model


def check_design(design: str) -> None:
    """Refuse an unknown design before anything (a model, a server) is started for it."""
    if design not in DESIGNS:
        raise ConfigurationError(f"unknown design {design!r}: choose one of {', '.join(DESIGNS)}")


def needs_model(design: str) -> bool:
    """Whether ``design`` asks a language model (so a session must open one)."""
    return design not in MODEL_FREE

_BATCH = 12
_TOPK = 4
_CONFIDENT = 0.4  # ranker score above which its top key is taken as is
_CONTEXT_WEIGHT = 0.2
_SUB_BREAKDOWN = ("其中", "含", "包括")

def rank(c: Candidate, catalogue: Catalogue, top: int = _TOPK) -> list[tuple[str, float]]:
    """Keys for a candidate, scored on its own clause first and its sentence a little.

    The sentence often names a neighbouring figure too; weighting the clause
    keeps that neighbour's key from winning.
    """
    local = dict(catalogue.rank(_local_text(c), c.mention.unit, top=len(catalogue.keys)))
    around = dict(catalogue.rank(c.context, c.mention.unit, top=len(catalogue.keys)))
    scored = sorted(((k, v + _CONTEXT_WEIGHT * around.get(k, 0.0)) for k, v in local.items()),
                    key=lambda kv: kv[1], reverse=True)
    return scored[:top]


def _local_text(c: Candidate) -> str:
    """The clause, plus the model's reading of it when that says more than the clause."""
    return c.evidence if c.reading in c.evidence else f"{c.reading} {c.evidence}"


def rule_labels(candidates: Sequence[Candidate], catalogue: Catalogue) -> dict[int, str]:
    """Ranker labels; where it is unsure, ``other``."""
    return {c.id: key or OTHER for c, key in zip(candidates, _decide(candidates, catalogue))}


def unsure(candidates: Sequence[Candidate], catalogue: Catalogue) -> list[Candidate]:
    """Candidates the ranker cannot place: what a model is asked about in the hybrid design."""
    return [c for c, key in zip(candidates, _decide(candidates, catalogue)) if key is None]


def _decide(candidates: Sequence[Candidate], catalogue: Catalogue) -> list[str | None]:
    """A confident key, or the key of the figure a sub-breakdown breaks down, else None."""
    if catalogue.cues is not None:
        return [_by_cue(c, catalogue.cues) for c in candidates]
    keys: list[str | None] = []
    for i, c in enumerate(candidates):
        key, score = rank(c, catalogue, top=1)[0]
        if score >= _CONFIDENT:
            keys.append(key)
        elif i and keys[-1] not in (None, OTHER) and _breaks_down(candidates[i - 1], c):
            keys.append(keys[-1])
        else:
            keys.append(None)
    return keys


def cue_keys(candidates: Sequence[Candidate], catalogue: Catalogue) -> list[str | None]:
    """The cues' own decision per candidate (``None``: no cue places it), a feature of the learned labeller."""
    cues = catalogue.cues
    return [_by_cue(c, cues) if cues is not None else None for c in candidates]


def _by_cue(c: Candidate, cues: Cues) -> str | None:
    return cues.label(c.window, c.mention.unit, c.reading) if c.window else None


def _breaks_down(prev: Candidate, c: Candidate) -> bool:
    """``c`` follows ``prev`` in the same sentence with the same unit, or opens with 其中."""
    same_sentence = c.sentence_start == prev.sentence_start or c.evidence.startswith(_SUB_BREAKDOWN)
    return same_sentence and c.mention.unit == prev.mention.unit and c.mention.start > prev.mention.start


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

    def __init__(self, llm: LLM, domain: Domain, doc_hash: str, *, topk: bool, version: str | None = None):
        self.llm, self.domain, self.doc_hash, self.topk = llm, domain, doc_hash, topk
        self.prompt = domain.prompt("label_figures_topk" if topk else "label_figures", version)
        keys = (*domain.catalogue.keys, NONE)
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
            return rule_labels(batch, self.domain.catalogue)
        return {item.id: item.indicator for item in answer.labels}

    def _item(self, c: Candidate) -> str:
        fields = {"id": c.id, "context": c.context}
        if self.topk:
            ranked = rank(c, self.domain.catalogue)
            fields["options"] = " | ".join(
                f"{k}({self.domain.catalogue.indicator(k).name})" for k, _ in ranked) + f" | {OTHER} | {NONE}"
        return self.prompt.render("item", **fields)

    def _catalogue_text(self) -> str:
        if self.topk:
            return ""
        return "\n".join(
            f"{i.key}: {i.name}（{'/'.join(i.units)}）例：{'；'.join(i.examples[:2])}"
            for i in self.domain.catalogue.indicators
        )


class ChoiceLabeller:
    """Hybrid design: the ranker decides; the model chooses only where the ranker is unsure."""

    letters = "ABCDEFGH"

    def __init__(self, llm: LLM, domain: Domain, doc_hash: str, version: str | None = None):
        self.llm, self.domain, self.doc_hash = llm, domain, doc_hash
        self.prompt = domain.prompt("label_choice", version)
        self.choices = int(self.prompt.parts.get("choices", _TOPK))
        self.response_model = create_model(
            "Choice", __base__=_Choice,
            answer=(_one_of(tuple(self.letters[:self.choices + 1])), ...))
        self.fallbacks = 0
        self.undecided: list[Candidate] = []  # left as "other": the model's answer was unusable

    @property
    def version(self) -> str:
        return self.prompt.version

    def __call__(self, candidates: list[Candidate]) -> dict[int, str]:
        labels = rule_labels(candidates, self.domain.catalogue)
        for c in unsure(candidates, self.domain.catalogue):
            labels[c.id] = self._choose(c)
        return labels

    def _choose(self, c: Candidate) -> str:
        keys = [k for k, _ in rank(c, self.domain.catalogue, top=self.choices)] + [OTHER]
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
        ind = self.domain.catalogue.indicator(key)
        return self.prompt.render("option", letter=self.letters[i], name=ind.name, definition=ind.definition)
