"""The fault matrix of issue 12, against real misbehaving servers on 127.0.0.1 (``faultserver``).

Each test names the failure it proves gone: unusable answers passed off as
the model's and cached (1), unbounded waits and ignored Retry-After (2), a
damaged cache crashing every run (3), all-or-nothing multi-report extract
(4), ``-o out/`` written as a file (5), and the smaller ones (8).
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmx.apps.batch_command import batch_command
from llmx.apps.cli import main
from llmx.model.config import LLMConfig
from llmx.errors import LlmxError, UnusableAnswer
from llmx.model.llm import LLM, ResponseCache
from llmx.engine.phrases import Phrases
from conftest import CORPUS, EMBEDDED_ALIAS, ROOT
from faultserver import (CUT_BODY, DROP, EMPTY_BODY, HANG, HTML_PAGE, MALFORMED, OFF_SCHEMA, PLAIN_TEXT, LoopbackServer,
                         Replaying, Reply, always, completion, kill_after_outputs, recorded_answers, replay, status)

REPORT = CORPUS / "004_10dd5ecf361dedb7.txt"  # its hybrid traffic is recorded (cassettes/)


@pytest.fixture(scope="module")
def answers():
    return recorded_answers()


def extract(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["extract", *args], env=env, catch_exceptions=False)


def model_args(server: LoopbackServer, cache: Path, *more: str) -> list[str]:
    return ["--base-url", server.url, "--model", server.model, "--cache-dir", str(cache), "--design", "hybrid-all",
            *more]


def one_error_line(result, *fragments: str) -> str:
    """The run failed with exactly one line on stderr, naming what went wrong."""
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith("llmx: error:") and "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def warnings_on_stderr(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("llmx: warning:")]


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def copies(folder: Path, n: int) -> list[Path]:
    """``n`` copies of REPORT (same text, so the same model requests), named r1..rn in order."""
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(REPORT, folder / f"r{i}.txt")) for i in range(1, n + 1)]


# ---------------------------------------------------------------- 1. unusable answers


UNUSABLE = {"malformed-json": MALFORMED, "off-schema": OFF_SCHEMA, "html-page": HTML_PAGE, "empty-body": EMPTY_BODY,
            "plain-text": PLAIN_TEXT, "cut-off-body": CUT_BODY}


@pytest.mark.parametrize("design", ["hybrid-all", "hybrid", "llm"])
@pytest.mark.parametrize("broken", list(UNUSABLE.values()), ids=list(UNUSABLE))
def test_unusable_answer_is_reasked_admitted_and_never_cached(tmp_path, broken, design):
    """Whatever shape an unusable answer takes, every design warns, says which numbers the model did not
    decide, counts every request, and caches nothing (issue 19: an HTML page was a silent, cached fallback)."""
    report = REPORT if design != "hybrid" else CORPUS / "002_fbe45d23903cb0be.txt"  # 004: no figure unsure
    code_only = "learned" if design == "hybrid" else "rules"  # hybrid keeps the learned labels the model failed to move
    rules = read_json(_code_output(tmp_path, report, code_only))
    out = tmp_path / "out.json"
    with LoopbackServer(always(broken)) as server:
        args = [*model_args(server, tmp_path / "cache"), "--design", design]
        first = extract(str(report), "-o", str(out), "--quiet", *args)
        asked_first = server.requests
        result = read_json(out)
        again = extract(str(report), "-o", str(out), "--quiet", *args)
        asked_again = server.requests - asked_first
    assert first.exit_code == again.exit_code == 0, first.output
    assert result["model"] is None and result["prompt_version"] == code_only  # not the model's labels
    assert result["figures"] == rules["figures"]  # the ranker kept every figure
    warned = [w for w in result["warnings"] if w.startswith("model answer unusable")]
    assert len(warned) == 1
    # which numbers the model did not decide, each as text@offset: the figures among them by their own start
    named = dict(item.rsplit("@", 1)[::-1] for item in warned[0].split("(text@offset): ")[1].split(" (last")[0].split(", "))
    text = report.read_text(encoding="utf-8")
    assert named and all(text[int(at):].startswith(number) for at, number in named.items())
    assert any(str(f["start"]) in named for f in rules["figures"])
    stderr_warnings = warnings_on_stderr(first)
    assert len(stderr_warnings) == 1 and str(report) in stderr_warnings[0]  # even with --quiet
    # the hybrid designs ask with no re-asks, but an unusable answer is re-asked once anyway; llm re-asks twice
    per_request = 3 if design == "llm" else 2
    assert asked_first >= per_request and asked_first % per_request == 0
    assert result["usage"]["calls"] == asked_first  # every request sent is counted, answered or not
    # nothing was cached: the rerun asks the server again instead of replaying the verdict
    assert asked_again == asked_first and read_json(out)["usage"]["cache_hits"] == 0


def _code_output(tmp_path: Path, report: Path = REPORT, design: str = "rules") -> Path:
    out = tmp_path / f"{design}.json"
    assert extract(str(report), "--design", design, "--quiet", "-o", str(out)).exit_code == 0
    return out


class Switchable:
    """Broken answers until ``healthy`` is set, then the real model's recorded ones."""

    def __init__(self, answers, broken: Reply):
        self.healthy, self.broken, self._replay = False, broken, replay(answers)

    def __call__(self, n: int, body: bytes) -> Reply:
        return self._replay(n, body) if self.healthy else self.broken


