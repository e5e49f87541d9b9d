"""``llmx eval`` (with ``compare`` and ``rescore``): run every gold set, score it, keep a run record."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from llmx.errors import LlmxError
from llmx.apps.cli_options import chosen_type, llm_config, llm_options
from llmx.apps.friendly import friendly
from llmx.reports.report_type import load_report_type
from llmx.files import to_json, write_atomic, write_stdout


def _fail_under(total: dict[str, Any], rules: tuple[str, ...]) -> None:
    """Exit non-zero, naming each metric below its threshold."""
    from llmx.eval.scoring import check_thresholds

    failures = check_thresholds(total, list(rules))
    for failure in failures:
        click.echo(f"llmx: below threshold: {failure}", err=True)
    if failures:
        sys.exit(1)


def _print_total(total: dict[str, Any], title: str) -> None:
    _print_sets({"total": total}, title)


FAIL_UNDER = click.option("--fail-under", multiple=True, metavar="METRIC=VALUE",
                          help="exit 1 when METRIC is below VALUE (METRIC<=VALUE: above); repeatable")


@click.group("eval", invoke_without_command=True)
@click.option("--set", "set_specs", multiple=True, metavar="NAME[=GOLD_DIR:SOURCE_DIR]",
              help="a gold set to score (repeatable; default: the bundled corpus, wide and wide2)")
@click.option("--gold-dir", type=click.Path(file_okay=False), help="one gold set's labels (with --corpus-dir)")
@click.option("--corpus-dir", type=click.Path(file_okay=False), help="the reports --gold-dir labels")
@click.option("--runs-dir", type=click.Path(file_okay=False), default="eval/runs", show_default=True)
@click.option("--name", help="run record name (default: timestamp and design)")
@click.option("--cv", is_flag=True, help="cross-validate the learned labeller: leave-one-set-out, k-fold by "
                                         "report and in-sample, each scored per set (model-free designs)")
@FAIL_UNDER
@llm_options
@click.pass_context
@friendly
def eval_command(ctx: click.Context, set_specs: tuple[str, ...], gold_dir: str | None, corpus_dir: str | None,
         runs_dir: str, name: str | None, cv: bool, fail_under: tuple[str, ...], **opts: Any) -> None:
    """Run extraction over every gold set, score each and all, and save a run record."""
    if ctx.invoked_subcommand:
        return
    from llmx.eval.evaluate import run_eval, save_run

    if cv:
        _cross_validate(opts, _gold_sets(set_specs, gold_dir, corpus_dir), Path(runs_dir), name, fail_under)
        return
    report_type = chosen_type(opts)
    record = run_eval(report_type, opts["design"], llm_config(opts), _gold_sets(set_specs, gold_dir, corpus_dir),
                      opts["prompt_version"])
    path = save_run(record, Path(runs_dir), name)
    _print_sets(record["scores"], f"eval: {record['config']['design']} -> {path}")
    write_stdout(f"{path}\n")
    _fail_under(record["scores"]["total"], fail_under)


def _cross_validate(opts: dict[str, Any], sets: list, runs_dir: Path, name: str | None,
                    fail_under: tuple[str, ...]) -> None:
    """``eval --cv``: held-out and in-sample scores side by side; the gate reads the held-out total."""
    from llmx.options import needs_model
    from llmx.eval.crossval import cross_validate

    if needs_model(opts["design"]):
        raise LlmxError(f"--cv retrains the labeller for every fold; design {opts['design']!r} would also "
                        f"ask a model each time: cross-validate 'rules' or 'learned'")
    if len(sets) < 2:
        raise LlmxError("--cv needs at least two gold sets (leave-one-set-out holds one out)")
    report_type = load_report_type(opts["report_type"])
    boost, stat_below, other_penalty = _judged_choice(report_type)
    record = cross_validate(report_type, sets, opts["design"], boost=boost, stat_below=stat_below,
                            other_penalty=other_penalty,
                            progress=lambda line: click.echo(f"llmx: {line}", err=True))
    path = runs_dir / f"{name or 'cv_' + opts['design']}.json"
    write_atomic(path, to_json(record))
    for scheme, result in record["schemes"].items():
        _print_sets({"sets": result["sets"], "total": result["total"] | _flag_metrics(result["flags"])},
                    f"eval --cv: {opts['design']}, {scheme}")
    click.echo(str(path))
    _fail_under(record["schemes"]["leave_one_set_out"]["total"], fail_under)


def _judged_choice(report_type: Any) -> tuple[float | None, float | None, float | None]:
    """The shipped labeller's boost, floor and ``other`` penalty when they were chosen on judge sets
    (``llmx train --boost-on``, the probes): every fold uses them, as the shipped labeller does; else
    each fold chooses its own."""
    from llmx.engine.learned import load_labeller

    if report_type.labeller_file is None:
        return None, None, None
    shipped = load_labeller(report_type.labeller_file)
    if not shipped.info.get("boost_judged_on"):
        return None, None, None
    return shipped.boost, shipped.stat_below, shipped.other_penalty


def _flag_metrics(flags: dict[str, Any]) -> dict[str, Any]:
    return {f"unsure_{k}": v for k, v in flags.items()}


def _gold_sets(specs: tuple[str, ...], gold_dir: str | None, corpus_dir: str | None) -> list:
    from llmx.eval.evaluate import DEFAULT_SETS, GoldSet, parse_set

    if gold_dir or corpus_dir:
        if specs or not (gold_dir and corpus_dir):
            raise LlmxError("--gold-dir goes with --corpus-dir, and not with --set")
        return [GoldSet("custom", Path(gold_dir), Path(corpus_dir))]
    return [parse_set(s) for s in specs] if specs else list(DEFAULT_SETS)


def _print_sets(scores: dict[str, Any], title: str) -> None:
    """One column per gold set, the overall total, and the gap between the first two sets."""
    from rich.console import Console
    from rich.table import Table

    sets = scores.get("sets") or {}
    table = Table(title=title, show_edge=False)
    table.add_column("metric")
    for name in sets:
        table.add_column(name, justify="right")
    table.add_column("all", justify="right")
    names = list(sets)
    if len(names) >= 2:
        table.add_column(f"gap {names[1]}-{names[0]}", justify="right")
    for key, value in scores["total"].items():
        cells = [_cell(sets[n].get(key)) for n in names] + [_cell(value)]
        if len(names) >= 2:
            a, b = sets[names[0]].get(key), sets[names[1]].get(key)
            cells.append(_cell(b - a) if isinstance(a, (int, float)) and isinstance(b, (int, float)) else "-")
        table.add_row(key, *cells)
    Console(stderr=True).print(table)


def _cell(value: Any) -> str:
    return "-" if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)


@eval_command.command()
@click.argument("run_a", type=click.Path(dir_okay=False))
@click.argument("run_b", type=click.Path(dir_okay=False))
@click.option("--markdown", type=click.Path(dir_okay=False), help="also write the comparison as Markdown")
@click.option("--html", type=click.Path(dir_okay=False), help="also write it as one self-contained HTML page")
@friendly
def compare(run_a: str, run_b: str, markdown: str | None, html: str | None) -> None:
    """Compare two run records: metric deltas, regressions, flipped figures."""
    from rich.console import Console

    from llmx.eval.compare import compare as compare_runs, render_html, render_markdown, render_rich
    from llmx.eval.evaluate import load_run

    cmp = compare_runs(load_run(Path(run_a)), load_run(Path(run_b)))
    console = Console()
    with console.capture() as shown:
        console.print(render_rich(cmp))
    write_stdout(shown.get())
    if markdown:
        write_atomic(Path(markdown), render_markdown(cmp))
    if html:
        write_atomic(Path(html), render_html(cmp))


@eval_command.command("rescore")
@click.argument("runs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.pass_context
@friendly
def rescore_runs(ctx: click.Context, runs: tuple[str, ...]) -> None:
    """Score the predictions stored in RUNS again, in place (after a scorer or gold change); a
    cross-validation record (``--cv``) has each scheme scored again."""
    from llmx.eval.crossval import rescore_cv
    from llmx.eval.evaluate import load_run, rescore

    for run in runs:
        record = load_run(Path(run), cross_validation=True)
        if "schemes" in record:
            record = rescore_cv(record)
            totals = {scheme: entry["total"] for scheme, entry in record["schemes"].items()}
        else:
            record = rescore(record)
            totals = {"total": record["scores"]["total"]}
        write_atomic(Path(run), to_json(record))
        write_stdout(f"{run}: " + ", ".join(f"{name} figure_f1={t['figure_f1']:.4f}" for name, t in totals.items()) + "\n")
