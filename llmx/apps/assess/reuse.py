"""Reuse of last year's report by the same body: copied sentences, repeated shortcomings, plans done.

Why: supervisors and researchers both read a report that repeats last
year's sentences with new numbers, or lists the same shortcomings again, as
a report written to the form rather than to the year.  Two reports are the
same body's when level and region code agree and, where both name their
issuers, they share one (see ``same_body``), one year apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from llmx.apps.assess.reading import Reading
from llmx.apps.assess.rules import Rules
from llmx.apps.assess.sentences import normalise
from llmx.text.dates import YEAR
from llmx.text.script import simplify

_YEARS = re.compile(rf"{YEAR}\s*年?度?|[零〇一二三四五六七八九]{{4}}\s*年")


def _names(values: object) -> set[str]:
    items = values if isinstance(values, list) else [values] if values else []
    return {simplify(re.sub(r"\s", "", str(v))) for v in items if v}


def _title(meta: dict[str, Any]) -> str:
    return _YEARS.sub("", simplify(re.sub(r"\s", "", str(meta.get("title") or ""))))


def same_body(a: Reading, b: Reading) -> bool:
    """Same level and region code, and: an issuer in common when both name theirs (北京市东城区人民政府
    holds 东城区人民政府); else the same township for townships, the same title for departments; a
    county, city or province government is the only one of its level in its region code."""
    ma, mb = a.meta, b.meta
    if ma.get("level") != mb.get("level") or not ma.get("region_code") or ma.get("region_code") != mb.get("region_code"):
        return False
    ia, ib = _names(ma.get("issuers")), _names(mb.get("issuers"))
    if ia and ib:
        return any(x in y or y in x for x in ia for y in ib)
    if ma.get("level") == "township":
        ta, tb = _names(ma.get("township")), _names(mb.get("township"))
        return bool(ta and ta == tb)
    if ma.get("level") in ("department", "other"):
        return bool(_title(ma)) and _title(ma) == _title(mb)
    return True


def previous_of(reading: Reading, others: Sequence[Reading]) -> Reading | None:
    """The same body's report for the year before, among ``others``."""
    year = reading.meta.get("report_year")
    if not isinstance(year, int):
        return None
    return next((o for o in others if o is not reading and o.meta.get("report_year") == year - 1
                 and same_body(reading, o)), None)


def _sentences(reading: Reading, rules: Rules, span: tuple[int, int] | None = None) -> list[str]:
    start, end = span or (0, len(reading.text))
    return [s.text for s in reading.prose(int(rules.raw.get("min_sentence_chars", 12)), start, end)]


def reuse_share(this: list[str], previous: list[str], ratio: float) -> tuple[float | None, list[str]]:
    """The share of ``this`` year's sentences that, numbers and years normalised, are in ``previous``."""
    from rapidfuzz import fuzz, process

    before = sorted({normalise(s) for s in previous})
    reused = [s for s in this
              if (n := normalise(s)) in before or process.extractOne(n, before, scorer=fuzz.ratio, score_cutoff=ratio)]
    return (round(len(reused) / len(this), 4) if this else None), reused


def reuse(reading: Reading, previous: Reading, rules: Rules) -> dict[str, Any]:
    from rapidfuzz import fuzz, process

    share, reused = reuse_share(_sentences(reading, rules), _sentences(previous, rules),
                                rules.number("reuse", "near_ratio"))
    old = [str(s) for s in previous.result.get("shortcomings") or []]
    repeated = []
    for item in reading.result.get("shortcomings") or []:
        match = process.extractOne(normalise(str(item)), [normalise(o) for o in old], scorer=fuzz.ratio,
                                   score_cutoff=rules.number("reuse", "shortcoming_ratio")) if old else None
        if match:
            repeated.append({"this_year": item, "last_year": old[match[2]]})
    measures = reading.span("measures")
    done_sentences = _sentences(reading, rules, measures) if measures else []
    plans_done = []
    for plan in previous.result.get("next_year_plans") or []:
        match = process.extractOne(str(plan), done_sentences, scorer=fuzz.partial_ratio,
                                   score_cutoff=rules.number("reuse", "plan_ratio")) if done_sentences else None
        if match and len(str(plan)) >= 6:
            plans_done.append({"plan": plan, "reported": match[0]})
    return {"previous": previous.result.get("doc_id"), "share": share, "reused_sentences": reused,
            "repeated_shortcomings": repeated, "plans_done": plans_done}
