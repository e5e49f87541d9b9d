"""Pieces every llmx command shares: the model options, SIGTERM handling, quiet logs."""

from __future__ import annotations

import dataclasses
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from llmx.model.config import MODES, LLMConfig, from_options
from llmx.domain.domain import Domain, load_domain
from llmx.engine.labelling import DESIGNS
from llmx.errors import ConfigurationError


def quiet_instructor() -> None:
    """instructor logs every failed attempt at ERROR; re-asks are routine here
    and a final failure reaches the user as one line anyway."""
    logging.getLogger("instructor").setLevel(logging.CRITICAL)


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Let ``kill`` unwind like Ctrl-C: atomic writes finish or clean up, the local server stops."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)



def llm_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that may call a model."""
    options = [
        click.option("--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1 "
                     "none = run the embedded model"),
        click.option("--model", help="model name at the endpoint; default: the endpoint's first"),
        click.option("--api-key", help="API key (also read from OPENAI_API_KEY)"),
        click.option("--mode", type=click.Choice(MODES), help="instructor mode [default json]"),
        click.option("--model-path", type=click.Path(dir_okay=False), help="run this GGUF file instead of the embedded model"),
        click.option("--cache-dir", type=click.Path(),
                     help="response cache (one that cannot be used is bypassed, with a warning)"),
        click.option("--no-cache", is_flag=True, help="neither read nor write the response cache"),
        click.option("--trace", "trace_dir", type=click.Path(file_okay=False), metavar="DIR",
                     help="keep each model call's messages and raw answer as JSON files in DIR"),
        click.option("--timeout", metavar="SECONDS", help="longest wait for each whole model answer "
                     "[default 300]; a server silent (or dripping) that long ends the run"),
        click.option("--deadline", metavar="SECONDS", help="longest time one report may take with the model, "
                     "retries and Retry-After waits included [default 1800]"),
        click.option("--design", type=click.Choice(DESIGNS), default=DESIGNS[0], show_default=True,
                     envvar="LLMX_DESIGN", help="how figures are labelled [env LLMX_DESIGN] (rules = no model at all)"),
        click.option("--prompt", "prompt_version", metavar="VERSION",
                     help="prompt version for the design (e.g. choice-v1); default: the newest"),
        click.option("--type", "report_type", default="fazhi", show_default=True,
                     help="report type: bundled (schemas/) or an installed llmx.report_types plug-in"),
        click.option("--labeller", type=click.Path(dir_okay=False), metavar="FILE",
                     help="a labeller trained by `llmx train` [default: the report type's own]"),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def report_type(opts: dict[str, Any]) -> Domain:
    """The report type a command's options name, with the labeller ``--labeller`` names, if any."""
    domain = load_domain(opts["report_type"])
    if opts.get("labeller"):
        path = Path(opts["labeller"])
        if not path.is_file():
            raise ConfigurationError(f"{path}: no such labeller file (make one with `llmx train`)")
        domain = dataclasses.replace(domain, labeller=path)
    return domain


def llm_config(opts: dict[str, Any]) -> LLMConfig:
    """The LLM configuration named by a command's model options."""
    keys = ("base_url", "model", "api_key", "mode", "model_path", "cache_dir", "no_cache", "timeout", "deadline",
            "trace_dir")
    return from_options(**{k: opts.get(k) for k in keys})
