"""One report in, one contract-shaped result out.

The order is the design: code first finds everything it can find exactly
(numbers, headings, elements, metadata, items); the model is asked only what
each number counts; the validator then checks every figure against the
source before it is kept.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llmx.engine.candidates import Candidate, build_candidates
from llmx.domain.domain import Domain
from llmx.text.clean import CleanText, clean
from llmx.text.gongwen import extract_meta
from llmx.engine.items import section_items
from llmx.domain.catalogue import OTHER
from llmx.engine.labelling import (NONE, ChoiceLabeller, ModelLabeller, check_design, cue_keys, needs_model,
                                   rule_labels, unsure)
from llmx.engine.learned import Decision, LearnedModel, features, load_labeller
from llmx.engine.doubts import meta_doubts
from llmx.errors import ConfigurationError
from llmx.model.records import Usage
from llmx.engine.phrases import PhraseWriter
from llmx.text.numbers import Mention
from llmx.text.sources import Document
from llmx.engine.structure import Heading, SectionSpan, find_headings, find_sections
from llmx.engine.validate import Grounding

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM


@dataclass(frozen=True)
class Analysis:
    """What code finds in one report before anything is labelled: clean text, numbers, headings,
    template elements and the candidates, each with the number pass's exclusion reason (``None``
    for a candidate; set only when every mention is analysed, as training does)."""

    cleaned: CleanText
    grounding: Grounding
    headings: list[Heading]
    sections: dict[str, SectionSpan]
    candidates: list[Candidate]
    excluded: list[str | None]


def analyse(text: str, domain: Domain, *, every_mention: bool = False) -> Analysis:
    """Clean, find numbers, headings and elements, build candidates: the code-only first half.

    ``every_mention``: numbers the number pass excluded become candidates too (with their
    reason), so the labeller can learn what is not a statistic.
    """
    cleaned = clean(text)
    grounding = Grounding(cleaned.text, domain.numbered_names)
    headings = find_headings(cleaned.text)
    sections = find_sections(cleaned.text, headings, domain)
    chosen = [m for m in grounding.mentions if every_mention or m.kind == "candidate"]
    as_candidates = [m if m.kind == "candidate" else replace(m, kind="candidate") for m in chosen]
    candidates = build_candidates(cleaned.text, as_candidates, sections, domain)
    return Analysis(cleaned, grounding, headings, sections, candidates,
                    [m.reason if m.kind != "candidate" else None for m in chosen])


#: What labelling gives back: candidates, their indicators, the prompt version, and the undecided ones.
Labelled = tuple[list[Candidate], dict[int, str], str, list[Candidate]]


@dataclass
class Run:
    """How a report is processed: the labelling design, the LLM for model designs, the learned labeller."""

    domain: Domain
    design: str = "rules"
    llm: LLM | None = None
    prompt_version: str | None = None  # None = the newest prompt of the design
    labeller: LearnedModel | None = None  # None = the report type's shipped one, if it ships one

    def __post_init__(self) -> None:
        """Refuse what cannot run as asked: a design must never change silently into another."""
        check_design(self.design)
        if needs_model(self.design) and self.llm is None:
            raise ConfigurationError(f"design {self.design!r} needs a model and none was given "
                                     f"(give one, or ask for design 'rules')")
        if self.labeller is None and self.domain.labeller is not None and self.domain.labeller.is_file():
            self.labeller = load_labeller(self.domain.labeller)  # type: ignore[arg-type]  # files() paths hash
        trained_for = self.labeller.info.get("report_type") if self.labeller else None
        if trained_for not in (None, self.domain.name):
            raise ConfigurationError(f"the labeller was trained for report type {trained_for!r}, "
                                     f"not {self.domain.name!r}: train one with `llmx train --type {self.domain.name}`")
        if self.design == "learned" and self.labeller is None:
            raise ConfigurationError(f"design 'learned' needs a trained labeller and report type "
                                     f"{self.domain.name!r} ships none (run `llmx train`)")

    def report(self, doc: Document) -> BaseModel:
        """One report as the report type's model, validated."""
        return self.report_noting(doc)[0]

    def report_noting(self, doc: Document) -> tuple[BaseModel, list[Mention]]:
        """The report, and the numbers the model was asked about but did not decide (its answer was unusable)."""
        started = time.perf_counter()
        before = _snapshot(self.llm)
        found = analyse(doc.text, self.domain)
        cleaned, text = found.cleaned, found.cleaned.text
        candidates, labels, version, undecided = self._labels(found.candidates, _text_hash(text))
        judged = self._judge(candidates, labels)
        figures, rejected, uncovered = _figures(candidates, labels, judged, found.grounding, cleaned)
        body_start = found.headings[0].start if found.headings else len(text)
        meta = extract_meta(cleaned, body_start, self.domain.title_words)
        report = {
            "doc_id": doc.path.stem,
            "meta": meta,
            "meta_unsure": meta_doubts(meta, cleaned),
            "sections": {e.key: _section(found.sections.get(e.key), cleaned) for e in self.domain.elements},
            "figures": figures,
            **{k: [cleaned.restore(i) for i in v]
               for k, v in self._lists(text, found.sections, found.headings).items()},
            "rejected": rejected,
            "uncovered": uncovered,
            "warnings": _warnings(text, found.sections, self.domain),
            "model": self.llm.model if self.llm and needs_model(self.design) else None,
            "prompt_version": version,
            "usage": _usage_since(self.llm, before, time.perf_counter() - started),
        }
        return self.domain.report_model.model_validate(report), [c.mention for c in undecided]

    def _labels(self, candidates: list[Candidate], doc_hash: str) -> Labelled:
        """Candidates (relabelled where the design names them), their indicators, the prompt version,
        and the candidates the model did not decide because its answer was unusable."""
        if self.design == "rules" or self.llm is None:  # None only without a model: see __post_init__
            labels = rule_labels(candidates, self.domain.catalogue)
            if self.design == "learned":
                labels = {c.id: d.indicator for c, d in zip(candidates, self._judge_all(candidates, labels, True))}
            return candidates, labels, self.design, []
        if self.design in ("hybrid", "hybrid-all"):
            writer = PhraseWriter(self.llm, self.domain, doc_hash, self.prompt_version)
            asked = candidates if self.design == "hybrid-all" else self._unsure(candidates)
            readings = {c.id: c.reading for c in writer(asked)}
            read = [replace(c, reading=readings.get(c.id, "")) for c in candidates]
            return read, rule_labels(read, self.domain.catalogue), writer.version, writer.undecided
        labeller: ChoiceLabeller | ModelLabeller
        if self.design == "choice":
            labeller = ChoiceLabeller(self.llm, self.domain, doc_hash, self.prompt_version)
        else:
            labeller = ModelLabeller(self.llm, self.domain, doc_hash, topk=self.design == "llm-topk",
                                     version=self.prompt_version)
        return candidates, labeller(candidates), labeller.version, labeller.undecided

    def _unsure(self, candidates: list[Candidate]) -> list[Candidate]:
        """What a model is asked about: the figures the learned labeller flags, else those no cue places."""
        if self.labeller is None:
            return unsure(candidates, self.domain.catalogue)
        labels = rule_labels(candidates, self.domain.catalogue)
        return [c for c, d in zip(candidates, self._judge_all(candidates, labels, False)) if d.unsure]

    def _judge(self, candidates: list[Candidate], labels: dict[int, str]) -> dict[int, Decision]:
        """The learned labeller's confidence in each candidate's final indicator (none without a labeller)."""
        if self.labeller is None:
            return {}
        overrule = self.design == "learned"
        if overrule:  # its labels are the overruling decisions: judge them as made (cues' key boosted), as calibrated
            labels = rule_labels(candidates, self.domain.catalogue)
        return {c.id: d for c, d in zip(candidates, self._judge_all(candidates, labels, overrule))}

    def _judge_all(self, candidates: list[Candidate], labels: dict[int, str], overrule: bool) -> list[Decision]:
        assert self.labeller is not None
        keys = cue_keys(candidates, self.domain.catalogue)
        rows = [features(c, key, self.domain.catalogue) for c, key in zip(candidates, keys)]
        return self.labeller.decide(rows, [labels.get(c.id, OTHER) for c in candidates], overrule=overrule)

    def _lists(self, text: str, sections: dict[str, SectionSpan], headings) -> dict[str, list[str]]:
        out = {}
        for element in self.domain.elements:
            if element.list_field:
                span = sections.get(element.key)
                out[element.list_field] = section_items(
                    text, span.start, span.end, span.heading, headings, element.item_cues) if span else []
        return out


