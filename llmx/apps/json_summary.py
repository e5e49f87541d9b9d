"""Machine-readable run summaries (``--json``): one JSON object on stdout, for scripts.

Why a module of its own: every command's ``--json`` must look alike (one
object, UTF-8, keys named as in the result files), and the human summaries
on stderr stay untouched, so a script can parse stdout and a person can
still read stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llmx import notices
from llmx.pipeline import FALLBACK_WARNING
from llmx.files import write_stdout


def emit_json(summary: dict[str, Any]) -> None:
    """Print ``summary`` as one line of JSON on stdout."""
    write_stdout(json.dumps(summary, ensure_ascii=False, default=str) + "\n")


def report_entry(source: Path, target: Path | None, result: dict[str, Any], ocr_text: Path | None) -> dict[str, Any]:
    """One extracted report in a summary: where it came from and went, and what it holds."""
    usage = result.get("usage", {})
    return {
        "source": str(source), "output": str(target) if target else None,
        "ocr_text": str(ocr_text) if ocr_text else None, "doc_id": result["doc_id"],
        "figures": len(result["figures"]), "unsure": sum(bool(f.get("unsure")) for f in result["figures"]),
        "meta_unsure": result.get("meta_unsure", []), "rejected": len(result.get("rejected", [])),
        "uncovered": len(result.get("uncovered", [])), "warnings": result.get("warnings", []),
        "model": result.get("model"), "calls": usage.get("calls", 0),
        "cache_hits": usage.get("cache_hits", 0), "seconds": usage.get("seconds", 0),
    }


def warn_fallbacks(source: Path, result: dict[str, Any]) -> None:
    """Each warning that model answers were unusable, as a ``llmx: warning:`` line naming the report.

    Printed even with ``--quiet`` (by ``extract`` and ``batch`` alike): the
    result is no longer what the user asked for.
    """
    for warning in result.get("warnings", []):
        if warning.startswith(FALLBACK_WARNING):
            notices.warn(f"{source}: {warning}")
