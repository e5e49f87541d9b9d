"""``llmx batch``: summary, resume, failures, spreading over endpoints, and kill-safety.

Model traffic goes to ``FakeEndpoint`` (``faultserver.Replaying``): a small
OpenAI-compatible server that answers only with responses recorded from the
real model (``cassettes/``), matched on the request body as JSON, and can fail
or delay requests.
Copies of one report in other encodings and formats give the same text and
so the same requests, which is how a batch of many reports replays.
"""

from __future__ import annotations

import html
import dataclasses
import json
import re
import shutil
import signal
from pathlib import Path

import docx
import pytest

from llmx.reports.report_type import load_report_type
from click.testing import CliRunner

from llmx.apps.batch import ERRORS_FILE, Batch, summarize
from llmx.apps.resume import sweep_temp_files
from llmx.apps.batch_command import batch_command
from llmx.files import is_temp_name, temp_name
from llmx.model.config import LLMConfig
from llmx.text.load import load_document
from conftest import CORPUS, EMBEDDED_ALIAS, ROOT, corpus_files
from faultserver import Replaying as FakeEndpoint, kill_after_outputs, recorded_answers

REPORT_004 = CORPUS / "004_10dd5ecf361dedb7.txt"


@pytest.fixture(scope="module")
def answers():
    return recorded_answers()


# ---------------------------------------------------------------- report files


def copies_of_004(folder: Path, n_txt: int = 0) -> list[Path]:
    """Report 004 as UTF-8, GB18030, UTF-8-BOM, .docx and .html, plus ``n_txt`` more UTF-8 copies."""
    folder.mkdir(parents=True, exist_ok=True)
    text = load_document(REPORT_004).text
    files = {"c_utf8.txt": text.encode("utf-8"), "c_gb18030.txt": text.encode("gb18030"),
             "c_bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8")}
    files |= {f"c_copy{i:02d}.txt": text.encode("utf-8") for i in range(n_txt)}
    for name, raw in files.items():
        (folder / name).write_bytes(raw)
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(folder / "c_word.docx")
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in text.split("\n"))
    (folder / "c_page.html").write_text(
        f"<html><head><meta charset='utf-8'></head><body><div class='content'>{paragraphs}</div></body></html>",
        encoding="utf-8")
    return sorted(folder.glob("c_*"))


def corpus_copy(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(p, folder)) for p in corpus_files()]


SHIPPED_LABELLER = load_report_type("fazhi").labeller


def run_cli(*args: str):
    return CliRunner().invoke(batch_command, [*args], catch_exceptions=False)


def outputs(outdir: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(outdir.glob("*.json"))}


def mtimes(outdir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in outdir.glob("*.json")}


def summary_row(stderr: str) -> list[str]:
    """The numbers row of the summary table (done, skipped, failed, figures, calls, tokens, seconds, rate)."""
    rows = [line for line in stderr.splitlines() if re.fullmatch(r"[\s\d.│|]+", line) and "│" in line]
    return rows[-1].replace("│", " ").split()


# ---------------------------------------------------------------- rules: no model at all


def test_rules_batch_summary_outputs_and_resume(tmp_path, report_type):
    reports = corpus_copy(tmp_path / "in") + copies_of_004(tmp_path / "in")
    out = tmp_path / "out"
    first = run_cli(str(tmp_path / "in"), "-o", str(out), "--design", "rules")
    assert first.exit_code == 0, first.stderr
    results = outputs(out)
    assert set(results) == {p.stem for p in reports}
    for result in results.values():
        report_type.report_model.model_validate(result)
        assert result["source_sha256"] and result["config_hash"] and result["model"] is None
    figures = sum(len(r["figures"]) for r in results.values())
    assert summary_row(first.stderr)[:6] == [str(len(reports)), "0", "0", str(figures), "0", "0"]
    assert results["c_gb18030"]["figures"] == results["004_10dd5ecf361dedb7"]["figures"]
    assert not (out / ERRORS_FILE).exists()

    before = mtimes(out)
    again = run_cli(str(tmp_path / "in"), "-o", str(out), "--design", "rules")
    assert again.exit_code == 0
    assert summary_row(again.stderr)[:3] == ["0", str(len(reports)), "0"]
    assert mtimes(out) == before

    changed = tmp_path / "in" / "c_utf8.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n另组织培训 3 次。\n", encoding="utf-8")
    third = run_cli(str(tmp_path / "in"), "-o", str(out), "--design", "rules")
    assert summary_row(third.stderr)[:3] == ["1", str(len(reports) - 1), "0"]
    assert {k for k, v in mtimes(out).items() if before[k] != v} == {"c_utf8.json"}


