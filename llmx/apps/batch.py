"""``llmx batch``: a folder of reports to a folder of JSON files, concurrent, resumable, failure-tolerant.

Why it is shaped this way:

- Worker threads only *compute*; the main thread alone writes files.  So a
  Ctrl-C or a SIGTERM (turned into the same interrupt) lands in one place,
  ``write_atomic`` either completes its rename or removes its temporary file,
  and abandoned workers (daemon threads) can never write anything later.
- Every output carries ``source_sha256`` (of the file's bytes) and
  ``config_hash`` (of everything that decides the answer); a rerun skips a
  report whose output carries both unchanged, so an interrupted batch resumes
  where it stopped and a changed report or configuration is redone.
- Each worker thread has its own ``LLM`` per endpoint: per-report usage is
  the difference of one LLM's counters, which only stays right when no other
  thread counts on the same object.  The response cache and the HTTP client
  underneath are safe to share.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import glob
import json
import os
import queue
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from llmx.api import Extractor
from llmx.options import needs_model
from llmx.apps.cli_options import sigterm_as_interrupt
from llmx.apps.json_summary import warn_fallbacks
from llmx.model.config import LLMConfig
from llmx.reports.report_type import ReportType
from llmx.errors import LlmxError, redact_credentials
from llmx.apps.resume import Job, config_hash, is_current, sweep_temp_files
from llmx.files import check_writable_folder, to_json, write_atomic
from llmx.text.load.ocr import keep_beside
from llmx.text.load import LOADERS, load_document

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM

ERRORS_FILE = "errors.jsonl"
#: ``config_hash`` prefix of a result labelled partly or wholly by rules because model answers were unusable.
DEGRADED = "degraded:"


@dataclasses.dataclass
class Outcome:
    """What happened to one report, for its status line, the summary and errors.jsonl."""

    source: Path
    status: str  # "done" | "skipped" | "failed"
    reason: str = ""
    figures: int = 0
    calls: int = 0
    tokens: int = 0
    endpoint: str | None = None
    unusable: int = 0  # model answers that stayed unusable (rules labelled those figures)
    ocr_text: str | None = None  # an OCR'd report's text, kept beside its result by the main thread


#: A job as its extraction ended: the outcome and, when done, the result to write.
Finished = tuple[Job, Outcome, dict[str, Any] | None]
#: Extracts jobs, yielding each as it finishes, in any order.
Dispatch = Callable[[Sequence[Job]], Iterator[Finished]]


# ---------------------------------------------------------------- finding and planning


def find_reports(patterns: Sequence[str]) -> list[Path]:
    """Files named by folders, globs or paths, each once, in the order given.

    A folder or glob contributes only files with a supported suffix; a path
    named explicitly is always tried, so an unsupported one is reported as a
    failed report with the reason instead of being silently left out.
    """
    found: dict[Path, Path] = {}
    for pattern in patterns:
        matches = _expand(pattern)
        if not matches:
            supported = ", ".join(sorted(LOADERS))
            raise LlmxError(f"{pattern}: no reports found (supported: {supported})")
        for path in matches:
            found.setdefault(path.resolve(), path)
    return list(found.values())


def _expand(pattern: str) -> list[Path]:
    path = Path(pattern)
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in LOADERS)
    if path.exists():
        return [path]
    return sorted(p for p in map(Path, glob.glob(pattern, recursive=True))
                  if p.is_file() and p.suffix.lower() in LOADERS)


def plan_jobs(sources: Sequence[Path], outdir: Path) -> list[Job]:
    """``OUTDIR/<stem>.json`` per report; reports sharing a stem all fail rather than overwrite each other."""
    by_stem: dict[str, list[Path]] = {}
    for source in sources:
        by_stem.setdefault(source.stem, []).append(source)
    jobs = []
    for source in sources:
        output = outdir / f"{source.stem}.json"
        rivals = by_stem[source.stem]
        error = None
        if len(rivals) > 1:
            others = ", ".join(str(p) for p in rivals if p is not source)
            error = f"output name {output.name} is also claimed by {others}; rename one of them"
        jobs.append(Job(source, output, error))
    return jobs


# ---------------------------------------------------------------- endpoints and workers


class EndpointPool:
    """Hands each report the least busy endpoint, and each worker thread its own ``LLM`` for it."""

    def __init__(self, llms: Sequence[LLM], retry_wait: float):
        self.llms = list(llms)
        self._retry_wait = retry_wait
        self._busy = [0] * len(self.llms)
        self._given = [0] * len(self.llms)  # breaks ties, so idle endpoints take turns
        self._lock = threading.Lock()
        self._local = threading.local()

    @contextmanager
    def lease(self) -> Iterator[LLM | None]:
        """This thread's LLM on the endpoint with the fewest reports in flight (None: no model)."""
        if not self.llms:
            yield None
            return
        with self._lock:
            index = min(range(len(self.llms)), key=lambda i: (self._busy[i], self._given[i]))
            self._busy[index] += 1
            self._given[index] += 1
        try:
            yield self._thread_llm(index)
        finally:
            with self._lock:
                self._busy[index] -= 1

    def _thread_llm(self, index: int) -> LLM:
        mine: dict[int, LLM] = self._local.__dict__.setdefault("llms", {})
        if index not in mine:
            from llmx.model.llm import LLM  # only model runs lease an LLM

            base = self.llms[index]
            mine[index] = LLM(base.config, base_url=base.base_url, model=base.model,
                              endpoint_id=base.endpoint_id, cache=base.cache, retry_wait=self._retry_wait)
        return mine[index]


