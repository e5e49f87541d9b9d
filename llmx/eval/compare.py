"""Compare two eval runs: metric deltas, per-report deltas, figures that flipped.

A run record is ``{"config": {...}, "scores": score_set(...)}``.  The
comparison is computed once as plain data (``compare``) and then drawn by three
thin renderers (rich, Markdown, HTML) from the same table specs, so the three
views can never disagree.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group
from rich.table import Table

# Metrics where a rise is a regression; NEUTRAL ones are shown but never flagged
# (cache hits save cost, gold_unlocated is about the labels, counts of reports
# and true positives are context).  Everything else: higher is better.
LOWER_IS_BETTER = frozenset({"ungrounded", "figure_fp", "figure_fn", "calls", "prompt_tokens",
                             "completion_tokens", "seconds"})
NEUTRAL = frozenset({"reports", "figure_tp", "gold_unlocated", "cache_hits"})
# Metrics shown per report (the full set is in the metric rows).
HEADLINE = ("figure_f1", "catalogue_f1", "ungrounded", "meta_mean",
            "sections_present_accuracy", "list_f1")


def direction(metric: str) -> str | None:
    """``"higher"``/``"lower"`` = which way is better; ``None`` = never a regression."""
    if metric in NEUTRAL:
        return None
    return "lower" if metric in LOWER_IS_BETTER else "higher"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def metric_row(metric: str, a: Any, b: Any, tolerance: float = 1e-9) -> dict:
    """One comparison row; ``regression`` is True when B is worse than A beyond ``tolerance``."""
    delta = b - a if _is_number(a) and _is_number(b) else None
    better = direction(metric)
    regression = delta is not None and better is not None and (
        delta < -tolerance if better == "higher" else delta > tolerance)
    return {"metric": metric, "a": a, "b": b, "delta": delta, "regression": regression}


def figure_statuses(report: dict) -> dict[int, dict]:
    """Per gold figure: ``correct`` (matched, all attributes right), ``wrong`` or ``missing``."""
    figures = report.get("figures") or {}
    out: dict[int, dict] = {}
    for pair in figures.get("matched", []):
        out[pair["gold_index"]] = {**pair, "status": "wrong" if pair["wrong"] else "correct"}
    for miss in figures.get("missed", []):
        out[miss["gold_index"]] = {**miss, "status": "missing", "wrong": []}
    return out


def _status_text(entry: dict | None) -> str:
    if entry is None:
        return "not scored"
    if entry["status"] == "wrong":
        return "wrong " + ",".join(entry["wrong"])
    return entry["status"]


def figure_flips(a_reports: dict, b_reports: dict) -> list[dict]:
    """Gold figures that were matched-correct in one run and not in the other."""
    flips = []
    for doc_id in sorted(set(a_reports) & set(b_reports)):
        sa, sb = figure_statuses(a_reports[doc_id]), figure_statuses(b_reports[doc_id])
        for index in sorted(set(sa) | set(sb)):
            ea, eb = sa.get(index), sb.get(index)
            was = ea is not None and ea["status"] == "correct"
            now = eb is not None and eb["status"] == "correct"
            if was != now:
                ref: dict = eb or ea or {}
                flips.append({"doc_id": doc_id, "gold_index": index, "value": ref.get("value"),
                              "indicator": ref.get("indicator"), "evidence": ref.get("evidence"),
                              "a": _status_text(ea), "b": _status_text(eb),
                              "change": "lost" if was else "gained"})
    return flips


def compare(a: dict, b: dict, tolerance: float = 1e-9) -> dict:
    """Rows for every total metric, headline deltas per report, and figure flips."""
    ta, tb = a["scores"]["total"], b["scores"]["total"]
    ra, rb = a["scores"]["reports"], b["scores"]["reports"]
    metrics = list(ta) + [k for k in tb if k not in ta]
    return {
        "config": {"a": a.get("config", {}), "b": b.get("config", {})},
        "rows": [metric_row(k, ta.get(k), tb.get(k), tolerance) for k in metrics],
        "reports": {
            doc_id: [metric_row(k, ra[doc_id]["metrics"].get(k), rb[doc_id]["metrics"].get(k),
                                tolerance) for k in HEADLINE]
            for doc_id in sorted(set(ra) & set(rb))
        },
        "only_in_a": sorted(set(ra) - set(rb)),
        "only_in_b": sorted(set(rb) - set(ra)),
        "flips": figure_flips(ra, rb),
    }


# ---------------------------------------------------------------- rendering

@dataclass
class TableSpec:
    """A renderer-neutral table: string cells plus which rows to mark as regressions."""

    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    marked: list[bool] = field(default_factory=list)

    def add(self, cells: list[str], marked: bool = False) -> None:
        self.rows.append(cells)
        self.marked.append(marked)


def fmt(value: Any) -> str:
    """Cell text: floats to 3 decimals, ``None`` as an en dash."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def fmt_delta(value: Any) -> str:
    return "" if value is None else ("+" if value > 0 else "") + fmt(value)