@pytest.mark.parametrize("change", ["design", "labeller"])
def test_resume_redoes_every_report_when_the_configuration_changes(tmp_path, change):
    """A result made under another design or another labeller is not current: nothing is skipped."""
    corpus_copy(tmp_path / "in")
    out = tmp_path / "out"
    assert run_cli(str(tmp_path / "in"), "-o", str(out), "--design", "rules").exit_code == 0
    n = len(outputs(out))
    if change == "design":
        args = ["--design", "learned"]
    else:
        from llmx.engine.learned import load_labeller

        other = load_labeller(SHIPPED_LABELLER)
        path = tmp_path / "other.npz"
        with path.open("wb") as fh:
            dataclasses.replace(other, info={**other.info, "unsure_below": 0.5}).save(fh)
        args = ["--design", "rules", "--labeller", str(path)]
    redo = run_cli(str(tmp_path / "in"), "-o", str(out), *args)
    assert redo.exit_code == 0, redo.stderr
    assert summary_row(redo.stderr)[:3] == [str(n), "0", "0"]
    same = run_cli(str(tmp_path / "in"), "-o", str(out), *args)
    assert summary_row(same.stderr)[:3] == ["0", str(n), "0"]


def test_bad_files_and_name_collisions_fail_alone(tmp_path, report_type):
    folder = tmp_path / "in"
    good = corpus_copy(folder)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "001_acdc9367334b1221.html").write_text("<p>法治政府</p>", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli(str(folder / "*.txt"), str(folder / "*.html"), "-o", str(out), "--design", "rules")
    assert result.exit_code == 1
    assert summary_row(result.stderr)[:3] == [str(len(good) - 1), "0", "4"]
    errors = [json.loads(line) for line in (out / ERRORS_FILE).read_text(encoding="utf-8").splitlines()]
    by_file = {Path(e["file"]).name: e["error"] for e in errors}
    assert set(by_file) == {"empty.txt", "binary.txt", "001_acdc9367334b1221.txt", "001_acdc9367334b1221.html"}
    assert "empty" in by_file["empty.txt"] and "binary" in by_file["binary.txt"]
    assert "also claimed by" in by_file["001_acdc9367334b1221.html"]
    assert all(e["time"] for e in errors)
    assert set(outputs(out)) == {p.stem for p in good} - {"001_acdc9367334b1221"}


def test_batch_api_counts_and_stale_temp_files_are_swept(tmp_path, report_type):
    out = tmp_path / "out"
    out.mkdir()
    leftover = out / temp_name("000_463a946c1bd692f9.json")  # what a kill -9 mid-write leaves
    leftover.write_text("{partial", encoding="utf-8")
    batch = Batch(report_type, "rules", [LLMConfig()], out, workers=2)
    outcomes = batch.run(corpus_copy(tmp_path / "in"))
    summary = summarize(outcomes, 30.0)
    assert summary["done"] == 5 and summary["reports_per_minute"] == 10.0
    assert summary["figures"] == sum(len(r["figures"]) for r in outputs(out).values())
    assert not leftover.exists()


USERS_HIDDEN_FILES = [".budget.2024.tmp", ".my notes.v2.tmp", ".000_463a946c1bd692f9.json.abc123.tmp",
                      ".llmx-0123.x.tmp", ".llmx-0123456789abcdef.tmp", ".llmx-0123456789ABCDEF.x.tmp"]


def test_batch_sweeps_only_names_llmx_makes(tmp_path):
    """The sweep once matched any ``.X.Y.tmp`` and deleted a user's files; now only llmx's own names."""
    out = tmp_path / "out"
    out.mkdir()
    for name in USERS_HIDDEN_FILES:
        (out / name).write_text("mine", encoding="utf-8")
    ours = [out / temp_name("r.json"), out / temp_name("s.json")]
    for path in ours:
        path.write_text("{partial", encoding="utf-8")
    assert all(not is_temp_name(n) for n in USERS_HIDDEN_FILES) and all(is_temp_name(p.name) for p in ours)
    assert sweep_temp_files(out) == 2  # each leftover of ours, counted
    assert sweep_temp_files(tmp_path / "not-made-yet") == 0  # a first run: no folder, nothing to sweep
    assert sorted(p.name for p in out.iterdir()) == sorted(USERS_HIDDEN_FILES)
    result = run_cli(str(CORPUS / "000_463a946c1bd692f9.txt"), "-o", str(out), "--design", "rules")
    assert result.exit_code == 0, result.output
    assert all((out / n).read_text(encoding="utf-8") == "mine" for n in USERS_HIDDEN_FILES)


def test_no_reports_is_a_usage_error(tmp_path):
    result = run_cli(str(tmp_path / "*.txt"), "-o", str(tmp_path / "out"), "--design", "rules")
    assert result.exit_code == 2 and "no reports found" in result.stderr


# ---------------------------------------------------------------- against (fake) endpoints


def test_two_endpoints_share_the_work_and_retry_injected_failures(tmp_path, answers, report_type):
    reports = corpus_copy(tmp_path / "in") + copies_of_004(tmp_path / "in", n_txt=2)
    out = tmp_path / "out"
    with FakeEndpoint(answers, fail_every=4, delay=0.05) as a, FakeEndpoint(answers, fail_every=5) as b:
        result = run_cli(str(tmp_path / "in"), "-o", str(out), "-j", "2", "--design", "hybrid-all",
                         "--base-url", a.url, "--base-url", b.url, "--no-cache", "--cache-dir", str(tmp_path / "cache"),
                         "--retry-wait", "0.01")
        assert result.exit_code == 0, result.stderr
        assert a.count(200) > 0 and b.count(200) > 0  # both endpoints answered
        assert a.count(503) + b.count(503) > 0  # failures were injected, and retried away
        assert a.count(400) == b.count(400) == 0  # every request was a recorded one
        results = outputs(out)
        assert set(results) == {p.stem for p in reports}
        row = summary_row(result.stderr)
        assert row[:3] == [str(len(reports)), "0", "0"]
        assert int(row[4]) == a.requests + b.requests  # calls = every request sent, retried 503s included
        for r in results.values():
            report_type.report_model.model_validate(r)
            assert r["model"] == EMBEDDED_ALIAS and r["usage"]["calls"] >= 1
        # the same answers for every copy (the .html copy has no blank lines, so other offsets)
        copies = [[(f["indicator"], f["value"], f["evidence"]) for f in r["figures"]]
                  for name, r in results.items() if name.startswith("c_")]
        assert copies[0] and all(figures == copies[0] for figures in copies)

        served = a.count(200) + b.count(200)
        again = run_cli(str(tmp_path / "in"), "-o", str(out), "-j", "2", "--design", "hybrid-all",
                        "--base-url", b.url, "--base-url", a.url,
                        "--no-cache", "--cache-dir", str(tmp_path / "cache"))
        assert summary_row(again.stderr)[:3] == ["0", str(len(reports)), "0"]
        assert a.count(200) + b.count(200) == served


def test_failing_endpoint_fails_reports_not_the_batch(tmp_path, answers):
    copies_of_004(tmp_path / "in")
    out = tmp_path / "out"
    with FakeEndpoint(answers, fail_every=1, fail_status=500) as down:
        result = run_cli(str(tmp_path / "in" / "*.txt"), "-o", str(out), "--design", "hybrid-all", "--base-url", down.url,
                         "--model", EMBEDDED_ALIAS, "--no-cache", "--retry-wait", "0.001")
    assert result.exit_code == 1
    errors = (out / ERRORS_FILE).read_text(encoding="utf-8").splitlines()
    assert len(errors) == 3 and all(down.url in json.loads(e)["error"] for e in errors)
    assert down.count(500) == 3 * 4  # every report retried 4 times, then given up
    assert not list(out.glob("*.json"))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_killed_batch_leaves_whole_files_and_resumes_each_report_once(tmp_path, answers, report_type, sig):
    reports = copies_of_004(tmp_path / "in", n_txt=11)
    out = tmp_path / "out"
    args = [str(tmp_path / "in"), "-o", str(out), "-j", "2", "--no-cache", "--cache-dir", str(tmp_path / "cache"),
            "--design", "hybrid-all"]
    with FakeEndpoint(answers, delay=0.1) as slow:
        returncode, stderr = kill_after_outputs(["llmx.apps.batch_command", *args, "--base-url", slow.url], out, 3, sig, ROOT)
        assert returncode == (130 if sig == signal.SIGTERM else -signal.SIGKILL), stderr
        kept = outputs(out)  # every file there parses: none is partial
        assert 3 <= len(kept) < len(reports)
        for result in kept.values():
            report_type.report_model.model_validate(result)
        if sig == signal.SIGTERM:
            assert not [p for p in out.iterdir() if p.name.startswith(".")]
        before, served = mtimes(out), slow.count(200)

        again = run_cli(*args, "--design", "hybrid-all", "--base-url", slow.url)
        assert again.exit_code == 0, again.stderr
        assert summary_row(again.stderr)[:3] == [str(len(reports) - len(kept)), str(len(kept)), "0"]
        new = {k: v for k, v in outputs(out).items() if k not in kept}
        assert len(new) == len(reports) - len(kept)
        per_report = next(iter(kept.values()))["usage"]["calls"]
        assert all(r["usage"]["calls"] == per_report for r in new.values())
        assert slow.count(200) - served == per_report * len(new)  # only the missing reports were asked
    assert set(outputs(out)) == {p.stem for p in reports}
    assert all(mtimes(out)[name] == t for name, t in before.items())  # nothing done twice
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_quiet_batch_prints_only_failures_and_warnings(tmp_path):
    """``--quiet`` as on extract: no progress, no per-report line, no summary; failures still."""
    folder = tmp_path / "in"
    corpus_copy(folder)
    out = tmp_path / "out"
    quiet = run_cli(str(folder), "-o", str(out), "--design", "rules", "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert len(outputs(out)) == 5
    (folder / "empty.txt").write_bytes(b"")
    failing = run_cli(str(folder), "-o", str(out), "--design", "rules", "--quiet")
    lines = failing.stderr.strip().splitlines()
    assert failing.exit_code == 1 and len(lines) == 1, failing.stderr
    assert "failed" in lines[0] and "empty.txt" in lines[0]
    loud = run_cli(str(folder), "-o", str(out), "--design", "rules")
    assert "skipped" in loud.stderr and "done" in loud.stderr  # the default still reports each one


def test_every_part_of_the_configuration_decides_whether_a_result_is_current(tmp_path, report_type):
    """Resume keeps a result only when it was made exactly as this run would make it: changing any one
    part of the configuration changes the digest a result is checked against (issue 22)."""
    from pydantic import create_model

    from llmx.apps.resume import config_hash
    from llmx.model.llm import LLM, ResponseCache

    def digest(design: str = "hybrid", prompt: str | None = None, model: str = "m", endpoint: str = "e",
               mode: str = "json", temperature: float = 0.0, reasks: int = 2, of=report_type) -> str:
        config = LLMConfig(base_url="http://127.0.0.1:9/v1", model=model, mode=mode, temperature=temperature,
                           reasks=reasks)
        llm = LLM(config, base_url=config.base_url or "", model=model, endpoint_id=endpoint,
                  cache=ResponseCache(None))
        try:
            return config_hash(of, design, prompt, llm)
        finally:
            llm.close()

    other_labeller = tmp_path / "other.npz"
    other_labeller.write_bytes(b"another labeller")
    changes = {"design": dict(design="hybrid-all"), "prompt": dict(prompt="name-v0"), "model": dict(model="m2"),
               "endpoint": dict(endpoint="e2"), "mode": dict(mode="tools"), "sampling": dict(temperature=0.7),
               "reasks": dict(reasks=0), "labeller": dict(of=dataclasses.replace(report_type, labeller=other_labeller)),
               "type": dict(of=dataclasses.replace(report_type, name="other_type")),
               "schema": dict(of=dataclasses.replace(report_type, report_model=create_model("Other", note=(str, ""))))}
    base = digest()
    assert digest() == base  # the same configuration: the same digest
    changed = {name: digest(**change) for name, change in changes.items()}
    assert all(h != base for h in changed.values()), [n for n, h in changed.items() if h == base]
    # rules asks no model: model settings do not make its results stale, its own parts do
    assert config_hash(report_type, "rules", None, None) != config_hash(report_type, "learned", None, None)
    assert digest(design="rules") == digest(design="rules", model="m2", endpoint="e2", temperature=0.7)
    assert digest(design="rules") == config_hash(report_type, "rules", None, None)
    # a report type that ships no labeller has a digest too, and not the one of the type with its labeller
    bare = dataclasses.replace(report_type, labeller=None)
    assert config_hash(bare, "rules", None, None) != config_hash(report_type, "rules", None, None)