@dataclasses.dataclass(frozen=True)
class JobRunner:
    """How every report of the batch is processed (the same for all workers): through ``llmx.Extractor``."""

    report_type: ReportType
    design: str
    prompt_version: str | None
    pool: EndpointPool

    def __call__(self, job: Job) -> tuple[Outcome, dict[str, Any] | None]:
        """The outcome and, when done, the result to write; never raises for a bad report.

        A failed report still counts the requests it sent (four retries of a
        dropped connection are four calls in the summary, not zero).
        """
        leased: list[LLM] = []
        try:
            with self.pool.lease() as llm, Extractor(design=self.design, report_type=self.report_type, llm=llm,
                                                     prompt_version=self.prompt_version) as session:
                if llm is not None:
                    leased.append(llm)
                    sent_before = llm.usage.calls
                doc = load_document(job.source)
                report, unusable = session.extract_noted(doc)
                result = report.model_dump(mode="json")
                identity = config_hash(self.report_type, self.design, self.prompt_version, llm)
                # a result the model did not fully label is never "current": a rerun asks again
                result |= {"source_sha256": doc.sha256,
                           "config_hash": f"{DEGRADED}{identity}" if unusable else identity}
        except Exception as exc:  # one bad report must not stop the batch
            sent = leased[0].usage.calls - sent_before if leased else 0
            return Outcome(job.source, "failed", _one_line(exc, job.source), calls=sent,
                           endpoint=redact_credentials(leased[0].base_url) if leased else None), None
        usage = result["usage"]
        return Outcome(job.source, "done", figures=len(result["figures"]), calls=usage["calls"],
                       tokens=usage["prompt_tokens"] + usage["completion_tokens"],
                       endpoint=redact_credentials(llm.base_url) if llm else None, unusable=unusable,
                       ocr_text=doc.text if doc.ocr else None), result  # the text the offsets point into


def _one_line(exc: BaseException, source: Path) -> str:
    """The reason on one line, without the file name (status lines and errors.jsonl name it already)."""
    text = " ".join(redact_credentials(str(exc)).split()).removeprefix(f"{source}: ")
    return text if isinstance(exc, LlmxError) else f"{type(exc).__name__}: {text}"


def _start_workers(count: int, jobs: Sequence[Job], extract: JobRunner) -> queue.Queue:
    """Daemon threads working through ``jobs``; results arrive on the returned queue.

    Daemon, so an interrupted batch exits at once instead of waiting for
    requests in flight (their results are simply never written).
    """
    todo: queue.Queue[Job] = queue.Queue()
    for job in jobs:
        todo.put(job)
    done: queue.Queue[tuple[Job, Outcome, dict[str, Any] | None]] = queue.Queue()

    def work() -> None:
        while True:
            try:
                job = todo.get_nowait()
            except queue.Empty:
                return
            done.put((job, *extract(job)))

    for n in range(min(count, len(jobs))):
        threading.Thread(target=work, name=f"llmx-batch-{n}", daemon=True).start()
    return done


