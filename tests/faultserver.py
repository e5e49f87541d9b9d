"""OpenAI-compatible HTTP servers on 127.0.0.1 that misbehave on purpose, for fault tests.

llmx's fault handling is tested against real HTTP, not a mock of the client:
the openai SDK, httpx, instructor and tenacity all run as they do in use, so
a timeout is a real socket timeout and a Retry-After is a real header.

A server answers each chat-completion request with a ``Reply`` chosen by a
responder, ``respond(n, body)`` (``n`` counts requests from 1).  The broken
answers below (``MALFORMED``, ``OFF_SCHEMA``) are fault fixtures, not model
answers; the only well-formed answers ever served are ones recorded from the
real model (``Replaying``).  Every server binds one local address (127.0.0.1 unless told), never waits
longer than its ``lifetime``, and stops itself after it even if a test forgets.
"""

from __future__ import annotations

import json
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml

from conftest import CASSETTES, EMBEDDED_ALIAS, comparable_body


@dataclass(frozen=True)
class Reply:
    """What the server does with one request."""

    status: int = 200
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    hang: bool = False  # never answer (until the server stops or the client gives up)
    drop: bool = False  # close the connection without any response
    drip: float = 0.0  # seconds between bytes: the response (status line, headers, body) a byte at a time
    drip_from: int = 0  # bytes of the response sent at once before the drip starts (-1: all the headers)


def completion(content: str) -> str:
    """A chat.completion envelope around ``content`` (the part a model writes)."""
    return json.dumps({
        "id": "chatcmpl-fault", "object": "chat.completion", "created": 0, "model": "fault",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }, ensure_ascii=False)


MALFORMED = Reply(body=completion('{"labels": [{"id": 1, "label": "'))  # cut off mid-string
OFF_SCHEMA = Reply(body=completion('{"answer": "yes", "confidence": 0.9}'))  # JSON, but no "labels"
#: Status 200 but no chat completion at all: what proxies and broken servers send (issue 19).
HTML_PAGE = Reply(body="<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>",
                  headers={"content-type": "text/html; charset=utf-8"})
EMPTY_BODY = Reply(body="")
PLAIN_TEXT = Reply(body="upstream request timeout", headers={"content-type": "text/plain"})
CUT_BODY = Reply(body=completion('{"labels": []}')[:60])  # the HTTP body itself cut off mid-JSON
HANG = Reply(hang=True)
DROP = Reply(drop=True)


def status(code: int, retry_after: str | None = None) -> Reply:
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return Reply(code, json.dumps({"error": {"message": f"injected HTTP {code}"}}), headers)


Responder = Callable[[int, bytes], Reply]


def always(reply: Reply) -> Responder:
    return lambda n, body: reply


