"""Structured LLM calls: instructor over the openai SDK, with retries, re-asks and a JSON cache.

Three kinds of failure are told apart.  Transient transport failures
(connection, timeout, 429, 5xx) are retried with backoff by tenacity.  Parse
and validation failures go back to the model as re-asks carrying the exact
error (instructor's retry loop).  Anything else is a user-facing error naming
the endpoint.  Responses are cached as JSON under a key of everything that
decides them, so an unchanged rerun makes no call.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import diskcache
import instructor
import openai
from pydantic import BaseModel
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from .config import LLMConfig
from .errors import LlmxError, UnusableAnswer

T = TypeVar("T", bound=BaseModel)

_TRANSIENT = (openai.APIConnectionError, openai.APITimeoutError, openai.RateLimitError,
              openai.InternalServerError)
_UNUSABLE = "__llmx_unusable__"
_MODES = {"json": instructor.Mode.JSON, "tools": instructor.Mode.TOOLS, "md_json": instructor.Mode.MD_JSON}


@dataclass
class Usage:
    """What a run cost; the contract's ``usage`` block."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cache_hits: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"seconds": round(self.seconds, 2)}


class ResponseCache:
    """Validated responses stored as JSON text (never pickle) in a diskcache folder."""

    def __init__(self, directory: Path | None):
        self._cache = diskcache.Cache(str(directory)) if directory else None

    def get(self, key: str) -> str | None:
        return self._cache.get(key) if self._cache is not None else None

    def set(self, key: str, value: str) -> None:
        if self._cache is not None:
            self._cache.set(key, value)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()


def digest(value: Any) -> str:
    """A stable sha256 of any JSON-able value."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def schema_hash(model: type[BaseModel]) -> str:
    return digest(model.model_json_schema())[:16]


def _in_chain(exc: BaseException | None, kinds: tuple[type[BaseException], ...]) -> BaseException | None:
    """The first exception of ``kinds`` in ``exc``'s cause chain (instructor wraps API errors)."""
    for _ in range(10):
        if exc is None or isinstance(exc, kinds):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _is_transient(exc: BaseException | None) -> bool:
    """True for transport failures worth retrying: connection, timeout, 429, 5xx."""
    return _in_chain(exc, _TRANSIENT) is not None


class LLM:
    """One endpoint and model, asked for pydantic models."""

    def __init__(self, config: LLMConfig, *, base_url: str, model: str, endpoint_id: str,
                 cache: ResponseCache, retry_wait: float = 1.0, http_client: Any = None):
        self.config = config
        self.base_url = base_url
        self.model = model
        self.endpoint_id = endpoint_id
        self.cache = cache
        self.usage = Usage()
        self._retry_wait = retry_wait
        raw = openai.OpenAI(base_url=base_url, api_key=config.api_key, max_retries=0,
                            timeout=config.timeout, http_client=http_client)
        self._client = instructor.from_openai(raw, mode=_MODES[config.mode])
        self._client.on("completion:response", self._count)

    def _count(self, response: Any) -> None:
        """Every completion, re-asks included, counts as a call with its tokens."""
        self.usage.calls += 1
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.usage.prompt_tokens += usage.prompt_tokens or 0
            self.usage.completion_tokens += usage.completion_tokens or 0

    def ask(self, response_model: type[T], messages: list[dict[str, str]], *, prompt_version: str,
            doc_hash: str, context: dict[str, Any] | None = None, reasks: int | None = None) -> T:
        """The validated answer, from cache when this exact question was asked before."""
        key = digest({
            "endpoint": self.endpoint_id, "model": self.model, "prompt": prompt_version,
            "schema": schema_hash(response_model), "doc": doc_hash, "mode": self.config.mode,
            "sampling": self.config.sampling(), "messages": digest(messages),
            "reasks": self.config.reasks if reasks is None else reasks,
        })
        if self.config.use_cache:
            hit = self.cache.get(key)
            if hit is not None:
                self.usage.cache_hits += 1
                return _replay(response_model, hit, context)
        try:
            answer = self._call(response_model, messages, context,
                                self.config.reasks if reasks is None else reasks)
        except UnusableAnswer as exc:
            # remembered too, so a rerun of an unchanged report makes no call at all
            self.cache.set(key, json.dumps({_UNUSABLE: str(exc)}, ensure_ascii=False))
            raise
        self.cache.set(key, answer.model_dump_json())
        return answer

    def _call(self, response_model: type[T], messages: list[dict[str, str]],
              context: dict[str, Any] | None, reasks: int) -> T:
        started = time.perf_counter()
        retrying = Retrying(
            retry=retry_if_exception(_is_transient),
            stop=stop_after_attempt(4),
            wait=wait_exponential(multiplier=self._retry_wait, max=30),
            reraise=True,
        )
        try:
            return retrying(
                self._client.chat.completions.create,
                model=self.model, response_model=response_model, messages=messages,
                max_retries=reasks, context=context,
                **self.config.sampling(),
            )
        except Exception as exc:  # every failure leaves as one line naming the endpoint
            if _in_chain(exc, (openai.APIError,)) is not None:
                raise LlmxError(f"{self.base_url}: {_describe(exc)}") from exc
            raise UnusableAnswer(f"{self.base_url}: {_describe(exc)}") from exc
        finally:
            self.usage.seconds += time.perf_counter() - started


def _replay(response_model: type[T], hit: str, context: dict[str, Any] | None) -> T:
    """A cached answer, or the cached verdict that the model's answer was unusable."""
    data = json.loads(hit)
    if isinstance(data, dict) and _UNUSABLE in data:
        raise UnusableAnswer(data[_UNUSABLE])
    return response_model.model_validate(data, context=context)


def _describe(exc: BaseException) -> str:
    """A one-line reason, preferring the transport error under instructor's wrapper."""
    if _is_transient(exc):
        return "endpoint unreachable or failing after retries (" + type(exc).__name__ + ")"
    status = _in_chain(exc, (openai.APIStatusError,))
    if status is not None:
        return f"endpoint refused the request: HTTP {status.status_code} {' '.join(str(status).split())[:200]}"
    text = " ".join(str(exc).split())
    return f"model answer unusable after re-asks: {text[:300]}"
