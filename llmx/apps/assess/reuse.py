"""Reuse of last year's report by the same body: copied sentences, repeated shortcomings, plans done.

Why: supervisors and researchers both read a report that repeats last
year's sentences with new numbers, or lists the same shortcomings again, as
a report written to the form rather than to the year.  Two reports are the
same body's when level and region code agree and they share an issuer (or
township, or title once years are removed), one year apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from llmx.apps.assess.reading import Reading
from llmx.apps.assess.rules import Rules
from llmx.apps.assess.sentences import normalise, split

_YEARS = re.compile(r"(?:19|20)\d{2}\s*年?度?|[零〇一二三四五六七八九]{4}\s*年")


def body_names(reading: Reading) -> set[str]:
    """Names that identify the body behind a report: its issuers, its township, its title without years."""
    meta = reading.meta
    names = {re.sub(r"\s", "", str(i)) for i in meta.get("issuers") or []}
    if meta.get("township"):
        names.add(f"township:{meta['township']}")
    if meta.get("title"):
        names.add("title:" + _YEARS.sub("", re.sub(r"\s", "", str(meta["title"]))))
    return {n for n in names if n}


def same_body(a: Reading, b: Reading) -> bool:
    ma, mb = a.meta, b.meta
    if ma.get("level") != mb.get("level") or ma.get("region_code") != mb.get("region_code"):
        return False
    return bool(body_names(a) & body_names(b))


def previous_of(reading: Reading, others: Sequence[Reading]) -> Reading | None:
    """The same body's report for the year before, among ``others``."""
    year = reading.meta.get("report_year")
    if not isinstance(year, int):
        return None
    return next((o for o in others if o is not reading and o.meta.get("report_year") == year - 1
                 and same_body(reading, o)), None)


def _sentences(reading: Reading, rules: Rules, span: tuple[int, int] | None = None) -> list[str]:
    start, end = span or (0, len(reading.text))
    min_chars = int(rules.raw.get("min_sentence_chars", 12))
    return [s.text for s in split(reading.text, start, end, min_chars=min_chars)]


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
    return {"previous": previous.result.get("doc_id"), "share": share, "reused_sentences": len(reused),
            "repeated_shortcomings": repeated, "plans_done": plans_done}
