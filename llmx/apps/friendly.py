"""How every command fails: one line on stderr and an exit code, never a traceback.

Its own module so that review and table can use it without importing the CLI
(which registers them: importing it from them was the cli <-> review <-> table loop).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import click

from llmx.errors import LlmxError


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn LlmxError and Ctrl-C into one line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except LlmxError as exc:
            click.echo(f"llmx: error: {exc}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("llmx: interrupted", err=True)
            sys.exit(130)

    return wrapper
