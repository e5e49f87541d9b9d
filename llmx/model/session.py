"""Open an LLM for a run: a configured endpoint, or a model llmx serves itself.

Both paths end in the same client code (``LLM``): the embedded model is
served by llama-cpp-python's OpenAI-compatible server on a free loopback
port, so nothing downstream knows the difference.  The cache key names the
model file by hash, not the random port, so embedded runs hit the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import openai

from llmx.model.config import DISCOVERY_TIMEOUT, LLMConfig
from llmx.model.cache import ResponseCache
from llmx.errors import LlmxError, ModelError
from llmx.model.llm import LLM


@contextmanager
def open_llm(config: LLMConfig, *, progress: bool = True) -> Iterator[LLM]:
    """Yield a ready ``LLM``; an embedded server is stopped on exit."""
    cache = ResponseCache(config.cache_dir / "responses" if config.use_cache else None)
    with ExitStack() as stack:
        stack.callback(cache.close)
        if config.embedded:
            base_url, model, endpoint_id = stack.enter_context(_embedded(config, progress))
        else:
            base_url = config.base_url or ""
            model = config.model or _first_model(base_url, config)
            endpoint_id = base_url
        # its HTTP client bounds every answer; for our own loopback server it ignores HTTP(S)_PROXY
        llm = LLM(config, base_url=base_url, model=model, endpoint_id=endpoint_id, cache=cache)
        stack.callback(llm.close)
        yield llm


@contextmanager
def _embedded(config: LLMConfig, progress: bool) -> Iterator[tuple[str, str, str]]:
    from llmx.model import embedded  # imported late: only embedded runs need it

    if config.model_path:
        path = config.model_path
        if not path.is_file():
            raise LlmxError(f"{path}: no such GGUF model file")
        model_id = f"gguf:{_quick_id(path)}"
    else:
        path = embedded.ensure_embedded_model(progress=progress)
        model_id = f"gguf:{embedded.DEFAULT_MODEL_SHA256}"
    with embedded.LocalServer(path, n_ctx=8192, alias=path.stem) as server:
        yield server.base_url, config.model or server.model, model_id


def _quick_id(path: Path) -> str:
    """Identify a model file by size and its first and last MiB (hashing GBs each run is slow)."""
    size = path.stat().st_size
    h = hashlib.sha256(str(size).encode())
    with path.open("rb") as f:
        h.update(f.read(1 << 20))
        f.seek(max(0, size - (1 << 20)))
        h.update(f.read(1 << 20))
    return h.hexdigest()[:32]


def _first_model(base_url: str, config: LLMConfig) -> str:
    """The endpoint's first model, for servers that serve one (llama.cpp, vLLM).

    "pass --model" is only the advice when the server answered without one;
    a server that is down or silent needs starting, not a model name.  The
    list comes at once from any live server, so its wait is short
    (``DISCOVERY_TIMEOUT``), not a whole answer's.
    """
    seconds = min(DISCOVERY_TIMEOUT, config.timeout)
    with config.http_client(answer_timeout=seconds) as http:
        client = openai.OpenAI(base_url=base_url, api_key=config.api_key, max_retries=0, http_client=http)
        try:
            return client.models.list().data[0].id
        except openai.APITimeoutError as exc:
            raise ModelError(f"{base_url}: no list of models (GET /models) within {seconds:g} s; the server may "
                             f"be hung (pass --model to skip asking)") from exc
        except openai.APIConnectionError as exc:
            raise ModelError(f"{base_url}: endpoint unreachable (is the server running?)") from exc
        except (openai.APIError, IndexError) as exc:
            raise ModelError(f"{base_url}: cannot list models ({type(exc).__name__}); pass --model") from exc