# ---------------------------------------------------------------- the batch


@dataclasses.dataclass
class Batch:
    """One run over many reports: plans, skips, dispatches, writes, and reports progress."""

    report_type: ReportType
    design: str
    configs: Sequence[LLMConfig]  # one per endpoint; one embedded config = one shared local server
    outdir: Path
    workers: int = 1
    prompt_version: str | None = None
    retry_wait: float = 1.0
    quiet: bool = False  # --quiet: no progress bar, no line per finished report, no summary; failures and warnings still
    console: Console = dataclasses.field(default_factory=lambda: Console(stderr=True))
    outcomes: list[Outcome] = dataclasses.field(default_factory=list)

    def run(self, sources: Sequence[Path]) -> list[Outcome]:
        """Process ``sources``; returns one outcome per report (also kept in ``self.outcomes``)."""
        self._prepare_outdir()
        jobs = plan_jobs(sources, self.outdir)
        with sigterm_as_interrupt(), ExitStack() as stack:  # a kill still stops a local server
            accepted, extract_all = self._engine(stack)
            with self._progress(len(jobs)) as progress:
                todo = self._settle_without_work(jobs, accepted, progress)
                for job, outcome, result in extract_all(todo):
                    self._finish(job, outcome, result, progress)
        return self.outcomes

    def _engine(self, stack: ExitStack) -> tuple[set[str], Dispatch]:
        """The config hashes a current output may carry, and what extracts the jobs left (here: threads).

        The one step another engine replaces (``llmx.apps.ray_batch``): planning,
        skipping, writing and progress stay here, so every engine shares them.
        """
        pool = EndpointPool(self._open_llms(stack), self.retry_wait)
        accepted = {config_hash(self.report_type, self.design, self.prompt_version, llm)
                    for llm in (pool.llms or [None])}  # type: ignore[list-item]  # None: rules
        extract = JobRunner(self.report_type, self.design, self.prompt_version, pool)
        return accepted, functools.partial(_threaded, self.workers, extract)

    def _prepare_outdir(self) -> None:
        """A folder that can be written, swept of our leftovers, without the last run's error list."""
        if self.outdir.exists() and not self.outdir.is_dir():
            raise LlmxError(f"{self.outdir}: exists and is not a folder")
        check_writable_folder(self.outdir)
        try:
            sweep_temp_files(self.outdir)
            (self.outdir / ERRORS_FILE).unlink(missing_ok=True)  # it lists this run's failures only
        except OSError as exc:
            raise LlmxError(f"{self.outdir}: cannot write output there: {exc.strerror or exc}") from exc

    def _open_llms(self, stack: ExitStack) -> list[LLM]:
        """One LLM per endpoint (the embedded model starts once); none for ``rules``."""
        if not needs_model(self.design):
            return []
        from llmx.model.session import open_llm  # the model stack, only when a model is used

        return [stack.enter_context(open_llm(config)) for config in self.configs]

    def _settle_without_work(self, jobs: Sequence[Job], accepted: set[str], progress: Progress) -> list[Job]:
        """Fail planned failures and skip current outputs; the jobs left need extracting."""
        todo = []
        for job in jobs:
            if job.error:
                self._record(Outcome(job.source, "failed", job.error), progress)
            elif is_current(job, accepted):
                self._record(Outcome(job.source, "skipped", "unchanged"), progress)
            else:
                todo.append(job)
        return todo

    def _finish(self, job: Job, outcome: Outcome, result: dict[str, Any] | None, progress: Progress) -> None:
        if result is not None:
            try:
                if outcome.ocr_text is not None:
                    keep_beside(job.output, outcome.ocr_text)
                write_atomic(job.output, to_json(result))
            except LlmxError as exc:
                outcome, result = Outcome(job.source, "failed", _one_line(exc, job.output)), None
        self._record(outcome, progress, result)

    def _record(self, outcome: Outcome, progress: Progress, result: dict[str, Any] | None = None) -> None:
        self.outcomes.append(outcome)
        if outcome.status == "failed":
            _append_error(self.outdir / ERRORS_FILE, outcome)
        if result is not None:
            warn_fallbacks(outcome.source, result)
        if outcome.status == "failed" or not self.quiet:
            progress.console.print(_status_line(outcome), highlight=False, soft_wrap=True)
        progress.advance(progress.task_ids[0])

    @contextmanager
    def _progress(self, total: int) -> Iterator[Progress]:
        columns = (TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console, disable=self.quiet) as progress:
            progress.add_task("batch", total=total)
            yield progress


