"""``llmx train``: fit the learned labeller on gold sets and write it as one ``.npz`` file.

The file is what ``--labeller FILE`` (``LLMX_LABELLER``) reads; the report
type's shipped labeller (``schemas/<type>/labeller.npz``) is this command's
output on the bundled sets, written with ``-o`` to that path.
"""

from __future__ import annotations

import io

import click

from llmx.apps.cli_options import type_option
from llmx.apps.friendly import friendly
from llmx.apps.paths import output_file
from llmx.apps.json_summary import emit_json
from llmx.reports.report_type import load_report_type
from llmx.notices import warn
from llmx.files import write_atomic

DEFAULT_FILE = "labeller.npz"


@click.command("train")
@click.option("--set", "set_specs", multiple=True, metavar="NAME[=GOLD_DIR:SOURCE_DIR]",
              help="a gold set to learn from (repeatable; default: every bundled set but the held-out probe "
                   "(eval/probes/README.md), which makes the shipped labeller); a bundled set's name, or your own "
                   "labels and reports")
@click.option("--with", "extra_specs", multiple=True, metavar="NAME=GOLD_DIR:SOURCE_DIR",
              help="your own labels and reports, learned from beside the --set sets (default: every bundled "
                   "set; then the boost and floor are still chosen on the probes) (repeatable)")
@click.option("-o", "--output", default=DEFAULT_FILE, show_default=True, type=click.Path(),
              help=f"where to write the labeller (a folder: FOLDER/{DEFAULT_FILE})")
@click.option("--boost", type=float, help="trust in the cue words' key, in log-probability "
                                          "[default: chosen by accuracy on --boost-on, else leave-one-set-out]")
@click.option("--other-penalty", type=click.FloatRange(0.0), help="log-probability taken from `other` before "
              "the classes are compared [default: chosen with the boost, else 0 with a given --boost]")
@click.option("--floor", "stat_below", type=click.FloatRange(0.0, 1.0),
              help="p_stat under which the learned design drops a number [default: chosen on the --boost-on "
                   "sets (the probes), else 0]")
@click.option("--boost-on", "judge_specs", multiple=True, metavar="NAME[=GOLD_DIR:SOURCE_DIR]",
              help="labelled reports the cue words were written on less than the gold sets: the boost (and "
                   "the floor under which a number is no statistic) that label them best, each set held out of the fit it judges "
                   "when it is also a --set (repeatable; default with no --set: the bundled probes but the held-out one)")
@type_option
@click.option("--json", "as_json", is_flag=True, help="print the labeller's provenance as JSON on stdout")
@friendly
def train_command(set_specs: tuple[str, ...], extra_specs: tuple[str, ...], output: str, boost: float | None,
                  other_penalty: float | None, stat_below: float | None, judge_specs: tuple[str, ...],
                  report_type: str, as_json: bool) -> None:
    """Learn what each number counts from every gold label given, and write the labeller.

    With no options it makes the shipped labeller; `--with mine=LABELS/:REPORTS/`
    folds your corrections in beside it.  Use the file with `llmx extract
    --labeller FILE` (or LLMX_LABELLER); `llmx eval --cv` measures it on reports
    it was not trained on.
    """
    from llmx.eval.evaluate import HELD_OUT_SETS, PROBE_SETS, TRAINING_SETS, parse_set
    from llmx.eval.train import train

    sets = [parse_set(s) for s in set_specs] if set_specs else list(TRAINING_SETS)
    sets += [parse_set(s) for s in extra_specs]
    by_name = {s.name: s for s in sets}  # `--boost-on p5` names a set learned from: held out in turn
    judges = [by_name[spec] if spec in by_name else parse_set(spec) for spec in judge_specs]
    if not set_specs and not judge_specs:  # as the shipped labeller: each probe judges a fit it is held out of
        judges = list(PROBE_SETS)
    held_out = {s.name for s in HELD_OUT_SETS} & {s.name for s in (*sets, *judges)}
    if held_out:
        named = ", ".join(sorted(held_out))
        warn(f"{named} is the held-out probe: once trained or judged on, it no longer estimates unseen reports"
             if len(held_out) == 1 else
             f"{named} are held-out probes: once trained or judged on, they no longer estimate unseen reports")
    model = train(load_report_type(report_type), sets, boost=boost, stat_below=stat_below,
                  other_penalty=other_penalty, judge_sets=judges)
    buffer = io.BytesIO()
    model.save(buffer)
    path = output_file(output, DEFAULT_FILE)
    write_atomic(path, buffer.getvalue())
    if as_json:
        emit_json(model.info | {"file": str(path)})
    else:
        info = model.info
        click.echo(f"{path}: {info['statistics']} statistics of {info['examples']} numbers "
                   f"from {', '.join(s.name for s in sets)} (+{info['catalogue_examples']} catalogue examples); "
                   f"boost {info['boost']:g}, other penalty {info['other_penalty']:g}, "
                   f"no statistic under p {info['stat_below']:g}, "
                   f"unsure below {info['unsure_below']:.3f}, data {info['data_hash']}{_meta_line(info)}",
                   err=True)


def _meta_line(info: dict) -> str:
    """What the meta doubt model caught held out by set, where one was fitted."""
    held = info.get("meta_doubt_held_out")
    if not held or "held_out_capture" not in held:
        return ""
    return (f"; meta fields: {held['held_out_capture']:.0%} of {held['wrong']} wrong flagged at "
            f"{held['held_out_flagged']:.0%} of fields, held out {held.get('held_out', 'by set')}")
