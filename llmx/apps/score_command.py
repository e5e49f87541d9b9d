"""``llmx score``: a folder of results against gold labels, the scorer alone."""

from __future__ import annotations

from pathlib import Path

import click

from llmx.apps.eval_command import FAIL_UNDER, _fail_under, _print_total
from llmx.apps.friendly import friendly
from llmx.files import to_json, write_atomic


@click.command("score")
@click.argument("pred_dir", type=click.Path(file_okay=False))
@click.argument("gold_dir", type=click.Path(file_okay=False))
@click.option("--source-dir", type=click.Path(file_okay=False), help="reports (default: GOLD_DIR/../corpus)")
@click.option("-o", "--output", type=click.Path(), help="write the scores as JSON (a folder: FOLDER/scores.json)")
@click.option("--json", "as_json", is_flag=True, help="print the total scores as JSON on stdout")
@FAIL_UNDER
@friendly
def score_command(pred_dir: str, gold_dir: str, source_dir: str | None, output: str | None, as_json: bool,
          fail_under: tuple[str, ...]) -> None:
    """Score a folder of outputs against gold labels (the scorer alone)."""
    from llmx.apps.paths import output_file
    from llmx.apps.json_summary import emit_json
    from llmx.eval.scoring import score_dirs

    sources = Path(source_dir) if source_dir else Path(gold_dir).parent / "corpus"
    scores = score_dirs(Path(pred_dir), Path(gold_dir), sources)
    if output:
        write_atomic(output_file(output, "scores.json"), to_json(scores))
    if as_json:
        emit_json(scores["total"])
    else:
        _print_total(scores["total"], f"score: {pred_dir} vs {gold_dir}")
    _fail_under(scores["total"], fail_under)
