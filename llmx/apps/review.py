"""``llmx review``: one result beside its source text, as a self-contained HTML page.

A reviewer has to trust each figure before it goes into a table, and the
fastest way to check one is to see its evidence in place.  The page shows the
source with every figure's evidence highlighted (one ``<mark class="fig">`` per
figure, coloured by indicator), and panels for the template checklist, the
metadata, the figures, and what the extractor set aside (rejected, uncovered,
warnings).  Everything is inline: the file can be mailed or archived as is.
"""

from __future__ import annotations

import hashlib
import html
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from llmx.options import BY_NAME
from llmx.text.punctuation import CLAUSE_END, COLON, LIST_COMMA
from llmx.reports.catalogue import OTHER
from llmx.reports.report_type import ReportType
from llmx.apps.corrections import CSS as FIX_CSS, JS as FIX_JS, SAVE_BUTTON, indicator_select, labels_script
from llmx.apps.corrections import keep_box, meta_editor, reject_box
from llmx.errors import LlmxError
from llmx.apps.table import format_value, read_result
from llmx.text.textmap import FoldedText

Span = tuple[int, int]


def esc(value: Any) -> str:
    """Escape for HTML text and attribute values alike (quotes too)."""
    return html.escape("" if value is None else str(value), quote=True)


# --- finding the source ---------------------------------------------------


def source_candidates(result_path: Path, doc_id: str) -> list[Path]:
    """Where a result's source may live when ``--source`` is not given: its OCR text, beside it, or in eval/corpus/.

    Only ``.txt``: an output folder often also holds ``<doc_id>.html`` review
    pages, which must never be mistaken for the report.
    """
    from llmx.text.load.ocr import text_beside

    name = Path(doc_id).name  # a doc_id is a file stem, never a path
    return [text_beside(result_path), *(folder / f"{name}.txt"
                                        for folder in (result_path.parent, Path.cwd() / "eval" / "corpus"))]


def resolve_source(result_path: Path, doc_id: str, source: str | None) -> Path:
    """The source file to show: ``--source``, else the first existing candidate, else a clear error."""
    if source:
        return Path(source)
    for path in source_candidates(result_path, doc_id):
        if path.is_file():
            return path
    raise LlmxError(f"{result_path}: no source text {doc_id}.txt beside it or in eval/corpus/; "
                    f"give --source FILE")


# --- placing figures in the text -----------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where one figure sits: its evidence span and the part that must stay inside its mark."""

    index: int
    evidence: Span
    anchor: Span  # the number itself when known (the mark always covers it); may be empty
    exact: bool  # evidence found around the figure's own offsets


def number_span(fig: dict[str, Any], length: int) -> Span | None:
    """The figure's ``start``/``end`` if they are offsets inside a text of ``length``."""
    start, end = fig.get("start"), fig.get("end")
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
        return start, end
    return None


def locate(index: int, fig: dict[str, Any], folded: FoldedText) -> Placement | None:
    """Find the evidence occurrence that contains the figure's number; degrade gracefully when offsets disagree.

    The same clause can occur twice in a report, so the occurrence is chosen by
    the number's offsets; a result checked against the wrong source still shows
    what can be found (nearest occurrence, else the bare number).
    """
    number = number_span(fig, len(folded.original))
    found = folded.find_all(fig.get("evidence") or "")
    if number:
        around = [s for s in found if s[0] <= number[0] and number[1] <= s[1]]
        if around:
            return Placement(index, around[0], number, True)
    if found:
        near = min(found, key=lambda s: abs(s[0] - number[0])) if number else found[0]
        # an empty anchor: a figure we are unsure of must not take another figure's number
        return Placement(index, near, (near[0], near[0]), False)
    if number:
        return Placement(index, number, number, False)
    return None


#: Where a shared clause may be split between two figures: after clause punctuation.
CLAUSE_BREAKS = CLAUSE_END + COLON + LIST_COMMA


