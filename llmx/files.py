"""Writing results: whole files or nothing."""

from __future__ import annotations

import json
import os
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from llmx.errors import LlmxError


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


#: What every llmx temporary file is called: ``.llmx-<16 hex>.<name>.tmp``.  A fixed prefix and a
#: 64-bit random token make a name no user chooses, so a sweep may remove what matches it (and only
#: that): ``.budget.2024.tmp`` or ``.my notes.v2.tmp`` are the user's, whatever they look like.
TEMP_PREFIX = ".llmx-"
TEMP_NAME = re.compile(r"\.llmx-[0-9a-f]{16}\..+\.tmp")


def temp_name(target: str) -> str:
    """A fresh temporary name for a file that will become ``target``."""
    return f"{TEMP_PREFIX}{secrets.token_hex(8)}.{target}.tmp"


def is_temp_name(name: str) -> bool:
    """True only for names ``temp_name`` makes: what a killed llmx run may have left behind."""
    return TEMP_NAME.fullmatch(name) is not None


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A fresh temporary path beside ``path``: renamed onto ``path`` if the block completes, removed whatever happens.

    The name is made *before* the file exists, never taken from the call that
    creates it: an interrupt (Ctrl-C, or SIGTERM turned into one) landing just
    after the create still finds the name here and removes the file.  The
    caller creates the file, preferably exclusively (``open(tmp, "xb")``).
    """
    path = Path(path)
    tmp = path.parent / temp_name(path.name)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: a crash leaves no partial file.

    Text is written as UTF-8; bytes (e.g. an .xlsx workbook) as they are.
    New files get the usual permissions (0666 less the umask).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as tmp, open(tmp, "xb") as f:
            f.write(content.encode("utf-8") if isinstance(content, str) else content)
    except OSError as exc:
        raise LlmxError(f"{path}: cannot write output: {exc.strerror or exc}") from exc


def write_stdout(text: str) -> None:
    """Write ``text`` to stdout and flush: a full disk or a closed pipe is one ``LlmxError``, not a traceback.

    ``llmx extract r.txt > /dev/full`` fails in the write (or, buffered, only
    at exit, where Python would print its own "Exception ignored" lines): so
    flush at once, and after a failure point stdout at the null device, so
    the interpreter's final flush of what is still buffered stays silent.
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        _silence_stdout()
        raise LlmxError(f"stdout: cannot write output: {exc.strerror or exc}") from exc


def flush_stdout() -> None:
    """Flush whatever a command left buffered on stdout, failing as ``write_stdout`` does."""
    write_stdout("")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner's capture)
        pass


def check_writable_folder(folder: Path) -> None:
    """Create ``folder`` if needed and prove a file can be written in it, or raise one ``LlmxError``.

    Run before any work, so a batch into a folder it cannot use (a path
    through a file, no permission, a full disk) fails at once in one line
    instead of failing every report.  The probe has an llmx temporary name,
    so even a kill in between leaves nothing a later sweep would not remove.
    """
    folder = Path(folder)
    probe = folder / temp_name("write-probe")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            with open(probe, "xb") as f:
                f.write(b"llmx\n")
                f.flush()
                os.fsync(f.fileno())
        finally:
            if os.path.lexists(probe):
                os.unlink(probe)
    except OSError as exc:
        raise LlmxError(f"{folder}: cannot write output there: {exc.strerror or exc}") from exc
