"""Output that cannot be written: one line naming what failed, exit 2, no traceback, nothing half-written.

Real processes write to real failing targets: ``/dev/full`` for stdout, a
tiny tmpfs (mounted when running as root, else skipped) for a disk that is
full or fills mid-batch, and a path through a file for a folder that cannot
be made (root ignores permission bits, so a read-only folder proves nothing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT

REPORT = CORPUS / "000_463a946c1bd692f9.txt"
PAGE = 4096  # tmpfs counts whole pages


def llmx(*args: str, stdout=subprocess.PIPE) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmx", *args], cwd=ROOT, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=120)


def one_error_line(proc: subprocess.CompletedProcess, *fragments: str) -> str:
    errors = [line for line in proc.stderr.splitlines() if line.startswith("llmx: error:")]
    assert proc.returncode == 2 and len(errors) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


@pytest.fixture
def small_disk(tmp_path):
    """A mounted tmpfs of ``pages`` pages, of which ``free`` stay free: ``small_disk(pages, free)``."""
    mounted: list[Path] = []

    def make(pages: int, free: int) -> Path:
        if os.geteuid() != 0 or not shutil.which("mount"):
            pytest.skip("mounting a small tmpfs needs root")
        where = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
        where.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={pages * PAGE}", "tmpfs", str(where)],
                              capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
        mounted.append(where)
        (where / "filler").write_bytes(b"\0" * ((pages - free) * PAGE))
        return where

    yield make
    for where in mounted:
        subprocess.run(["umount", str(where)], check=False)


def test_extract_to_a_full_stdout_is_one_line():
    with open("/dev/full", "w") as full:
        proc = llmx("extract", str(REPORT), "--design", "rules", stdout=full)
    one_error_line(proc, "stdout", "No space left on device")


def test_batch_json_summary_to_a_full_stdout_is_one_line(tmp_path):
    with open("/dev/full", "w") as full:
        proc = llmx("batch", str(REPORT), "-o", str(tmp_path / "out"), "--design", "rules", "--json", stdout=full)
    one_error_line(proc, "stdout", "No space left on device")
    assert (tmp_path / "out" / f"{REPORT.stem}.json").exists()  # the results themselves were written


def test_batch_into_a_folder_it_cannot_make_is_one_line(tmp_path):
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder", encoding="utf-8")
    proc = llmx("batch", str(REPORT), "-o", str(blocker / "out"), "--design", "rules")
    one_error_line(proc, str(blocker / "out"), "cannot write output there", "Not a directory")
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_batch_onto_a_full_disk_is_one_line_before_any_work(small_disk):
    disk = small_disk(pages=4, free=0)
    proc = llmx("batch", str(REPORT), "-o", str(disk / "out"), "--design", "rules")
    one_error_line(proc, str(disk / "out"), "No space left on device")
    assert "done" not in proc.stderr
    assert [p.name for p in (disk / "out").iterdir()] == []


def test_batch_filling_the_disk_stops_in_one_line_and_keeps_whole_results(tmp_path, small_disk):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("r1", "r2", "r3"):
        shutil.copy(REPORT, inputs / f"{name}.txt")
    probe = tmp_path / "probe"
    assert llmx("batch", str(inputs / "r1.txt"), "-o", str(probe), "--design", "rules").returncode == 0
    expected = (probe / "r1.json").read_bytes()
    room = -(-len(expected) // PAGE)  # pages for exactly one result
    disk = small_disk(pages=room + 8, free=room)
    proc = llmx("batch", str(inputs), "-o", str(disk / "out"), "--design", "rules")
    one_error_line(proc, "errors.jsonl", "No space left on device", "r2.txt", "after 1 new outputs")
    kept = sorted(p.name for p in (disk / "out").iterdir())
    assert kept == ["errors.jsonl", "r1.json"]  # no temporary file, no partial result
    written = json.loads((disk / "out" / "r1.json").read_text(encoding="utf-8"))
    assert {**written, "usage": None} == {**json.loads(expected), "usage": None}  # whole, as a full disk makes it
