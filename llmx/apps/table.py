"""``llmx table``: a folder of results as two spreadsheets, one row per indicator and per report.

Staff who collect dozens of reports compare them in Excel, not in JSON.  The
indicator table adds up each report's figures per catalogue indicator; the
report table shows which template elements each report has and how much was
found, rejected or left uncovered.  Both are written as UTF-8 CSV with a BOM
(so Excel shows the Chinese correctly) and, when openpyxl is installed, as
one workbook with two sheets.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from llmx.options import BY_NAME
from llmx.reports.catalogue import Catalogue
from llmx.errors import LlmxError
from llmx.files import write_atomic

Cell = str | int | float | None

#: Keys every result file has; a JSON object without them is someone else's file.
RESULT_KEYS = ("doc_id", "meta", "sections", "figures")

INDICATOR_COLUMNS = ["doc_id", "indicator", "indicator_name", "figures", "sum", "values", "units",
                     "verified", "targets", "unsure", "note"]


@dataclass
class Table:
    """A sheet: a name, column headers, and rows of cells in column order."""

    name: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)


# --- reading results ------------------------------------------------------


def read_result(path: Path) -> dict[str, Any]:
    """Load one result JSON, refusing files that are not results (run records, gold files, other JSON)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise LlmxError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, ValueError) as exc:
        raise LlmxError(f"{path}: not valid JSON: {exc}") from exc
    return checked_result(data, path)


def checked_result(data: Any, where: Path | str) -> dict[str, Any]:
    """``data`` if it is an llmx result, else an error naming ``where`` it came from."""
    if not isinstance(data, dict) or any(k not in data for k in RESULT_KEYS):
        raise LlmxError(f"{where}: not an llmx result (needs {', '.join(RESULT_KEYS)})")
    if not isinstance(data["figures"], list) or not all(_is_figure(f) for f in data["figures"]):
        raise LlmxError(f"{where}: not an llmx result (figures must be objects with indicator and a numeric value)")
    return data


def _is_figure(fig: Any) -> bool:
    value = fig.get("value") if isinstance(fig, dict) else None
    return (isinstance(fig, dict) and isinstance(fig.get("indicator"), str)
            and isinstance(value, (int, float)) and not isinstance(value, bool))


def read_results(folder: Path, warn: Any = None) -> list[dict[str, Any]]:
    """Every result in ``folder`` by file name; unreadable or foreign JSON files are skipped with a warning.

    ``errors.jsonl`` (written beside results for failed reports) never matches ``*.json``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LlmxError(f"{folder}: no such folder")
    warn = warn or (lambda msg: click.echo(f"llmx: warning: {msg}", err=True))
    results = []
    for path in sorted(folder.glob("*.json")):
        try:
            results.append(read_result(path))
        except LlmxError as exc:
            warn(f"{exc}; skipped")
    if not results:
        raise LlmxError(f"{folder}: no llmx result files (*.json)")
    return results


# --- formatting -----------------------------------------------------------


def number(value: Any) -> int | float:
    """A figure's value as int when it is whole, so 2736000.0 reads as 2736000."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def format_value(value: Any) -> str:
    """Text for a number without float noise (0.1 + 0.2 shows as 0.3) or exponent notation."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    value = number(value)
    if isinstance(value, int):
        return str(value)
    return f"{value:.6f}".rstrip("0").rstrip(".")


def join(items: Iterable[Any]) -> str:
    """Lists in one cell, ``;``-joined (Chinese names contain commas, never semicolons)."""
    return ";".join(format_value(i) for i in items)


def distinct(items: Iterable[Any]) -> list[Any]:
    """Unique items in first-seen order."""
    return list(dict.fromkeys(items))


def yes_no(flag: Any) -> str:
    return "yes" if flag else "no"


# --- the two tables -------------------------------------------------------


def figure_sum(figures: list[dict[str, Any]]) -> tuple[int | float | None, str]:
    """The sum of the values and a note; no sum when it would mislead (mixed units, percentages)."""
    units = distinct(f.get("unit", "") for f in figures)
    if len(units) > 1:
        return None, f"units differ ({join(units)}): not summed"
    if units == ["%"]:
        return None, "percentages: not summed"
    total = number(round(math.fsum(f["value"] for f in figures), 9))
    targets = sum(1 for f in figures if f.get("target"))
    note = f"sum includes {targets} target value(s)" if targets and targets < len(figures) else ""
    return total, note


def _indicator_order(keys: Iterable[str], catalogue: Catalogue) -> list[str]:
    """Catalogue order first, then anything else (``other``, keys from an older catalogue)."""
    present = set(keys)
    ordered = [k for k in catalogue.keys if k in present]
    return ordered + sorted(present - set(ordered))


def indicator_rows(result: dict[str, Any], catalogue: Catalogue) -> list[list[Cell]]:
    """One row per indicator that occurs in this report."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for fig in result["figures"]:
        by_key.setdefault(fig.get("indicator", "other"), []).append(fig)
    rows = []
    for key in _indicator_order(by_key, catalogue):
        figs = by_key[key]
        entry = catalogue.get(key)
        total, note = figure_sum(figs)
        rows.append([
            result["doc_id"], key, entry.name if entry else "", len(figs), total,
            join(f["value"] for f in figs), join(distinct(f.get("unit", "") for f in figs)),
            sum(1 for f in figs if f.get("verified")), sum(1 for f in figs if f.get("target")),
            sum(1 for f in figs if f.get("unsure")), note,
        ])
    return rows