def regions(placements: Sequence[Placement], text: str) -> list[tuple[Placement, Span]]:
    """One disjoint span per figure, in text order, so marks never overlap and none is lost.

    Each figure keeps its number.  Where evidence spans overlap, a figure's
    highlight is cut before the next figure's number, at the last clause
    break in between when there is one (``开展普法6场次，|发放资料300份``), and the
    next highlight starts where the previous one ended.  A figure squeezed out
    entirely gets an empty span (rendered as a small pip) rather than no mark.
    """
    ordered = sorted(placements, key=lambda p: (p.anchor, p.index))
    out: list[tuple[Placement, Span]] = []
    prev_end = 0
    for i, p in enumerate(ordered):
        left = max(p.evidence[0], prev_end)
        right = p.evidence[1]
        if i + 1 < len(ordered) and ordered[i + 1].anchor[0] < right:
            right = _cut(text, p.anchor[1], ordered[i + 1].anchor[0])
        right = max(right, p.anchor[1], left)
        out.append((p, (left, right)))
        prev_end = right
    return out


def _cut(text: str, start: int, limit: int) -> int:
    """The end of the last clause in ``text[start:limit]``, else ``limit``."""
    breaks = [i for i in range(start, limit) if text[i] in CLAUSE_BREAKS]
    return breaks[-1] + 1 if breaks else limit


# --- colours and labels -----------------------------------------------------


def hue(indicator: str) -> int:
    """A stable hue per indicator key (md5, not ``hash()``, which changes between runs)."""
    return int(hashlib.md5(indicator.encode("utf-8")).hexdigest()[:8], 16) % 360


def colour_style(indicator: str) -> str:
    """CSS variables for a mark or swatch; the catch-all ``other`` is grey so real indicators stand out."""
    saturation = 0 if indicator == OTHER else 70
    return f"--h:{hue(indicator)};--s:{saturation}%"


def indicator_name(report_type: ReportType, key: str) -> str:
    entry = report_type.catalogue.get(key)
    return entry.name if entry else ""


def amount(fig: dict[str, Any]) -> str:
    """``2736000 元``: value and unit as one reads them."""
    return f"{format_value(fig.get('value'))} {fig.get('unit') or ''}".strip()


def figure_title(fig: dict[str, Any]) -> str:
    return f"{fig.get('label', '')} · {amount(fig)} · {fig.get('indicator', '')}"


def mark(index: int, fig: dict[str, Any], report_type: ReportType, content: str, exact: bool = True) -> str:
    """The ``<mark class="fig">`` around already-escaped ``content``; its data attributes feed the inspector."""
    classes = ["fig"]
    classes += ["target"] if fig.get("target") else []
    classes += [] if fig.get("verified") else ["unverified"]
    classes += [] if exact else ["loose"]
    key = str(fig.get("indicator", ""))
    attrs = {
        "id": f"fig-{index}", "class": " ".join(classes), "style": colour_style(key),
        "data-index": index, "data-indicator": key, "data-name": indicator_name(report_type, key),
        "data-label": fig.get("label"), "data-value": format_value(fig.get("value")),
        "data-unit": fig.get("unit"), "data-evidence": fig.get("evidence"), "title": figure_title(fig),
    }
    rendered = " ".join(f'{k}="{esc(v)}"' for k, v in attrs.items())
    return f"<mark {rendered}>{content}</mark>"


def mark_content(text: str, region: Span, anchor: Span) -> str:
    """The escaped region with the figure's number in bold, so the eye finds the value in a long clause."""
    left, right = region
    a, b = max(anchor[0], left), min(anchor[1], right)
    if a >= b:
        return esc(text[left:right])
    return f'{esc(text[left:a])}<b class="n">{esc(text[a:b])}</b>{esc(text[b:right])}'


# --- the source panel -----------------------------------------------------


