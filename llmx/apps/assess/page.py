"""The cross-report page: a sortable table of scores and a chart per score and per indicator, offline.

Why plotly with its JavaScript inlined: the page is mailed and opened on
office machines without internet; one file must carry everything.  The
table sorts by any column with a few lines of script, no library.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from llmx.apps.assess.ranking import SCORES, score, score_table
from llmx.reports.report_type import ReportType
from llmx.errors import LlmxError

_SORT = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0], rows = Array.from(body.rows);
    var up = th.dataset.dir !== 'up'; th.dataset.dir = up ? 'up' : 'down';
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v, y = b.cells[col].dataset.v;
      var nx = parseFloat(x), ny = parseFloat(y);
      if (x === '' && y !== '') return 1; if (y === '' && x !== '') return -1;
      var c = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : String(x).localeCompare(String(y), 'zh');
      return up ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""

_STYLE = """body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:24px;color:#222}
table.sortable{border-collapse:collapse;font-size:13px;margin-bottom:28px}
table.sortable th{cursor:pointer;background:#eef;position:sticky;top:0}
table.sortable th,table.sortable td{border:1px solid #ccd;padding:3px 6px;text-align:right}
table.sortable td:first-child,table.sortable th:first-child{text-align:left}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{width:560px}
ul.flags{font-size:13px}"""


def _cell(value: Any) -> str:
    """A cell showing the value rounded and sorting on the value itself."""
    raw = "" if value is None else str(value)
    shown = f"{value:.3g}" if isinstance(value, float) else raw
    return f'<td data-v="{html.escape(raw)}">{html.escape(shown)}</td>'


def _figure_html(fig: Any, div_id: str) -> str:
    return '<div class="chart">' + str(fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                                                  config={"displayModeBar": False, "responsive": True})) + "</div>"


def render(cards: Sequence[dict[str, Any]], report_type: ReportType, by: str, title: str = "llmx assess") -> str:
    """The whole page as one string."""
    try:
        import plotly.graph_objects as go
        from plotly.offline import get_plotlyjs
    except ImportError as exc:
        raise LlmxError("the --html page needs plotly (pip install plotly)") from exc
    table = score_table(cards, by)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(_cell(v) for v in row) + "</tr>" for row in table.rows)
    names = [c["doc_id"] for c in cards]
    score_charts, indicator_charts = [], []
    for column, path, higher in SCORES:
        values = [score(c, path) for c in cards]
        if all(v is None for v in values):
            continue
        fig = go.Figure(go.Bar(x=names, y=values, marker_color="#4a7" if higher else "#c75"))
        fig.update_layout(title=f"{column} ({'higher' if higher else 'lower'} is better)", height=320,
                          margin={"l": 40, "r": 10, "t": 40, "b": 90})
        score_charts.append(_figure_html(fig, f"score-{column}"))
    for key in report_type.catalogue.keys:
        values = [c["evidence"]["per_indicator"].get(key, 0) for c in cards]
        if not any(values):
            continue
        entry = report_type.catalogue.get(key)
        fig = go.Figure(go.Bar(x=names, y=values, marker_color="#57a"))
        fig.update_layout(title=f"{key} {entry.name if entry else ''}: figures per report", height=320,
                          margin={"l": 40, "r": 10, "t": 40, "b": 90})
        indicator_charts.append(_figure_html(fig, f"indicator-{key}"))
    flags = "".join(f"<li><b>{html.escape(c['doc_id'])}</b>: {html.escape(f)}</li>" for c in cards for f in c["flags"])
    return (f"<!DOCTYPE html><html lang=\"zh\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style><script>{get_plotlyjs()}</script></head><body>"
            f"<h1>{html.escape(title)}: {len(cards)} reports</h1>"
            f"<p>Click a column to sort. Ranks are within each group ({html.escape(by)}); 1 is best.</p>"
            f"<table class=\"sortable\" id=\"scores\"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<h2>Scores</h2><div class=\"charts\">{''.join(score_charts)}</div>"
            f"<h2>Indicators</h2><div class=\"charts\">{''.join(indicator_charts)}</div>"
            f"<h2>Flags</h2><ul class=\"flags\">{flags}</ul><script>{_SORT}</script></body></html>")
