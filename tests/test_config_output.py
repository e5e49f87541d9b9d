"""Configuration precedence, atomic output, and the CLI's handling of bad input."""

import contextlib
import json
import os
import sys

import pytest
from click.testing import CliRunner

from llmx.apps.cli import main
from llmx.model.config import from_options
from llmx.errors import LlmxError
from llmx.files import replacing, write_atomic
from conftest import CORPUS


def test_flags_beat_environment_beat_defaults(monkeypatch):
    monkeypatch.setenv("LLMX_BASE_URL", "http://env:1/v1")
    monkeypatch.setenv("LLMX_MODEL", "env-model")
    monkeypatch.delenv("LLMX_MODE", raising=False)
    c = from_options(base_url="http://flag:2/v1")
    assert (c.base_url, c.model, c.mode, c.temperature) == ("http://flag:2/v1", "env-model", "json", 0.0)
    assert not c.embedded


def test_no_endpoint_means_embedded(monkeypatch):
    for var in ("LLMX_BASE_URL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    assert from_options().embedded


def test_bad_mode_and_conflicting_flags_are_user_errors():
    with pytest.raises(LlmxError, match="unknown instructor mode"):
        from_options(mode="xml")
    with pytest.raises(LlmxError, match="not both"):
        from_options(base_url="http://x/v1", model_path="m.gguf")


def test_write_atomic_leaves_no_temporary_files(tmp_path):
    out = tmp_path / "sub" / "r.json"
    write_atomic(out, "{}\n")
    assert out.read_text() == "{}\n"
    assert [p.name for p in out.parent.iterdir()] == ["r.json"]


#: Every frame a write passes through, down to contextlib's enter and exit.
_WRITE_PATH = {write_atomic.__code__, replacing.__wrapped__.__code__,
               contextlib._GeneratorContextManager.__enter__.__code__,
               contextlib._GeneratorContextManager.__exit__.__code__}


def _interrupt_at_opcode(n: int):
    """A tracer raising KeyboardInterrupt before the n-th bytecode of ``write_atomic``: where a signal handler can run."""
    seen = 0

    def local(frame, event, arg):
        nonlocal seen
        if event == "opcode":
            seen += 1
            if seen == n:
                raise KeyboardInterrupt
        return local

    def tracer(frame, event, arg):
        if frame.f_code in _WRITE_PATH:
            frame.f_trace_opcodes = True
            return local
        return None

    return tracer


def test_write_atomic_interrupted_at_any_bytecode_leaves_old_or_new_file_and_no_temporary(tmp_path):
    out = tmp_path / "r.json"
    interrupted = 0
    for n in range(1, 1000):
        out.write_text("old\n")
        sys.settrace(_interrupt_at_opcode(n))
        try:
            write_atomic(out, "new\n")
        except KeyboardInterrupt:
            interrupted += 1
        finally:
            sys.settrace(None)
        assert [p.name for p in tmp_path.iterdir()] == ["r.json"], n
        assert out.read_text() in ("old\n", "new\n")
    assert 50 < interrupted < 999  # the tracer did reach every step, and the loop ran past the last one


@pytest.mark.parametrize("name, content, phrase", [
    ("missing.txt", None, "no such file"),
    ("empty.txt", b"", "empty"),
    ("x.txt", b"\x00\x01\x02abc", "binary"),
    ("r.xlsx", b"PK", "unsupported"),
])
def test_bad_input_is_one_line_nonzero_and_writes_nothing(tmp_path, name, content, phrase):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["extract", str(path), "--design", "rules", "-o", str(out)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("llmx: error:") and str(path) in lines[0]
    assert phrase in lines[0].lower()
    assert "Traceback" not in result.output
    assert not out.exists()


def test_endpoint_down_is_one_line_naming_the_url(tmp_path):
    out = tmp_path / "out.json"
    report = CORPUS / "000_463a946c1bd692f9.txt"
    result = CliRunner().invoke(main, ["extract", str(report), "--base-url", "http://127.0.0.1:9/v1",
                                       "--model", "m", "--design", "hybrid-all", "--cache-dir", str(tmp_path / "c"),
                                       "-o", str(out)])
    assert result.exit_code == 2
    assert "http://127.0.0.1:9/v1" in result.output and "unreachable" in result.output
    assert not out.exists()


def test_rules_design_writes_contract_json_without_any_model(tmp_path):
    out = tmp_path / "r.json"
    report = CORPUS / "000_463a946c1bd692f9.txt"
    result = CliRunner().invoke(main, ["extract", str(report), "--design", "rules", "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert list(data)[:6] == ["doc_id", "meta", "sections", "figures", "shortcomings", "next_year_plans"]
    assert all(f["verified"] for f in data["figures"]) and data["usage"]["calls"] == 0


def test_text_unlike_a_report_carries_a_warning(tmp_path):
    path = tmp_path / "recipe.txt"
    path.write_text("红烧肉做法：五花肉500克，冰糖30克，小火炖1小时。\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(path), "--design", "rules", "--quiet"])
    assert result.exit_code == 0
    assert json.loads(result.output)["warnings"] == [  # how many of the type's own words it holds: none
        "this text does not look like a fazhi report: no template element heading and 0 words of its vocabulary"]


def test_outputs_get_ordinary_permissions(tmp_path):
    out = tmp_path / "r.json"
    write_atomic(out, b"{}")
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
