"""Every ``LLMX_*`` setting acts the same through the Python API as through the CLI (issue 21).

One option table (``llmx/options.py``) serves both doors.  For each setting
the table names, a variable is set and one report is extracted twice:
``llmx.extract`` with no arguments but the report, and ``llmx extract`` with
no flags.  What each door produced is compared: the result (minus its
timing), or the one error line, and the files the setting says where to
write.  Model settings run against a real loopback server that answers with
the embedded model's recorded answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import llmx
from llmx.apps.cli import main
from llmx.errors import LlmxError
from llmx.options import BY_NAME, SETTINGS
from conftest import CORPUS
from faultserver import Replaying, recorded_answers

REPORT = CORPUS / "004_10dd5ecf361dedb7.txt"  # its hybrid traffic is recorded (cassettes/)


def _server_env(server: Replaying, tmp: Path) -> dict[str, str]:
    return {"LLMX_DESIGN": "hybrid-all", "LLMX_BASE_URL": server.url, "LLMX_MODEL": server.model,
            "LLMX_CACHE_DIR": str(tmp / "cache")}


#: Per setting: (the variables to set, given a loopback server and a folder; the files to compare, under
#: that folder).  A setting added to the table without a case here fails ``test_every_setting_has_a_case``.
CASES = {
    "base_url": (lambda s, t: _server_env(s, t), ()),
    # another model name: the request differs from every recorded one, and the server refuses it
    "model": (lambda s, t: _server_env(s, t) | {"LLMX_MODEL": "no-such-model"}, ()),
    "api_key": (lambda s, t: _server_env(s, t) | {"LLMX_API_KEY": "sk-test"}, ()),
    "mode": (lambda s, t: _server_env(s, t) | {"LLMX_MODE": "carrier-pigeon"}, ()),
    "model_path": (lambda s, t: {"LLMX_DESIGN": "hybrid", "LLMX_MODEL_PATH": str(t / "missing.gguf")}, ()),
    "cache_dir": (lambda s, t: _server_env(s, t) | {"LLMX_CACHE_DIR": str(t / "elsewhere")}, ("elsewhere",)),
    "no_cache": (lambda s, t: _server_env(s, t) | {"LLMX_NO_CACHE": "1"}, ("cache",)),
    "trace_dir": (lambda s, t: _server_env(s, t) | {"LLMX_TRACE": str(t / "trace")}, ("trace",)),
    "timeout": (lambda s, t: _server_env(s, t) | {"LLMX_TIMEOUT": "soon"}, ()),
    "deadline": (lambda s, t: _server_env(s, t) | {"LLMX_DEADLINE": "-5"}, ()),
    "design": (lambda s, t: {"LLMX_DESIGN": "learned"}, ()),
    "prompt_version": (lambda s, t: _server_env(s, t) | {"LLMX_PROMPT": "name-v0"}, ()),
    "report_type": (lambda s, t: {"LLMX_TYPE": "no_such_type"}, ()),
    "labeller": (lambda s, t: {"LLMX_LABELLER": str(t / "no-labeller.npz")}, ()),
}


def test_every_setting_has_a_case():
    assert set(CASES) == set(BY_NAME)


def _outcome(result: dict | None, error: str | None, root: Path, files: tuple[str, ...]) -> dict:
    if result is not None:
        result = {k: v for k, v in result.items() if k != "usage"}
    listed = {f: sorted(str(p.relative_to(root / f)) for p in (root / f).rglob("*") if p.is_file()) for f in files}
    return {"result": result, "error": error, "files": {f: len(v) for f, v in listed.items()}}


def _through_api(root: Path, files: tuple[str, ...]) -> dict:
    try:
        return _outcome(llmx.extract(REPORT).model_dump(mode="json"), None, root, files)
    except LlmxError as exc:
        return _outcome(None, str(exc), root, files)


def _through_cli(root: Path, files: tuple[str, ...], env: dict[str, str]) -> dict:
    out = root / "out.json"
    result = CliRunner().invoke(main, ["extract", str(REPORT), "-o", str(out), "--quiet"], env=env)
    if result.exit_code == 0:
        return _outcome(json.loads(out.read_text(encoding="utf-8")), None, root, files)
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    return _outcome(None, result.stderr.strip().splitlines()[-1], root, files)


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_each_variable_acts_the_same_through_the_api_as_through_the_cli(name, tmp_path, monkeypatch):
    make_env, files = CASES[name]
    for variable in [s.variable for s in SETTINGS] + ["OPENAI_API_KEY", "OPENAI_BASE_URL"]:
        monkeypatch.delenv(variable, raising=False)
    with Replaying(recorded_answers()) as server:
        outcomes = []
        for door in ("api", "cli"):
            root = tmp_path / door
            root.mkdir()
            env = make_env(server, root)
            if door == "api":
                for variable, value in env.items():
                    monkeypatch.setenv(variable, value)
                outcomes.append(_through_api(root, files))
                for variable in env:
                    monkeypatch.delenv(variable)
            else:
                outcomes.append(_through_cli(root, files, env))
    api, cli = outcomes
    if api["error"] or cli["error"]:  # both refuse, naming the value the variable gave
        value = next(v for k, v in make_env(server, tmp_path).items() if k == BY_NAME[name].variable)
        shown = Path(value).name if "/" in value else value
        same = str(cli["error"]).removeprefix("llmx: error: ") == api["error"]
        assert same or (shown in str(api["error"]) and shown in str(cli["error"])), (api["error"], cli["error"])
        api["error"] = cli["error"] = "refused"
    assert api == cli
    # and the variable did something: the outcome differs from the one without it (or writes its files)
    assert api["error"] or api["files"] or api["result"]["prompt_version"] != "rules" or name == "base_url"


def test_the_variable_wins_over_the_default_and_a_given_value_over_the_variable(monkeypatch):
    monkeypatch.setenv("LLMX_DESIGN", "learned")
    assert llmx.extract(REPORT).prompt_version == "learned"
    assert llmx.extract(REPORT, design="rules").prompt_version == "rules"
