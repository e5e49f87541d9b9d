"""When to try a request again, how long to wait first, and when an answer is worth a re-ask.

Transport: connection failures, 429 and 5xx are retried with exponential
backoff, waiting at least as long as the server's ``Retry-After`` asks, and
saying so on stderr (a wait of minutes must not look like a hang).  A wait
longer than what is left of the report's deadline is not started: the run
ends at once in one line naming the wait, instead of honouring
``Retry-After: 3600`` over and over.  A timeout is *not* retried: a server
that stayed silent for the whole timeout will most likely do so again, and
four silent waits would turn the user's bound into four times that.

Answers: how many re-asks a caller wants is its choice (the hybrid design's
readings want none, see phrases.py), but an answer that is not JSON or lacks
the schema's structure is a different thing from a confused one: it is
always re-asked at least ``SHAPE_REASKS`` times, since a malformed reply is
usually a one-off of sampling and says nothing about the batch.
"""

from __future__ import annotations

import email.utils
import json
import time

import openai
from pydantic import ValidationError
from tenacity import Retrying, RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential

from llmx import notices
from llmx.errors import ModelError
from llmx.model.bounded import report_left

TRANSPORT_ATTEMPTS = 4
SHAPE_REASKS = 1
_TRANSIENT = (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError)
#: pydantic error types meaning "not the schema's structure" (besides every ``*_type`` / ``*_parsing``).
_SHAPE_TYPES = frozenset({"json_invalid", "missing", "extra_forbidden"})


def in_chain(exc: BaseException | None, kinds: tuple[type[BaseException], ...]) -> BaseException | None:
    """The first exception of ``kinds`` in ``exc``'s cause chain (instructor wraps API errors)."""
    for _ in range(10):
        if exc is None or isinstance(exc, kinds):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def timed_out(exc: BaseException | None) -> bool:
    return in_chain(exc, (openai.APITimeoutError,)) is not None


def is_transient(exc: BaseException | None) -> bool:
    """True for failures worth retrying: connection, 429, 5xx (not a timeout, see above)."""
    return not timed_out(exc) and in_chain(exc, _TRANSIENT) is not None


def timeout_message(seconds: float) -> str:
    return (f"no whole answer within {seconds:g} s; the server may be hung or the model slow "
            f"(raise --timeout or LLMX_TIMEOUT)")


def deadline_message(seconds: float) -> str:
    return (f"the report took longer than its deadline of {seconds:g} s with the model "
            f"(raise --deadline or LLMX_DEADLINE)")


class DeadlinePassed(ModelError):
    """A wait (an answer, a retry) the report's deadline cannot hold; the message says which."""


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked to wait (``Retry-After``/``retry-after-ms``), if it did."""
    status = in_chain(exc, (openai.APIStatusError,))
    headers = getattr(getattr(status, "response", None), "headers", None)
    if not headers:
        return None
    try:
        if headers.get("retry-after-ms"):
            return max(0.0, float(headers["retry-after-ms"]) / 1000)
        value = headers.get("retry-after")
        if not value:
            return None
        if value.strip().isdigit():
            return float(value)
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class BackoffHonouringRetryAfter:
    """A tenacity wait: exponential backoff, or the server's Retry-After when that is longer.

    Never silent, never past the deadline: a Retry-After wait is announced on
    stderr; a wait longer than the report has left raises ``DeadlinePassed``.
    """

    def __init__(self, base: float, where: str, deadline: float):
        self._backoff = wait_exponential(multiplier=base, max=30)
        self._where, self._deadline = where, deadline

    def __call__(self, state: RetryCallState) -> float:
        if state.attempt_number >= TRANSPORT_ATTEMPTS:
            return 0.0  # tenacity asks for a wait before it checks the stop: none follows the last attempt
        failure = state.outcome.exception() if state.outcome else None
        asked = retry_after(failure) or 0.0
        wait = max(self._backoff(state), asked)
        left = report_left()
        why = f"Retry-After: {asked:g} s" if asked else "backoff"
        if wait > left:
            raise DeadlinePassed(f"the server asks to wait {wait:g} s before retrying ({why}, {_status(failure)}), "
                                 f"more than the {max(left, 0):.0f} s left of the report's deadline of "
                                 f"{self._deadline:g} s (raise --deadline or LLMX_DEADLINE, or try later)")
        if asked:
            notices.warn(f"{self._where}: {_status(failure)}; waiting {wait:g} s as the server's Retry-After asks "
                         f"(retry {state.attempt_number} of {TRANSPORT_ATTEMPTS - 1})")
        return wait


def _status(exc: BaseException | None) -> str:
    status = in_chain(exc, (openai.APIStatusError,))
    return f"HTTP {status.status_code}" if isinstance(status, openai.APIStatusError) else type(exc).__name__


def pause(seconds: float) -> None:
    """Wait before a retry: one named place, so a test can see every wait asked for without timing it."""
    time.sleep(seconds)


def transport_retrying(base_wait: float, where: str, deadline: float) -> Retrying:
    """Retries of one request to ``where`` on transient transport failures, within the report's ``deadline``."""
    return Retrying(retry=retry_if_exception(is_transient), stop=stop_after_attempt(TRANSPORT_ATTEMPTS),
                    wait=BackoffHonouringRetryAfter(base_wait, where, deadline), reraise=True,
                    sleep=lambda seconds: pause(seconds))


