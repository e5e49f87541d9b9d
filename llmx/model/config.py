"""Where the model lives and how it is asked: flags first, then environment, then defaults.

Defaults target a llama.cpp server: JSON mode (its server rejects
``json_schema`` response formats), temperature 0, a dummy API key.  With no
base URL at all, llmx runs its embedded model.

Waits are bounded: a server that accepts a request and never answers, or
answers a byte at a time, must end the run with one line, not hold it for an
hour.  ``timeout`` bounds each whole answer, ``deadline`` each whole report
(``bounded.py``).  The read timeout
default is about six times the slowest call measured on the embedded model
on 2 CPU cores (eval/runs: 33 s), so a healthy local model does not hit it;
a bigger model on a CPU may, and the message names the flag to raise it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmx.options import cache_home
from llmx.errors import ConfigurationError
from llmx.options import BY_NAME, MODEL_SETTINGS, MODES, resolve

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 300.0  # seconds to wait for a whole answer, per request: a loaded 2-core machine needs it
#: Seconds one report may take with the model, retries and Retry-After waits included: about eight
#: times the slowest report measured on the embedded model on 2 cores (eval/runs, design llm: 215 s).
DEFAULT_DEADLINE = 1800.0
CONNECT_TIMEOUT = 10.0  # seconds to open a connection; a local server accepts at once
#: Seconds to wait for ``GET /models`` when no --model is given: a server answers it at once, even
#: loaded, so a hung one is reported now rather than after a whole answer timeout.
DISCOVERY_TIMEOUT = 10.0


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
    deadline: float = DEFAULT_DEADLINE  # --deadline: seconds per report (not in cache keys)
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

    def http_client(self, answer_timeout: float | None = None) -> httpx.Client:
        """An HTTP client whose every answer must arrive whole within the timeout (``bounded``).

        Connect quickly or fail.  A proxy from the environment is honoured
        for a configured endpoint, never for the embedded model's loopback server.
        """
        from llmx.model.bounded import bounded_client  # with the model stack: a rules run opens no connection

        seconds = self.timeout if answer_timeout is None else answer_timeout
        return bounded_client(seconds, min(CONNECT_TIMEOUT, seconds), trust_env=not self.embedded)

    def sampling(self) -> dict[str, object]:
        return {"temperature": self.temperature, "max_tokens": self.max_tokens, "seed": self.seed}


def from_options(**options: object) -> LLMConfig:
    """Build a config from the model settings given, filling gaps from their variables (``llmx/options.py``)."""
    values = resolve(options, MODEL_SETTINGS)
    picked: dict[str, Any] = {k: values[k] for k in ("base_url", "model", "api_key", "mode")}
    if values["model_path"]:
        picked["model_path"] = Path(str(values["model_path"]))
    if values["cache_dir"]:
        picked["cache_dir"] = Path(str(values["cache_dir"]))
    if values["no_cache"]:
        picked["use_cache"] = False
    if values["trace_dir"]:
        picked["trace_dir"] = Path(str(values["trace_dir"]))
    for name in ("timeout", "deadline"):
        if values[name]:
            setting = BY_NAME[name]
            picked[name] = _seconds(values[name], f"{setting.flag} or {setting.variable}")
    if picked["base_url"] and "model_path" in picked:
        raise ConfigurationError("give either --base-url (a running server) or --model-path (a GGUF to run), not both")
    return LLMConfig(**picked)


def _seconds(value: object, where: str) -> float:
    """A positive number of seconds from a flag or its variable (``where`` names both)."""
    try:
        seconds = float(str(value))
    except ValueError:
        seconds = float("nan")
    if not seconds > 0 or seconds == float("inf"):
        raise ConfigurationError(f"{where.split()[0].lstrip('-')} {value!r}: give a positive number of seconds ({where})")
    return seconds
