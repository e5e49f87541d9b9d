"""``llmx batch``: the command over the two engines (threads here, tasks on Ray).

The command lives apart from ``llmx.apps.batch`` so that the Ray engine, which
extends the local ``Batch``, and the command that picks between them import
one way: command -> (batch, ray_batch) -> batch.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path
from typing import Any, Callable

import click
from rich.console import Console

from llmx.apps.batch import Batch, find_reports, print_summary, summarize
from llmx.apps.cli_options import llm_config, llm_options, chosen_type, quiet_instructor
from llmx.apps.friendly import friendly
from llmx.apps.json_summary import emit_json
from llmx.errors import LlmxError
from llmx.model.config import LLMConfig


def _repeatable_base_url(func: Callable[..., Any]) -> Callable[..., Any]:
    """Replace the shared single ``--base-url`` with a repeatable one (work spreads across them)."""
    func.__click_params__ = [p for p in func.__click_params__ if p.name != "base_url"]  # type: ignore[attr-defined]
    return click.option("--base-url", "base_urls", multiple=True, metavar="URL",
                        help="OpenAI-compatible endpoint; repeat to spread work across several"
                             "; none = run the embedded model")(func)


def _endpoint_configs(opts: dict[str, Any]) -> list[LLMConfig]:
    """One config per ``--base-url`` (or the single one flags and environment give)."""
    urls: tuple[str, ...] = opts.pop("base_urls")
    config = llm_config(opts | {"base_url": urls[0] if urls else None})
    return [dataclasses.replace(config, base_url=url) for url in urls] if urls else [config]


@click.command("batch")
@click.argument("inputs", nargs=-1, required=True, metavar="DIR_OR_GLOB...")
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="folder for <name>.json per report, and errors.jsonl")
@click.option("-j", "--jobs", "workers", type=click.IntRange(min=1),
              help="reports in flight at once [default: one per endpoint]")
@click.option("--quiet", is_flag=True, help="no progress, no line per finished report, no summary on stderr "
              "(failures and warnings still)")
@click.option("--json", "as_json", is_flag=True, help="print the end-of-batch summary as JSON on stdout")
@click.option("--retry-wait", type=float, default=1.0, hidden=True,
              help="base seconds of the backoff between transient-failure retries (tests)")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
              help="local: threads in this process; ray: tasks on a Ray cluster (needs the [ray] extra)")
@click.option("--address", metavar="ADDR", help="Ray cluster to join with --engine ray [env RAY_ADDRESS]; "
              "default: start one on this machine with -j CPUs")
@_repeatable_base_url
@llm_options
@friendly
def batch_command(inputs: tuple[str, ...], outdir: Path, workers: int | None, quiet: bool, as_json: bool,
                  retry_wait: float,
                  engine: str, address: str | None, **opts: Any) -> None:
    """Extract every report in DIR_OR_GLOB... to OUTDIR, resumably; exit 1 if any report failed."""
    configs = _endpoint_configs(opts)
    console = Console(stderr=True)
    if address and engine != "ray":
        raise LlmxError("--address names a Ray cluster: it goes with --engine ray")
    kind: type[Batch] = Batch
    extra: dict[str, Any] = {"workers": workers or len(configs)}
    if engine == "ray":
        from llmx.apps.ray_batch import RayBatch  # imported late: Ray is an optional extra

        kind, extra = RayBatch, {"workers": workers or 0, "address": address}
    batch = kind(chosen_type(opts), opts["design"], configs, outdir,
                 prompt_version=opts["prompt_version"], retry_wait=retry_wait, quiet=quiet, console=console, **extra)
    sources = find_reports(inputs)
    started = time.perf_counter()
    try:
        batch.run(sources)
    except LlmxError as exc:  # the output folder failed mid-run: say what is kept
        if not batch.outcomes:
            raise
        done = sum(o.status == "done" for o in batch.outcomes)
        raise LlmxError(f"{exc} (batch stopped after {done} new outputs)") from exc
    except KeyboardInterrupt:
        done = sum(o.status == "done" for o in batch.outcomes)
        console.print(f"interrupted after {done} new outputs; run the same command again to resume")
        raise
    summary = summarize(batch.outcomes, time.perf_counter() - started)
    if as_json:
        emit_json(summary | {"output": str(outdir)})
    elif not quiet:
        print_summary(summary, outdir, console)
    if summary["failed"]:
        sys.exit(1)


if __name__ == "__main__":
    quiet_instructor()
    batch_command()
