"""Run the pipeline over files with one LLM session (one server start for many reports).

Results are yielded one report at a time, so a caller can write each as soon
as it is done: a run that is killed or fails on report 3 keeps reports 1-2.
Each result also says when the model's answers could not be used (see
``extract_noted``), instead of passing a rules-only result off as the model's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmx.model.config import LLMConfig
from llmx.domain.domain import Domain
from llmx.errors import LlmxError
from llmx.engine.pipeline import Run
from llmx.text.sources import Document, load_document

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM

#: How the warning about unusable model answers starts (the summary prints it once, not twice).
FALLBACK_WARNING = "model answer unusable"


def extract_files(paths: Sequence[Path], domain: Domain, design: str, config: LLMConfig,
                  prompt_version: str | None = None) -> list[dict[str, Any]]:
    """Results for ``paths`` in order (all or an error)."""
    return [result for _, result in iter_extract(paths, domain, design, config, prompt_version)]


def iter_extract(paths: Sequence[Path], domain: Domain, design: str, config: LLMConfig,
                 prompt_version: str | None = None,
                 starting: Callable[[int, Path], None] | None = None) -> Iterator[tuple[Path, dict[str, Any]]]:
    """``(path, result)`` per report as each is done; every file is read before any model is started.

    ``starting(index, path)`` is called before each report (for progress).  A
    failure on one report is an ``LlmxError`` naming that report.
    """
    documents = [load_document(p) for p in paths]
    if design == "rules":
        session: AbstractContextManager[LLM | None] = nullcontext(None)
    else:
        from llmx.model.session import open_llm  # the model stack, only when a model is used

        session = open_llm(config)
    with session as llm:
        run = Run(domain, design=design, llm=llm, prompt_version=prompt_version)
        for index, doc in enumerate(documents):
            if starting:
                starting(index, doc.path)
            try:
                result, _ = extract_noted(run, doc)
            except LlmxError as exc:
                raise LlmxError(f"{doc.path}: {exc}") from exc
            yield doc.path, result


def extract_noted(run: Run, doc: Document) -> tuple[dict[str, Any], int]:
    """The result and how many model answers stayed unusable, which the result then admits.

    The labellers fall back to the ranker for a batch whose answer stays
    unusable, which keeps the figures; what must not happen is the result
    still claiming the model labelled them.  So: a warning saying how many
    requests fell back and why, and when none of the model's answers was
    used, ``model`` None and ``prompt_version`` "rules", as for a rules run.
    """
    llm = run.llm
    asked, failed = (llm.asked, len(llm.unusable)) if llm else (0, 0)
    result = run.extract_document(doc)
    if llm is None or len(llm.unusable) == failed:
        return result, 0
    reasons = llm.unusable[failed:]
    asked = llm.asked - asked
    result["warnings"] = [*result["warnings"],
                          f"{FALLBACK_WARNING} for {len(reasons)} of {asked} model requests, so rules alone "
                          f"labelled those figures (last reason: {reasons[-1]})"]
    if len(reasons) == asked:
        result["model"], result["prompt_version"] = None, "rules"
    return result, len(reasons)
