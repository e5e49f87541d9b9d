"""``llmx batch --engine ray`` on a local Ray cluster this module starts (2 CPUs) and shuts down.

The Ray batch must be the local batch with extraction moved to the cluster:
the same output bytes and errors.jsonl, the same resumability (across
engines, too), and a worker killed mid-report must cost nothing finished.
Model traffic goes to a loopback server replaying answers recorded from the
real model (``faultserver``); the killed worker is found by the socket it
holds open to that server and killed with SIGKILL, as a crash would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EMBEDDED_ALIAS, ROOT, comparable_body
from faultserver import LoopbackServer, Replaying, Reply, kill_after_outputs, recorded_answers, replay
from llmx.apps.ray_batch import MAX_RETRIES
from test_batch import copies_of_004, corpus_copy, mtimes, outputs, run_cli, summary_row

ray = pytest.importorskip("ray", reason="--engine ray needs the [ray] extra: pip install -e '.[ray]'")
pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="finds processes through /proc")

WIDE = ROOT / "eval" / "wide" / "raw"
#: The one field two runs of the same batch may differ in: wall time per report.
SECONDS = re.compile(rb'\n    "seconds": [0-9.]+,\n')


@pytest.fixture(scope="module")
def cluster():
    """The cluster's address; its workers (every job's) import this checkout, as installed llmx would be."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def ray_cli(*args: str) -> tuple[int, str]:
    """``llmx batch ... --engine ray`` as its own driver process joining the cluster."""
    proc = subprocess.run([sys.executable, "-m", "llmx.apps.batch_command", *args, "--engine", "ray"], cwd=ROOT,
                          env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    return proc.returncode, proc.stderr


def without_seconds(path: Path) -> bytes:
    text, found = SECONDS.subn(b"\n", path.read_bytes())
    assert found == 1, path
    return text


def error_lines(outdir: Path) -> list[tuple[str, str]]:
    lines = (outdir / "errors.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted((e["file"], e["error"]) for e in map(json.loads, lines))


# ---------------------------------------------------------------- rules: the same bytes


def test_rules_outputs_and_errors_equal_the_local_batch_and_resume_across_engines(tmp_path, cluster):
    inbox = tmp_path / "in"
    reports = corpus_copy(inbox) + [Path(shutil.copy(p, inbox)) for p in sorted(WIDE.glob("*.txt"))]
    (inbox / "empty.txt").write_bytes(b"")
    (inbox / "binary.txt").write_bytes(bytes(range(256)) * 8)
    local, remote = tmp_path / "local", tmp_path / "ray"

    by_threads = run_cli(str(inbox), "-o", str(local), "--design", "rules")
    code, stderr = ray_cli(str(inbox), "-o", str(remote), "--design", "rules", "--address", cluster)
    assert code == by_threads.exit_code == 1, stderr
    assert summary_row(stderr)[:4] == summary_row(by_threads.stderr)[:4]
    assert summary_row(stderr)[:3] == [str(len(reports)), "0", "2"]
    names = sorted(p.name for p in local.glob("*.json"))
    assert len(names) == len(reports) and names == sorted(p.name for p in remote.glob("*.json"))
    for name in names:  # byte for byte, but for each report's wall seconds
        assert without_seconds(remote / name) == without_seconds(local / name), name
    assert error_lines(remote) == error_lines(local)

    before = mtimes(local)  # the Ray batch takes the local batch's outputs as its own
    code, stderr = ray_cli(str(inbox), "-o", str(local), "--design", "rules", "--address", cluster)
    assert code == 1 and summary_row(stderr)[:3] == ["0", str(len(reports)), "2"]
    assert mtimes(local) == before
    assert len(error_lines(local)) == 2  # this run's failures only, once each


def test_without_ray_or_with_a_stray_address_one_line(tmp_path):
    blocked = "import sys; sys.modules['ray'] = None; from llmx.apps.batch_command import batch_command; batch_command()"
    proc = subprocess.run([sys.executable, "-c", blocked, str(ROOT / "eval" / "corpus"), "-o", str(tmp_path / "o"),
                           "--design", "rules", "--engine", "ray"], cwd=ROOT, capture_output=True, text=True,
                          env=os.environ | {"PYTHONPATH": str(ROOT)}, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["llmx: error: --engine ray needs Ray: pip install 'llmx[ray]' "
                                        "(on every node of the cluster)"]
    stray = run_cli(str(ROOT / "eval" / "corpus"), "-o", str(tmp_path / "o"), "--address", "auto")
    assert stray.exit_code == 2 and stray.stderr.count("\n") == 1 and "--engine ray" in stray.stderr
    assert not (tmp_path / "o").exists()


def test_endpoint_down_on_the_workers_is_one_line_before_any_report(tmp_path, cluster):
    result = run_cli(str(ROOT / "eval" / "corpus"), "-o", str(tmp_path / "o"), "--engine", "ray",
                     "--base-url", "http://127.0.0.1:9/v1", "--no-cache", "--design", "hybrid-all")  # nothing on port 9
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("llmx: error: http://127.0.0.1:9/v1: "
                                              "endpoint unreachable (is the server running?)")
    assert not list((tmp_path / "o").glob("*.json"))


def test_killed_driver_keeps_whole_files_and_a_rerun_does_only_the_rest(tmp_path, cluster, answers, report_type):
    reports = copies_of_004(tmp_path / "in", n_txt=7)
    out = tmp_path / "out"
    args = [str(tmp_path / "in"), "-o", str(out), "--address", cluster, "--no-cache", "--design", "hybrid-all"]
    with Replaying(answers, delay=0.2) as slow:
        code, stderr = kill_after_outputs(["llmx.apps.batch_command", *args, "--engine", "ray", "--base-url", slow.url],
                                          out, 3, signal.SIGTERM, ROOT)
        assert code == 130 and "interrupted after" in stderr, stderr  # unwound like Ctrl-C, not Ray's exit
        kept = outputs(out)
        assert 3 <= len(kept) < len(reports)
        assert not [p for p in out.iterdir() if p.name.startswith(".")]
        before = mtimes(out)
        code, stderr = ray_cli(*args, "--base-url", slow.url)
    assert code == 0, stderr
    assert summary_row(stderr)[:3] == [str(len(reports) - len(kept)), str(len(kept)), "0"]
    results = outputs(out)
    assert set(results) == {p.stem for p in reports}
    assert len({r["usage"]["calls"] for r in results.values()}) == 1
    for result in results.values():
        report_type.report_model.model_validate(result)
    assert {k: mtimes(out)[k] for k in before} == before


# ---------------------------------------------------------------- a worker killed mid-report


def descendants(root: int) -> set[int]:
    """Processes below ``root`` (Ray's raylet and its workers, for this test process)."""
    parent = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = set(), {root}
    while frontier:
        frontier = {pid for pid, ppid in parent.items() if ppid in frontier} - found
        found |= frontier
    return found


def socket_owner(port: int) -> int:
    """The process below this one holding the TCP socket whose local port is ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in descendants(os.getpid()):
        try:
            if any(os.readlink(fd) in inodes for fd in Path(f"/proc/{pid}/fd").iterdir()):
                return pid
        except OSError:
            continue
    raise AssertionError(f"no process of this test holds local port {port}")


@pytest.fixture(scope="module")
def answers():
    return recorded_answers()


def test_killed_worker_loses_nothing_finished_and_its_report_is_redone(tmp_path, cluster, answers, report_type):
    reports = copies_of_004(tmp_path / "in", n_txt=5)
    out = tmp_path / "out"
    killed: list[int] = []
    finished_at_kill: dict[str, int] = {}
    answer = replay(answers)

    def respond(n: int, body: bytes) -> Reply:
        """Answer as the model did; once two reports are written, SIGKILL the worker asking."""
        if not killed and len(list(out.glob("*.json"))) >= 2:
            finished_at_kill.update(mtimes(out))
            killed.append(socket_owner(server.peers[n - 1][1]))
            os.kill(killed[0], signal.SIGKILL)
            return Reply(drop=True)
        recorded = answer(n, body)
        return Reply(recorded.status, recorded.body, delay=0.1)

    # the endpoint on the node's own address, named by the per-node template
    with LoopbackServer(respond, model=EMBEDDED_ALIAS, host=ray.util.get_node_ip_address()) as server:
        args = [str(tmp_path / "in"), "-o", str(out), "--engine", "ray", "--no-cache", "--design", "hybrid-all",
                "--base-url", f"http://{{node_ip}}:{server.port}/v1"]
        result = run_cli(*args)
        assert result.exit_code == 0, result.stderr
        assert len(killed) == 1 and killed[0] not in descendants(os.getpid())  # a worker was killed, and is gone
        assert summary_row(result.stderr)[:3] == [str(len(reports)), "0", "0"]
        assert server.count(400) == 0  # every request was one the model answered when recorded
        assert not (out / "errors.jsonl").exists()

        results = outputs(out)
        assert set(results) == {p.stem for p in reports}
        per_report = {r["usage"]["calls"] for r in results.values()}
        assert len(per_report) == 1 and per_report.pop() >= 1  # the killed attempt's calls counted nowhere
        figures = [[(f["indicator"], f["value"], f["evidence"]) for f in r["figures"]]
                   for r in results.values()]
        assert figures[0] and all(f == figures[0] for f in figures)
        for r in results.values():
            report_type.report_model.model_validate(r)
            assert r["model"] == EMBEDDED_ALIAS
        assert len(finished_at_kill) >= 2
        assert {k: mtimes(out)[k] for k in finished_at_kill} == finished_at_kill  # written once, never again

        asked = server.requests
        again = run_cli(*args)
        assert summary_row(again.stderr)[:3] == ["0", str(len(reports)), "0"]
        assert server.requests == asked  # current wherever made: the template is the endpoint's identity


def test_report_that_kills_every_worker_fails_alone_after_the_retries(tmp_path, cluster, answers):
    reports = corpus_copy(tmp_path / "in")
    out = tmp_path / "out"
    killed: list[int] = []
    deadly: list[object] = []  # the first request asked: the report that sent it kills every worker trying it
    answer = replay(answers)

    def respond(n: int, body: bytes) -> Reply:
        if not deadly or comparable_body(body) == deadly[0]:
            deadly[:] = [comparable_body(body)]
            killed.append(socket_owner(server.peers[n - 1][1]))
            os.kill(killed[-1], signal.SIGKILL)
            return Reply(drop=True)
        return answer(n, body)

    with LoopbackServer(respond, model=EMBEDDED_ALIAS) as server:
        result = run_cli(str(tmp_path / "in"), "-o", str(out), "--engine", "ray", "--no-cache",
                         "--design", "hybrid-all", "--base-url", server.url)
    assert result.exit_code == 1
    assert len(killed) == 1 + MAX_RETRIES and len(set(killed)) == len(killed)  # a fresh worker for every attempt
    assert summary_row(result.stderr)[:3] == [str(len(reports) - 1), "0", "1"]
    (file, error), = error_lines(out)  # one line, however many attempts died
    assert error.startswith(f"its Ray worker died on each of {1 + MAX_RETRIES} attempts (WorkerCrashedError: ")
    assert {Path(file).stem} == {p.stem for p in reports} - set(outputs(out))
