"""``--trace DIR``: every model call's prompt and raw answer, one JSON file per call.

Why: when a model's answer is unusable, llmx falls back to rules and says so,
but the answer itself was gone; a user could not see what the model wrote,
nor a developer the exact messages that produced it.  The trace keeps both,
for every HTTP completion (re-asks included, each with the error that caused
it), as instructor's hooks see them, so what is written is exactly what was
sent and received.  Cached answers make no call and so leave no trace file.

Files are named ``call-<time>-<pid>-<n>.json`` so they sort in call order and
runs sharing a folder never overwrite each other.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from llmx.errors import LlmxError, redact_credentials
from llmx.files import to_json, write_atomic

_counter = itertools.count(1)
_lock = threading.Lock()


class Tracer:
    """Writes one file per completion of one instructor client (one per thread, like the client)."""

    def __init__(self, folder: Path, endpoint: str, model: str):
        self.folder, self.endpoint, self.model = Path(folder), endpoint, model
        if self.folder.exists() and not self.folder.is_dir():
            raise LlmxError(f"{folder}: --trace needs a folder, and this is a file")
        self._request: dict[str, Any] = {}
        self._last: tuple[Path, dict[str, Any]] | None = None

    def attach(self, client: Any) -> None:
        """Register on instructor's hooks: arguments, response, transport error, parse error."""
        client.on("completion:kwargs", self._asked)
        client.on("completion:response", self._answered)
        client.on("completion:error", self._failed)
        client.on("parse:error", self._unparsed)

    def _asked(self, *args: Any, **kwargs: Any) -> None:
        self._request = kwargs

    def _answered(self, response: Any) -> None:
        choice = (getattr(response, "choices", None) or [None])[0]
        message = getattr(choice, "message", None)
        calls = getattr(message, "tool_calls", None) or []
        self._write({
            "raw_answer": getattr(message, "content", None),
            "tool_calls": [{"name": c.function.name, "arguments": c.function.arguments} for c in calls],
            "finish_reason": getattr(choice, "finish_reason", None),
            "usage": _plain(getattr(response, "usage", None)),
        })

    def _failed(self, error: Exception) -> None:
        self._write({"raw_answer": None, "error": f"{type(error).__name__}: {error}"})

    def _unparsed(self, error: Exception) -> None:
        """The answer just written could not be used: say why in its file."""
        if self._last is not None:
            path, record = self._last
            record["parse_error"] = " ".join(f"{type(error).__name__}: {error}".split())
            write_atomic(path, _redacted(record))

    def _write(self, answer: dict[str, Any]) -> None:
        with _lock:
            n = next(_counter)
        request = {k: v for k, v in self._request.items() if k != "messages"}
        record = {"call": n, "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "endpoint": self.endpoint,
                  "model": self.model, "messages": _plain(self._request.get("messages")),
                  "request": _plain(request), **answer}
        path = self.folder / f"call-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{n:05d}.json"
        write_atomic(path, _redacted(record))
        self._last = (path, record)


def _redacted(record: dict[str, Any]) -> str:
    """The record as JSON, without the password of any URL in it (the endpoint, an error naming it)."""
    return redact_credentials(to_json(record))


def _plain(value: Any) -> Any:
    """A JSON-able copy: pydantic objects dumped, anything else unknown as its text."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