def render_source(text: str, figures: list[dict[str, Any]], report_type: ReportType) -> tuple[str, list[int], int]:
    """The escaped source with marks; also the figures not found at all and how many sit loosely."""
    folded = FoldedText.of(text)
    placed = [p for i, f in enumerate(figures) if (p := locate(i, f, folded))]
    missing = sorted(set(range(len(figures))) - {p.index for p in placed})
    parts, at = [], 0
    for p, (left, right) in regions(placed, text):
        parts.append(esc(text[at:left]))
        content = mark_content(text, (left, right), p.anchor)
        parts.append(mark(p.index, figures[p.index], report_type, content, p.exact))
        at = right
    parts.append(esc(text[at:]))
    loose = sum(1 for p in placed if not p.exact)
    return "".join(parts), missing, loose


def source_notice(figures: list[dict[str, Any]], missing: list[int], loose: int, report_type: ReportType) -> str:
    """Say plainly when figures do not fit this source: a wrong ``--source`` must not pass unnoticed."""
    notes = []
    if loose:
        notes.append(f"<p>{loose} figure(s) were not found at their offsets (placed at the nearest "
                     "match, dashed outline): is this the source the result was made from?</p>")
    if missing:
        marks = " ".join(mark(i, figures[i], report_type, esc(figure_title(figures[i])), exact=False) for i in missing)
        notes.append(f"<p>{len(missing)} figure(s) whose evidence is not in this text: {marks}</p>")
    return f'<div class="notice">{"".join(notes)}</div>' if notes else ""


# --- panels ---------------------------------------------------------------


def panel(title: str, body: str, count: int | str | None = None, cls: str = "") -> str:
    badge = f' <span class="count">{count}</span>' if count is not None else ""
    return f'<section class="panel {cls}"><h2>{esc(title)}{badge}</h2>{body}</section>'


def html_table(headers: Iterable[str], rows: Iterable[Iterable[str]], empty: str = "none",
               row_classes: Sequence[str] = ()) -> str:
    """A table from already-escaped cells, or a quiet 'none' so empty panels still say something."""
    body = "".join((f'<tr class="{row_classes[i]}">' if i < len(row_classes) else "<tr>")
                   + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for i, row in enumerate(rows))
    if not body:
        return f'<p class="none">{esc(empty)}</p>'
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def definition_list(items: Iterable[tuple[str, Any]]) -> str:
    """Key/value pairs; lists read as Chinese enumerations, missing values as a dash."""
    def show(value: Any) -> str:
        if isinstance(value, list):
            return "、".join(map(str, value)) if value else "—"
        return "—" if value is None or value == "" else str(value)

    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(show(v))}</dd>" for k, v in items) + "</dl>"


def checklist_panel(result: dict[str, Any], report_type: ReportType) -> str:
    """The template elements: ✓ with the heading found, ✗ when missing."""
    names = {e.key: e.name for e in report_type.elements}
    rows = []
    for key, section in (result.get("sections") or {}).items():
        present = bool((section or {}).get("present"))
        sign = '<span class="ok">✓</span>' if present else '<span class="no">✗</span>'
        heading = esc((section or {}).get("heading")) if present else '<span class="none">missing</span>'
        rows.append(f'<li class="{"present" if present else "absent"}" title="{esc(names.get(key, ""))}">'
                    f'{sign}<b>{esc(key)}</b><span class="heading">{heading}</span></li>')
    count = sum(1 for s in (result.get("sections") or {}).values() if (s or {}).get("present"))
    return panel("Template elements", f'<ul class="checklist">{"".join(rows)}</ul>',
                 f"{count}/{len(rows)}")


def legend_panel(figures: list[dict[str, Any]], report_type: ReportType) -> str:
    """Indicators in this report with their colour and count; clicking one dims the others."""
    counts = Counter(str(f.get("indicator", "")) for f in figures)
    items = "".join(
        f'<li data-indicator="{esc(key)}" style="{colour_style(key)}"><span class="swatch"></span>'
        f'<code>{esc(key)}</code> {esc(indicator_name(report_type, key))}<span class="n">{n}</span></li>'
        for key, n in counts.most_common())
    return panel("Indicators", f'<ul class="legend">{items}</ul>' if items else '<p class="none">none</p>')


def inspector_panel() -> str:
    return panel("Figure", '<div id="inspector" class="none">hover a highlight</div>', cls="sticky")


