"""``llmx table``: the results of a folder as two tables (CSV or one workbook)."""

from __future__ import annotations

from pathlib import Path

import click

from llmx.apps.cli_options import type_option
from llmx.apps.friendly import friendly
from llmx.apps.table import build_tables, reports_path, to_csv, write_xlsx
from llmx.errors import LlmxError
from llmx.files import write_atomic

@click.command("table")
@click.argument("outdir", type=click.Path())
@click.option("--csv", "csv_file", type=click.Path(),
              help="indicators CSV; the reports table goes beside it as <name>_reports.csv "
                   "(a folder: FOLDER/indicators.csv)")
@click.option("--xlsx", "xlsx_file", type=click.Path(),
              help="one workbook with both tables as sheets (a folder: FOLDER/summary.xlsx)")
@type_option
def table_command(outdir: str, csv_file: str | None, xlsx_file: str | None, report_type: str) -> None:
    """Tabulate the results in OUTDIR: figures per indicator and report, and one row per report."""
    friendly(_table)(outdir, csv_file, xlsx_file, report_type)


def _table(outdir: str, csv_file: str | None, xlsx_file: str | None, report_type: str) -> None:
    if not csv_file and not xlsx_file:
        raise LlmxError("llmx table: give --csv FILE and/or --xlsx FILE")
    from .paths import output_file

    indicators, reports = build_tables(Path(outdir), report_type)
    if csv_file:
        csv_path = output_file(csv_file, "indicators.csv")
        write_atomic(csv_path, to_csv(indicators))
        write_atomic(reports_path(csv_path), to_csv(reports))
    if xlsx_file:
        write_xlsx(output_file(xlsx_file, "summary.xlsx"), [indicators, reports])
    click.echo(f"{len(reports.rows)} reports, {len(indicators.rows)} indicator rows", err=True)
