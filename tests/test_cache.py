"""The response cache on its own: a failure mid-run, dropped entries, the messages it gives.

The end-to-end healing (a damaged database moved aside, a folder that is a
file) is in ``test_faults.py``; these state what one ``ResponseCache`` does,
against a real diskcache folder on disk.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from llmx.model.cache import ResponseCache, _reason


def _cache(folder: Path) -> tuple[ResponseCache, list[str]]:
    said: list[str] = []
    return ResponseCache(folder, warn=said.append), said


def _spoil_in_place(folder: Path) -> None:
    """Another program drops the table under the open cache: its next read or write fails."""
    with sqlite3.connect(folder / "cache.db") as con:
        con.execute("DROP TABLE Cache")
    con.close()


def test_a_failure_mid_run_stops_the_cache_for_the_run_with_one_warning(tmp_path):
    cache, said = _cache(tmp_path / "responses")
    cache.set("k", '{"a": 1}')
    assert cache.get("k") == '{"a": 1}' and said == []
    _spoil_in_place(tmp_path / "responses")
    assert cache.get("k") is None  # the read fails: no answer, no crash
    assert len(said) == 1
    assert said[0].startswith(f"response cache {tmp_path / 'responses'} failed (")
    assert said[0].endswith("); running without it")
    assert "(OperationalError: " in said[0]  # sqlite's own error, named by its type
    cache.set("k2", "{}")  # nothing more is tried, and nothing more is said
    assert cache.get("k2") is None and cache.get("k") is None
    cache.discard("k", None)
    assert len(said) == 1


def test_a_failed_write_loses_no_result_and_warns_once(tmp_path):
    cache, said = _cache(tmp_path / "responses")
    cache.set("k", "{}")
    _spoil_in_place(tmp_path / "responses")
    cache.set("k2", '{"b": 2}')  # a full disk or damaged database must not raise
    cache.set("k3", '{"c": 3}')
    assert len(said) == 1 and "running without it" in said[0]


def test_a_dropped_entry_is_gone_and_said_only_when_it_was_a_problem(tmp_path):
    cache, said = _cache(tmp_path / "responses")
    cache.set("stale", "{}")
    cache.set("bad", "{}")
    cache.set("kept", '{"x": 1}')
    cache.discard("stale", None)  # an older format, dropped silently
    assert said == [] and cache.get("stale") is None
    cache.discard("bad", "cut off")
    assert cache.get("bad") is None
    assert said == [f"response cache {tmp_path / 'responses'}: dropped an unreadable entry (cut off); "
                    "asking the model again"]
    assert cache.get("kept") == '{"x": 1}'


def test_a_value_that_is_not_text_is_dropped_with_its_type_named(tmp_path):
    cache, said = _cache(tmp_path / "responses")
    cache._cache.set("planted", 42)  # a value llmx never writes: only JSON text is
    assert cache.get("planted") is None
    assert len(said) == 1 and "(holds int, not JSON text)" in said[0]
    assert cache.get("planted") is None and len(said) == 1  # dropped, not met again


def test_no_folder_means_no_cache_and_no_warnings(tmp_path):
    cache, said = _cache(None)  # type: ignore[arg-type]
    cache.set("k", "{}")
    cache.discard("k", "anything")  # nothing was read from a cache, so nothing is dropped
    assert cache.get("k") is None
    cache.close()
    assert said == []


def test_a_damaged_database_is_moved_aside_with_the_time_in_its_name(tmp_path):
    folder = tmp_path / "responses"
    first, _ = _cache(folder)
    first.set("k", "{}")
    first.close()
    (folder / "cache.db").write_bytes(b"this is not a database\n" * 200)
    cache, said = _cache(folder)
    aside = [p.name for p in tmp_path.iterdir() if p.name != "responses"]
    assert len(aside) == 1 and aside[0].startswith("responses.damaged-")
    stamp = aside[0].removeprefix("responses.damaged-")
    assert len(stamp) == 15 and stamp[8] == "-" and stamp.replace("-", "").isdigit()  # YYYYmmdd-HHMMSS
    assert len(said) == 1 and f"moved it to {aside[0]} and started a new one" in said[0]
    assert "DatabaseError" in said[0]
    cache.set("k", '{"new": 1}')
    assert cache.get("k") == '{"new": 1}'
    assert (tmp_path / aside[0] / "cache.db").read_bytes() == b"this is not a database\n" * 200  # kept as it was


def test_a_folder_that_cannot_be_a_folder_is_bypassed_with_the_system_reason(tmp_path):
    (tmp_path / "cache").write_text("a file where the cache's parent folder goes")
    cache, said = _cache(tmp_path / "cache" / "responses")
    assert len(said) == 1 and said[0].startswith(f"response cache {tmp_path / 'cache' / 'responses'} cannot be "
                                                 "used (NotADirectoryError: ")
    assert said[0].endswith("); running without it")
    assert "[Errno" not in said[0]  # the system's words (strerror), not the exception's errno-prefixed string
    cache.set("k", "{}")
    assert cache.get("k") is None and len(said) == 1


def test_a_reason_is_one_line_of_at_most_160_characters_after_its_type():
    reason = _reason(ValueError("line one\nline   two " + "x" * 300))
    assert reason.startswith("ValueError: line one line two x")
    assert len(reason) == len("ValueError: ") + 160
