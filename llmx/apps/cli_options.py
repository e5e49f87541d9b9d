"""Pieces every llmx command shares: the model options, SIGTERM handling, quiet logs."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from llmx.model.config import LLMConfig, from_options
from llmx.reports.report_type import ReportType, load_report_type
from llmx.options import BY_NAME, MODEL_SETTINGS, SETTINGS, Setting


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



def _click_option(setting: Setting) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A shared setting as a click option: flag, help and default from the option table."""
    extra: dict[str, Any] = {"help": setting.help, "metavar": setting.metavar}
    if setting.kind == "flag":
        extra = {"help": setting.help, "is_flag": True}
    elif setting.kind == "choice":
        extra["type"] = click.Choice(setting.choices)
        extra["metavar"] = None
    elif setting.kind == "path":
        extra["type"] = click.Path(dir_okay=False)
    elif setting.kind == "dir":
        extra["type"] = click.Path()
    elif setting.kind == "folder":
        extra["type"] = click.Path(file_okay=False)
    if setting.name in ("design", "report_type"):  # shown, since they decide what a result is
        extra |= {"default": setting.default, "show_default": True}
    return click.option(setting.flag, setting.name, **extra)


#: ``--type`` for commands that read results of a report type but run no extraction (table, review, export, train).
type_option = _click_option(BY_NAME["report_type"])


def llm_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that may call a model: the option table's settings, in its order."""
    for setting in reversed(SETTINGS):
        func = _click_option(setting)(func)
    return func


def chosen_type(opts: dict[str, Any]) -> ReportType:
    """The report type a command's options name, with the labeller ``--labeller`` names, if any."""
    return load_report_type(opts["report_type"]).with_labeller(opts.get("labeller"))


def llm_config(opts: dict[str, Any]) -> LLMConfig:
    """The LLM configuration named by a command's model options."""
    return from_options(**{k: opts.get(k) for k in MODEL_SETTINGS})