def is_verdict(exc: BaseException | None) -> bool:
    """True only for a well-formed answer failing a check on its values: what the model says.

    Anything else is a fault of that one answer or of the server: not JSON,
    not the schema's shape, an empty body, an HTML error page a proxy sent
    with status 200, plain text, no choices.  Those are re-asked, warned
    about and never cached, whatever shape they take.
    """
    invalid = in_chain(exc, (ValidationError,))
    return isinstance(invalid, ValidationError) and not is_shape_error(invalid)


def is_shape_error(exc: BaseException | None) -> bool:
    """True when an answer is not JSON or misses the schema's structure (not merely wrong values)."""
    if isinstance(exc, json.JSONDecodeError):
        return True
    if not isinstance(exc, ValidationError):
        return False
    return any(e["type"] in _SHAPE_TYPES or e["type"].endswith(("_type", "_parsing")) for e in exc.errors())


def reask_retrying(reasks: int) -> Retrying:
    """instructor's re-ask loop: ``reasks`` for any invalid answer, at least SHAPE_REASKS for any that is not a verdict."""

    def again(state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        if not isinstance(exc, Exception):
            return False  # an answer, or Ctrl-C / SIGTERM (tenacity catches BaseException): never asked again
        if in_chain(exc, (openai.APIError,)) is not None:
            return False  # transport errors are the outer loop's business
        done = state.attempt_number - 1  # re-asks made so far
        return done < reasks or (done < SHAPE_REASKS and not is_verdict(exc))

    return Retrying(retry=again, stop=stop_after_attempt(max(reasks, SHAPE_REASKS) + 1), reraise=True)


def describe(exc: BaseException, timeout: float) -> str:
    """A one-line reason, preferring the transport error under instructor's wrapper."""
    if timed_out(exc):
        return timeout_message(timeout)
    if is_transient(exc):
        return "endpoint unreachable or failing after retries (" + type(_root(exc)).__name__ + ")"
    status = in_chain(exc, (openai.APIStatusError,))
    if isinstance(status, openai.APIStatusError):
        return f"endpoint refused the request: HTTP {status.status_code} {' '.join(str(status).split())[:200]}"
    return f"model answer unusable after re-asks: {_last_problem(exc)}"


def _last_problem(exc: BaseException) -> str:
    """What was wrong with the last answer, and how it began when it was not a completion at all.

    instructor reports every attempt as XML-ish text; its last attempt's
    exception says it in one phrase ("No choices in OpenAI response"), and
    the body a proxy sent instead (``<html>...502 Bad Gateway``) says why.
    """
    attempts = None
    for _ in range(10):  # instructor's retry exception, wherever it sits in the chain
        attempts = getattr(exc, "failed_attempts", None)
        if attempts or exc.__cause__ is None:
            break
        exc = exc.__cause__
    if not attempts:
        problem = " ".join(str(exc).split())[:300]
        if in_chain(exc, (json.JSONDecodeError,)) is not None:  # the HTTP body itself: empty or cut off
            return f"the response body is not JSON, empty or cut off ({problem})"
        return problem
    last = attempts[-1]
    problem = " ".join(str(last.exception).split())[:200]
    if isinstance(last.exception, json.JSONDecodeError):
        problem = f"the response body is not JSON, empty or cut off ({problem})"
    if isinstance(last.completion, (str, bytes)):  # not a chat completion: a page or text the server sent
        body = last.completion.decode("utf-8", "replace") if isinstance(last.completion, bytes) else last.completion
        problem += f"; the server sent {' '.join(body.split())[:80]!r} instead of a completion"
    return problem


def _root(exc: BaseException) -> BaseException:
    return in_chain(exc, _TRANSIENT) or exc


