"""The indexes that keep `--design rules` linear in the text size give the answers a full scan gives.

Speed itself is measured by ``bench/scale.py`` (no timed assertions here); these
tests pin that each shortcut is exact: the folded text and its offsets, the
evidence lookup around a figure's number, the indexed and memoised catalogue
ranking.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmx.engine import candidates
from llmx.reports.catalogue import Catalogue
from llmx.reports.report_type import load_report_type
from llmx.text.textmap import FoldedText, fold
from llmx.text.grounding import Grounding

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_report_type("fazhi").catalogue
CORPUS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "eval" / "corpus").glob("*.txt"))]

# Characters that fold to themselves, to another single character, to nothing, or to several.
ALPHABET = "法治调解纠纷案件次人，。；：（）() \n\t\u3000１２0123%％㎡½⑴ａＢ."


# ---------------------------------------------------------------------------
# Folded text
# ---------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, max_size=60))
def test_folded_text_is_the_per_character_fold(text: str) -> None:
    """Every original character contributes its own fold, each piece pointing back at it."""
    expected = [(piece, pos) for pos, ch in enumerate(text) for piece in fold(ch)]
    folded = FoldedText.of(text)
    assert list(zip(folded.folded, folded.index)) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(ALPHABET, min_size=1, max_size=60), st.data())
def test_find_around_is_find_all_near_the_offset(text: str, data: st.DataObject) -> None:
    """Spans holding ``pos`` are all found; nothing is found that find_all would not find."""
    start = data.draw(st.integers(0, len(text) - 1))
    needle = text[start:data.draw(st.integers(start + 1, len(text)))]
    pos = data.draw(st.integers(0, len(text)))
    folded = FoldedText.of(text)
    everywhere = folded.find_all(needle)
    around = folded.find_around(needle, pos)
    assert {(s, e) for s, e in everywhere if s <= pos < e} <= set(around) <= set(everywhere)


# ---------------------------------------------------------------------------
# Evidence lookup around the figure's number
# ---------------------------------------------------------------------------

CLAUSES = ["办理行政处罚案件5件", "调解纠纷5件", "调解纠纷７件", "开展培训3次", "发放资料1,200份", "覆盖率95%",
           "2023年", "其中简易程序2件"]


def _figure(value: object, evidence: str, unit: str = "件", qualifier: str = "exact") -> dict:
    return {"label": "x", "value": value, "unit": unit, "qualifier": qualifier, "evidence": evidence}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(CLAUSES), min_size=1, max_size=30), st.data())
def test_check_near_a_number_agrees_with_the_full_search(clauses: list[str], data: st.DataObject) -> None:
    """The verdict with the lookup around ``near`` equals the verdict of the whole-text search."""
    text = "，".join(clauses) + "。"
    grounding = Grounding(text)
    m = data.draw(st.sampled_from(grounding.mentions))
    left = data.draw(st.integers(max(0, m.start - 12), m.start))
    evidence = text[left:data.draw(st.integers(m.end, min(len(text), m.end + 12)))]
    figure = _figure(data.draw(st.sampled_from([m.value, 5, 7])), evidence, data.draw(st.sampled_from([m.unit, "件"])))
    near = data.draw(st.sampled_from([m.start, m.start + 1, 0]))
    fast = grounding.check(figure, near=near)
    with mock.patch.object(FoldedText, "find_around", return_value=[]):
        full = grounding.check(figure, near=near)
    assert (fast.problems, fast.mention) == (full.problems, full.mention)


def test_check_near_its_number_does_not_scan_the_text() -> None:
    """Among a thousand copies of the evidence the cited one is found without a whole-text search."""
    text = "调解纠纷5件，" * 1000
    grounding = Grounding(text)
    near = text.index("5", len(text) // 2)
    with mock.patch.object(FoldedText, "find_all", side_effect=AssertionError("whole-text search")):
        verdict = grounding.check(_figure(5, "调解纠纷5件"), near=near)
    assert verdict.ok and verdict.mention is not None and verdict.mention.start == near


def test_a_wrong_value_still_names_every_number_the_evidence_holds() -> None:
    """The slow path stays: no number of that value, so the message lists what the source says."""
    grounding = Grounding("调解纠纷5件，调解纠纷7件，" * 3)
    verdict = grounding.check(_figure(6, "调解纠纷"), near=4)
    assert not verdict.ok and "no number" in verdict.problems[0]
    verdict = grounding.check(_figure(6, "纠纷7件"), near=11)
    assert verdict.problems[0].endswith("the source there says 7件, 7件, 7件")


# ---------------------------------------------------------------------------
# Clauses and sentences around a number
# ---------------------------------------------------------------------------

BREAKS = "，。；\n（）"


@settings(max_examples=300, deadline=None)
@given(st.text("法治5件 a" + BREAKS, max_size=80), st.data())
def test_breaks_find_what_a_walk_finds(text: str, data: st.DataObject) -> None:
    """The nearest break either side, as walking character by character finds it."""
    pos = data.draw(st.integers(0, len(text)))
    back = pos
    while back > 0 and text[back - 1] not in BREAKS:
        back -= 1
    forward = pos
    while forward < len(text) and text[forward] not in BREAKS:
        forward += 1
    breaks = candidates._Breaks.of(text, BREAKS)
    assert (breaks.back_to(pos), breaks.forward_to(pos)) == (back, forward)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["法", "治", "5", " ", "a", "件件件", "1 2 3 " * 30, "，"]), max_size=60), st.data())
def test_cjk_count_in_short_and_long_clauses(pieces: list[str], data: st.DataObject) -> None:
    """Direct counting and the index of a long clause both count what a scan counts."""
    text = "".join(pieces)
    clauses = candidates._Breaks.of(text, "，")
    counter = candidates._CjkCounter(text, clauses)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, clauses.forward_to(start)))
    assert counter.count(start, end) == sum("\u4e00" <= ch <= "\u9fff" for ch in text[start:end])


def test_numbers_on_one_long_line_get_their_own_clause() -> None:
    """A converted table on one line: every number keeps an evidence of at most 80 characters holding it."""
    text = "一、情况\n" + "".join(f"开展活动{i}次 " for i in range(100, 600))
    mentions = Grounding(text).mentions
    built = candidates.build_candidates(text, mentions, {}, load_report_type("fazhi"))
    assert len(built) == 500
    assert all(c.mention.text in c.evidence and len(c.evidence) <= 80 for c in built)
    assert {c.sentence_start for c in built} == {len("一、情况\n")}


# ---------------------------------------------------------------------------
# Catalogue ranking
# ---------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    chars = [c for c in fold(text) if c.isalpha()]
    return {a + b for a, b in zip(chars, chars[1:])}


def reference_rank(catalogue: Catalogue, phrase: str, unit: str) -> list[tuple[str, float]]:
    """The ranking by its definition: best share of a name's, example's or (half weight)
    definition's bigrams echoed by the phrase, plus the unit bonus, best first."""
    grams = _bigrams(phrase)

    def share(reference: str) -> float:
        ref = _bigrams(reference)
        return len(grams & ref) / len(ref) if grams and ref else 0.0

    scored = []
    for ind in catalogue.indicators:
        best = max([share(e) for e in ind.examples] + [share(ind.name), share(ind.definition) * 0.5])
        bonus = 0.15 if unit and unit in ind.units else (-0.3 if unit and ind.units else 0.0)
        scored.append((ind.key, best + bonus))
    return sorted(scored, key=lambda kv: kv[1], reverse=True)


