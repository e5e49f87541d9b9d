"""One-line warnings on stderr for faults a run survives (a damaged cache, an unusable answer).

Errors end a run through ``LlmxError``; these do not, but the user must still
learn of them, so they are never silent and never a traceback.  One function,
so every such line looks the same: ``llmx: warning: <what>``, with no password
of a URL in it.
"""

from __future__ import annotations

import threading

import click

from llmx.errors import redact_credentials

_lock = threading.Lock()  # batch workers warn from several threads; keep lines whole


def warn(message: str) -> None:
    """Print ``message`` as one ``llmx: warning:`` line on stderr."""
    line = "llmx: warning: " + " ".join(redact_credentials(message).split())
    with _lock:
        click.echo(line, err=True)