@pytest.mark.parametrize("broken", [MALFORMED, HTML_PAGE], ids=["malformed", "html-page"])
def test_a_healthy_server_after_a_broken_one_is_asked_again(tmp_path, answers, broken):
    """The issue's scenario: same endpoint, same cache; the fallback must not be replayed."""
    responder = Switchable(answers, broken)
    out = tmp_path / "out.json"
    with LoopbackServer(responder, model=EMBEDDED_ALIAS) as server:
        broken = extract(str(REPORT), "-o", str(out), *model_args(server, tmp_path / "cache"))
        assert broken.exit_code == 0 and read_json(out)["model"] is None
        responder.healthy = True
        healthy = extract(str(REPORT), "-o", str(out), *model_args(server, tmp_path / "cache"))
        assert server.count(400) == 0  # every healthy request was a recorded one
    assert healthy.exit_code == 0, healthy.output
    result = read_json(out)
    assert result["model"] == EMBEDDED_ALIAS and result["usage"]["calls"] >= 1
    assert not warnings_on_stderr(healthy)


def test_batch_counts_degraded_reports_and_redoes_them_on_resume(tmp_path, answers):
    reports = copies(tmp_path / "in", 2)
    out = tmp_path / "out"
    args = [str(tmp_path / "in"), "-o", str(out), "--no-cache", "--retry-wait", "0.01", "--design", "hybrid-all"]
    responder = Switchable(answers, OFF_SCHEMA)
    with LoopbackServer(responder, model=EMBEDDED_ALIAS) as server:
        broken = CliRunner().invoke(batch_command, [*args, "--base-url", server.url], catch_exceptions=False)
        assert broken.exit_code == 0, broken.output
        assert "2 reports were labelled partly by rules" in broken.stderr
        assert all(read_json(out / f"{p.stem}.json")["config_hash"].startswith("degraded:") for p in reports)
        quiet = CliRunner().invoke(batch_command, [*args, "--base-url", server.url, "--quiet"],
                                   catch_exceptions=False)
        assert quiet.exit_code == 0 and len(warnings_on_stderr(quiet)) == 2  # one per report, even --quiet
        assert quiet.stderr.strip().splitlines() == warnings_on_stderr(quiet)  # and nothing else
        responder.healthy = True
        healthy = CliRunner().invoke(batch_command, [*args, "--base-url", server.url], catch_exceptions=False)
    assert healthy.exit_code == 0 and "labelled partly by rules" not in healthy.stderr
    assert healthy.stderr.count("done") >= 2  # redone, not skipped as current
    assert all(read_json(out / f"{p.stem}.json")["model"] == EMBEDDED_ALIAS for p in reports)


def _llm(server: LoopbackServer, cache: ResponseCache, **config) -> LLM:
    settings = LLMConfig(base_url=server.url, model=server.model, **config)
    return LLM(settings, base_url=server.url, model=server.model, endpoint_id=server.url, cache=cache,
               retry_wait=0.01)


