"""The scorecard's plain checks: completeness, timeliness, evidence, shortcomings.

Why these four: they are what a supervising 依法治县办 checks on every report
(complete, on time, signed) and what published studies of these reports
measured (promptness, structure, reliance on data and cases, candour about
shortcomings); docs/assess.md gives the sources.  Each returns plain JSON.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from llmx.apps.assess.reading import Reading, parse_date
from llmx.apps.assess.rules import Rules
from llmx.reports.report_type import ReportType
from llmx.text.script import simplify

_CLAUSE = re.compile(r"[，,、]")
_COUNT = re.compile(r"[0-9０-９]+|[一二三四五六七八九十两百千万]+\s*[余多]?\s*(?:个|件|起|次|场|人|名|份|项|条|家|户|元|%|％)")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def completeness(reading: Reading, report_type: ReportType, rules: Rules) -> dict[str, Any]:
    """The template's elements and the 公文 parts (signed, dated, issuer, recipients): present or not."""
    sections = reading.result.get("sections") or {}
    elements = {e.key: bool((sections.get(e.key) or {}).get("present")) for e in report_type.elements}
    parts = {name: bool(reading.meta.get(str(field))) for name, field in (rules.raw.get("document_parts") or {}).items()}
    checks = [*elements.values(), *parts.values()]
    return {"elements": elements, **parts, "score": _share(sum(checks), len(checks))}


def _lateness(day: Any, deadline: Any) -> int | None:
    return None if day is None else max(0, (day - deadline).days)


def timeliness(reading: Reading, rules: Rules) -> dict[str, Any]:
    """The report's date against its submission deadline, the page's 发布日期 against the publication deadline."""
    year = reading.meta.get("report_year")
    level = reading.meta.get("level")
    published = parse_date(reading.index.get("published"))
    date = parse_date(reading.meta.get("date"))
    if date is not None and date == published and parse_date(reading.index.get("written")) != date:
        date = None  # meta.date fell back to the page's 发布日期: a publication date, not the report's own
    if not isinstance(year, int):
        return {"deadline": None, "date": reading.meta.get("date"), "days_late": None, "status": "unknown",
                "published": published.isoformat() if published else None, "publish_deadline": None,
                "publish_days_late": None, "why": "no report_year"}
    deadline = rules.before("submit", level, year) - dt.timedelta(days=1)
    publish_deadline = rules.before("publish", level, year) - dt.timedelta(days=1)
    late, publish_late = _lateness(date, deadline), _lateness(published, publish_deadline)
    known = [d for d in (late, publish_late) if d is not None]
    status = "unknown" if not known else "late" if any(known) else "on_time"
    return {"deadline": deadline.isoformat(), "date": date.isoformat() if date else None, "days_late": late,
            "status": status, "published": published.isoformat() if published else None,
            "publish_deadline": publish_deadline.isoformat(), "publish_days_late": publish_late}


def is_fact(sentence: str, start: int, reading: Reading, rules: Rules) -> bool:
    """A sentence states a fact when it counts something or uses a fact word (a case, a comparison)."""
    end = start + len(sentence)
    if any(m.kind == "candidate" and start <= m.start < end for m in reading.mentions):
        return True
    return any(w in sentence for w in rules.words("fact_words"))


def evidence(reading: Reading, report_type: ReportType, rules: Rules) -> dict[str, Any]:
    """Statistics per 1,000 characters, share of catalogue indicators reported, share of factual sentences."""
    chars = len(re.sub(r"\s", "", reading.text))
    figures = [f for f in reading.result.get("figures") or [] if not f.get("target")]
    keys = [k for k in report_type.catalogue.keys if k != "other"]
    per_indicator = Counter(f["indicator"] for f in figures if f["indicator"] in keys)
    reported = sorted(per_indicator)
    min_chars = int(rules.raw.get("min_sentence_chars", 12))
    clause = int(rules.raw.get("min_clause_chars", 0))
    told = [s for start, end in reading.outside(tuple(rules.words("not_reporting")))
            for s in reading.prose(min_chars, start, end)]
    sentences = [s for s in told if not s.text.rstrip().endswith(("：", ":"))
                 and (len(re.sub(r"\s", "", s.text)) >= clause or _CLAUSE.search(s.text))]
    facts = [s for s in sentences if is_fact(s.text, s.start, reading, rules)]
    return {"chars": chars, "statistics": len(figures),
            "statistics_per_1000_chars": round(len(figures) * 1000 / chars, 3) if chars else None,
            "indicators_reported": len(reported), "indicators_in_catalogue": len(keys),
            "indicator_share": _share(len(reported), len(keys)),
            "per_indicator": {k: per_indicator[k] for k in keys if per_indicator[k]},
            "sentences": len(sentences), "fact_sentences": len(facts), "fact_share": _share(len(facts), len(sentences))}


def specific_because(item: str, rules: Rules) -> list[str]:
    """What makes a shortcoming specific: the fields, numbers and cases it names (empty: boilerplate)."""
    why = [f"field {w}" for w in rules.words("specific_fields") if w in item]
    why += [f"number {m.group(0)}" for m in _COUNT.finditer(item)]
    why += [f"case {w}" for w in rules.words("case_words") if w in item]
    return why


def _contexts(reading: Reading, items: list[str]) -> list[str]:
    """Each item with the sentences after it up to the next item (or the end of the shortcomings part):
    extraction keeps an item's lead clause, and the field or number often comes in its elaboration."""
    span = reading.span("shortcomings")
    if not span:
        return items
    text = reading.text[span[0]:span[1]]
    starts = []
    pos = 0
    for item in items:
        at = text.find(simplify(item), pos)
        starts.append(at)
        if at >= 0:
            pos = at + len(item)
    out = []
    for i, (item, at) in enumerate(zip(items, starts)):
        if at < 0:
            out.append(item)
            continue
        end = next((s for s in starts[i + 1:] if s >= 0), len(text))
        out.append(text[at:end].strip())
    return out


def shortcomings(reading: Reading, rules: Rules) -> dict[str, Any]:
    """How many shortcomings, and which are specific: judged on each item with its elaboration."""
    items = [str(s) for s in reading.result.get("shortcomings") or []]
    judged = [{"text": s, "specific": bool(why := specific_because(context, rules)), "because": why}
              for s, context in zip(items, _contexts(reading, items))]
    specific = sum(1 for j in judged if j["specific"])
    return {"count": len(items), "specific": specific, "boilerplate": len(items) - specific,
            "specific_share": _share(specific, len(items)), "items": judged}
