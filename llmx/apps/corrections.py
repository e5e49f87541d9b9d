"""Corrections that teach: the review page's controls for fixing a result and saving it as labels.

A reviewer who checks a result is labelling it.  The page lets them change a
figure's indicator, reject a figure that is no statistic, keep a number the
labeller set aside as one, and fix a meta
field; "Save labels" then downloads ``<doc_id>.json`` in the gold format of
``docs/spec/report-template.md`` (the contract's fields only; sections and
lists ``null``, i.e. not labelled, since the page does not edit them).  A
folder of such files beside the reports is a gold set:
``llmx train --with mine=LABELS/:REPORTS/`` learns from it and
``llmx eval --set mine=LABELS/:REPORTS/`` scores against it.

Which fields are the contract's is read from the report type's models: a
field marked ``json_schema_extra={"contract": False}`` is llmx's own extra.
"""

from __future__ import annotations

import html
import json
from typing import Any, get_args

from pydantic import BaseModel

from llmx.reports.catalogue import OTHER
from llmx.reports.report_type import ReportType

#: How a list field of meta is written in its text box (and split back on save).
LIST_SEPARATOR = "；"


def contract_fields(model: type[BaseModel]) -> list[str]:
    """The fields of ``model`` the output contract names (llmx's extras left out)."""
    return [name for name, info in model.model_fields.items()
            if not (isinstance(info.json_schema_extra, dict) and info.json_schema_extra.get("contract") is False)]


def _part_model(report_type: ReportType, field: str) -> type[BaseModel]:
    """The model of one part of the report type's result (``meta``, or the item model of ``figures``)."""
    annotation = report_type.report_model.model_fields[field].annotation
    inner = get_args(annotation)
    model = inner[0] if inner else annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


def labels_skeleton(result: dict[str, Any], report_type: ReportType) -> dict[str, Any]:
    """The result as a gold labels file before any correction: what "Save labels" starts from."""
    meta_fields = contract_fields(_part_model(report_type, "meta"))
    figure_fields = contract_fields(_part_model(report_type, "figures"))
    meta = result.get("meta") or {}
    return {
        "doc_id": result["doc_id"],
        "meta": {k: meta.get(k) for k in meta_fields},
        "sections": None,
        "figures": [{k: f.get(k) for k in figure_fields} for f in result["figures"]],
        **{e.list_field: None for e in report_type.elements if e.list_field},
    }


def indicator_select(index: int, current: str, report_type: ReportType, cls: str = "fix-indicator") -> str:
    """A figure's indicator as a choice among the catalogue's keys and ``other`` (and its own key, when a
    result from another catalogue has one this one lacks: saving must never change a label unasked);
    ``cls`` ``fix-aside-indicator`` for a number set aside (its index into ``set_aside``)."""
    keys = [*report_type.catalogue.keys, OTHER] if OTHER not in report_type.catalogue.keys else list(report_type.catalogue.keys)
    keys += [] if current in keys else [current]
    options = "".join(
        f'<option value="{html.escape(k, quote=True)}"{" selected" if k == current else ""}>{html.escape(k)}'
        f'{" · " + html.escape(entry.name) if (entry := report_type.catalogue.get(k)) else ""}</option>' for k in keys)
    return f'<select class="{cls}" data-index="{index}" aria-label="indicator of figure {index + 1}">{options}</select>'


def reject_box(index: int) -> str:
    return (f'<label class="fix-reject-label"><input type="checkbox" class="fix-reject" data-index="{index}">'
            f" not a statistic</label>")


def set_aside(result: dict[str, Any], report_type: ReportType) -> list[dict[str, Any]]:
    """The figures the learned labeller set aside as no statistic (``uncovered`` entries that carry the
    figure they would have been), in the labels file's fields: what "keep" restores."""
    figure_fields = contract_fields(_part_model(report_type, "figures"))
    return [{k: u["figure"].get(k) for k in figure_fields} for u in result.get("uncovered") or []
            if isinstance(u.get("figure"), dict)]


def keep_box(index: int) -> str:
    return (f'<label class="fix-reject-label"><input type="checkbox" class="fix-keep" data-index="{index}">'
            f" a statistic: keep</label>")


