"""Helpers shared by the format loaders: every failure becomes a one-line InputError."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, NoReturn

from llmx.errors import InputError

#: A loader turns the raw bytes of one file into ``(text, encoding)``;
#: ``encoding`` is the detected text encoding, or ``None`` for binary formats.
Loader = Callable[[Path, bytes], tuple[str, "str | None"]]


def fail(path: Path, problem: str) -> NoReturn:
    """Raise the user-facing error; the message always starts with the path."""
    raise InputError(f"{path}: {problem}")


def describe(exc: BaseException) -> str:
    """Squash a library exception into one short line for an error message.

    Library messages can span lines or be empty; the CLI prints ours on one line.
    """
    detail = " ".join(str(exc).split())
    name = type(exc).__name__
    return f"{name}: {detail[:200]}" if detail else name
