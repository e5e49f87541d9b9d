"""``llmx assess RESULTS...``: scorecards, a ranked table and an offline page (docs/assess.md).

Every input is read (and every report extracted) before anything is
written, so bad input fails with one line and no output; each file is then
written whole (``write_atomic``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from llmx.apps.cli_options import llm_config, llm_options
from llmx.apps.friendly import friendly
from llmx.apps.paths import output_file
from llmx.apps.json_summary import emit_json
from llmx.errors import LlmxError
from llmx.files import to_json, write_atomic

#: Scorecards are written as ``<doc_id>.assess.json``; inputs with that ending are never read as results.
SUFFIX = ".assess.json"


@click.command("assess")
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", type=click.Path(), help="folder for the scorecards (FOLDER/<doc_id>.assess.json)")
@click.option("--csv", "csv_file", type=click.Path(),
              help="scores and ranks as CSV; the flags go beside it as <name>_flags.csv (a folder: FOLDER/assess.csv)")
@click.option("--xlsx", "xlsx_file", type=click.Path(), help="scores and flags as two sheets (a folder: FOLDER/assess.xlsx)")
@click.option("--html", "html_file", type=click.Path(),
              help="one offline page: sortable table, a chart per score and indicator (a folder: FOLDER/assess.html)")
@click.option("--by", type=click.Choice(["county", "city", "province", "all"]), default="all", show_default=True,
              help="rank reports within the same county, city or province (by region code), or all together")
@click.option("--rules", "rules_file", type=click.Path(dir_okay=False),
              help="YAML overriding the report type's assess rules (deadlines, word lists; per province)")
@click.option("--json", "as_json", is_flag=True, help="print a JSON summary (flags per report) on stdout")
@llm_options
def assess_command(inputs: tuple[str, ...], output: str | None, csv_file: str | None, xlsx_file: str | None,
                   html_file: str | None, by: str, rules_file: str | None, as_json: bool, **opts: Any) -> None:
    """Assess reports as supervisors and researchers do: INPUTS are extract results (.json, with their
    source text beside them) or reports (extracted first), or folders of either."""
    friendly(_assess)(inputs, output, csv_file, xlsx_file, html_file, by, rules_file, as_json, opts)


def _assess(inputs: tuple[str, ...], output: str | None, csv_file: str | None, xlsx_file: str | None,
            html_file: str | None, by: str, rules_file: str | None, as_json: bool, opts: dict[str, Any]) -> None:
    from llmx.apps.assess.inputs import read_inputs
    from llmx.apps.assess.page import render
    from llmx.apps.assess.ranking import flag_table, score_table
    from llmx.apps.assess.rules import RuleBook
    from llmx.apps.assess.scorecard import assess_all
    from llmx.apps.table import reports_path, to_csv, write_xlsx
    from llmx.reports.report_type import load_report_type

    report_type = load_report_type(opts["report_type"])
    book = RuleBook(report_type, Path(rules_file) if rules_file else None)  # a bad rules file fails before extraction
    items = read_inputs(inputs, opts["design"], opts["report_type"], llm_config(opts))
    cards = assess_all(items, report_type, book)
    ids = [c["doc_id"] for c in cards]
    if len(set(ids)) < len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise LlmxError(f"{dup}: given twice (two inputs with the same doc_id); give each report once")
    page = render(cards, report_type, by) if html_file else None  # everything built before the first write
    scores, flags = score_table(cards, by), flag_table(cards)
    if output:
        for card in cards:
            write_atomic(Path(output) / f"{card['doc_id']}{SUFFIX}", to_json(card))
    if csv_file:
        path = output_file(csv_file, "assess.csv")
        write_atomic(path, to_csv(scores))
        write_atomic(reports_path(path).with_name(f"{path.stem}_flags{path.suffix}"), to_csv(flags))
    if xlsx_file:
        write_xlsx(output_file(xlsx_file, "assess.xlsx"), [scores, flags])
    if page is not None and html_file:
        write_atomic(output_file(html_file, "assess.html"), page)
    if as_json:
        emit_json({"reports": [{"doc_id": c["doc_id"], "flags": c["flags"]} for c in cards],
                   "written": len(cards) if output else 0})
    elif not (output or csv_file or xlsx_file or html_file):
        click.echo(to_json(cards), nl=False)
    click.echo(f"llmx assess: {len(cards)} reports, {sum(len(c['flags']) for c in cards)} flags", err=True)
