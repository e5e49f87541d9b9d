"""The main job on the embedded model, for real (``pytest -m real_model``; .ci/run runs it).

Starts llama.cpp on the bundled GGUF through the same CLI a user runs, with a
fresh cache, then reruns to prove the cache makes the second run free.
"""

import json
import subprocess
import sys

import pytest

from llmx.reports.report_type import load_report_type
from conftest import CORPUS

pytestmark = pytest.mark.real_model

REPORT = CORPUS / "004_10dd5ecf361dedb7.txt"


def _extract(tmp_path, name):
    out = tmp_path / f"{name}.json"
    proc = subprocess.run(
        [sys.executable, "-m", "llmx.apps.cli", "extract", str(REPORT), "--design", "hybrid-all",
         "--cache-dir", str(tmp_path / "cache"), "-o", str(out)],
        capture_output=True, text=True, timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(out.read_text(encoding="utf-8")), proc.stderr


def test_embedded_model_extracts_a_report_and_rerun_is_free(tmp_path):
    report_type = load_report_type("fazhi")
    first, summary = _extract(tmp_path, "first")
    report_type.report_model.model_validate(first)
    assert first["model"] and first["prompt_version"]
    assert first["usage"]["calls"] >= 1 and first["usage"]["completion_tokens"] > 0
    assert first["figures"] and all(f["verified"] for f in first["figures"])
    assert "verified figures" in summary
    second, _ = _extract(tmp_path, "second")
    assert second["usage"]["calls"] == 0
    # one cached answer per question; re-asks make a question cost more than one call
    assert 1 <= second["usage"]["cache_hits"] <= first["usage"]["calls"]
    assert second["figures"] == first["figures"]