def _ask_phrases(llm: LLM, reasks: int = 0) -> Phrases:
    return llm.ask(Phrases, [{"role": "user", "content": "name 1 and 2"}], prompt_version="t",
                   doc_hash="d", context={"ids": [1, 2]}, reasks=reasks)


def test_confused_answer_is_left_to_the_caller_but_malformed_one_is_a_fault(tmp_path):
    """With no re-asks asked for, an answer failing a value check is the caller's expected outcome
    (the hybrid design leaves such a batch unread); one that is not the schema's shape is a fault."""
    confused = Reply(body=completion('{"labels": [{"id": 1, "label": "事项"}]}'))  # id 2 missing
    with LoopbackServer(always(confused)) as server:
        llm = _llm(server, ResponseCache(None))
        with pytest.raises(UnusableAnswer):
            _ask_phrases(llm)
        assert server.requests == 1 and llm.unusable == []
        with pytest.raises(UnusableAnswer):
            _ask_phrases(llm, reasks=2)  # asked with re-asks and still wrong: a fault
        assert server.requests == 4 and len(llm.unusable) == 1
    with LoopbackServer(always(MALFORMED)) as server:
        llm = _llm(server, ResponseCache(None))
        with pytest.raises(UnusableAnswer):
            _ask_phrases(llm)
        assert server.requests == 2 and len(llm.unusable) == 1


def test_unusable_verdicts_cached_by_older_versions_are_ignored(tmp_path):
    """Caches written before issue 12 hold 'unusable' verdicts; they must not be replayed."""

    class Remembering(ResponseCache):
        keys: list[str] = []

        def get(self, key):
            self.keys.append(key)
            return super().get(key)

    cache = Remembering(tmp_path / "cache")
    with LoopbackServer(always(MALFORMED)) as server:
        llm = _llm(server, cache)
        with pytest.raises(UnusableAnswer):
            _ask_phrases(llm)
        cache.set(cache.keys[-1], json.dumps({"__llmx_unusable__": "old verdict"}))
        asked = server.requests
        with pytest.raises(UnusableAnswer, match="model answer unusable after re-asks"):
            _ask_phrases(llm)
        assert server.requests == 2 * asked  # asked again, not answered from the old verdict
    cache.close()


# ---------------------------------------------------------------- 2. bounded waits


@pytest.mark.parametrize("how", ["flag", "env"])
def test_hung_endpoint_ends_the_run_with_one_line(tmp_path, how):
    out = tmp_path / "out.json"
    flag, env = (["--timeout", "2"], None) if how == "flag" else ([], {"LLMX_TIMEOUT": "2"})
    with LoopbackServer(always(HANG), lifetime=60) as server:
        result = extract(str(REPORT), "-o", str(out), *model_args(server, tmp_path / "c"), *flag, env=env)
        assert server.requests == 1  # a timeout is not retried: one wait, not four
    one_error_line(result, str(REPORT), server.url, "no whole answer within 2 s", "--timeout")
    # the client gave up on it while the server still held it (the server records who hangs up on it)
    assert [path for path, _, _ in server.abandoned] == ["/v1/chat/completions"]
    assert not out.exists()


