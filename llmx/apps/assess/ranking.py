"""Scorecards side by side: one row per report, each score with its rank among the reports of its group.

Why ranks per group: a 依法治县办 compares the townships and departments of
its own county, a researcher the counties of a city; ``--by`` picks the
group (region code of the county, of the city, or all reports together).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from llmx.apps.table import Table

#: (column, where in the scorecard, higher is better)
SCORES: tuple[tuple[str, tuple[str, ...], bool], ...] = (
    ("completeness", ("completeness", "score"), True),
    ("days_late", ("timeliness", "days_late"), False),
    ("publish_days_late", ("timeliness", "publish_days_late"), False),
    ("statistics_per_1000_chars", ("evidence", "statistics_per_1000_chars"), True),
    ("indicator_share", ("evidence", "indicator_share"), True),
    ("fact_share", ("evidence", "fact_share"), True),
    ("specific_shortcomings", ("shortcomings", "specific"), True),
    ("consistency_findings", ("consistency",), False),
    ("reuse_share", ("reuse", "share"), False),
)
GROUPS = {"county": 6, "city": 4, "province": 2, "all": 0}


def score(card: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = card
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if isinstance(value, list):
        return len(value)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def group_of(card: dict[str, Any], by: str) -> str:
    digits = GROUPS[by]
    code = card["meta"].get("region_code") or ""
    return "all" if not digits else (code[:digits].ljust(6, "0") if code else "unknown")


def ranks(cards: Sequence[dict[str, Any]], by: str) -> list[dict[str, int | None]]:
    """For each card, its rank (1 = best, ties share) on each score within its group; None without a value."""
    out: list[dict[str, int | None]] = [{} for _ in cards]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, card in enumerate(cards):
        groups[group_of(card, by)].append(i)
    for members in groups.values():
        for column, path, higher in SCORES:
            valued = [(score(cards[i], path), i) for i in members]
            known = sorted((v for v, _ in valued if v is not None), reverse=higher)
            for v, i in valued:
                out[i][column] = None if v is None else known.index(v) + 1
    return out


def score_table(cards: Sequence[dict[str, Any]], by: str) -> Table:
    """Scores and ranks, one row per report, ordered by group and completeness rank."""
    columns = ["doc_id", "group", "level", "report_year", "timeliness", "flags"]
    columns += [c for c, _, _ in SCORES] + [f"rank_{c}" for c, _, _ in SCORES]
    table = Table("scores", columns)
    rows = []
    for card, rank in zip(cards, ranks(cards, by)):
        meta = card["meta"]
        rows.append([card["doc_id"], group_of(card, by), meta.get("level"), meta.get("report_year"),
                     card["timeliness"]["status"], len(card["flags"])]
                    + [score(card, path) for _, path, _ in SCORES] + [rank[c] for c, _, _ in SCORES])
    rows.sort(key=lambda r: (str(r[1]), r[len(columns) - len(SCORES)] or 10**9, str(r[0])))
    table.rows.extend(rows)
    return table


def flag_table(cards: Sequence[dict[str, Any]]) -> Table:
    """Every flag, one row each, for a reader to work through."""
    table = Table("flags", ["doc_id", "check", "flag"])
    for card in cards:
        for flag in card["flags"]:
            table.rows.append([card["doc_id"], flag.split(":", 1)[0], flag])
    return table
