"""Statements in one report that cannot all be true.

Why: a supervisor reading dozens of reports catches these by chance; each
is a sign of a copied or hastily assembled report.  Every finding is
``{kind, evidence}`` with the words that conflict, so it can be checked by
reading them.  Kinds: ``parts_exceed_total`` (共…件，其中… adding up to
more), ``percent_over_100`` (a rate above 100%), ``year_mismatch`` (the
text's year is not ``report_year``), ``conflicting_values`` (one quantity,
two values), ``target_already_done`` (a plan for next year the report
already counts as done).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from llmx.engine.candidates import BREAKDOWN_LEAD
from llmx.text.dates import YEAR
from llmx.text.punctuation import CLAUSE_END, LIST_COMMA, PROSE, SENTENCE_END, char_class, compiled
from llmx.apps.assess.reading import Reading
from llmx.apps.assess.rules import Rules
from llmx.apps.assess.sentences import split

KINDS = ("parts_exceed_total", "percent_over_100", "year_mismatch", "conflicting_values", "target_already_done")

_TOTAL_CUE = re.compile(rf"(?:共|共计|合计|总计|累计|总共)\s*[^\s{re.escape(PROSE)}]{{0,12}}$")
_SENTENCE_END = compiled(SENTENCE_END)
_NEW_TOTAL = re.compile(r"共|合计|总计|累计|另")
_PERCENT = re.compile(r"([0-9０-９]+(?:[.．][0-9０-９]+)?)\s*[%％]|百分之([0-9一二三四五六七八九十百]+)")
# 2023年以来 / 2023年，/ 2023年度: a year the text reports on (not 2023年5月, not 2021-2025年, not 〔2024〕).
_YEAR = re.compile(rf"(?<![0-9〔\[【（(\-—－~至])({YEAR})\s*年(?!\s*\d{{1,2}}\s*月|[-—－~至])"
                   r"(?=\s*(?:以来|度|全年|，|,|工作|我|法治|依法|本|各|在|上半年|下半年))")


def _window(text: str, start: int, size: int) -> str:
    return text[max(0, start - size):start]


def _number(raw: str) -> float:
    from llmx.text.numbers import chinese_to_int

    raw = raw.translate(str.maketrans("０１２３４５６７８９．", "0123456789."))
    return float(raw) if re.fullmatch(r"[0-9.]+", raw) else float(chinese_to_int(raw))


def parts_exceed_total(reading: Reading) -> list[dict[str, Any]]:
    """共 N 件，其中 a 件、b 件…: parts with the total's unit that add up to more than N."""
    text, found = reading.text, []
    mentions = [m for m in reading.mentions if m.kind == "candidate" and m.qualifier in ("exact", "approx")]
    for i, total in enumerate(mentions):
        if not _TOTAL_CUE.search(_window(text, total.start, 14)) or not total.unit:
            continue
        stop = _SENTENCE_END.search(text, total.end)
        clause_end = stop.start() if stop else len(text)
        after = text[total.end:clause_end]
        at = after.find(BREAKDOWN_LEAD)
        if at < 0 or at > 12 or BREAKDOWN_LEAD in after[at + len(BREAKDOWN_LEAD):]:
            continue
        if after[:at].rstrip().endswith(("(", "（")):  # 共取消15项（其中2项为子项），新增…: parts end at the bracket
            close = re.search(r"[)）]", after[at:])
            clause_end = total.end + at + (close.start() if close else len(after) - at)
        parts = []
        for m in mentions[i + 1:]:
            if m.start >= clause_end:
                break
            if m.start < total.end + at:
                continue
            if _NEW_TOTAL.search(text[total.end + at:m.start]):
                break
            if m.unit == total.unit:
                parts.append(m)
        if len(parts) >= 2 and sum(p.value for p in parts) > total.value:
            found.append({"kind": "parts_exceed_total",
                          "evidence": text[max(0, total.start - 14):clause_end].strip(),
                          "detail": f"total {total.value:g}{total.unit}, parts "
                                    f"{' + '.join(f'{p.value:g}' for p in parts)} = {sum(p.value for p in parts):g}"})
    return found


def percent_over_100(reading: Reading, rules: Rules) -> list[dict[str, Any]]:
    """A percentage above 100 that is not a growth rate (增长 120% is possible, 结案率 105% is not)."""
    text, found = reading.text, []
    growth = rules.words("growth_words")
    for m in _PERCENT.finditer(text):
        value = _number(m.group(1) or m.group(2))
        if value <= 100 or any(w in _window(text, m.start(), 10) for w in growth):
            continue
        found.append({"kind": "percent_over_100", "evidence": text[max(0, m.start() - 20):m.end()].strip(),
                      "detail": f"{value:g}%"})
    return found


