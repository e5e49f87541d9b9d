"""One scorecard per report, and the flags it raises for a reader to check.

Why flags beside the scores: a supervisor wants the list of things to send
back (a missing 落款 date, a late report, parts adding up to more than the
total), not only numbers; each flag names its check and what it saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llmx.apps.assess import checks, consistency
from llmx.apps.assess.inputs import Input
from llmx.apps.assess.reading import read
from llmx.apps.assess.reuse import previous_of, reuse
from llmx.apps.assess.rules import RuleBook
from llmx.reports.report_type import ReportType

META_KEYS = ("title", "report_year", "level", "county", "township", "region_code", "issuers", "date")


def flags(card: dict[str, Any], limits: dict[str, Any], optional: tuple[str, ...] = ()) -> list[str]:
    """Everything a reader should look at, one line each, ``check: what``."""
    out = [f"completeness: no {k} element" for k, v in card["completeness"]["elements"].items()
           if not v and k not in optional]
    out += [f"completeness: not {k}" for k, v in card["completeness"].items()
            if isinstance(v, bool) and not v]
    t = card["timeliness"]
    if t["days_late"]:
        out.append(f"timeliness: dated {t['date']}, {t['days_late']} days after the deadline {t['deadline']}")
    if t["publish_days_late"]:
        out.append(f"timeliness: published {t['published']}, {t['publish_days_late']} days after {t['publish_deadline']}")
    if t["status"] == "unknown":
        out.append("timeliness: unknown (no date and no 发布日期)")
    e = card["evidence"]
    if e["statistics_per_1000_chars"] is not None and e["statistics_per_1000_chars"] < limits["min_statistics_per_1000_chars"]:
        out.append(f"evidence: {e['statistics_per_1000_chars']} statistics per 1,000 characters")
    if e["fact_share"] is not None and e["fact_share"] < limits["min_fact_share"]:
        out.append(f"evidence: only {e['fact_share']:.0%} of sentences state a fact")
    s = card["shortcomings"]
    if not s["count"]:
        out.append("shortcomings: none stated")
    elif not s["specific"]:
        out.append(f"shortcomings: all {s['count']} are boilerplate")
    out += [f"consistency: {c['kind']}: {c.get('detail', '')} ({c['evidence'][:60]})" for c in card["consistency"]]
    r = card["reuse"]
    if r and r["share"] is not None and r["share"] >= limits["max_reuse_share"]:
        out.append(f"reuse: {r['share']:.0%} of sentences as in {r['previous']}")
    if r and r["repeated_shortcomings"]:
        out.append(f"reuse: {len(r['repeated_shortcomings'])} shortcomings repeated from {r['previous']}")
    return out


def card_ids(inputs: Sequence[Input]) -> list[str]:
    """Each input's doc_id, told apart where two share one (wide/raw/001.txt, wide2/raw/001.txt -> wide_001,
    wide2_001) by the nearest folder whose names differ."""
    ids = [str(i.result["doc_id"]) for i in inputs]
    out = list(ids)
    for i, doc_id in enumerate(ids):
        twins = [j for j, other in enumerate(ids) if other == doc_id and j != i]
        if not twins:
            continue
        mine = inputs[i].source.resolve().parents
        for depth in range(len(mine)):
            theirs = {inputs[j].source.resolve().parents[depth].name if depth < len(inputs[j].source.resolve().parents)
                      else "" for j in twins}
            if mine[depth].name not in theirs:
                out[i] = f"{mine[depth].name}_{doc_id}"
                break
    return out


def assess_all(inputs: Sequence[Input], report_type: ReportType, book: RuleBook) -> list[dict[str, Any]]:
    """A scorecard for each input; reuse is measured against the same body's previous report among them."""
    ids = card_ids(inputs)
    readings = [read({**i.result, "doc_id": card_id}, i.text, report_type) for i, card_id in zip(inputs, ids)]
    cards = []
    for item, reading, card_id in zip(inputs, readings, ids):
        rules = book.for_region(reading.meta.get("region_code"))
        previous = previous_of(reading, readings)
        card: dict[str, Any] = {
            "doc_id": card_id, "source": str(item.source),
            "result": str(item.result_path) if item.result_path else None,
            "meta": {k: reading.meta.get(k) for k in META_KEYS},
            "completeness": checks.completeness(reading, report_type, rules),
            "timeliness": checks.timeliness(reading, rules),
            "evidence": checks.evidence(reading, report_type, rules),
            "shortcomings": checks.shortcomings(reading, rules),
            "consistency": consistency.check(reading, rules),
            "reuse": reuse(reading, previous, rules) if previous else None,
        }
        card["flags"] = flags(card, rules.raw.get("flags") or {}, rules.words("optional_elements"))
        cards.append(card)
    return cards

