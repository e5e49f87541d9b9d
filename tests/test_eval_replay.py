"""``llmx eval`` end to end on recorded traffic, and the regression gate.

The gate's thresholds are the committed run record of the default design
(eval/runs/design_<default>.json) less a small margin: a change that makes
the default design score worse on the gold set fails here.
"""

import json

from click.testing import CliRunner

from llmx.apps.cli import main
from llmx.engine.labelling import DESIGNS
from conftest import CORPUS, GOLD, ROOT

DEFAULT = DESIGNS[0]
GATED = ("figure_f1", "catalogue_f1", "indicator_accuracy", "meta_mean",
         "sections_present_accuracy", "list_f1")
MARGIN = 0.02


def _gates() -> list[str]:
    recorded = json.loads((ROOT / "eval" / "runs" / f"design_{DEFAULT}.json").read_text(encoding="utf-8"))
    total = recorded["scores"]["total"]
    return [f"{m}={total[m] - MARGIN:.4f}" for m in GATED] + ["ungrounded<=0"]


def test_eval_on_cassettes_meets_the_recorded_scores(recorder, endpoint, tmp_path):
    base_url, model = endpoint
    args = ["eval", "--design", DEFAULT, "--base-url", base_url, "--model", model,
            "--gold-dir", str(GOLD), "--corpus-dir", str(CORPUS), "--runs-dir", str(tmp_path / "runs"),
            "--cache-dir", str(tmp_path / "cache"), "--name", "replay"]
    for gate in _gates():
        args += ["--fail-under", gate]
    with recorder.use_cassette(f"eval_{DEFAULT}.yaml"):
        result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    record = json.loads((tmp_path / "runs" / "replay.json").read_text(encoding="utf-8"))
    assert record["config"]["design"] == DEFAULT
    assert set(record["scores"]["reports"]) == {p.stem for p in GOLD.glob("*.json")}
    assert record["scores"]["total"]["ungrounded"] == 0


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