PHRASES = sorted({clause for text in CORPUS for clause in text.replace("\n", "。").split("。") if clause.strip()})


@pytest.mark.parametrize("unit", ["", "次", "件", "%", "平方米"])
def test_rank_is_the_bigram_overlap(unit: str) -> None:
    catalogue = Catalogue(CATALOGUE.indicators)
    for phrase in PHRASES:
        assert catalogue.rank(phrase, unit, top=len(catalogue.keys)) == reference_rank(catalogue, phrase, unit), phrase


def test_rank_scores_each_distinct_phrase_once() -> None:
    catalogue = Catalogue(CATALOGUE.indicators)
    with mock.patch("llmx.reports.catalogue._bigrams", wraps=lambda text: frozenset(_bigrams(text))) as bigrams:
        catalogue.rank(PHRASES[0])  # the first call also indexes the catalogue's own texts
        indexing = bigrams.call_count
        first = catalogue.rank(PHRASES[1], "次", top=3)
        assert catalogue.rank(PHRASES[1], "次", top=3) == first
        assert catalogue.rank(PHRASES[1], "次", top=1) == first[:1]
        assert bigrams.call_count == indexing + 1
        catalogue.rank(PHRASES[1], "件")
        assert bigrams.call_count == indexing + 2


# ---------------------------------------------------------------------------
# The benchmark stays runnable
# ---------------------------------------------------------------------------


def test_scale_benchmark_runs_and_prints_ratios() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), "--sizes", "5000", "10000"],
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout
    lines = out.splitlines()
    assert lines[0].split() == ["chars", "seconds", "chars/s", "figures", "rank", "memo", "hits"]
    assert [line.split()[0] for line in lines[1:3]] == ["5,000", "10,000"]
    assert lines[3].startswith("time(10,000)/(2×time(5,000)) = ")
