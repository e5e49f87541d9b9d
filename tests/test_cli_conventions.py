"""CLI habits (issue 14, point 4): -h, - for stdin, an environment variable per option, --json,
folders ending in /, documented exit codes, and --trace keeping every model call."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from conftest import CORPUS, GOLD, ROOT
from faultserver import MALFORMED, LoopbackServer, Replaying, always, recorded_answers
from llmx.apps.cli import main
from llmx.apps.conventions import commands, env_name, settable

REPORT = CORPUS / "000_463a946c1bd692f9.txt"
TRACED = CORPUS / "004_10dd5ecf361dedb7.txt"  # its hybrid traffic is recorded (cassettes/)


def llmx(*args: str, input: bytes | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def rules(*args: str, **kw):
    return llmx("extract", *args, "--design", "rules", "--quiet", **kw)


# ---------------------------------------------------------------- -h


@pytest.mark.parametrize("path", [p for p, _ in commands(main)], ids=lambda p: " ".join(p) or "llmx")
def test_every_command_takes_dash_h(path):
    result = llmx(*path, "-h")
    assert result.exit_code == 0 and result.output.startswith("Usage:"), result.output


# ---------------------------------------------------------------- environment variables


def sample(option: click.Option) -> tuple[str, object]:
    """A value for the option's variable and what the command must then receive."""
    kind = option.type
    if option.is_flag:
        return "1", True
    if isinstance(kind, click.Choice):
        return str(kind.choices[-1]), kind.choices[-1]
    if isinstance(kind, click.types.IntParamType):
        return "3", 3
    if isinstance(kind, click.FloatRange) and kind.min is not None and kind.max is not None:
        middle = (kind.min + kind.max) / 2  # a value the range admits (--floor: 0..1)
        return str(middle), middle
    if isinstance(kind, click.types.FloatParamType):
        return "2.5", 2.5
    return "from-env", "from-env"


def options():
    for path, command in commands(main):
        for option in command.params:
            if settable(option):
                yield pytest.param(path, option, id=f"{' '.join(path) or 'llmx'} {option.opts[-1]}")


def context(path: tuple[str, ...]) -> click.Context:
    """The command's context as the CLI builds it (parents first), with placeholder arguments."""
    ctx = click.Context(main, info_name="llmx")
    command: click.Command = main
    for name in path:
        command = command.commands[name]  # type: ignore[attr-defined]
        args = ["x"] * sum(isinstance(p, click.Argument) and p.required for p in command.params)
        ctx = command.make_context(name, args, parent=ctx, resilient_parsing=isinstance(command, click.Group))
    return ctx


@pytest.mark.parametrize("path, option", list(options()))
def test_every_option_is_set_by_an_environment_variable(monkeypatch, path, option):
    raw, expected = sample(option)
    name = env_name(path, option)
    assert name.startswith("LLMX_")
    command = dict(commands(main))[path]
    for other in command.params:  # required options of the command get a placeholder the same way
        if settable(other) and other.required and other is not option:
            monkeypatch.setenv(env_name(path, other), "x")
    monkeypatch.setenv(name, raw)
    value = context(path).params[option.name]
    value = tuple(map(str, value)) if option.multiple else value if isinstance(value, (bool, int, float)) else str(value)
    assert value == ((expected,) if option.multiple else expected), (name, value)


def test_shared_model_options_keep_one_short_variable():
    extract = dict(commands(main))[("extract",)]
    names = {o.name: env_name(("extract",), o) for o in extract.params if settable(o)}
    assert names["base_url"] == "LLMX_BASE_URL" and names["design"] == "LLMX_DESIGN"
    assert names["trace_dir"] == "LLMX_TRACE" and names["output"] == "LLMX_EXTRACT_OUTPUT"
    batch = dict(commands(main))[("batch",)]
    assert {env_name(("batch",), o) for o in batch.params if settable(o)} >= {"LLMX_BATCH_JOBS", "LLMX_BATCH_OUTPUT"}


def test_environment_variable_drives_a_real_run(tmp_path):
    out = tmp_path / "out.json"
    assert llmx("extract", str(REPORT), "-o", str(out), env={"LLMX_DESIGN": "rules", "LLMX_EXTRACT_QUIET": "1"}
                ).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["prompt_version"] == "rules"


# ---------------------------------------------------------------- - reads stdin


def test_dash_reads_a_report_from_stdin(tmp_path):
    from_file, piped = tmp_path / "file.json", tmp_path / "out"
    assert rules(str(REPORT), "-o", str(from_file)).exit_code == 0
    result = rules("-", "-o", f"{piped}/", input=REPORT.read_bytes())
    assert result.exit_code == 0, result.output
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (from_file, piped / "stdin.json"))
    assert b["doc_id"] == "stdin" and b["figures"] == a["figures"] and b["meta"] == a["meta"]


def test_stdin_format_is_told_by_its_bytes(tmp_path):
    from test_sources import make_pdf

    pdf = make_pdf([["某市2023年法治政府建设年度报告", "全年办理行政复议案件12件"]])
    result = rules("-", input=pdf)
    assert result.exit_code == 0, result.output
    assert [f["value"] for f in json.loads(result.stdout)["figures"]] == [12]


def test_empty_stdin_is_one_line():
    result = rules("-", input=b"")
    assert result.exit_code == 2 and result.stderr.strip() == "llmx: error: stdin.txt: standard input is empty (no text)"


# ---------------------------------------------------------------- --json