def year_mismatch(reading: Reading) -> list[dict[str, Any]]:
    """The year the measures speak of (2023年以来, 2023年，我镇…) is not the report's ``report_year``."""
    year = reading.meta.get("report_year")
    if not isinstance(year, int):
        return []
    years: Counter[int] = Counter()
    where: dict[int, str] = {}
    for start, end in reading.outside(("next_year",)):
        for m in _YEAR.finditer(reading.text, start, end):
            y = int(m.group(1))
            years[y] += 1
            where.setdefault(y, reading.text[m.start():m.start() + 24].split("\n")[0])
    if not years:
        return []
    top, count = years.most_common(1)[0]
    if top == year or count < 2 or years[year] >= count:
        return []
    return [{"kind": "year_mismatch", "evidence": where[top],
             "detail": f"report_year {year}; the text speaks of {top} {count} times and of {year} {years[year]} times"}]


def _as_whole(fig: dict[str, Any], text: str, total_words: tuple[str, ...]) -> bool:
    """The figure is stated as the whole (共, 全年, 全镇… in its sentence before the number, or in its label)."""
    start = fig.get("start")
    if not isinstance(start, int):
        return any(w in str(fig.get("label", "")) for w in total_words)
    before = _SENTENCE_END.split(text[max(0, start - 30):start])[-1]
    return any(w in before for w in total_words)


def conflicting_values(reading: Reading, rules: Rules) -> list[dict[str, Any]]:
    """One quantity stated as a whole twice with different values: same wording, indicator and unit, each
    sentence calling it the total (共, 全年, 全镇…).  Two programmes that both 提供法律咨询服务 are not one quantity."""
    total_words = rules.words("total_words")
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for fig in reading.result.get("figures") or []:
        label = re.sub(r"\s", "", str(fig.get("label", "")))
        if fig.get("target") or len(label) < 4 or not _as_whole(fig, reading.original, total_words):
            continue
        groups[(label, str(fig.get("indicator")), str(fig.get("unit")))].append(fig)
    found = []
    for (label, _, unit), figs in groups.items():
        values = sorted({f["value"] for f in figs})
        if len(values) > 1:
            found.append({"kind": "conflicting_values",
                          "evidence": " / ".join(dict.fromkeys(str(f.get("evidence")) for f in figs)),
                          "detail": f"{label}: {', '.join(f'{v:g}{unit}' for v in values)}"})
    return found


def _plan_objects(text: str, verbs: tuple[str, ...]) -> list[str]:
    """The object of each plan verb in a sentence: the words after the verb up to the clause end."""
    return [m.group(1).strip() for verb in verbs
            for m in re.finditer(re.escape(verb) + "(" + char_class(CLAUSE_END, LIST_COMMA, negate=True) + "{4,30})", text)]


def _done_pattern(rules: Rules) -> re.Pattern[str]:
    """已出台 / 已经建成 / 完成了 / a done word from the rules: a sentence saying something is done."""
    verbs = "|".join(map(re.escape, rules.words("plan_verbs")))
    words = "|".join(map(re.escape, rules.words("done_words")))
    return re.compile(rf"(?:已经?|均已|全部)(?:{verbs})|(?:{verbs})了" + (f"|{words}" if words else ""))


def target_already_done(reading: Reading, rules: Rules) -> list[dict[str, Any]]:
    """A next-year plan (完成/建成/出台… X) whose X the rest of the report already says is done (已建成 X)."""
    plan = reading.span("next_year")
    if not plan:
        return []
    from rapidfuzz import fuzz

    done_at = _done_pattern(rules)
    done = [(s.text, m.start()) for start, end in reading.outside(("next_year",))
            for s in split(reading.text, start, end) if (m := done_at.search(s.text))]
    threshold = rules.number("reuse", "plan_ratio")
    found = []
    for sentence in split(reading.text, *plan):
        for obj in _plan_objects(sentence.text, rules.words("plan_verbs")):
            for text, at in done:
                if len(obj) >= 4 and fuzz.partial_ratio(obj, text[at:]) >= threshold:
                    found.append({"kind": "target_already_done", "evidence": f"{sentence.text} / {text}",
                                  "detail": f"planned: {obj}"})
                    break
    return found


def check(reading: Reading, rules: Rules) -> list[dict[str, Any]]:
    return (parts_exceed_total(reading) + percent_over_100(reading, rules) + year_mismatch(reading)
            + conflicting_values(reading, rules) + target_already_done(reading, rules))
