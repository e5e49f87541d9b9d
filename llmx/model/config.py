"""Where the model lives and how it is asked: flags first, then environment, then defaults.

Defaults target a llama.cpp server: JSON mode (its server rejects
``json_schema`` response formats), temperature 0, a dummy API key.  With no
base URL at all, llmx runs its embedded model.

Waits are bounded: a server that accepts a request and never answers must
end the run with one line, not hold it for an hour.  The read timeout
default is about six times the slowest call measured on the embedded model
on 2 CPU cores (eval/runs: 33 s), so a healthy local model does not hit it;
a bigger model on a CPU may, and the message names the flag to raise it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmx.cache_home import cache_home
from llmx.errors import ConfigurationError

if TYPE_CHECKING:
    import httpx

MODES = ("json", "tools", "md_json")
DEFAULT_TIMEOUT = 300.0  # seconds to wait for an answer (read), per request: a loaded 2-core machine needs it
CONNECT_TIMEOUT = 10.0  # seconds to open a connection; a local server accepts at once


@dataclass(frozen=True)
class LLMConfig:
    """Everything that decides what an LLM call returns (and so its cache key)."""

    base_url: str | None = None
    model: str | None = None
    api_key: str = "sk-no-key-required"
    mode: str = "json"
    temperature: float = 0.0
    max_tokens: int = 1024
    seed: int = 0
    reasks: int = 2
    timeout: float = DEFAULT_TIMEOUT
    model_path: Path | None = None
    cache_dir: Path = field(default_factory=cache_home)
    use_cache: bool = True
    trace_dir: Path | None = None  # --trace: keep every call's prompt and raw answer (not in cache keys)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigurationError(f"unknown instructor mode {self.mode!r}: choose one of {', '.join(MODES)}")

    @property
    def embedded(self) -> bool:
        """True when llmx must start a model itself (no endpoint given)."""
        return self.base_url is None

    def http_timeout(self) -> httpx.Timeout:
        """Connect quickly or fail; wait up to ``timeout`` for each read, write and pooled connection."""
        import httpx  # with the model stack: a rules run never opens a connection

        return httpx.Timeout(self.timeout, connect=min(CONNECT_TIMEOUT, self.timeout))

    def sampling(self) -> dict[str, object]:
        return {"temperature": self.temperature, "max_tokens": self.max_tokens, "seed": self.seed}


def from_options(**options: object) -> LLMConfig:
    """Build a config from CLI options, filling gaps from ``LLMX_*`` / ``OPENAI_*`` variables."""
    env = os.environ.get
    picked: dict[str, Any] = {
        "base_url": options.get("base_url") or env("LLMX_BASE_URL") or env("OPENAI_BASE_URL"),
        "model": options.get("model") or env("LLMX_MODEL"),
        "api_key": options.get("api_key") or env("LLMX_API_KEY") or env("OPENAI_API_KEY") or "sk-no-key-required",
        "mode": options.get("mode") or env("LLMX_MODE") or "json",
    }
    if options.get("model_path"):
        picked["model_path"] = Path(str(options["model_path"]))
    if options.get("cache_dir"):
        picked["cache_dir"] = Path(str(options["cache_dir"]))
    if options.get("no_cache"):
        picked["use_cache"] = False
    trace = options.get("trace_dir") or env("LLMX_TRACE")
    if trace:
        picked["trace_dir"] = Path(str(trace))
    timeout = options.get("timeout") or env("LLMX_TIMEOUT")
    if timeout:
        picked["timeout"] = _seconds(timeout)
    if picked["base_url"] and "model_path" in picked:
        raise ConfigurationError("give either --base-url (a running server) or --model-path (a GGUF to run), not both")
    return LLMConfig(**picked)


def _seconds(value: object) -> float:
    """A positive number of seconds from ``--timeout`` or ``LLMX_TIMEOUT``."""
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise ConfigurationError(f"timeout {value!r}: give a positive number of seconds (--timeout or LLMX_TIMEOUT)")
    return seconds