def test_extract_json_summary_describes_what_was_written(tmp_path):
    reports = [CORPUS / "000_463a946c1bd692f9.txt", CORPUS / "001_acdc9367334b1221.txt"]
    result = llmx("extract", *map(str, reports), "--design", "rules", "-o", f"{tmp_path}/", "--json")
    assert result.exit_code == 0 and result.stderr == ""  # --json implies quiet
    summary = json.loads(result.stdout)
    assert summary["written"] == 2
    for entry, report in zip(summary["reports"], reports):
        written = json.loads(Path(entry["output"]).read_text(encoding="utf-8"))
        assert entry["doc_id"] == report.stem and entry["figures"] == len(written["figures"])


def test_json_needs_results_in_files():
    result = llmx("extract", str(REPORT), "--design", "rules", "--json")
    assert result.exit_code == 2 and "give -o" in result.stderr and result.stdout == ""


def test_batch_and_score_json_summaries(tmp_path):
    out = tmp_path / "out"
    batch = llmx("batch", str(CORPUS), "-o", str(out), "--design", "rules", "--json")
    assert batch.exit_code == 0, batch.output
    summary = json.loads(batch.stdout)
    assert (summary["done"], summary["failed"]) == (5, 0)
    assert summary["figures"] == sum(len(json.loads(p.read_text(encoding="utf-8"))["figures"])
                                     for p in out.glob("*.json"))
    scored = llmx("score", str(out), str(GOLD), "--json")
    assert scored.exit_code == 0 and json.loads(scored.stdout)["reports"] == 5


# ---------------------------------------------------------------- paths ending in /


def test_every_output_file_option_takes_a_folder(tmp_path):
    rules(str(REPORT), "-o", f"{tmp_path}/results/")
    results = tmp_path / "results"
    cases = [
        (["table", str(results), "--csv", f"{tmp_path}/csv/"], ["csv/indicators.csv", "csv/indicators_reports.csv"]),
        (["table", str(results), "--xlsx", f"{tmp_path}/xlsx/"], ["xlsx/summary.xlsx"]),
        (["review", str(results / f"{REPORT.stem}.json"), "-o", f"{tmp_path}/html/"], [f"html/{REPORT.stem}.html"]),
        (["score", str(results), str(GOLD), "-o", f"{tmp_path}/scores/"], ["scores/scores.json"]),
        (["export", str(results), "--sqlite", f"{tmp_path}/db/"], ["db/results.db"]),
    ]
    for args, made in cases:
        result = llmx(*args)
        assert result.exit_code in (0, 1), result.output  # score exits 0; nothing here is below a threshold
        for name in made:
            assert (tmp_path / name).is_file(), (args, name)


# ---------------------------------------------------------------- exit codes


def test_exit_codes_are_the_documented_ones(tmp_path):
    documented = dict(re.findall(r"^\| `(\d+)` \| (.+?) \|$", (ROOT / "docs" / "cli.md").read_text(encoding="utf-8"),
                                 re.M))
    assert set(documented) == {"0", "1", "2", "130"}
    out = tmp_path / "out"
    assert rules(str(REPORT), "-o", f"{out}/").exit_code == 0
    assert llmx("score", str(out), str(GOLD), "--fail-under", "figure_f1=0.99").exit_code == 1  # 4 reports missing
    assert rules(str(tmp_path / "missing.txt")).exit_code == 2


# ---------------------------------------------------------------- --trace


def traces(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("call-*.json"))]


def test_trace_keeps_the_raw_text_of_an_unusable_answer(tmp_path):
    trace = tmp_path / "trace"
    with LoopbackServer(always(MALFORMED)) as server:
        result = llmx("extract", str(TRACED), "--quiet", "-o", str(tmp_path / "out.json"), "--base-url", server.url,
                      "--model", server.model, "--cache-dir", str(tmp_path / "cache"), "--trace", str(trace),
                      "--design", "hybrid-all")
        asked = server.requests
    assert result.exit_code == 0, result.output
    calls = traces(trace)
    sent = json.loads(MALFORMED.body)["choices"][0]["message"]["content"]
    assert len(calls) == asked >= 2
    assert all(c["raw_answer"] == sent and c["messages"][-1]["role"] == "user" for c in calls)
    assert all("parse_error" in c for c in calls)  # each says why its answer was unusable


def test_trace_of_a_healthy_run_holds_each_recorded_answer_and_its_prompt(tmp_path):
    answers = recorded_answers()
    trace = tmp_path / "trace"
    with Replaying(answers) as server:
        result = llmx("extract", str(TRACED), "--quiet", "-o", str(tmp_path / "out.json"), "--base-url", server.url,
                      "--model", server.model, "--cache-dir", str(tmp_path / "cache"), "--trace", str(trace),
                      "--design", "hybrid-all")
        assert server.count(400) == 0
        asked = server.requests
    assert result.exit_code == 0, result.output
    calls = traces(trace)
    assert len(calls) == asked >= 1
    recorded: dict[str, set[str]] = {}  # the same messages were recorded under several sampling settings
    for req, resp in answers:
        key = json.dumps(req["messages"], sort_keys=True, ensure_ascii=False)
        recorded.setdefault(key, set()).add(json.loads(resp)["choices"][0]["message"]["content"])
    for call in calls:
        assert call["raw_answer"] in recorded[json.dumps(call["messages"], sort_keys=True, ensure_ascii=False)]


def test_a_mistyped_command_is_told_the_nearest_although_commands_load_lazily():
    result = CliRunner().invoke(main, ["extrac"])
    assert result.exit_code == 2 and "Did you mean 'extract'?" in result.output
