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

from llmx.errors import LlmxError, redact_credentials
from llmx.files import flush_stdout


def friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn LlmxError and Ctrl-C into one line on stderr and a non-zero exit.

    stdout is flushed before the command counts as done: results written there
    (``llmx extract r.txt > /dev/full``) must fail as one line too.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            result = func(*args, **kwargs)
            flush_stdout()  # what is still buffered fails here, in one line, not at interpreter exit
            return result
        except LlmxError as exc:
            click.echo(f"llmx: error: {redact_credentials(str(exc))}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("llmx: interrupted", err=True)
            sys.exit(130)

    return wrapper