def review_order(figures: list[dict[str, Any]]) -> list[int]:
    """Figure indexes, those flagged ``unsure`` first (least confident first), then document order."""
    def key(i: int) -> tuple[int, float, int]:
        f = figures[i]
        confidence = f.get("confidence")
        return (0 if f.get("unsure") else 1, confidence if isinstance(confidence, (int, float)) else 1.0, i)

    return sorted(range(len(figures)), key=key)


def figures_panel(figures: list[dict[str, Any]], report_type: ReportType) -> str:
    """The figures, unsure ones first, each with its confidence and the controls to correct it."""
    rows = []
    for i in review_order(figures):
        f = figures[i]
        key = str(f.get("indicator", ""))
        flags = " ".join(x for x, on in (("unsure", f.get("unsure")), ("target", f.get("target")),
                                         ("unverified", not f.get("verified"))) if on)
        confidence = f.get("confidence")
        rows.append((bool(f.get("unsure")), [
            f'<a href="#fig-{i}">{i + 1}</a>',
            f'<span class="swatch" style="{colour_style(key)}"></span>{indicator_select(i, key, report_type)}'
            f'<br><small>{esc(indicator_name(report_type, key))}</small>',
            esc(f.get("label")), f'<span class="num">{esc(format_value(f.get("value")))}</span>',
            esc(f.get("unit")), esc(f.get("qualifier")),
            esc(f"{confidence:.2f}" if isinstance(confidence, (int, float)) else "—"), esc(flags),
            esc(f.get("evidence")), reject_box(i),
        ]))
    headers = ["#", "indicator", "label", "value", "unit", "qualifier", "confidence", "flags", "evidence", "correct"]
    table = html_table(headers, [cells for _, cells in rows], row_classes=["unsure" if u else "" for u, _ in rows])
    return panel("Figures (unsure first)", table, len(figures), cls="wide")


def rejected_panel(result: dict[str, Any]) -> str:
    rows = []
    for r in result.get("rejected") or []:
        item = r.get("item") or {}
        rows.append([esc(item.get("indicator")), esc(item.get("label")), esc(amount(item)),
                     esc(item.get("evidence")), f'<span class="reason">{esc(r.get("reason"))}</span>'])
    return panel("Rejected", html_table(["indicator", "label", "value", "evidence", "reason"], rows),
                 len(rows), cls="wide")


def uncovered_panel(result: dict[str, Any], report_type: ReportType) -> str:
    """Numbers set aside; one the learned labeller set aside can be kept as a statistic (its index
    counts the entries that carry a figure, as ``corrections.set_aside`` lists them)."""
    rows, aside = [], 0
    for u in result.get("uncovered") or []:
        correct = ""
        if isinstance(u.get("figure"), dict):
            correct = indicator_select(aside, OTHER, report_type, cls="fix-aside-indicator") + keep_box(aside)
            aside += 1
        rows.append([esc(amount(u)), esc(u.get("start")), esc(u.get("evidence")), esc(u.get("reason")), correct])
    return panel("Uncovered numbers", html_table(["value", "offset", "evidence", "reason", "correct"], rows),
                 len(rows), cls="wide")


def warnings_panel(result: dict[str, Any]) -> str:
    warnings = result.get("warnings") or []
    body = "<ul>" + "".join(f"<li>{esc(w)}</li>" for w in warnings) + "</ul>" if warnings else \
        '<p class="none">none</p>'
    return panel("Warnings", body, len(warnings))


def usage_panel(result: dict[str, Any]) -> str:
    usage = result.get("usage") or {}
    items = [("model", result.get("model")), ("prompt_version", result.get("prompt_version"))]
    return panel("Run", definition_list(items + list(usage.items())))


# --- the page ---------------------------------------------------------------


def stat(label: str, value: Any, bad: bool = False) -> str:
    """A header chip; ``bad`` ones turn red only when non-zero, so a clean result looks clean."""
    alarm = bad and value != 0
    return f'<span class="stat{" bad" if alarm else ""}"><b>{esc(value)}</b> {esc(label)}</span>'


