"""What a model call is keyed and billed by: the usage counters and the stable digests.

Apart from ``llm.py`` so that code which only counts or keys (the pipeline's
usage block, batch's configuration hash, eval's run record) can do so without
importing openai and instructor, which a rules run never needs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BaseModel


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


def digest(value: Any) -> str:
    """A stable sha256 of any JSON-able value."""
    blob = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def schema_hash(model: type[BaseModel]) -> str:
    return digest(model.model_json_schema())[:16]
