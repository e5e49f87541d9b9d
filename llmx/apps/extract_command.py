"""``llmx extract``: one or more reports to contract JSON, one model session for all.

Why it is shaped this way:

- ``-o`` names a folder when it ends in ``/``, is an existing folder, or
  several reports are given; otherwise a file.  ``-o out/`` in a loop over
  single reports must fill the folder, not overwrite a file called ``out``.
- Each result is written (atomically) as soon as its report is done, so a
  run killed or failing on report 3 keeps reports 1-2, and the error names
  the report it failed on.  SIGTERM unwinds like Ctrl-C.
- Progress goes to stderr on any stderr: a plain line per report (a log or
  a CI job shows it), plus a spinner while a report runs when it is a tty.
- Warnings that a model answer was unusable reach stderr even with
  ``--quiet``: the result is no longer what the user asked for.
- A report read by OCR gets its text saved beside its result
  (``out/x.ocr.txt``): the evidence offsets point into that text, which
  cannot be had again from the scan for free.
- ``--json`` prints one JSON summary on stdout for scripts, so results must
  then go to files (``-o``); ``-`` reads a report from stdin, ``-o -``
  writes to stdout.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from llmx import notices
from llmx.api import Extractor, read_source
from llmx.apps.cli_options import chosen_type, llm_config, llm_options, sigterm_as_interrupt
from llmx.apps.friendly import friendly
from llmx.text.load.stdin import STDIN
from llmx.apps.json_summary import emit_json, report_entry, warn_fallbacks
from llmx.files import to_json, write_atomic, write_stdout
from llmx.apps.human_summary import unsure_line
from llmx.errors import LlmxError
from llmx.text.load.ocr import keep_beside, quiet_progress
from llmx.text.load import Document


def output_targets(paths: list[Path], output: str | None) -> list[Path | None]:
    """Where each report's JSON goes (None = stdout), decided before any work starts."""
    if not output or output == STDIN:
        if len(paths) > 1:
            raise LlmxError("several reports need -o FOLDER for their JSON files")
        return [None]
    out = Path(output)
    if len(paths) == 1 and not output.endswith(("/", os.sep)) and not out.is_dir():
        return [out]
    if out.exists() and not out.is_dir():
        raise LlmxError(f"{output}: exists and is not a folder")
    targets = [out / f"{'stdin' if str(p) == STDIN else p.stem}.json" for p in paths]
    claims = Counter(targets)
    for path, target in zip(paths, targets):
        if claims[target] > 1:
            others = ", ".join(str(p) for p, t in zip(paths, targets) if t == target and p != path)
            raise LlmxError(f"{path}: output {target} is also claimed by {others}; rename one of them")
    return list(targets)


class Progress:
    """A line per finished report on stderr; a spinner meanwhile when stderr is a terminal."""

    def __init__(self, total: int, quiet: bool):
        self.total, self.quiet, self.finished = total, quiet, 0
        self.console = Console(stderr=True, highlight=False)
        self._status: AbstractContextManager[Any] = nullcontext()

    def start(self, index: int, path: Path) -> None:
        if self.total > 1 and not self.quiet and self.console.is_terminal:
            self._status = self.console.status(escape(f"[{index + 1}/{self.total}] extracting {path}"))
            self._status.__enter__()

    def done(self, path: Path, target: Path | None, result: dict[str, Any]) -> None:
        self._stop()
        self.finished += 1
        warn_fallbacks(path, result)
        if self.total > 1 and not self.quiet:
            u = result["usage"]
            click.echo(f"llmx: [{self.finished}/{self.total}] {path} -> {target}: {len(result['figures'])} "
                       f"figures ({unsure_line(result)}), {u['calls']} calls, {u['seconds']} s", err=True)

    def _stop(self) -> None:
        self._status.__exit__(None, None, None)
        self._status = nullcontext()

    def kept(self, targets: list[Path | None]) -> str:
        """What an interrupted or failed multi-report run leaves behind, for its last line."""
        self._stop()
        if self.total == 1:
            return ""
        folder = targets[0].parent if targets[0] else "-"
        return f" ({self.finished} of {self.total} results written to {folder})"


@click.command("extract")
@click.argument("reports", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(),
              help="write JSON here instead of stdout; a folder (for <name>.json files) when it ends "
                   "in /, is a folder, or several REPORTS are given")
@click.option("--quiet", is_flag=True, help="no summary or progress on stderr (warnings still)")
@click.option("--json", "as_json", is_flag=True,
              help="print a machine-readable JSON summary on stdout (results go to -o files)")
@llm_options
@friendly
def extract_command(reports: tuple[str, ...], output: str | None, quiet: bool, as_json: bool,
                    **opts: Any) -> None:
    """Extract REPORTS (.txt, .docx, .pdf, .html, scans: .png .jpg .tif; - = stdin) to contract JSON."""
    from llmx.apps.human_summary import print_summary

    paths = [Path(r) for r in reports]
    targets = output_targets(paths, output)
    if as_json and None in targets:
        raise LlmxError("--json prints the summary on stdout, so give -o FILE or FOLDER for the results")
    quiet = quiet or as_json
    progress = Progress(len(paths), quiet)
    extractor = Extractor(design=opts["design"], report_type=chosen_type(opts),
                          prompt_version=opts["prompt_version"], config=llm_config(opts))
    entries: list[dict[str, Any]] = []
    try:
        with quiet_progress(quiet):
            documents = [read_source(p) for p in paths]  # every file is read before any model is started
        with sigterm_as_interrupt(), extractor:  # leaving: a local server stops at once
            done = extractor.extract_many(documents, starting=progress.start)
            for doc, (_, report), target in zip(documents, done, targets):
                result = report.model_dump(mode="json")
                ocr_text = _keep_ocr_text(doc, target, quiet)
                if target:
                    write_atomic(target, to_json(result))
                else:
                    write_stdout(to_json(result))
                if not quiet:
                    print_summary(result)
                progress.done(doc.path, target, result)
                entries.append(report_entry(doc.path, target, result, ocr_text))
    except LlmxError as exc:
        raise LlmxError(f"{exc}{progress.kept(targets)}") from exc
    except KeyboardInterrupt:
        click.echo(f"llmx: interrupted{progress.kept(targets)}", err=True)
        sys.exit(130)
    if as_json:
        emit_json({"reports": entries, "written": len(entries)})


def _keep_ocr_text(doc: Document, target: Path | None, quiet: bool) -> Path | None:
    """Save an OCR'd report's text beside its result (before the result, so a result never lacks it)."""
    if not doc.ocr:
        return None
    if target is None:
        if not quiet:
            notices.warn(f"{doc.path}: read by OCR; give -o to keep its text (the offsets point into it)")
        return None
    return keep_beside(target, doc.text)
