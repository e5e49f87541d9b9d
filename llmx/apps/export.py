"""``llmx export RESULTS --sqlite results.db``: results as a database a researcher can query and join.

Why SQLite, built with sqlite-utils: one file that DuckDB, Datasette, R,
pandas and the ``sqlite3`` shell all open; sqlite-utils (made for exactly
this) creates tables from dicts, adds columns a newer result brings, and
sets up full-text search with triggers that keep it in step.

Why these keys: ``reports.doc_id`` is the primary key and every other table
carries it as a foreign key (``figures``, ``sections``, ``items``), so any
two join on ``doc_id``; ``reports.region_code`` joins other public data.
Exporting again replaces a report's rows (a re-extracted report is updated,
never duplicated) and adds new reports.  The database is built in a copy
and swapped in only when complete, so a failure leaves the old one intact.

Full-text search uses SQLite's trigram tokenizer: Chinese has no spaces, so
a word tokenizer would index whole clauses as one token; trigrams find any
substring of three or more characters (``MATCH '法律明白人'``).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from llmx.errors import LlmxError
from llmx.files import replacing
from .table import checked_result, read_results

#: Column types of the tables, so an empty or sparse first batch still gets the right ones.
REPORT_COLUMNS: dict[str, type] = {
    "doc_id": str, "title": str, "report_year": int, "doc_number": str, "date": str, "level": str,
    "township": str, "county": str, "region_code": str, "signers": str, "issuers": str, "recipients": str,
    "cc": str, "figures": int, "rejected": int, "uncovered": int, "unsure": int, "meta_unsure": str,
    "warnings": str, "model": str,
    "prompt_version": str, "calls": int, "prompt_tokens": int, "completion_tokens": int,
    "seconds": float, "cache_hits": int, "result_file": str,
}
FIGURE_COLUMNS: dict[str, type] = {
    "id": str, "doc_id": str, "n": int, "indicator": str, "label": str, "value": float, "unit": str,
    "qualifier": str, "target": int, "evidence": str, "start": int, "end": int, "verified": int,
    "confidence": float, "unsure": int,
}
SECTION_COLUMNS: dict[str, type] = {"doc_id": str, "element": str, "present": int, "heading": str}
ITEM_COLUMNS: dict[str, type] = {"doc_id": str, "list": str, "n": int, "text": str}
#: Tables whose rows belong to one report and are replaced with it.
CHILD_TABLES = ("figures", "sections", "items")
USAGE_KEYS = ("calls", "prompt_tokens", "completion_tokens", "seconds", "cache_hits")


def collect(source: Path, warn: Callable[[str], None]) -> list[tuple[str, dict[str, Any]]]:
    """``(where it came from, result)`` pairs from a results folder, one result, or an ``llmx eval`` run record."""
    if source.is_dir():
        return [(str(source / f"{r['doc_id']}.json"), r) for r in read_results(source, warn)]
    if not source.is_file():
        raise LlmxError(f"{source}: no such folder or run record")
    try:
        record = json.loads(source.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise LlmxError(f"{source}: not a results folder or a readable run record ({exc})") from exc
    predictions = record.get("predictions") if isinstance(record, dict) else None
    if predictions is None and isinstance(record, dict) and "doc_id" in record:
        return [(str(source), checked_result(record, source))]  # one result, already parsed
    if not isinstance(predictions, dict) or not predictions:
        raise LlmxError(f"{source}: not a results folder or an llmx eval run record (no predictions)")
    return [(f"{source}#{name}", result) for name, result in predictions.items() if _usable(result, warn, name)]


def _usable(result: Any, warn: Callable[[str], None], name: str) -> bool:
    """A run record may hold a failed report's empty prediction; it is skipped with a warning."""
    ok = isinstance(result, dict) and isinstance(result.get("doc_id"), str) and isinstance(result.get("figures"), list)
    if not ok:
        warn(f"{name}: not an llmx result; skipped")
    return ok


def report_row(result: dict[str, Any], origin: str) -> dict[str, Any]:
    """The ``reports`` row: every meta field (lists as JSON), counts, model and cost."""
    meta = result.get("meta") or {}
    usage = result.get("usage") or {}
    return {
        "doc_id": result["doc_id"],
        **{k: json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v for k, v in meta.items()},
        "figures": len(result["figures"]), "rejected": len(result.get("rejected") or []),
        "uncovered": len(result.get("uncovered") or []),
        "unsure": sum(bool(f.get("unsure")) for f in result["figures"]),
        "meta_unsure": json.dumps(result.get("meta_unsure") or [], ensure_ascii=False),
        "warnings": json.dumps(result.get("warnings") or [], ensure_ascii=False),
        "model": result.get("model"), "prompt_version": result.get("prompt_version"),
        **{k: usage.get(k) for k in USAGE_KEYS}, "result_file": origin,
    }


