"""The public API: one call or a session, typed results, typed errors, no silent change of design."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import llmx
from llmx.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "eval" / "corpus" / "000_463a946c1bd692f9.txt"


def _without_timing(result: dict) -> dict:
    return result | {"usage": {k: v for k, v in result["usage"].items() if k != "seconds"}}


def test_extract_returns_the_report_model_whose_dump_is_the_contract_json():
    report = llmx.extract(str(REPORT), design="rules")
    assert type(report).__name__ == "Report" and report.figures[0].verified
    # the committed eval record of the default design holds this report's result as `llmx eval` saved it
    record = json.loads((ROOT / "eval" / "runs" / "design_rules.json").read_text(encoding="utf-8"))
    expected = record["predictions"][f"corpus/{REPORT.stem}"]
    assert _without_timing(report.model_dump(mode="json")) == _without_timing(expected)


def test_text_and_path_give_the_same_report_but_for_its_name():
    text = REPORT.read_text(encoding="utf-8")
    from_text = llmx.extract(text, design="rules")
    from_path = llmx.extract(REPORT, design="rules")
    assert from_text.doc_id.startswith("text-")
    assert from_text.figures == from_path.figures and from_text.meta == from_path.meta


def test_a_session_extracts_many_and_refuses_to_work_closed():
    with llmx.Extractor(design="rules") as ex:
        reports = [ex.extract(REPORT), ex.extract(REPORT.read_text(encoding="utf-8"))]
    assert [len(r.figures) for r in reports] == [len(reports[0].figures)] * 2
    with pytest.raises(llmx.LlmxError, match="not open"):
        ex.extract(REPORT)


def test_failures_are_typed_and_name_what_failed(tmp_path):
    with pytest.raises(llmx.InputError, match="missing.txt: no such file"):
        llmx.extract(str(tmp_path / "missing.txt"), design="rules")
    with pytest.raises(llmx.ConfigurationError, match="unknown design 'magic'"):
        llmx.extract(REPORT, design="magic")
    with pytest.raises(llmx.ConfigurationError, match="unknown report type 'nope'"):
        llmx.extract(REPORT, design="rules", report_type="nope")
    assert issubclass(llmx.ModelError, llmx.LlmxError) and issubclass(llmx.UnusableAnswer, llmx.LlmxError)


def test_a_design_that_needs_a_model_never_falls_back_to_rules_silently():
    with pytest.raises(llmx.ConfigurationError, match="'hybrid' needs a model"):
        Pipeline(llmx.load_report_type("fazhi"), design="hybrid")


def test_import_and_a_rules_run_load_no_model_stack():
    code = ("import sys, llmx; llmx.extract(sys.argv[1], design='rules');"
            "from llmx.apps import cli;"
            "print(sorted(m for m in ('openai', 'instructor', 'llama_cpp', 'httpx') if m in sys.modules))")
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, str(REPORT)], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_the_api_reads_model_path_and_no_cache_from_the_environment_as_the_cli_does(monkeypatch, tmp_path):
    """LLMX_MODEL_PATH and LLMX_NO_CACHE were honoured by the CLI only (issue 21)."""
    from llmx.model.config import from_options

    gguf = tmp_path / "m.gguf"
    monkeypatch.setenv("LLMX_MODEL_PATH", str(gguf))
    monkeypatch.setenv("LLMX_NO_CACHE", "1")
    config = llmx.Extractor(design="rules").config
    assert config.model_path == gguf and config.use_cache is False
    monkeypatch.setenv("LLMX_NO_CACHE", "0")
    assert from_options().use_cache is True
