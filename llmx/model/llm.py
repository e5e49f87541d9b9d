"""Structured LLM calls: instructor over the openai SDK, with retries, re-asks and a JSON cache.

Three kinds of failure are told apart.  Transient transport failures
(connection, 429, 5xx) are retried with backoff by tenacity, honouring
Retry-After while the report's deadline allows; a timeout ends the call at
once (retries.py says why).  Every answer must arrive whole within the
timeout and every report within its deadline (bounded.py).  Parse
and validation failures go back to the model as re-asks carrying the exact
error (instructor's retry loop).  Anything else is a user-facing error naming
the endpoint.  Responses are cached as JSON under a key of everything that
decides them, so an unchanged rerun makes no call.  An answer that stays
unusable is never cached: it says something about that one attempt (or that
server), not about the question, and caching it would hand every later run
against a healthy server the fallback again with no call made.  The one
exception is an answer a caller rejects by design: asked with no re-asks, a
well-formed answer failing the caller's checks (the hybrid design's confused
batch) is what this model says to this question, so that verdict is cached.
"""

from __future__ import annotations

import json
import time
from contextlib import AbstractContextManager
from typing import Any, TypeVar

import instructor
import openai
from pydantic import BaseModel, ValidationError

from llmx.model.cache import ResponseCache
from llmx.model.config import LLMConfig
from llmx.model.records import Usage, digest, schema_hash
from llmx.errors import ModelError, UnusableAnswer
from llmx.model.bounded import report_deadline, report_left
from llmx.model.retries import (DeadlinePassed, deadline_message, describe, in_chain, is_verdict, reask_retrying,
                                timed_out, transport_retrying)
from llmx.model.trace import Tracer

T = TypeVar("T", bound=BaseModel)

__all__ = ["LLM", "ResponseCache", "Usage", "digest", "schema_hash"]

_REJECTED = "__llmx_rejected__"  # a cached answer the caller's checks rejected (see above)
_LEGACY = "__llmx_unusable__"  # how llmx before issue 12 cached every failure; such entries are dropped
_MODES = {"json": instructor.Mode.JSON, "tools": instructor.Mode.TOOLS, "md_json": instructor.Mode.MD_JSON}


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
        self.asked = 0  # questions asked through ``ask`` (cached or not)
        self.unusable: list[str] = []  # why each answer that stayed unusable was
        self._retry_wait = retry_wait
        self._own_client = http_client is None
        self._http = http_client if http_client is not None else config.http_client()
        raw = openai.OpenAI(base_url=base_url, api_key=config.api_key, max_retries=0, http_client=self._http)
        self._client = instructor.from_openai(raw, mode=_MODES[config.mode])
        self._client.on("completion:kwargs", self._count_request)
        self._client.on("completion:response", self._count)
        if config.trace_dir is not None:
            Tracer(config.trace_dir, base_url, model).attach(self._client)

    def close(self) -> None:
        """Close the HTTP client this LLM made (one handed in is its owner's to close)."""
        if self._own_client:
            self._http.close()

    def report_deadline(self) -> AbstractContextManager[None]:
        """Bound everything asked inside (answers, retries, Retry-After waits) by ``config.deadline``."""
        return report_deadline(self.config.deadline)

    def _count_request(self, *args: Any, **kwargs: Any) -> None:
        """Every request sent counts as a call (re-asks and retries included), answered or not.

        Counted as it is sent, not when a completion comes back: a server that
        answers four times with an HTML page or an empty body was still asked
        four times, and the summary must not say "0 calls".
        """
        self.usage.calls += 1

    def _count(self, response: Any) -> None:
        """The tokens of every completion that came back."""
        usage = getattr(response, "usage", None)
        if usage is not None:
            self.usage.prompt_tokens += usage.prompt_tokens or 0
            self.usage.completion_tokens += usage.completion_tokens or 0

    def ask(self, response_model: type[T], messages: list[dict[str, str]], *, prompt_version: str,
            doc_hash: str, context: dict[str, Any] | None = None, reasks: int | None = None) -> T:
        """The validated answer, from cache when this exact question was asked before."""
        reasks = self.config.reasks if reasks is None else reasks
        key = digest({
            "endpoint": self.endpoint_id, "model": self.model, "prompt": prompt_version,
            "schema": schema_hash(response_model), "doc": doc_hash, "mode": self.config.mode,
            "sampling": self.config.sampling(), "messages": digest(messages),
            "reasks": reasks,
        })
        self.asked += 1
        with report_deadline(self.config.deadline, unless_set=True):  # a lone question is bounded too
            return self._ask(response_model, messages, key, context, reasks)

    def _ask(self, response_model: type[T], messages: list[dict[str, str]], key: str,
             context: dict[str, Any] | None, reasks: int) -> T:
        if self.config.use_cache:
            hit = self._cached(response_model, key, context)
            if hit is not None:
                self.usage.cache_hits += 1
                return hit
        try:
            answer = self._call(response_model, messages, context, reasks)
        except UnusableAnswer as exc:
            # A caller asking with no re-asks declares an answer that fails its checks an
            # expected outcome (the hybrid readings: a confused batch is left unread);
            # an answer that is not even the schema's shape is a fault whatever the caller.
            if reasks or exc.malformed:
                self.unusable.append(str(exc))
            else:
                self.cache.set(key, json.dumps({_REJECTED: str(exc)}, ensure_ascii=False))
            raise
        self.cache.set(key, answer.model_dump_json())
        return answer

    def _cached(self, response_model: type[T], key: str, context: dict[str, Any] | None) -> T | None:
        """A stored answer that still validates; anything else is dropped from the cache."""
        hit = self.cache.get(key)
        if hit is None:
            return None
        try:
            data = json.loads(hit)
            if isinstance(data, dict) and _LEGACY in data:
                self.cache.discard(key, None)
                return None
            if isinstance(data, dict) and _REJECTED in data:
                self.usage.cache_hits += 1
                raise UnusableAnswer(str(data[_REJECTED]))
            return response_model.model_validate(data, context=context)
        except (ValueError, ValidationError) as exc:  # truncated JSON, or off the current schema
            self.cache.discard(key, " ".join(str(exc).split())[:160])
            return None

    def _call(self, response_model: type[T], messages: list[dict[str, str]],
              context: dict[str, Any] | None, reasks: int) -> T:
        started = time.perf_counter()
        retrying = transport_retrying(self._retry_wait, self.base_url, self.config.deadline)
        try:
            if report_left() <= 0:
                raise DeadlinePassed(deadline_message(self.config.deadline))
            return retrying(
                self._client.chat.completions.create,
                model=self.model, response_model=response_model, messages=messages,
                max_retries=reask_retrying(reasks), context=context,
                **self.config.sampling(),
            )
        except DeadlinePassed as exc:  # a wait the deadline cannot hold: already one line
            raise ModelError(f"{self.base_url}: {exc}") from exc
        except Exception as exc:  # every failure leaves as one line naming the endpoint
            if timed_out(exc) and report_left() <= 0:  # the report's deadline cut the answer short
                raise ModelError(f"{self.base_url}: {deadline_message(self.config.deadline)}") from exc
            reason = describe(exc, self.config.timeout)
            if in_chain(exc, (openai.APIError,)) is not None:
                raise ModelError(f"{self.base_url}: {reason}") from exc
            raise UnusableAnswer(f"{self.base_url}: {reason}", malformed=not is_verdict(exc)) from exc
        finally:
            self.usage.seconds += time.perf_counter() - started