def _config_text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def table_specs(cmp: dict) -> list[TableSpec]:
    """The comparison as tables: config, metrics, per-report headline deltas, flips."""
    config = TableSpec("Config", ["key", "A", "B"])
    ca, cb = cmp["config"]["a"], cmp["config"]["b"]
    for key in list(ca) + [k for k in cb if k not in ca]:
        config.add([key, _config_text(ca.get(key)), _config_text(cb.get(key))],
                   ca.get(key) != cb.get(key))

    metrics = TableSpec("Metrics", ["metric", "A", "B", "delta", "regression"])
    for row in cmp["rows"]:
        metrics.add(_row_cells(row), row["regression"])

    reports = TableSpec("Per report", ["report", "metric", "A", "B", "delta", "regression"])
    for doc_id, rows in cmp["reports"].items():
        for row in rows:
            reports.add([doc_id] + _row_cells(row), row["regression"])

    flips = TableSpec("Figure flips", ["report", "#", "value", "evidence", "A", "B", "change"])
    for flip in cmp["flips"]:
        flips.add([flip["doc_id"], str(flip["gold_index"]), fmt(flip["value"]),
                   str(flip["evidence"]), flip["a"], flip["b"], flip["change"]],
                  flip["change"] == "lost")
    return [config, metrics, reports, flips]


def _row_cells(row: dict) -> list[str]:
    return [row["metric"], fmt(row["a"]), fmt(row["b"]), fmt_delta(row["delta"]),
            "REGRESSION" if row["regression"] else ""]


def render_rich(cmp: dict) -> Group:
    """A rich renderable (print it with ``rich.console.Console().print``)."""
    tables = []
    for spec in table_specs(cmp):
        table = Table(title=spec.title)
        for header in spec.headers:
            table.add_column(header)
        for cells, marked in zip(spec.rows, spec.marked):
            table.add_row(*cells, style="bold red" if marked else None)
        tables.append(table)
    return Group(*tables)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(cmp: dict) -> str:
    """GitHub-flavoured Markdown (the regression/change column carries the flag)."""
    out = []
    for spec in table_specs(cmp):
        out += [f"## {spec.title}", "", "| " + " | ".join(spec.headers) + " |",
                "|" + "---|" * len(spec.headers)]
        out += ["| " + " | ".join(_md_cell(c) for c in cells) + " |" for cells in spec.rows]
        out.append("")
    return "\n".join(out)


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; }
th { background: #f3f3f3; }
tr.regression td { background: #fde2e2; color: #900; font-weight: bold; }
"""


def render_html(cmp: dict, title: str = "llmx eval comparison") -> str:
    """One self-contained HTML page (inline CSS, no scripts, no external assets)."""
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
             f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>"]
    for spec in table_specs(cmp):
        parts.append(f"<h2>{html.escape(spec.title)}</h2><table><thead><tr>"
                     + "".join(f"<th>{html.escape(h)}</th>" for h in spec.headers)
                     + "</tr></thead><tbody>")
        for cells, marked in zip(spec.rows, spec.marked):
            cls = ' class="regression"' if marked else ""
            parts.append(f"<tr{cls}>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells)
                         + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)