def test_default_timeout_is_bounded_and_bad_values_are_user_errors():
    assert 0 < LLMConfig().timeout <= 300 and LLMConfig().timeout < LLMConfig().deadline <= 3600
    with LLMConfig(base_url="http://127.0.0.1:9/v1").http_client() as client:
        assert client.timeout.connect <= 10
    result = extract(str(REPORT), "--timeout", "soon", "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    one_error_line(result, "soon", "positive number of seconds")
    result = extract(str(REPORT), "--deadline", "-1", "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    one_error_line(result, "-1", "positive number of seconds", "--deadline")


def test_retry_after_is_honoured_and_announced(tmp_path, capfd, monkeypatch):
    from llmx.model import retries

    waits: list[float] = []
    monkeypatch.setattr(retries, "pause", waits.append)  # record each wait asked for instead of sleeping it
    with LoopbackServer(always(status(429, "1"))) as server:
        llm = _llm(server, ResponseCache(None), timeout=60.0)
        with pytest.raises(LlmxError, match="unreachable or failing after retries"):
            _ask_phrases(llm)
        attempts = server.requests
    assert attempts == 4 and waits == [1.0, 1.0, 1.0]  # the server's 1 s each time; the backoff alone is 0.01-0.04 s
    announced = [line for line in capfd.readouterr().err.splitlines() if "Retry-After" in line]
    assert len(announced) == 3 and all(line.startswith("llmx: warning:") and "waiting 1 s" in line
                                       for line in announced)  # never silent


def test_retry_after_longer_than_the_time_left_ends_the_run_naming_the_wait(tmp_path):
    """It was honoured silently, up to the timeout, four times over: about 15 minutes."""
    with LoopbackServer(always(status(429, "3600"))) as server:
        result = extract(str(REPORT), *model_args(server, tmp_path / "c"), "--deadline", "600")
        assert server.requests == 1  # no wait was started, no retry sent
    one_error_line(result, str(REPORT), "wait 3600 s", "Retry-After", "HTTP 429", "deadline of 600 s", "--deadline")


CHAT_ANSWER = recorded_answers()[0][1]  # a whole answer the embedded model gave, dripped out slowly


@pytest.mark.parametrize("drip_from", [0, -1], ids=["headers-drip", "body-drips"])
def test_an_answer_dripping_a_byte_at_a_time_is_bounded_as_a_whole(tmp_path, drip_from):
    """The timeout applied per read, so a server sending a byte every 0.3 s was never cut off."""
    with LoopbackServer(always(Reply(body=CHAT_ANSWER, drip=0.3, drip_from=drip_from)), lifetime=90) as server:
        result = extract(str(REPORT), *model_args(server, tmp_path / "c"), "--timeout", "2")
        assert server.requests == 1  # a timeout is not retried
    one_error_line(result, str(REPORT), "no whole answer within 2 s", "--timeout")
    [(path, sent, _)] = server.abandoned  # the client gave up on the answer while it was still coming
    assert path == "/v1/chat/completions" and sent < len(CHAT_ANSWER) // 2


def test_each_report_has_a_deadline_for_all_its_requests(tmp_path):
    """Every answer comes within the timeout, but a report's requests together must not run forever."""
    slow = Reply(body=completion('{"labels": [{"id": 1, "lab'), delay=1.5)  # unusable: re-asked, request after request
    with LoopbackServer(always(slow), lifetime=90) as server:
        result = extract(str(REPORT), *model_args(server, tmp_path / "c"), "--timeout", "10", "--deadline", "2")
        assert server.requests == 2  # the second request was cut short by the deadline
    one_error_line(result, str(REPORT), "deadline of 2 s", "--deadline")
    assert [path for path, _, _ in server.abandoned] == ["/v1/chat/completions"]


def test_a_report_whose_every_answer_fell_back_after_an_answered_one_names_no_model(tmp_path, answers):
    """One model serves both reports, as in a batch: the first is answered, every answer for the second is
    unusable.  The second result must count only its own requests and, none of its answers used, name no
    model: counting the first report's requests too made it claim the model's labels."""
    import llmx

    responder = Switchable(answers, HTML_PAGE)
    responder.healthy = True
    with LoopbackServer(responder, model=EMBEDDED_ALIAS) as server, \
            llmx.Extractor(design="hybrid-all", base_url=server.url, model=server.model, no_cache=True) as ex:
        answered = ex.extract(REPORT).model_dump(mode="json")
        responder.healthy = False
        fell_back = ex.extract(REPORT).model_dump(mode="json")
    assert answered["model"] == server.model and not answered["warnings"]
    assert fell_back["model"] is None and fell_back["prompt_version"] == "rules"
    (warning,) = [w for w in fell_back["warnings"] if w.startswith("model answer unusable")]
    failed, asked = map(int, re.search(r"for (\d+) of (\d+) model requests", warning).groups())
    assert failed == asked >= 1  # this report's requests only, every one of them fell back


def test_the_deadline_bounds_a_reports_requests_together_not_each_alone(tmp_path, answers):
    """Every answer is usable and comes in 1 s, well within the deadline alone; the report's requests
    together take longer, so the report stops at its deadline (a deadline per question would let it run)."""
    report = CORPUS / "002_fbe45d23903cb0be.txt"  # the choice design's traffic on it is recorded: one question a number
    choice = ("--no-cache", "--design", "choice")
    with Replaying(answers) as fast:
        done = extract(str(report), *model_args(fast, tmp_path / "fast"), *choice, "-o", str(tmp_path / "r.json"))
        needed = fast.requests
    assert done.exit_code == 0, done.output
    assert needed >= 4
    with Replaying(answers, delay=1.0) as slow:
        result = extract(str(report), *model_args(slow, tmp_path / "c"), *choice, "--timeout", "10", "--deadline", "2.5")
        assert 2 <= slow.requests < needed
    one_error_line(result, str(report), "deadline of 2.5 s", "--deadline")


def test_a_hung_model_list_is_reported_fast(tmp_path, monkeypatch):
    """Without --model, llmx asks GET /models first; a hung server held that for the whole 300 s timeout."""
    from llmx.model import config, session

    assert config.DISCOVERY_TIMEOUT <= 10
    monkeypatch.setattr(session, "DISCOVERY_TIMEOUT", 1.0)
    with LoopbackServer(always(MALFORMED), models=HANG, lifetime=60) as server:
        result = extract(str(REPORT), "--base-url", server.url, "--cache-dir", str(tmp_path / "c"), "--design", "hybrid")
        assert server.requests == 0
    one_error_line(result, server.url, "GET /models", "within 1 s", "--model")
    assert [path for path, _, _ in server.abandoned] == ["/v1/models"]


@pytest.mark.parametrize("broken", [DROP, EMPTY_BODY], ids=["dropped", "empty-body"])
def test_dropped_connections_are_retried_then_one_line(tmp_path, broken):
    with LoopbackServer(always(broken)) as server:
        result = CliRunner().invoke(batch_command, [str(REPORT), "-o", str(tmp_path / "out"), "--retry-wait",
                                                    "0.01", "--json", *model_args(server, tmp_path / "c")])
        sent = server.requests
    assert json.loads(result.stdout)["calls"] == sent  # the summary counts every request sent (it said 0)
    if broken is EMPTY_BODY:  # an answer, though unusable: the report is done by rules, and says so
        assert result.exit_code == 0 and sent >= 2 and warnings_on_stderr(result)
        return
    assert sent == 4
    assert result.exit_code == 1
    errors = (tmp_path / "out" / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(errors) == 1 and "unreachable or failing" in json.loads(errors[0])["error"]


# ---------------------------------------------------------------- 3. the cache heals


def _damage_database(cache: Path) -> None:
    (cache / "responses" / "cache.db").write_bytes(b"this is not a database\n" * 200)


def _truncate_database(cache: Path) -> None:
    db = cache / "responses" / "cache.db"
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])


def _set_every_entry(value: str):
    def damage(cache: Path) -> None:
        with sqlite3.connect(cache / "responses" / "cache.db") as con:
            con.execute("UPDATE Cache SET value = ?", (value,))
        con.close()
    return damage


@pytest.mark.parametrize("damage, rebuilt", [
    (_damage_database, True),
    (_truncate_database, True),
    (_set_every_entry('{"labels": [{"id": 1, "lab'), False),  # an entry cut off
    (_set_every_entry('{"labels": "none"}'), False),  # an entry off the schema
], ids=["overwritten", "truncated", "entry-truncated", "entry-off-schema"])
def test_damaged_cache_is_reported_in_one_line_and_healed(tmp_path, answers, damage, rebuilt):
    cache, out = tmp_path / "cache", tmp_path / "out.json"
    with Replaying(answers) as server:
        assert extract(str(REPORT), "-o", str(out), *model_args(server, cache)).exit_code == 0
        before = read_json(out)
        damage(cache)
        healed = extract(str(REPORT), "-o", str(out), *model_args(server, cache))
        after = read_json(out)
        third = extract(str(REPORT), "-o", str(out), *model_args(server, cache))
    assert healed.exit_code == 0, healed.output
    assert after["figures"] == before["figures"] and after["usage"]["calls"] == before["usage"]["calls"]
    warned = warnings_on_stderr(healed)
    assert warned and all("response cache" in w for w in warned)
    if rebuilt:
        assert len(warned) == 1 and "started a new one" in warned[0]
        assert len(list(tmp_path.glob("cache/responses.damaged-*"))) == 1
    # healed for good: the next run is quiet and answered from the cache
    assert not warnings_on_stderr(third) and read_json(out)["usage"]["calls"] == 0


@pytest.mark.parametrize("blocked", ["cache", "cache/responses"])
def test_cache_folder_that_is_a_file_is_bypassed(tmp_path, answers, blocked):
    if blocked != "cache":
        (tmp_path / "cache").mkdir()
    (tmp_path / blocked).write_text("not a folder")
    with Replaying(answers) as server:  # LLMX_CACHE_DIR, which no click check guards
        result = CliRunner().invoke(batch_command, [str(REPORT), "-o", str(tmp_path / "out"), "--base-url",
                                                    server.url, "--model", server.model, "--design", "hybrid-all"],
                                    env={"LLMX_CACHE_DIR": str(tmp_path / "cache")}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    warned = warnings_on_stderr(result)
    assert len(warned) == 1 and "running without it" in warned[0]
    assert read_json(tmp_path / "out" / f"{REPORT.stem}.json")["usage"]["calls"] >= 1


# ---------------------------------------------------------------- 4. multi-report extract


def test_multi_report_extract_keeps_finished_results_and_names_the_failing_report(tmp_path, answers):
    reports = copies(tmp_path / "in", 4)
    with Replaying(answers) as probe:
        assert extract(str(reports[0]), "--quiet", "--no-cache", *model_args(probe, tmp_path / "c")).exit_code == 0
        per_report = probe.requests
    answer = replay(answers)
    def refuse_after_two(n: int, body: bytes) -> Reply:
        return answer(n, body) if n <= 2 * per_report else status(400)

    out = tmp_path / "out"
    with LoopbackServer(refuse_after_two, model=EMBEDDED_ALIAS) as server:
        result = extract(*map(str, reports), "-o", f"{out}/", "--no-cache", *model_args(server, tmp_path / "c"))
    line = [x for x in result.stderr.splitlines() if x.startswith("llmx: error:")]
    assert result.exit_code == 2 and len(line) == 1
    assert str(reports[2]) in line[0] and "HTTP 400" in line[0] and "2 of 4 results written" in line[0]
    assert sorted(p.name for p in out.iterdir()) == ["r1.json", "r2.json"]
    assert all(read_json(out / n)["model"] == EMBEDDED_ALIAS for n in ("r1.json", "r2.json"))
    progress = [x for x in result.stderr.splitlines() if x.startswith("llmx: [")]
    assert [x.split("]")[0] for x in progress] == ["llmx: [1/4", "llmx: [2/4"]  # plain lines, not a tty


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["term", "kill"])
def test_killed_multi_report_extract_keeps_finished_results(tmp_path, answers, sig):
    reports = copies(tmp_path / "in", 8)
    out = tmp_path / "out"
    with Replaying(answers, delay=0.2) as slow:
        args = ["llmx.apps.cli", "extract", *map(str, reports), "-o", str(out), "--quiet", "--no-cache",
                *model_args(slow, tmp_path / "c")]
        returncode, stderr = kill_after_outputs(args, out, 2, sig, ROOT)
    assert returncode == (130 if sig == signal.SIGTERM else -signal.SIGKILL), stderr
    kept = sorted(out.glob("*.json"))
    assert 2 <= len(kept) < len(reports)
    assert all(read_json(p)["model"] == EMBEDDED_ALIAS for p in kept)  # whole files only
    if sig == signal.SIGTERM:
        assert not [p for p in out.iterdir() if p.name.startswith(".")]
        assert f"of {len(reports)} results written to {out}" in stderr.strip().splitlines()[-1]


# ---------------------------------------------------------------- 5. -o as a folder


def test_output_ending_in_slash_or_naming_a_folder_is_a_folder(tmp_path):
    reports = [CORPUS / "000_463a946c1bd692f9.txt", CORPUS / "002_fbe45d23903cb0be.txt"]
    out = tmp_path / "out"
    first = extract(str(reports[0]), "--design", "rules", "--quiet", "-o", f"{out}/")
    second = extract(str(reports[1]), "--design", "rules", "--quiet", "-o", str(out))  # now an existing folder
    assert first.exit_code == second.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{p.stem}.json" for p in reports)
    single = tmp_path / "single.json"
    assert extract(str(reports[0]), "--design", "rules", "--quiet", "-o", str(single)).exit_code == 0
    assert read_json(single)["doc_id"] == reports[0].stem
    one_error_line(extract(*map(str, reports), "--design", "rules", "-o", str(single)), "not a folder")


# ---------------------------------------------------------------- 8. smaller ones


def test_bad_pdf_is_one_line_without_pypdf_chatter(tmp_path):
    from test_sources import make_pdf

    pdf = tmp_path / "cut.pdf"
    pdf.write_bytes(make_pdf([["某市2023年法治政府建设年度报告"]])[:-6])  # cut: pypdf logs "EOF marker not found"
    # a real process: under pytest, logging goes to pytest's handler instead of stderr
    proc = subprocess.run([sys.executable, "-m", "llmx.apps.cli", "extract", str(pdf), "--design", "rules"],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith(f"llmx: error: {pdf}: not a readable PDF file")


def test_server_down_is_not_told_to_pass_a_model(tmp_path):
    result = extract(str(REPORT), "--base-url", "http://127.0.0.1:9/v1", "--cache-dir", str(tmp_path),
                     "--design", "hybrid-all")
    line = one_error_line(result, "http://127.0.0.1:9/v1", "unreachable")
    assert "--model" not in line


# ---------------------------------------------------------------- issue 19: credentials in --base-url


SECRET = "s3cret-pass"


def _with_credentials(url: str) -> str:
    return url.replace("http://", f"http://alice:{SECRET}@")


def test_password_in_base_url_is_redacted_from_errors_warnings_traces_and_records(tmp_path):
    out, trace = tmp_path / "out.json", tmp_path / "trace"
    with LoopbackServer(always(MALFORMED)) as server:
        url = _with_credentials(server.url)
        degraded = extract(str(REPORT), "-o", str(out), "--base-url", url, "--model", server.model, "--no-cache",
                           "--design", "hybrid-all", "--trace", str(trace))
    assert degraded.exit_code == 0 and server.requests >= 2
    with LoopbackServer(always(HANG), lifetime=30) as server:
        hung = extract(str(REPORT), "--base-url", _with_credentials(server.url), "--model", server.model,
                       "--no-cache", "--design", "hybrid-all", "--timeout", "1")
    with LoopbackServer(always(DROP)) as server:
        batch = CliRunner().invoke(batch_command, [str(REPORT), "-o", str(tmp_path / "batch"), "--retry-wait", "0.01",
                                                   "--base-url", _with_credentials(server.url), "--model", server.model,
                                                   "--no-cache", "--design", "hybrid-all"])
    line = one_error_line(hung, "http://***@127.0.0.1", "no whole answer")
    assert warnings_on_stderr(degraded) and all("***@" in w for w in warnings_on_stderr(degraded))
    assert batch.exit_code == 1
    written = [out, *trace.iterdir(), *(tmp_path / "batch").iterdir()]
    assert len(written) >= 4
    for text in [line, degraded.output, hung.output, batch.output, *(p.read_text(encoding="utf-8") for p in written)]:
        assert SECRET not in text and "alice" not in text


@pytest.mark.parametrize("reasks", [0, 2])
def test_an_interrupt_during_a_request_is_never_re_asked(reasks):
    """tenacity catches BaseException: Ctrl-C (or SIGTERM turned into it) must end the run, not re-ask."""
    from llmx.model.retries import reask_retrying

    calls = []

    def interrupted() -> None:
        calls.append(1)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        reask_retrying(reasks)(interrupted)
    assert len(calls) == 1


def test_only_a_damaged_database_counts_as_damage():
    """A busy or locked database is not damage (rebuilding it would throw away a healthy cache)."""
    import sqlite3

    from llmx.model.cache import _is_damage

    assert _is_damage(sqlite3.DatabaseError("database disk image is malformed"))
    assert not _is_damage(sqlite3.OperationalError("database is locked"))
    assert not _is_damage(OSError("file is not a database"))  # not an sqlite error at all