def indicator_table(results: list[dict[str, Any]], catalogue: Catalogue) -> Table:
    table = Table("indicators", list(INDICATOR_COLUMNS))
    for result in results:
        table.rows.extend(indicator_rows(result, catalogue))
    return table


def _keys(results: list[dict[str, Any]], part: str) -> list[str]:
    """The keys of ``meta`` or ``sections`` across all results, in first-seen order (the report type decides them)."""
    return distinct(k for r in results for k in r.get(part) or {})


def _meta_cell(value: Any) -> Cell:
    if isinstance(value, list):
        return join(value)
    return value if isinstance(value, (int, float, str)) else ("" if value is None else str(value))


def report_table(results: list[dict[str, Any]], list_fields: tuple[str, ...]) -> Table:
    """One row per report: meta, element checklist, and counts of what was found and set aside
    (``list_fields``: the report type's item lists, ``ReportType.list_fields``)."""
    meta_keys, section_keys = _keys(results, "meta"), _keys(results, "sections")
    counts = ["figures", "rejected", "uncovered", *list_fields]
    columns = (["doc_id"] + meta_keys + [f"{k}_present" for k in section_keys]
               + ["elements_present"] + counts + ["unsure", "meta_unsure"])
    table = Table("reports", columns)
    for r in results:
        sections = r.get("sections") or {}
        present = [bool((sections.get(k) or {}).get("present")) for k in section_keys]
        table.rows.append(
            [r["doc_id"]] + [_meta_cell((r.get("meta") or {}).get(k)) for k in meta_keys]
            + [yes_no(p) for p in present] + [sum(present)]
            + [len(r.get(k) or []) for k in counts]
            + [sum(1 for f in r["figures"] if f.get("unsure")), join(r.get("meta_unsure") or [])]
        )
    return table


# --- writing --------------------------------------------------------------


def reports_path(csv_path: Path) -> Path:
    """``summary.csv`` -> ``summary_reports.csv``: the second table beside the first."""
    return csv_path.with_name(f"{csv_path.stem}_reports{csv_path.suffix}")


def to_csv(table: Table) -> str:
    """CSV text with a BOM, so Excel detects UTF-8 instead of showing mojibake."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([format_value(c) for c in row])
    return "\ufeff" + buf.getvalue()


def write_xlsx(path: Path, tables: list[Table]) -> None:
    """One workbook, one sheet per table; numbers stay numbers so Excel can add them up."""
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError as exc:
        raise LlmxError(f"{path}: writing .xlsx needs openpyxl (pip install openpyxl)") from exc
    book = Workbook()
    if book.active is not None:  # the default empty sheet: every sheet is made below
        book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(table.name)
        sheet.append(table.columns)
        for row in table.rows:
            sheet.append(["" if c is None else c for c in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
        for column in sheet.columns:
            width = max(len(format_value(c.value)) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width * 1.6, 8), 50)
    buf = io.BytesIO()
    book.save(buf)
    write_atomic(Path(path), buf.getvalue())


def build_tables(outdir: Path, report_type: str = BY_NAME["report_type"].default) -> list[Table]:
    """The indicator and report tables for every result in ``outdir``."""
    from llmx.reports.report_type import load_report_type

    results = read_results(outdir)
    chosen = load_report_type(report_type)
    return [indicator_table(results, chosen.catalogue), report_table(results, chosen.list_fields)]
