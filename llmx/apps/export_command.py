"""``llmx export``: the command line of ``llmx.export`` (results to a SQLite database)."""

from __future__ import annotations

from pathlib import Path

import click

from llmx import notices
from llmx.apps.cli_options import type_option
from llmx.apps.friendly import friendly
from llmx.reports.report_type import load_report_type
from llmx.errors import LlmxError
from .export import collect, export_sqlite
from .paths import output_file
from llmx.apps.json_summary import emit_json

DEFAULT_DB = "results.db"


@click.command("export")
@click.argument("results", type=click.Path())
@click.option("--sqlite", "sqlite_file", metavar="FILE", required=True,
              help=f"database to create or add to (a folder: FOLDER/{DEFAULT_DB})")
@type_option
@click.option("--json", "as_json", is_flag=True, help="print a machine-readable JSON summary on stdout")
@friendly
def export_command(results: str, sqlite_file: str, report_type: str, as_json: bool) -> None:
    """Put RESULTS (a folder of result JSON, one result, or an eval run record) into a SQLite database.

    Tables reports, figures, sections and items join on doc_id; figures.evidence,
    figures.label and items.text have full-text search.  Re-running adds new
    reports and replaces re-extracted ones, never duplicating.
    """
    lists = list(load_report_type(report_type).list_fields)
    found = collect(Path(results), notices.warn)
    if not found:
        raise LlmxError(f"{results}: no llmx results to export")
    summary = export_sqlite(found, output_file(sqlite_file, DEFAULT_DB), lists)
    if as_json:
        emit_json(summary)
    else:
        t = summary["tables"]
        click.echo(f"{summary['database']}: {summary['added']} reports added, {summary['replaced']} replaced; "
                   f"now {t['reports']} reports, {t['figures']} figures, {t['sections']} sections, "
                   f"{t['items']} items", err=True)
