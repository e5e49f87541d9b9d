"""``llmx review``: one result's page, its figures highlighted in the source text."""

from __future__ import annotations

from pathlib import Path

import click

from llmx.apps.cli_options import type_option
from llmx.apps.friendly import friendly
from llmx.apps.review import build_page
from llmx.files import write_atomic

@click.command("review")
@click.argument("result", type=click.Path())
@click.option("--source", type=click.Path(dir_okay=False),
              help="the report the result was extracted from [default: <doc_id>.txt beside RESULT or in eval/corpus/]")
@click.option("-o", "--output", required=True, type=click.Path(),
              help="HTML file to write (a folder: FOLDER/<result name>.html)")
@type_option
def review_command(result: str, source: str | None, output: str, report_type: str) -> None:
    """Write a self-contained HTML page showing RESULT's figures highlighted in the source text."""
    friendly(_review)(result, source, output, report_type)


def _review(result: str, source: str | None, output: str, report_type: str) -> None:
    from .paths import output_file

    target = output_file(output, f"{Path(result).stem}.html")
    write_atomic(target, build_page(Path(result), source, report_type))
    click.echo(f"wrote {target}", err=True)
