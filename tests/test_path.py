"""The path of one report reads in the order it travels (issue 21).

``bench/path_trace.py`` follows a real ``llmx.extract`` and lists each llmx
module where the run first enters it.  These tests hold the shape the
architecture doc draws: every stage module entered once and in the
pipeline's order, each folder of the path visited once, with at most two
returns to a folder already left.
"""

from __future__ import annotations

import importlib.util

import pytest

from conftest import ROOT

_spec = importlib.util.spec_from_file_location("path_trace", ROOT / "bench" / "path_trace.py")
assert _spec and _spec.loader
path_trace = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(path_trace)

STAGES = ("llmx.text.load", "llmx.text.clean", "llmx.text.numbers", "llmx.text.headings", "llmx.text.meta",
          "llmx.engine.segment", "llmx.engine.candidates", "llmx.engine.label", "llmx.engine.verify",
          "llmx.engine.items", "llmx.engine.assemble")


@pytest.fixture(scope="module", params=["rules", "learned"])
def modules(request) -> list[str]:
    return path_trace.trace(path_trace.DEFAULT_REPORT, request.param)


def test_every_stage_is_entered_and_the_report_stages_in_the_order_a_report_travels(modules):
    entered = [m for m in modules if m in STAGES]
    assert set(entered) == set(STAGES)
    # label is built before the report is read (its labeller is checked at setup): order the rest
    travelling = [m for m in entered if m != "llmx.engine.label"]
    assert travelling == [m for m in STAGES if m != "llmx.engine.label"]


def test_the_path_returns_to_a_folder_already_left_at_most_twice(modules):
    runs = path_trace.visits(modules)
    folders = [name for name, _ in runs]
    returns = sum(folders[i] in folders[:i] for i in range(len(folders)))
    assert returns <= 2, runs
