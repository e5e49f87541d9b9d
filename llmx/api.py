"""The public surface: ``llmx.extract`` for one report, ``llmx.Extractor`` for many with one model.

Everything else (the CLI, batch, eval) calls through here or through the same
pieces.  A result is the report type's Pydantic model, whose
``model_dump(mode="json")`` is exactly the contract JSON.  Nothing changes
design silently: a design that needs a model gets one (the given endpoint,
else the embedded model) or the call raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from llmx.reports.report_type import ReportType
from llmx.engine.learned import LearnedModel
from llmx.errors import LlmxError
from llmx.model.config import LLMConfig
from llmx.options import needs_model
from llmx.pipeline import Pipeline, plan
from llmx.text.load import LOADERS, Document, document_from_text, load_document

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM

__all__ = ["Extractor", "extract", "read_source"]


class Extractor:
    """A session for many reports with one report type, design and model.

    ``with llmx.Extractor(design="hybrid", base_url=URL) as ex: ex.extract(path)``;
    the model (and an embedded server, when no endpoint is given) is opened
    once, on entry, and released on exit.  Model options not given are read
    from the ``LLMX_*`` environment variables, as the CLI does.
    """

    def __init__(self, *, design: str | None = None, base_url: str | None = None, model: str | None = None,
                 report_type: str | ReportType | None = None, prompt_version: str | None = None,
                 labeller: str | Path | LearnedModel | None = None, config: LLMConfig | None = None, llm: LLM | None = None,
                 **model_options: Any):
        """Settings not given are read from their ``LLMX_*`` variables, then defaulted, as the CLI reads
        them (one table: ``llmx/options.py``).  ``llm``: a model client already open (batch hands each
        worker its own); the session uses it and leaves it open.  ``labeller``: a file, or a labeller
        trained in this process (cross-validation).  Otherwise a design that needs a model
        opens one from ``config`` or the model settings."""
        settled = plan(design=design, report_type=report_type, prompt_version=prompt_version, labeller=labeller,
                       config=config or (llm.config if llm else None), base_url=base_url, model=model, **model_options)
        self.design, self.report_type, self.prompt_version = settled.design, settled.report_type, settled.prompt_version
        self.config = settled.config
        self._labeller = settled.labeller
        self._given_llm = llm
        self._stack = ExitStack()
        self._run: Pipeline | None = None

    def __enter__(self) -> Extractor:
        llm = self._given_llm
        if llm is None and needs_model(self.design):
            from llmx.model.session import open_llm  # the model stack, only when a model is used

            llm = self._stack.enter_context(open_llm(self.config))
        self._run = Pipeline(self.report_type, design=self.design, llm=llm if needs_model(self.design) else None,
                             prompt_version=self.prompt_version, labeller=self._labeller)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Release the model (stops an embedded server); the session cannot extract after this."""
        self._run = None
        self._stack.close()

    def extract(self, source: str | Path | Document) -> BaseModel:
        """One report (a path, the text itself, or a loaded ``Document``) as the report type's model."""
        return self.extract_noted(source)[0]

    def extract_noted(self, source: str | Path | Document) -> tuple[BaseModel, int]:
        """The report and how many model answers stayed unusable (rules labelled those figures; the
        report's warnings say so).  Batch marks such a result degraded, so a rerun asks again."""
        if self._run is None:
            raise LlmxError("this Extractor is not open: use it in a with statement")
        doc = read_source(source)
        try:
            return self._run.extract_noted(doc)
        except LlmxError as exc:  # name the report (same kind of error, so callers can still tell)
            raise type(exc)(f"{doc.path}: {exc}") from exc

    def extract_many(self, sources: Sequence[str | Path | Document],
                     starting: Callable[[int, Path], None] | None = None) -> Iterator[tuple[Path, BaseModel]]:
        """``(path, report)`` per source as each is done; every source is read before any is extracted.

        Reading first means a bad file fails the run before the model has
        spent minutes on the others.  ``starting(index, path)`` is called
        before each report (for progress).
        """
        documents = [read_source(s) for s in sources]
        for index, doc in enumerate(documents):
            if starting:
                starting(index, doc.path)
            yield doc.path, self.extract(doc)


def extract(source: str | Path, *, design: str | None = None, base_url: str | None = None,
            model: str | None = None, report_type: str | ReportType | None = None, **options: Any) -> BaseModel:
    """One report as its report type's model: ``llmx.extract("report.txt", design="rules")``.

    ``source`` is a path or the report's text.  Settings not given come from
    their ``LLMX_*`` variables, as on the command line.  With a design other
    than ``rules`` and no ``base_url``, the embedded model is started for this
    call (an ``Extractor`` keeps it running for many reports).
    """
    with Extractor(design=design, base_url=base_url, model=model, report_type=report_type, **options) as ex:
        return ex.extract(source)


def read_source(source: str | Path | Document) -> Document:
    """A path (``Path``, or a one-line string ending in a supported suffix) is loaded; other text is the report."""
    if isinstance(source, Document):
        return source
    if isinstance(source, Path):
        return load_document(source)
    if "\n" not in source and Path(source).suffix.lower() in LOADERS:
        return load_document(source)
    return document_from_text(source)

