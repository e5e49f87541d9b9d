"""Bounded waits: ``--timeout`` bounds a whole answer, ``--deadline`` a whole report.

Why not httpx's own timeouts: they bound each *read*, so a server (or a
proxy) that sends its answer one byte a second never trips a 5-second
timeout, and neither does one that drips its headers.  Here every read of
a request, headers and body, and every connect, is given only the time left
until that request's end, so the answer as a whole must arrive within the
timeout, and the report as a whole within its deadline.  A read that would
outlast it raises ``httpcore.ReadTimeout``, which httpx and the openai SDK
turn into the same timeout error as a silent server.

How: a wrapper around httpcore's network backend, the layer that owns the
sockets, so the bound holds per ``recv`` rather than per chunk.  httpx
builds its connection pools itself; ``bounded_client`` swaps the backend of
each pool of the client it makes (``_pool._network_backend``, an httpcore
attribute stable across 1.x; ``tests/test_faults.py`` proves the bound
holds against a server that drips).

The end of each request is kept per thread: requests are synchronous, and
batch workers each ask their own model client on their own thread.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

_local = threading.local()


def report_left() -> float:
    """Seconds left of this thread's report deadline (infinite outside a report)."""
    until = getattr(_local, "report_until", None)
    return math.inf if until is None else until - time.monotonic()


@contextmanager
def report_deadline(seconds: float, *, unless_set: bool = False) -> Iterator[None]:
    """Every model request made by this thread inside must end within ``seconds`` from now.

    ``unless_set``: keep a deadline already running (a question asked inside a
    report counts against the report's deadline, one asked alone against its own).
    """
    previous = getattr(_local, "report_until", None)
    if previous is None or not unless_set:
        _local.report_until = time.monotonic() + seconds
    try:
        yield
    finally:
        _local.report_until = previous


def _request_left() -> float:
    until = getattr(_local, "request_until", None)
    return math.inf if until is None else until - time.monotonic()


def _bound(timeout: float | None) -> float:
    """The time a socket operation may take now: its own timeout, cut to what the request has left."""
    left = _request_left()
    if left <= 0:
        raise httpcore.ReadTimeout("the answer did not arrive whole within the time allowed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream):
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bound(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bound(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, _bound(timeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend):
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_tcp(host, port, _bound(timeout), local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, _bound(timeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def bounded_client(answer_timeout: float, connect_timeout: float, *, trust_env: bool = True) -> httpx.Client:
    """An httpx client whose every request must be answered whole within ``answer_timeout`` seconds
    (and within what is left of the thread's report deadline)."""

    def start(request: httpx.Request) -> None:
        _local.request_until = time.monotonic() + min(answer_timeout, max(report_left(), 0.0))

    client = httpx.Client(trust_env=trust_env, timeout=httpx.Timeout(answer_timeout, connect=connect_timeout),
                          event_hooks={"request": [start]})
    for transport in [client._transport, *client._mounts.values()]:
        pool = getattr(transport, "_pool", None)
        if pool is not None and not isinstance(pool._network_backend, _Backend):
            pool._network_backend = _Backend(pool._network_backend)
    return client