class LoopbackServer:
    """A threaded server on a free 127.0.0.1 port; ``with`` it, point llmx at ``url``."""

    def __init__(self, respond: Responder, *, lifetime: float = 120.0, model: str = "fault-model",
                 host: str = "127.0.0.1", models: Reply | None = None):
        self.respond, self.lifetime, self.model = respond, lifetime, model
        self.models = models  # how GET /models is answered (default: a list naming ``model``)
        self.replies: list[Reply] = []  # one per chat request, in arrival order
        #: (path, bytes of the response sent, seconds from the request's arrival) for each request
        #: the client abandoned before the response was complete: what the client's bound did
        self.abandoned: list[tuple[str, int, float]] = []
        self.peers: list[tuple[str, int]] = []  # the client's (address, port) of each chat request
        self.times: list[float] = []  # monotonic arrival time of each chat request
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        # stop() joins every handler: a hung one ends as soon as it sees the stop, and what it records
        # (a client that gave up) is in ``abandoned`` before the test's with-block returns
        self._server.daemon_threads = False
        self._server.block_on_close = True
        self.port = self._server.server_address[1]
        self.url = f"http://{host}:{self.port}/v1"

    def __enter__(self) -> "LoopbackServer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self._timer = threading.Timer(self.lifetime, self.stop)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        self.stop()

    def stop(self) -> None:
        """Release hanging requests and close the port (idempotent)."""
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def requests(self) -> int:
        with self._lock:
            return len(self.replies)

    def count(self, status: int = 200) -> int:
        """Chat requests answered with ``status`` (hangs and drops count as neither)."""
        with self._lock:
            return sum(r.status == status and not (r.hang or r.drop) for r in self.replies)

    def _reply(self, body: bytes, peer: tuple[str, int]) -> Reply:
        with self._lock:
            n = len(self.replies) + 1
            self.times.append(time.monotonic())
            self.peers.append(peer)
            self.replies.append(Reply())  # placeholder, keeps n unique across threads
        reply = self.respond(n, body)
        with self._lock:
            self.replies[n - 1] = reply
        return reply

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._send(server.models or Reply(body=json.dumps({"object": "list", "data": [
                        {"id": server.model, "object": "model"}]})))
                else:
                    self._send(Reply(404, "{}"))

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                self._send(server._reply(body, self.client_address))

            def _send(self, reply: Reply) -> None:
                self._arrived = time.monotonic()
                if reply.hang:
                    self._wait(server.lifetime, sent=0)
                    return
                if reply.delay and self._wait(reply.delay, sent=0):
                    return  # stopped, or the client gave up, while delaying
                if reply.drop:
                    self.close_connection = True
                    return
                data = reply.body.encode("utf-8")
                head = [f"{self.protocol_version} {reply.status} {self.responses.get(reply.status, ('',))[0]}"]
                headers = {"content-type": "application/json", **reply.headers, "content-length": str(len(data))}
                head += [f"{name}: {value}" for name, value in headers.items()]
                response = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data
                if not reply.drip:
                    self.wfile.write(response)
                    return
                self.close_connection = True
                head_start = reply.drip_from if reply.drip_from >= 0 else response.index(b"\r\n\r\n") + 4
                self.wfile.write(response[:head_start])
                for sent in range(head_start, len(response)):
                    try:
                        self.wfile.write(response[sent:sent + 1])
                        self.wfile.flush()
                    except OSError:
                        self._abandoned(sent)
                        return
                    if self._wait(reply.drip, sent=sent + 1):
                        return

            def _wait(self, seconds: float, sent: int) -> bool:
                """Wait ``seconds``; True when the server stopped or the client closed its end first
                (then recorded in ``abandoned`` with the ``sent`` bytes it got)."""
                until = time.monotonic() + seconds
                while not server._stopped.is_set():
                    left = until - time.monotonic()
                    if left <= 0:
                        return False
                    if self._client_gone(min(left, 0.05)):
                        self._abandoned(sent)
                        return True
                # stopped: a client that gave up before the stop is still recorded (the test's with-block
                # may end the moment the client returns, before this loop's next look at the socket)
                if self._client_gone(0):
                    self._abandoned(sent)
                return True

            def _client_gone(self, within: float) -> bool:
                """True when the client closed its end (looked for up to ``within`` seconds)."""
                readable, _, _ = select.select([self.connection], [], [], within)
                try:
                    return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
                except OSError:
                    return True

            def _abandoned(self, sent: int) -> None:
                with server._lock:
                    server.abandoned.append((self.path, sent, time.monotonic() - self._arrived))

            def log_message(self, *args: object) -> None:
                pass

        return Handler


# ---------------------------------------------------------------- recorded answers


def recorded_answers() -> list[tuple[object, str]]:
    """(request body as JSON, response body) of every successful recorded completion."""
    answers = []
    for cassette in sorted(CASSETTES.glob("*.yaml")):
        for interaction in yaml.safe_load(cassette.read_text(encoding="utf-8"))["interactions"]:
            request, response = interaction["request"], interaction["response"]
            if request["uri"].endswith("/chat/completions") and response["status"]["code"] == 200:
                answers.append((comparable_body(request["body"]), response["body"]["string"]))
    return answers


def replay(answers: list[tuple[object, str]]) -> Responder:
    """The real model's recorded answer to this exact request; HTTP 400 when none was recorded."""

    def respond(n: int, body: bytes) -> Reply:
        asked = comparable_body(body)
        for recorded, response in answers:
            if recorded == asked:
                return Reply(body=response)
        return Reply(400, json.dumps({"error": {"message": "no recorded answer for this request"}}))

    return respond


class Replaying(LoopbackServer):
    """Recorded answers served as the embedded model would serve them, optionally slowed or failing.

    ``fail_every=n`` answers every n-th request with ``fail_status`` (so, for
    n >= 2, a retry succeeds); ``delay`` slows every answer.
    """

    def __init__(self, answers: list[tuple[object, str]], fail_every: int = 0, fail_status: int = 503,
                 delay: float = 0.0):
        answer = replay(answers)

        def respond(n: int, body: bytes) -> Reply:
            if fail_every and n % fail_every == 0:
                return status(fail_status)
            reply = answer(n, body)
            return Reply(reply.status, reply.body, delay=delay)

        super().__init__(respond, model=EMBEDDED_ALIAS)


# ---------------------------------------------------------------- killing a run midway


def kill_after_outputs(args: list[str], outdir: Path, outputs: int, sig: int, cwd: Path) -> tuple[int, str]:
    """Run ``python -m <args>``; once ``outdir`` holds ``outputs`` JSON files (or 60 s pass), send ``sig``.

    Returns the exit code and stderr.  Bounded: the process is waited for at most 30 s more.
    """
    proc = subprocess.Popen([sys.executable, "-m", *args], cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(list(outdir.glob("*.json"))) < outputs and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=30)
    return proc.returncode, stderr.decode()