def render_page(result: dict[str, Any], text: str, report_type: ReportType, source_name: str) -> str:
    """The whole review page for one result and its source text."""
    figures = result["figures"]
    source_html, missing, loose = render_source(text, figures, report_type)
    sections = (result.get("sections") or {}).values()
    present = sum(1 for s in sections if (s or {}).get("present"))
    title = (result.get("meta") or {}).get("title") or ""
    stats = "".join([
        stat("figures", len(figures)),
        stat("unsure", sum(1 for f in figures if f.get("unsure")), bad=True),
        stat("meta in doubt", len(result.get("meta_unsure") or []), bad=True),
        stat("unverified", sum(1 for f in figures if not f.get("verified")), bad=True),
        stat("rejected", len(result.get("rejected") or []), bad=True),
        stat("uncovered", len(result.get("uncovered") or []), bad=True),
        stat("elements", f"{present}/{len(sections)}"),
    ])
    side = "".join([inspector_panel(), checklist_panel(result, report_type), legend_panel(figures, report_type),
                    panel("Meta", meta_editor(result, report_type, esc), len(result.get("meta_unsure") or []) or None),
                    warnings_panel(result), usage_panel(result)])
    bottom = "".join([figures_panel(figures, report_type), rejected_panel(result), uncovered_panel(result, report_type)])
    return (
        f'<!doctype html><html lang="zh"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>llmx review · {esc(result['doc_id'])}</title><style>{CSS}{FIX_CSS}</style></head><body>"
        f"<header><h1>{esc(result['doc_id'])}</h1><p class=\"title\">{esc(title)}</p>"
        f'<p class="source">source: {esc(source_name)}</p><div class="stats">{stats}</div>'
        f'<p class="save">{SAVE_BUTTON}</p></header>'
        f'<main><section class="panel text"><h2>Source text</h2>'
        f'{source_notice(figures, missing, loose, report_type)}<pre id="source">{source_html}</pre></section>'
        f'<aside>{side}</aside></main><div class="bottom">{bottom}</div>'
        f"{labels_script(result, report_type)}<script>{JS}{FIX_JS}</script></body></html>\n"
    )


CSS = """
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#f6f8fa;--bad:#cf222e;--good:#1a7f37}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 system-ui,"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;
 color:var(--fg);background:var(--bg)}
header{padding:14px 24px;background:#fff;border-bottom:1px solid var(--line)}
h1{margin:0;font-size:18px;font-family:ui-monospace,monospace}
header p{margin:2px 0;color:var(--muted)}header .title{color:var(--fg);font-size:16px}
.stats{margin-top:8px;display:flex;gap:8px;flex-wrap:wrap}
.stat{padding:2px 10px;border:1px solid var(--line);border-radius:12px;background:var(--bg)}
.stat.bad b{color:var(--bad)}
main{display:grid;grid-template-columns:minmax(0,1fr) 380px;gap:16px;padding:16px 24px;align-items:start}
aside{display:flex;flex-direction:column;gap:12px;position:sticky;top:8px;max-height:calc(100vh - 16px);
 overflow:auto}
.panel{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px}
.panel h2{margin:0 0 8px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
.count{background:var(--bg);border:1px solid var(--line);border-radius:10px;padding:0 7px;font-size:12px;
 color:var(--fg);text-transform:none}
pre#source{margin:0;white-space:pre-wrap;word-break:break-word;font:15px/1.9 inherit;font-family:inherit;
 max-height:calc(100vh - 60px);overflow:auto}
mark.fig{background:hsl(var(--h) var(--s) 86%);border-bottom:2px solid hsl(var(--h) var(--s) 40%);
 border-radius:3px;padding:1px 0;cursor:pointer;color:inherit}
mark.fig.target{border-bottom-style:dashed}
mark.fig.unverified{outline:1px solid var(--bad)}
mark.fig.loose{outline:1px dashed var(--bad)}
mark.fig:empty::before{content:"◆";color:hsl(var(--h) var(--s) 40%)}
mark.fig:hover,mark.fig.active{background:hsl(var(--h) var(--s) 72%);box-shadow:0 0 0 2px hsl(var(--h) var(--s) 40%)}
body.focus mark.fig:not(.on){background:transparent;border-bottom-color:var(--line)}
.notice{border:1px solid var(--bad);background:#fff5f5;border-radius:6px;padding:4px 10px;margin-bottom:8px}
.checklist,.legend{list-style:none;margin:0;padding:0}
.checklist li{display:grid;grid-template-columns:20px 110px 1fr;gap:4px;padding:2px 0}
.checklist .ok{color:var(--good);font-weight:bold}.checklist .no{color:var(--bad);font-weight:bold}
.checklist .absent b{color:var(--muted)}
.legend li{display:flex;align-items:center;gap:6px;padding:1px 4px;cursor:pointer;border-radius:4px}
.legend li:hover,.legend li.on{background:var(--bg)}.legend .n{margin-left:auto;color:var(--muted)}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;flex:none;vertical-align:middle;
 margin-right:4px;background:hsl(var(--h) var(--s) 80%);border:1px solid hsl(var(--h) var(--s) 40%)}
code{font-size:12px}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;margin:0}
dt{color:var(--muted)}dd{margin:0;word-break:break-all}
.none{color:var(--muted);font-style:italic;margin:0}
.sticky #inspector{min-height:3em}
mark.fig b.n{font-weight:700}
#inspector .big{font-size:18px;font-weight:600}
.bottom{padding:0 24px 24px;display:flex;flex-direction:column;gap:16px}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}tbody tr:hover{background:#fffbe6}
tr.active{background:#fff3c4}
.num{font-variant-numeric:tabular-nums;font-weight:600}.reason{color:var(--bad)}
"""