def _figures(candidates: list[Candidate], labels: dict[int, str], judged: dict[int, Decision],
             grounding: Grounding, cleaned: CleanText):
    """Kept figures (each verified), rejected items with reasons, and uncovered candidates.

    Verification reads the clean text; a kept figure's strings are then given back in
    the source's own characters (the evidence by its offsets).
    """
    figures, rejected, uncovered = [], [], []
    for c in candidates:
        m = c.mention
        figure = {"indicator": labels.get(c.id, "other"), "label": c.label, "value": m.value,
                  "unit": m.unit, "qualifier": m.qualifier, "target": c.target, "evidence": c.evidence}
        source = {"label": cleaned.restore(c.label, c.evidence_start), "unit": cleaned.restore(m.unit, m.end),
                  "evidence": cleaned.original[c.evidence_start:c.evidence_start + len(c.evidence)]}
        if figure["indicator"] == NONE:
            uncovered.append({"value": m.value, "unit": m.unit, "start": m.start, "end": m.end,
                              "evidence": c.evidence, "reason": "model: not a statistic"})
            continue
        verdict = grounding.check(figure, near=m.start)
        if verdict.ok and verdict.mention is not None:
            figures.append(figure | source | {"start": verdict.mention.start, "end": verdict.mention.end,
                                              "verified": True} | _doubt(judged.get(c.id)))
        else:
            rejected.append({"item": figure, "reason": "; ".join(verdict.problems)})
    return figures, rejected, uncovered


