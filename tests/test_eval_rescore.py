"""``llmx eval rescore``: stored predictions scored again after a scorer or gold change, for run and
cross-validation records alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from llmx.apps.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _one_set(tmp_path: Path, name: str = "wide") -> tuple[Path, Path]:
    gold, raw = tmp_path / name / "gold", tmp_path / name / "raw"
    shutil.copytree(ROOT / "eval" / name / "gold", gold)
    shutil.copytree(ROOT / "eval" / name / "raw", raw)
    return gold, raw


def _record(tmp_path: Path, *sets: tuple[Path, Path]) -> Path:
    runs = tmp_path / "runs"
    named = [arg for n, (gold, raw) in enumerate(sets) for arg in ("--set", f"mine{n or ''}={gold}:{raw}")]
    result = CliRunner().invoke(main, ["eval", *named, "--design", "rules", "--runs-dir", str(runs), "--name", "run"])
    assert result.exit_code == 0, result.output
    return runs / "run.json"


def _drop_first_figures(gold: Path, reports: int) -> int:
    """Remove the first gold figure of the first ``reports`` labelled reports; how many were removed."""
    dropped = 0
    for path in sorted(gold.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        if label["figures"] and dropped < reports:
            label["figures"] = label["figures"][1:]
            path.write_text(json.dumps(label, ensure_ascii=False), encoding="utf-8")
            dropped += 1
    return dropped


def test_a_run_record_is_scored_again_against_the_labels_as_they_are_now(tmp_path: Path) -> None:
    gold, raw = _one_set(tmp_path)
    run = _record(tmp_path, (gold, raw))
    before = json.loads(run.read_text(encoding="utf-8"))["scores"]["total"]
    dropped = _drop_first_figures(gold, 3)
    result = CliRunner().invoke(main, ["eval", "rescore", str(run)])
    assert result.exit_code == 0, result.output
    after = json.loads(run.read_text(encoding="utf-8"))["scores"]["total"]
    assert after["figure_fn"] <= before["figure_fn"]
    assert after["figure_tp"] + after["figure_fn"] == before["figure_tp"] + before["figure_fn"] - dropped


def test_a_cross_validation_record_has_every_scheme_scored_again_with_its_flags(tmp_path: Path) -> None:
    """The same predictions of two sets (keys ``set/stem``, as `--cv` writes them), stored as a `--cv`
    record's scheme, score as the run record does."""
    gold, raw = _one_set(tmp_path)
    run = json.loads(_record(tmp_path, (gold, raw), _one_set(tmp_path, "wide2")).read_text(encoding="utf-8"))
    assert all("/" in key for key in run["predictions"])
    cv = {"config": {"design": "rules", "sets": run["config"]["sets"]}, "schemes": {
        "in_sample": {"sets": {}, "total": {}, "flags": {}, "predictions": run["predictions"]}}}
    path = tmp_path / "cv.json"
    path.write_text(json.dumps(cv, ensure_ascii=False), encoding="utf-8")
    _drop_first_figures(gold, 3)
    result = CliRunner().invoke(main, ["eval", "rescore", str(path)])
    assert result.exit_code == 0, result.output
    assert "in_sample figure_f1=" in result.output
    scored = json.loads(path.read_text(encoding="utf-8"))["schemes"]["in_sample"]
    rescored_run = tmp_path / "runs" / "run.json"
    assert CliRunner().invoke(main, ["eval", "rescore", str(rescored_run)]).exit_code == 0
    assert scored["total"] == json.loads(rescored_run.read_text(encoding="utf-8"))["scores"]["total"]
    assert scored["flags"]["figures"] == sum(len(p["figures"]) for p in run["predictions"].values())
    assert set(scored["sets"]) == {"mine", "mine1"}
    assert scored["sets"]["mine1"] == json.loads(rescored_run.read_text(encoding="utf-8"))["scores"]["sets"]["mine1"]


def test_a_file_that_is_no_record_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"schemes": []}), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "rescore", str(path)])
    assert result.exit_code != 0 and "not a run record" in result.output and "Traceback" not in result.output