JS = """
(function(){
  var inspector=document.getElementById('inspector');
  function rowOf(m){var a=document.querySelector('a[href="#'+m.id+'"]');return a&&a.closest('tr');}
  function line(cls,text){var d=document.createElement('div');d.className=cls;d.textContent=text;return d;}
  function show(m){
    var d=m.dataset;inspector.className='';inspector.replaceChildren(
      line('big',d.value+' '+d.unit),line('',d.label),line('',d.indicator+(d.name?' · '+d.name:'')),
      line('none','evidence: '+d.evidence+(m.classList.contains('target')?' · target':'')));
  }
  document.querySelectorAll('mark.fig').forEach(function(m){
    m.addEventListener('mouseenter',function(){show(m);var r=rowOf(m);if(r)r.classList.add('active');});
    m.addEventListener('mouseleave',function(){var r=rowOf(m);if(r)r.classList.remove('active');});
    m.addEventListener('click',function(){var r=rowOf(m);if(r)r.scrollIntoView({block:'center'});});
  });
  document.querySelectorAll('a[href^="#fig-"]').forEach(function(a){
    a.addEventListener('click',function(e){var m=document.getElementById(a.getAttribute('href').slice(1));
      if(!m)return;e.preventDefault();m.scrollIntoView({block:'center'});show(m);
      document.querySelectorAll('mark.active').forEach(function(x){x.classList.remove('active');});
      m.classList.add('active');});
  });
  document.querySelectorAll('.legend li').forEach(function(li){
    li.addEventListener('click',function(){
      var key=li.dataset.indicator,on=!li.classList.contains('on');
      document.querySelectorAll('.legend li').forEach(function(x){x.classList.remove('on');});
      document.querySelectorAll('mark.fig').forEach(function(m){
        m.classList.toggle('on',on&&m.dataset.indicator===key);});
      li.classList.toggle('on',on);document.body.classList.toggle('focus',on);
    });
  });
})();
"""


def build_page(result_file: Path, source: str | None, report_type: str = BY_NAME["report_type"].default) -> str:
    """Read the result and its source and render the page; every input problem is an LlmxError."""
    from llmx.reports.report_type import load_report_type
    from llmx.text.load import load_document

    result = read_result(result_file)
    source_path = resolve_source(result_file, str(result["doc_id"]), source)
    document = load_document(source_path)
    return render_page(result, document.text, load_report_type(report_type), str(source_path))