def meta_editor(result: dict[str, Any], report_type: ReportType, esc: Any) -> str:
    """Every contract meta field as a text box; fields in doubt (``meta_unsure``) are marked."""
    doubted = set(result.get("meta_unsure") or [])
    meta = result.get("meta") or {}
    rows = []
    for name in contract_fields(_part_model(report_type, "meta")):
        value = meta.get(name)
        kind = "list" if isinstance(value, list) else "int" if isinstance(value, int) else "text"
        shown = LIST_SEPARATOR.join(value) if isinstance(value, list) else "" if value is None else str(value)
        cls = " unsure" if name in doubted else ""
        flag = ' <span class="doubt" title="in doubt: check this field">?</span>' if name in doubted else ""
        rows.append(f'<dt class="{cls.strip()}">{esc(name)}{flag}</dt><dd><input class="fix-meta{cls}" '
                    f'data-field="{esc(name)}" data-kind="{kind}" value="{esc(shown)}"></dd>')
    return f'<dl class="meta-edit">{"".join(rows)}</dl>'


def labels_script(result: dict[str, Any], report_type: ReportType) -> str:
    """The skeleton and the figures set aside as inline JSON; ``<``, ``>`` and ``&`` as JSON escapes, so
    no value can end or open markup."""
    return (_json_script("llmx-labels", labels_skeleton(result, report_type))
            + _json_script("llmx-aside", set_aside(result, report_type)))


def _json_script(node_id: str, value: Any) -> str:
    data = json.dumps(value, ensure_ascii=False)
    data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/json" id="{node_id}">{data}</script>'


SAVE_BUTTON = ('<button id="save-labels" type="button">Save labels</button> '
               '<span class="none">downloads &lt;doc_id&gt;.json in the gold format, '
               'for <code>llmx train --with mine=LABELS/:REPORTS/</code></span>')

CSS = """
.fix-indicator{max-width:220px;font-size:12px}
.fix-reject-label{font-size:12px;white-space:nowrap}
tr.rejected td{text-decoration:line-through;color:var(--muted)}
tr.unsure td:first-child{border-left:3px solid var(--bad)}
tr.changed td:nth-child(2){background:#fff3c4}
.meta-edit input{width:100%;font:inherit;padding:1px 4px;border:1px solid var(--line);border-radius:4px}
.meta-edit input.unsure,dt.unsure{border-color:var(--bad);color:var(--bad)}
.doubt{font-weight:bold}
#save-labels{font:inherit;padding:4px 12px;border-radius:6px;border:1px solid var(--good);background:#fff;
 color:var(--good);cursor:pointer}
"""

JS = r"""
(function(){
  var node=document.getElementById('llmx-labels');if(!node)return;
  var asideNode=document.getElementById('llmx-aside'),aside=asideNode?JSON.parse(asideNode.textContent):[];
  var labels=JSON.parse(node.textContent),SEP='""" + LIST_SEPARATOR + r"""';
  document.querySelectorAll('.fix-indicator').forEach(function(sel){
    var original=sel.value;
    sel.addEventListener('change',function(){
      var m=document.getElementById('fig-'+sel.dataset.index);if(m){m.dataset.indicator=sel.value;}
      sel.closest('tr').classList.toggle('changed',sel.value!==original);});
  });
  document.querySelectorAll('.fix-reject').forEach(function(box){
    box.addEventListener('change',function(){box.closest('tr').classList.toggle('rejected',box.checked);});
  });
  function metaValue(input){
    var v=input.value.trim();
    if(input.dataset.kind==='list')return v?v.split(SEP).map(function(x){return x.trim();}).filter(Boolean):[];
    if(input.dataset.kind==='int'||input.dataset.field==='report_year'){var n=parseInt(v,10);return isNaN(n)?null:n;}
    return v||null;
  }
  function corrected(){
    var out=JSON.parse(JSON.stringify(labels)),rejected={};
    document.querySelectorAll('.fix-reject').forEach(function(b){if(b.checked)rejected[b.dataset.index]=true;});
    document.querySelectorAll('.fix-indicator').forEach(function(s){out.figures[+s.dataset.index].indicator=s.value;});
    out.figures=out.figures.filter(function(f,i){return !rejected[i];});
    document.querySelectorAll('.fix-keep').forEach(function(b){
      if(!b.checked)return;
      var f=JSON.parse(JSON.stringify(aside[+b.dataset.index]));
      var sel=document.querySelector('.fix-aside-indicator[data-index="'+b.dataset.index+'"]');
      if(sel)f.indicator=sel.value;
      out.figures.push(f);});
    document.querySelectorAll('.fix-meta').forEach(function(i){out.meta[i.dataset.field]=metaValue(i);});
    return out;
  }
  window.llmxLabels=corrected;
  document.getElementById('save-labels').addEventListener('click',function(){
    var blob=new Blob([JSON.stringify(corrected(),null,1)+'\n'],{type:'application/json'});
    var a=document.createElement('a');a.href=URL.createObjectURL(blob);a.download=labels.doc_id+'.json';
    document.body.appendChild(a);a.click();a.remove();
  });
})();
"""
