"""Run the pipeline over files with one LLM session (one server start for many reports)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from .config import LLMConfig
from .domain import Domain
from .pipeline import Run
from .session import open_llm
from .sources import load_document


def extract_files(paths: Sequence[Path], domain: Domain, design: str, config: LLMConfig,
                  prompt_version: str | None = None) -> list[dict[str, Any]]:
    """Results for ``paths`` in order; every file is read before any model is started."""
    documents = [load_document(p) for p in paths]
    session = nullcontext(None) if design == "rules" else open_llm(config)
    with session as llm:
        run = Run(domain, design=design, llm=llm, prompt_version=prompt_version)
        return [run.extract_document(doc) for doc in documents]
