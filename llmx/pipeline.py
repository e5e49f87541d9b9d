"""One report in, one contract-shaped result out: every stage once, in the order a report travels.

    text/load ─► text/clean ─► text/numbers ─► text/headings ─► text/meta        (any 公文)
        ─► engine/segment ─► engine/candidates ─► engine/label ─► engine/verify
        ─► engine/items ─► engine/assemble                                   (the report type)

The order is the design: code first finds everything it can find exactly
(clean text, numbers, headings, metadata, the template's sections and the
candidate figures); only then is anything labelled (by cue words, the
learned labeller, or a model, as the design says); every figure is then
verified against the source before it is kept.  The report-type-free stages
live in ``text/``, the ones that need the report type in ``engine/``; the
folders are entered in that order, and ``bench/path_trace.py`` shows it.

``plan`` settles what a run needs (design, report type, labeller, model
settings) before anything starts; ``Pipeline`` runs one report.
``llmx.api`` is the front door over both.
"""

from __future__ import annotations

import hashlib
import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llmx.reports.report_type import ReportType, load_report_type
from llmx.engine.assemble import assemble
from llmx.engine.meta_doubt import meta_doubts
from llmx.engine.candidates import Candidate, build_candidates
from llmx.engine.items import item_lists
from llmx.engine.label import Labelling
from llmx.engine.learned import LearnedModel
from llmx.engine.segment import SectionSpan, find_sections
from llmx.engine.verify import verified_figures
from llmx.errors import ConfigurationError
from llmx.model.config import LLMConfig, from_options
from llmx.options import DESIGNS, RUN_SETTINGS, check_design, is_default, needs_model, resolve
from llmx.text.clean import CleanText, clean
from llmx.text.grounding import Grounding
from llmx.text.headings import Heading, find_headings
from llmx.text.load import Document
from llmx.text.meta import extract_meta
from llmx.text.numbers import Mention

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM

#: How the warning about unusable model answers starts (the summary prints it once, not twice).
FALLBACK_WARNING = "model answer unusable"


@dataclass(frozen=True)
class Plan:
    """What a run needs, settled before anything starts: a bad setting fails here, not mid-run."""

    report_type: ReportType
    design: str
    prompt_version: str | None
    labeller: LearnedModel | None  # one trained in this process; else the report type's file
    config: LLMConfig


def plan(*, design: str | None = None, report_type: str | ReportType | None = None, prompt_version: str | None = None,
         labeller: str | Path | LearnedModel | None = None, config: LLMConfig | None = None,
         **model_settings: Any) -> Plan:
    """Settings given, else their ``LLMX_*`` variables, else defaults (``llmx/options.py``)."""
    trained = labeller if isinstance(labeller, LearnedModel) else None
    given = {"design": design, "prompt_version": prompt_version, "labeller": None if trained else labeller,
             "report_type": None if isinstance(report_type, ReportType) else report_type}
    run = resolve(given, RUN_SETTINGS)
    check_design(run["design"])  # before any model is started for it
    chosen = (report_type if isinstance(report_type, ReportType)
              else load_report_type(run["report_type"])).with_labeller(run["labeller"])
    if is_default(given, "design") and not (trained or chosen.labeller_file):
        run["design"] = "rules"  # the default learns from a labeller; a report type that ships none runs its cues
    return Plan(chosen, run["design"], run["prompt_version"], trained, config or from_options(**model_settings))


@dataclass(frozen=True)
class Analysis:
    """What code finds in one report before anything is labelled: clean text, numbers, headings,
    metadata, template elements and the candidates, each with the number pass's exclusion reason
    (``None`` for a candidate; set only when every mention is analysed, as training does)."""

    cleaned: CleanText
    grounding: Grounding  # the numbers, and the source indexed to verify figures against
    headings: list[Heading]
    meta: dict[str, Any]
    sections: dict[str, SectionSpan]
    candidates: list[Candidate]
    excluded: list[str | None]


def analyse(text: str, report_type: ReportType, *, every_mention: bool = False) -> Analysis:
    """The code-only stages, clean to candidates (shared with training).

    ``every_mention``: numbers the number pass excluded become candidates too (with their
    reason), so the labeller can learn what is not a statistic.
    """
    cleaned = clean(text)
    grounding = Grounding(cleaned.text, report_type.numbered_names)
    headings = find_headings(cleaned.text)
    body_start = headings[0].start if headings else len(cleaned.text)
    meta = extract_meta(cleaned, body_start, report_type.title_words, report_type.summary_title_words)
    sections = find_sections(cleaned.text, headings, report_type)
    chosen = [m for m in grounding.mentions if every_mention or m.kind == "candidate"]
    as_candidates = [m if m.kind == "candidate" else replace(m, kind="candidate") for m in chosen]
    candidates = build_candidates(cleaned.text, as_candidates, sections, report_type)
    return Analysis(cleaned, grounding, headings, meta, sections, candidates,
                    [m.reason if m.kind != "candidate" else None for m in chosen])