def _doubt(decision: Decision | None) -> dict[str, Any]:
    """A figure's ``confidence`` and ``unsure`` (``None``/``False`` where no labeller judged it)."""
    if decision is None:
        return {"confidence": None, "unsure": False}
    return {"confidence": decision.confidence, "unsure": decision.unsure}


def _section(span: SectionSpan | None, cleaned: CleanText) -> dict[str, Any]:
    if span is None:
        return {"present": False, "heading": None}
    return {"present": True, "heading": cleaned.restore(span.heading.text, span.heading.start)}


def _warnings(text: str, sections: dict[str, SectionSpan], domain: Domain) -> list[str]:
    """Flag texts that do not look like this report type (they are still processed)."""
    hits = sum(text.count(word) for word in domain.vocabulary)
    if not sections and hits < 3:
        return [f"this text does not look like a {domain.name} report: no template element "
                f"heading and {hits} domain words"]
    if not sections:
        return ["no template element heading found"]
    return []


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _snapshot(llm: LLM | None) -> Usage:
    return Usage(**llm.usage.as_dict()) if llm else Usage()


def _usage_since(llm: LLM | None, before: Usage, seconds: float) -> dict[str, Any]:
    """This report's share of the LLM's running usage, with wall seconds for the report."""
    now = llm.usage if llm else Usage()
    return {
        "calls": now.calls - before.calls,
        "prompt_tokens": now.prompt_tokens - before.prompt_tokens,
        "completion_tokens": now.completion_tokens - before.completion_tokens,
        "seconds": round(seconds, 2),
        "cache_hits": now.cache_hits - before.cache_hits,
    }
