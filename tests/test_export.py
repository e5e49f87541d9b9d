"""``llmx export`` (issue 14, point 2): results as a SQLite database whose tables join and whose queries answer."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS, ROOT
from llmx.apps.cli import main

DOCS = ROOT / "docs" / "export.md"


def llmx(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """The bundled reports extracted with the rules (the eval's outputs, without a model)."""
    out = tmp_path_factory.mktemp("results")
    result = llmx("extract", *map(str, sorted(CORPUS.glob("*.txt"))), "--design", "rules", "--quiet", "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def results(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def export(folder: Path, db: Path) -> dict:
    result = llmx("export", str(folder), "--sqlite", str(db), "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def documented_queries() -> list[str]:
    """The SQL blocks of docs/export.md that are plain queries (not DuckDB's setup)."""
    blocks = re.findall(r"```sql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    return [b.strip() for b in blocks if b.lstrip().upper().startswith("SELECT")]


def test_one_query_answers_figures_per_indicator_per_report(outputs, tmp_path):
    db = tmp_path / "results.db"
    summary = export(outputs, db)
    assert summary["tables"]["reports"] == 5 and summary["added"] == 5
    expected = sorted((r["doc_id"], ind, n) for r in results(outputs)
                      for ind, n in Counter(f["indicator"] for f in r["figures"]).items())
    assert rows(db, documented_queries()[0]) == expected


def test_rows_carry_the_result_and_join_on_doc_id(outputs, tmp_path):
    db = tmp_path / "results.db"
    export(outputs, db)
    first = results(outputs)[0]
    fig = first["figures"][0]
    assert rows(db, f"select indicator, value, evidence, start, \"end\", verified from figures "
                    f"where id = '{first['doc_id']}#1'") == [(fig["indicator"], fig["value"], fig["evidence"],
                                                              fig["start"], fig["end"], 1)]
    assert rows(db, "select count(*) from figures f left join reports r using (doc_id) where r.doc_id is null") == [(0,)]
    assert rows(db, f"select region_code, township from reports where doc_id = '{first['doc_id']}'") == [
        (first["meta"]["region_code"], first["meta"]["township"])]
    items = sum(len(r["shortcomings"]) + len(r["next_year_plans"]) for r in results(outputs))
    assert rows(db, "select count(*) from items") == [(items,)]
    assert rows(db, "select count(*) from sections") == [(25,)]


def test_full_text_search_finds_evidence(outputs, tmp_path):
    db = tmp_path / "results.db"
    export(outputs, db)
    hits = rows(db, documented_queries()[-1])
    expected = sorted((r["doc_id"], f["evidence"]) for r in results(outputs) for f in r["figures"]
                      if "法律明白人" in f["evidence"])
    assert [(h[0], h[3]) for h in hits] == expected and expected


def test_rerunning_adds_new_reports_and_replaces_changed_ones_without_duplicates(outputs, tmp_path):
    folder, db = tmp_path / "res", tmp_path / "results.db"
    shutil.copytree(outputs, folder)
    new = folder / "000_463a946c1bd692f9.json"
    moved = new.read_text(encoding="utf-8")
    new.unlink()
    export(folder, db)
    before = rows(db, "select count(*) from figures")[0][0]
    again = export(folder, db)
    assert (again["added"], again["replaced"]) == (0, 4) and rows(db, "select count(*) from figures")[0][0] == before
    changed = json.loads(moved)
    changed["figures"] = changed["figures"][:3]  # a re-extraction with fewer figures
    new.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
    third = export(folder, db)
    assert (third["added"], third["replaced"]) == (1, 4)
    assert rows(db, "select count(*) from figures where doc_id = '000_463a946c1bd692f9'") == [(3,)]
    assert rows(db, "select count(*) from figures_fts") == rows(db, "select count(*) from figures")


def test_every_documented_query_runs_in_sqlite_and_duckdb(outputs, tmp_path):
    db = tmp_path / "results.db"
    export(outputs, db)
    queries = documented_queries()
    assert len(queries) >= 5
    answers = [rows(db, q) for q in queries]
    assert answers[0] and answers[3] and answers[-1]  # per indicator, by region, full text: all find rows
    duckdb = pytest.importorskip("duckdb", reason="duckdb not installed: the DuckDB half is not checked")
    con = duckdb.connect()
    with sqlite3.connect(db) as conn:  # DuckDB's own sqlite reader is a download; copy the tables instead
        for table in ("reports", "figures", "sections", "items"):
            cols = [c[1] for c in conn.execute(f"pragma table_info({table})")]
            types = {c[1]: c[2] or "TEXT" for c in conn.execute(f"pragma table_info({table})")}
            con.execute(f"create table {table} ({', '.join(f'{c!r} {types[c]}'.replace(chr(39), chr(34)) for c in cols)})")
            data = conn.execute(f"select * from {table}").fetchall()
            if data:
                con.executemany(f"insert into {table} values ({', '.join('?' * len(cols))})", data)
    for query, expected in zip(queries[:-1], answers[:-1]):  # the last is FTS5, SQLite's own
        assert [tuple(r) for r in con.execute(query).fetchall()] == expected, query


def test_export_of_an_eval_run_record(tmp_path):
    record = ROOT / "eval" / "runs" / "design_rules.json"
    predictions = json.loads(record.read_text(encoding="utf-8"))["predictions"]
    summary = export(record, tmp_path / "r.db")
    assert summary["tables"]["reports"] == len({p["doc_id"] for p in predictions.values() if p})


def test_bad_inputs_are_one_line_and_leave_no_database(outputs, tmp_path):
    missing = llmx("export", str(tmp_path / "nope"), "--sqlite", str(tmp_path / "a.db"))
    assert missing.exit_code == 2 and missing.stderr.count("\n") == 1 and "no such folder" in missing.stderr
    folder = tmp_path / "res"
    folder.mkdir()
    (folder / "notes.json").write_text('{"a": 1}', encoding="utf-8")
    empty = llmx("export", str(folder), "--sqlite", str(tmp_path / "b.db"))
    assert empty.exit_code == 2 and "no llmx result files" in empty.stderr.splitlines()[-1]
    assert not (tmp_path / "a.db").exists() and not (tmp_path / "b.db").exists()
    other = tmp_path / "other.db"  # someone else's database at the path: refused, untouched
    with sqlite3.connect(other) as conn:
        conn.execute("create table t (x)")
    before = other.read_bytes()
    foreign = llmx("export", str(outputs), "--sqlite", str(other))
    assert foreign.exit_code == 2 and "without an llmx reports table" in foreign.stderr
    assert other.read_bytes() == before and not list(tmp_path.glob(".other.db.*"))


def test_the_unsure_flags_travel_into_the_database(outputs, tmp_path):
    """Each figure's confidence and unsure flag, each report's unsure count and doubted meta fields."""
    db = tmp_path / "results.db"
    export(outputs, db)
    for r in results(outputs):
        stored = rows(db, f"select confidence, unsure from figures where doc_id = '{r['doc_id']}' order by n")
        assert stored == [(f["confidence"], int(f["unsure"])) for f in r["figures"]]
        assert rows(db, f"select unsure, meta_unsure from reports where doc_id = '{r['doc_id']}'") == [
            (sum(f["unsure"] for f in r["figures"]), json.dumps(r["meta_unsure"], ensure_ascii=False))]