def _threaded(workers: int, extract: JobRunner, todo: Sequence[Job]) -> Iterator[Finished]:
    results = _start_workers(workers, todo, extract)
    for _ in todo:
        yield _next(results)


def _next(results: queue.Queue) -> tuple[Job, Outcome, dict[str, Any] | None]:
    """The next finished report; polls so Ctrl-C is seen promptly."""
    while True:
        try:
            return results.get(timeout=0.2)
        except queue.Empty:
            continue


def _append_error(path: Path, outcome: Outcome) -> None:
    """One JSON line per failed report, written in one call so a kill cannot split it.

    When even this line cannot be written (the disk filled, the folder went
    away) the batch cannot report its failures any more: it ends, in one line.
    """
    line = json.dumps({"file": str(outcome.source), "error": outcome.reason,
                       "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
                      ensure_ascii=False) + "\n"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            if os.write(fd, line.encode("utf-8")) != len(line.encode("utf-8")):
                raise OSError(28, "No space left on device")
        finally:
            os.close(fd)
    except OSError as exc:
        raise LlmxError(f"{path}: cannot record the failure of {outcome.source} "
                        f"({outcome.reason}): {exc.strerror or exc}") from exc


_STYLE = {"done": "green", "skipped": "dim", "failed": "red"}


def _status_line(o: Outcome) -> str:
    name = str(o.source)
    if o.status == "done":
        cost = f", {o.calls} calls, {o.tokens} tokens via {o.endpoint}" if o.endpoint else ""
        fallback = f"; {o.unusable} model answers unusable, rules labelled those figures" if o.unusable else ""
        detail = f"{o.figures} figures{cost}{fallback}"
    else:
        detail = o.reason
    return f"[{_STYLE[o.status]}]{o.status:>7}[/] {escape(f'{name}: {detail}')}"  # names may hold [brackets]


def summarize(outcomes: Sequence[Outcome], seconds: float) -> dict[str, Any]:
    """The end-of-batch numbers; rates count only reports actually extracted, calls every request sent."""
    counts = Counter(o.status for o in outcomes)
    done = [o for o in outcomes if o.status == "done"]
    return {
        "done": counts["done"], "skipped": counts["skipped"], "failed": counts["failed"],
        "figures": sum(o.figures for o in done),
        "calls": sum(o.calls for o in outcomes),  # every request sent, failed reports' too
        "tokens": sum(o.tokens for o in done), "seconds": round(seconds, 2),
        "reports_per_minute": round(len(done) / seconds * 60, 1) if seconds > 0 else 0.0,
        "unusable": sum(o.unusable > 0 for o in done),  # reports with a model answer rules had to replace
    }


def print_summary(summary: dict[str, Any], outdir: Path, console: Console) -> None:
    table = Table(title=f"batch -> {outdir}", show_edge=False)
    for key in summary:
        table.add_column(key.replace("_", " "), justify="right")
    table.add_row(*(str(v) for v in summary.values()))
    console.print(table)
    if summary["failed"]:
        console.print(f"failures listed in {outdir / ERRORS_FILE}")
    if summary["unusable"]:
        console.print(f"{summary['unusable']} reports were labelled partly by rules because model answers "
                      f"were unusable (see their warnings); a rerun asks the model again")


# ---------------------------------------------------------------- command line
