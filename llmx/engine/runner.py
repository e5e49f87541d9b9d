"""One report through a ``Run`` that admits when the model's answers could not be used.

Each result says so (see ``extract_noted``) instead of passing a rules-only
result off as the model's.  ``llmx.api`` runs it over many reports with one
model session; batch runs it per worker.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Any

from pydantic import BaseModel

from llmx.engine.pipeline import Run
from llmx.text.numbers import Mention
from llmx.text.sources import Document

#: How the warning about unusable model answers starts (the summary prints it once, not twice).
FALLBACK_WARNING = "model answer unusable"


def extract_noted(run: Run, doc: Document) -> tuple[BaseModel, int]:
    """The result and how many model answers stayed unusable, which the result then admits.

    The labellers fall back to the ranker for a batch whose answer stays
    unusable, which keeps the figures; what must not happen is the result
    still claiming the model labelled them.  So: a warning saying how many
    requests fell back, which numbers (text and offset, matching a figure's
    ``start`` or an uncovered or rejected item's) the model therefore did not
    decide, and why; and when none of the model's answers was used,
    ``model`` None and ``prompt_version`` "rules", as for a rules run.
    """
    llm = run.llm
    asked, failed = (llm.asked, len(llm.unusable)) if llm else (0, 0)
    report: Any
    with llm.report_deadline() if llm else nullcontext():  # answers, retries and waits: within the deadline
        report, undecided = run.report_noting(doc)  # every report type's model has the engine's extra fields
    if llm is None or len(llm.unusable) == failed:
        return report, 0
    reasons = llm.unusable[failed:]
    asked = llm.asked - asked
    report.warnings = [*report.warnings,
                       f"{FALLBACK_WARNING} for {len(reasons)} of {asked} model requests, so rules alone "
                       f"decided {_numbers(undecided)} (last reason: {reasons[-1]})"]
    if len(reasons) == asked:
        report.model, report.prompt_version = None, "rules"
    return report, len(reasons)


def _numbers(mentions: list[Mention]) -> str:
    """The numbers the model did not decide, each as its text and source offset (``2 次@478``)."""
    if not mentions:
        return "the figures of those requests"
    named = ", ".join(f"{m.text}@{m.start}" for m in sorted(mentions, key=lambda m: m.start))
    return f"these {len(mentions)} numbers the model was asked about (text@offset): {named}"
