"""``llmx eval`` end to end on recorded traffic, and the regression gate.

The gate's thresholds are the committed run records (eval/runs/design_<design>.json),
with no margin (rounded down to the 4 decimals a threshold is written with), on every
gold set: these designs are deterministic here (no model, or answers replayed from
cassettes), so any change that makes any of their scores worse fails until its record is
made again and the loss is owned in a commit.
"""

import json
import math

import pytest
from click.testing import CliRunner

from llmx.apps.cli import main
from llmx.options import DESIGNS
from conftest import CORPUS, GOLD, ROOT

DEFAULT = DESIGNS[0]
MODEL_DESIGN = "hybrid"
GATED = ("figure_f1", "catalogue_f1", "indicator_accuracy", "meta_mean",
         "sections_present_accuracy", "list_f1")
SETS = ["--set", "corpus=" + f"{GOLD}:{CORPUS}", "--set", "wide=" + f"{ROOT / 'eval/wide/gold'}:{ROOT / 'eval/wide/raw'}",
        "--set", "wide2=" + f"{ROOT / 'eval/wide2/gold'}:{ROOT / 'eval/wide2/raw'}"]


def _gates(design: str) -> list[str]:
    recorded = json.loads((ROOT / "eval" / "runs" / f"design_{design}.json").read_text(encoding="utf-8"))
    total = recorded["scores"]["total"]
    return [f"{m}={math.floor(total[m] * 10_000) / 10_000:.4f}" for m in GATED] + [f"ungrounded<={total['ungrounded']}"]


def _eval(design: str, tmp_path, *extra: str) -> dict:
    args = ["eval", "--design", design, *SETS, "--runs-dir", str(tmp_path / "runs"),
            "--cache-dir", str(tmp_path / "cache"), "--name", "replay", *extra]
    for gate in _gates(design):
        args += ["--fail-under", gate]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "runs" / "replay.json").read_text(encoding="utf-8"))
    assert record["config"]["design"] == design
    assert set(record["scores"]["sets"]) == {"corpus", "wide", "wide2"}
    return record


def _same_results(record: dict, design: str) -> None:
    """Every result on every gold set is the one the committed record holds (timings aside).

    The record is a reviewed run, committed with the change that made it: a change that alters any
    result, better or worse, fails here until its record is made again and the difference owned.
    """
    recorded = json.loads((ROOT / "eval" / "runs" / f"design_{design}.json").read_text(encoding="utf-8"))
    assert set(record["predictions"]) == set(recorded["predictions"])
    for doc, result in record["predictions"].items():
        expected = recorded["predictions"][doc]
        assert {k: v for k, v in result.items() if k != "usage"} == {k: v for k, v in expected.items()
                                                                    if k != "usage"}, doc


def _untimed(value):
    """A score record without what a clock measures (``seconds``, per-report ``usage``)."""
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k not in ("seconds", "usage")}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def _same_scores(record: dict, design: str) -> None:
    """The scorer gives every report, set and total the score the committed record holds, to the
    digit: with the results held equal, a scorer that counts differently (higher as well as lower,
    which the gate's lower bounds would let through) fails here."""
    recorded = json.loads((ROOT / "eval" / "runs" / f"design_{design}.json").read_text(encoding="utf-8"))
    got, expected = _untimed(record["scores"]), _untimed(recorded["scores"])
    assert got["total"] == expected["total"]
    assert got["sets"] == expected["sets"]
    assert set(got["reports"]) == set(expected["reports"])
    for doc, scored in got["reports"].items():
        assert scored == expected["reports"][doc], doc


@pytest.mark.parametrize("design", [DEFAULT, "learned"])
def test_model_free_design_meets_its_recorded_scores_on_every_set(design, tmp_path):
    """The default and the learned labeller's own decisions (which overrule cues) on every gold set."""
    record = _eval(design, tmp_path)
    assert record["scores"]["total"]["calls"] == 0
    _same_results(record, design)
    _same_scores(record, design)


def test_model_design_on_cassettes_meets_its_recorded_scores(recorder, endpoint, tmp_path):
    base_url, model = endpoint
    with recorder.use_cassette(f"eval_{MODEL_DESIGN}.yaml"):
        record = _eval(MODEL_DESIGN, tmp_path, "--base-url", base_url, "--model", model)
    assert record["scores"]["total"]["calls"] >= 1
    _same_results(record, MODEL_DESIGN)
    _same_scores(record, MODEL_DESIGN)


def test_gold_scored_against_itself_is_perfect(tmp_path):
    result = CliRunner().invoke(main, ["score", str(GOLD), str(GOLD), "--source-dir", str(CORPUS),
                                       "-o", str(tmp_path / "s.json"),
                                       "--fail-under", "figure_f1=1", "--fail-under", "catalogue_f1=1",
                                       "--fail-under", "meta_mean=1", "--fail-under", "list_f1=1"])
    assert result.exit_code == 0, result.output


def test_compare_writes_markdown_and_html(tmp_path):
    runs = sorted((ROOT / "eval" / "runs").glob("design_*.json"))
    assert len(runs) >= 2
    md, html = tmp_path / "c.md", tmp_path / "c.html"
    result = CliRunner().invoke(main, ["eval", "compare", str(runs[0]), str(runs[1]),
                                       "--markdown", str(md), "--html", str(html)])
    assert result.exit_code == 0, result.output
    assert "figure_f1" in md.read_text(encoding="utf-8")
    assert html.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