def child_rows(result: dict[str, Any], list_fields: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The report's ``figures``, ``sections`` and ``items`` rows, numbered in document order."""
    doc_id = result["doc_id"]
    figures = [{"id": f"{doc_id}#{n}", "doc_id": doc_id, "n": n,
                **{k: fig.get(k) for k in FIGURE_COLUMNS if k not in ("id", "doc_id", "n")}}
               for n, fig in enumerate(result["figures"], 1)]
    sections = [{"doc_id": doc_id, "element": key, "present": bool(s.get("present")), "heading": s.get("heading")}
                for key, s in (result.get("sections") or {}).items() if isinstance(s, dict)]
    items = [{"doc_id": doc_id, "list": field, "n": n, "text": text}
             for field in list_fields for n, text in enumerate(result.get(field) or [], 1)]
    return {"figures": figures, "sections": sections, "items": items}


def export_sqlite(results: list[tuple[str, dict[str, Any]]], db_path: Path,
                  list_fields: Iterable[str]) -> dict[str, Any]:
    """Add or replace ``results`` in the database at ``db_path``; returns counts for the summary.

    ``list_fields`` are the report type's item lists (its elements' ``list_field``).
    """
    if db_path.is_dir():
        raise LlmxError(f"{db_path}: is a folder; give a database file name")
    fields = tuple(list_fields)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(db_path) as work:
            if db_path.exists():
                shutil.copyfile(db_path, work)
            with closing(sqlite3.connect(work)) as conn:  # closed before the rename, or before the copy is removed
                db = _open(conn, work)
                existing = {row[0] for row in db.execute("select doc_id from reports")}
                for origin, result in results:
                    _replace_report(db, result, origin, fields)
                counts = {name: db[name].count for name in ("reports", *CHILD_TABLES)}
                conn.commit()
    except sqlite3.DatabaseError as exc:
        raise LlmxError(f"{db_path}: cannot write the database ({exc})") from exc
    except OSError as exc:
        raise LlmxError(f"{db_path}: cannot write the database ({exc.strerror or exc})") from exc
    ids = {r["doc_id"] for _, r in results}
    return {"database": str(db_path), "exported": len(results), "added": len(ids - existing),
            "replaced": len(ids & existing), "tables": counts}


def _open(conn: sqlite3.Connection, path: Path):  # type: ignore[no-untyped-def]
    """The database at ``path`` (open as ``conn``) with the four tables, keys, indexes and full-text search."""
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    _check_is_llmx(db, path)
    db.table("reports").create(REPORT_COLUMNS, pk="doc_id", if_not_exists=True)
    foreign = [("doc_id", "reports", "doc_id")]
    db.table("figures").create(FIGURE_COLUMNS, pk="id", foreign_keys=foreign, if_not_exists=True)
    db.table("sections").create(SECTION_COLUMNS, pk=("doc_id", "element"), foreign_keys=foreign, if_not_exists=True)
    db.table("items").create(ITEM_COLUMNS, pk=("doc_id", "list", "n"), foreign_keys=foreign, if_not_exists=True)
    db.table("figures").create_index(["doc_id"], if_not_exists=True)
    db.table("figures").create_index(["indicator"], if_not_exists=True)
    if not db.table("figures").detect_fts():
        db.table("figures").enable_fts(["evidence", "label"], create_triggers=True, tokenize="trigram")
        db.table("items").enable_fts(["text"], create_triggers=True, tokenize="trigram")
    return db


def _check_is_llmx(db: Any, path: Path) -> None:
    """Refuse to write into some other database that happens to sit at the path."""
    tables = set(db.table_names())
    if tables and "reports" not in tables:
        raise LlmxError(f"{path}: is a database without an llmx reports table; give another file name")


def _replace_report(db: Any, result: dict[str, Any], origin: str, list_fields: tuple[str, ...]) -> None:
    """Drop the report's old rows and write the new ones (columns a newer result brings are added)."""
    doc_id = result["doc_id"]
    for table in CHILD_TABLES:
        db[table].delete_where("doc_id = ?", [doc_id])
    db["reports"].upsert(report_row(result, origin), pk="doc_id", alter=True)
    for table, rows in child_rows(result, list_fields).items():
        if rows:
            db[table].insert_all(rows, alter=True)