@dataclass
class Pipeline:
    """How a report is processed: the labelling design, the LLM for model designs, the learned labeller."""

    report_type: ReportType
    design: str = DESIGNS[0]
    llm: LLM | None = None
    prompt_version: str | None = None  # None = the newest prompt of the design
    labeller: LearnedModel | None = None  # None = the report type's shipped one, if it ships one

    def __post_init__(self) -> None:
        """Refuse what cannot run as asked: a design must never change silently into another."""
        check_design(self.design)
        if needs_model(self.design) and self.llm is None:
            raise ConfigurationError(f"design {self.design!r} needs a model and none was given "
                                     f"(give one, or ask for design 'rules')")
        self.labelling = Labelling(self.report_type, self.design, self.llm, self.prompt_version, self.labeller)
        learned = self.labelling.labeller
        trained_for = learned.info.get("report_type") if learned else None
        if trained_for not in (None, self.report_type.name):
            raise ConfigurationError(f"the labeller was trained for report type {trained_for!r}, "
                                     f"not {self.report_type.name!r}: train one with `llmx train --type {self.report_type.name}`")
        if self.design == "learned" and learned is None:
            raise ConfigurationError(f"design 'learned' needs a trained labeller and report type "
                                     f"{self.report_type.name!r} ships none (run `llmx train`, or choose --design rules)")

    def report_noting(self, doc: Document) -> tuple[BaseModel, list[Mention]]:
        """The report, and the numbers the model was asked about but did not decide (its answer was unusable)."""
        started = time.perf_counter()
        before = _usage(self.llm)
        found = analyse(doc.text, self.report_type)
        cleaned, text = found.cleaned, found.cleaned.text
        candidates, labels, version, undecided = self.labelling(found.candidates, _text_hash(text))
        kept = verified_figures(candidates, labels, self.labelling.judge(candidates, labels), found.grounding, cleaned)
        lists = item_lists(text, found.sections, found.headings, self.report_type)
        run = {"model": self.llm.model if self.llm and needs_model(self.design) else None, "prompt_version": version,
               "usage": _usage_since(self.llm, before, time.perf_counter() - started)}
        labeller = self.labelling.labeller
        meta_unsure = meta_doubts(found.meta, cleaned, labeller.meta_doubt if labeller else None)
        report = assemble(self.report_type, doc.path.stem, cleaned, found.meta, meta_unsure, found.sections, kept,
                          lists, run)
        return report, [c.mention for c in undecided]

    def extract_noted(self, doc: Document) -> tuple[BaseModel, int]:
        """The result and how many model answers stayed unusable, which the result then admits.

        The labellers fall back to the code's labels for a batch whose answer
        stays unusable, which keeps the figures; what must not happen is the
        result still claiming the model labelled them.  So: a warning saying
        how many requests fell back, which numbers (text and offset, matching a
        figure's ``start`` or an uncovered or rejected item's) the model
        therefore did not decide, and why; and when none of the model's answers
        was used, ``model`` None and ``prompt_version`` the model-free design whose labels it then
        holds (``Labelling.code_design``: "learned" for hybrid, else "rules"), as for a run of it.
        """
        llm = self.llm
        asked, failed = (llm.asked, len(llm.unusable)) if llm else (0, 0)
        report: Any
        with llm.report_deadline() if llm else nullcontext():  # answers, retries and waits: within the deadline
            report, undecided = self.report_noting(doc)  # every report type's model has the engine's extra fields
        if llm is None or len(llm.unusable) == failed:
            return report, 0
        reasons = llm.unusable[failed:]
        asked = llm.asked - asked
        report.warnings = [*report.warnings,
                           f"{FALLBACK_WARNING} for {len(reasons)} of {asked} model requests, so code alone "
                           f"decided {_numbers(undecided)} (last reason: {reasons[-1]})"]
        if len(reasons) == asked:
            report.model, report.prompt_version = None, self.labelling.code_design
        return report, len(reasons)


def _numbers(mentions: list[Mention]) -> str:
    """The numbers the model did not decide, each as its text and source offset (``2 次@478``)."""
    if not mentions:
        return "the figures of those requests"
    named = ", ".join(f"{m.text}@{m.start}" for m in sorted(mentions, key=lambda m: m.start))
    return f"these {len(mentions)} numbers the model was asked about (text@offset): {named}"


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_COUNTERS = ("calls", "prompt_tokens", "completion_tokens", "cache_hits")


def _usage(llm: LLM | None) -> dict[str, int]:
    """The LLM's running counters (all 0 without a model)."""
    return {k: getattr(llm.usage, k) for k in _COUNTERS} if llm else dict.fromkeys(_COUNTERS, 0)


def _usage_since(llm: LLM | None, before: dict[str, int], seconds: float) -> dict[str, Any]:
    """This report's share of the LLM's running usage, with wall seconds for the report."""
    now = _usage(llm)
    return {"calls": now["calls"] - before["calls"], "prompt_tokens": now["prompt_tokens"] - before["prompt_tokens"],
            "completion_tokens": now["completion_tokens"] - before["completion_tokens"],
            "seconds": round(seconds, 2), "cache_hits": now["cache_hits"] - before["cache_hits"]}
