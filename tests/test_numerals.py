"""Reading Chinese numerals: llmx's parser against an independent renderer (cn2an).

Integers are generated, written in Chinese by cn2an in the forms reports use
(standard, with 两, with 〇 for 零, digit by digit like 二〇二三), shortened
the way people write them (三万五, 一百一, 四万万), and read back with
``chinese_to_int``: the value must be the generated integer.
"""

from __future__ import annotations

import cn2an
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from llmx.text.numbers import chinese_to_int, colloquial_range, find_mentions, in_chinese_numerals

_PLACE_WORDS = {"十": 10, "百": 100, "千": 1000, "万": 10**4, "亿": 10**8}
_DIGITS = "零〇一二三四五六七八九两"


def standard(n: int) -> str:
    """cn2an's standard reading: 二千零二十三, 十万零一十二, 一亿二千万."""
    return cn2an.an2cn(n)


def with_liang(numeral: str, where: list[bool]) -> str:
    """二 before a place word written 两 (两百, 两千, 两万, 两亿) where ``where`` says so."""
    out, flags = [], iter(where)
    for i, ch in enumerate(numeral):
        swap = ch == "二" and numeral[i + 1:i + 2] in ("百", "千", "万", "亿") and next(flags, False)
        out.append("两" if swap else ch)
    return "".join(out)


def tail_place(numeral: str) -> tuple[int, int]:
    """(index of the last digit, place value of the place words after it): 三万五千 → (2, 1000)."""
    last = max(i for i, ch in enumerate(numeral) if ch in _DIGITS)
    place = 1
    for ch in numeral[last + 1:]:
        place *= _PLACE_WORDS[ch]
    return last, place


def shortened(numeral: str) -> str | None:
    """The colloquial form that drops the place words after the last digit, when that is unambiguous.

    It is unambiguous when they stand for one tenth of the place word before the
    digit: 三万五千 → 三万五, 一百一十 → 一百一, 三亿五千万 → 三亿五.  Not for
    三百五十万 (dropping 十万 would leave 350) or 一百零五 (no place word after 5).
    """
    last, place = tail_place(numeral)
    before = numeral[last - 1] if last else ""
    if place > 1 and _PLACE_WORDS.get(before) == place * 10:
        return numeral[:last + 1]
    return None


# ---------------------------------------------------------------------------
# Property tests against cn2an
# ---------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.integers(1, 10**12 - 1), st.lists(st.booleans(), max_size=4), st.booleans())
def test_standard_numerals(n: int, liang: list[bool], circle_zero: bool) -> None:
    numeral = with_liang(standard(n), liang)
    if circle_zero:
        numeral = numeral.replace("零", "〇")
    assert chinese_to_int(numeral) == n, numeral


@settings(max_examples=300, deadline=None)
@given(st.integers(10, 10**9), st.booleans())
def test_positional_digit_strings(n: int, circle_zero: bool) -> None:
    numeral = cn2an.an2cn(str(n), "direct")  # 2023 → 二零二三
    if circle_zero:
        numeral = numeral.replace("零", "〇")
    assert chinese_to_int(numeral) == n, numeral


@st.composite
def shortened_numerals(draw: st.DrawFn) -> tuple[str, int]:
    """An integer ending in two adjacent non-zero digits, in its shortened reading."""
    head = draw(st.integers(1, 9999))
    last = draw(st.integers(1, 9))
    place = draw(st.sampled_from([10, 100, 1000, 10**7]))
    n = (head * 10 + last) * place
    numeral = shortened(with_liang(standard(n), draw(st.lists(st.booleans(), max_size=4))))
    return numeral or "", n


@settings(max_examples=500, deadline=None)
@given(shortened_numerals())
def test_shortened_numerals(case: tuple[str, int]) -> None:
    numeral, n = case
    assume(numeral)  # some integers have no unambiguous short form (三百五十万)
    assert chinese_to_int(numeral) == n, numeral


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 9999), st.lists(st.booleans(), max_size=2))
def test_wan_wan_is_yi(n: int, liang: list[bool]) -> None:
    numeral = with_liang(standard(n), liang) + "万万"  # 四万万 = 四亿
    assert chinese_to_int(numeral) == n * 10**8, numeral


# ---------------------------------------------------------------------------
# The generators themselves, and the failures of issue 12 by name
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("numeral", "short"), [
    ("三万五千", "三万五"), ("一百一十", "一百一"), ("三亿五千万", "三亿五"), ("十二万三千四百", "十二万三千四"),
    ("三百五十万", None), ("一百零五", None), ("三万", None),
])
def test_shortened_only_where_unambiguous(numeral: str, short: str | None) -> None:
    assert shortened(numeral) == short


def test_with_liang_swaps_only_before_place_words() -> None:
    assert with_liang("二万二千二", [True, True, True]) == "两万两千二"
    assert with_liang("二万二千二", [False, True]) == "二万两千二"


@pytest.mark.parametrize(("numeral", "value"), [
    ("三万五", 35000), ("三千五", 3500), ("一百一", 110), ("四万万", 400000000), ("两万二", 22000),
    ("三亿五", 350000000), ("一百零一", 101), ("三万零五", 30005), ("十一", 11), ("二十", 20), ("八五", 85),
])
def test_issue_12_numerals(numeral: str, value: int) -> None:
    assert chinese_to_int(numeral) == value


@pytest.mark.parametrize(("text", "value"), [
    ("调解纠纷三万五件", 35000), ("培训三千五人次", 3500), ("受理一百一件", 110), ("覆盖四万万人", 400000000),
    ("发放两万二份", 22000),
])
def test_shortened_numerals_in_text_are_read_whole(text: str, value: int) -> None:
    """The number pass reads the whole numeral, so the validator checks the right value."""
    (m,) = find_mentions(text)
    assert (m.kind, m.value) == ("candidate", value)


# ---------------------------------------------------------------------------
# Issue 19: colloquial ranges and Arabic digits mixed with place words
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "written", "value", "unit"), [
    ("组织七八场讲座", "七八", 7, "场"), ("参加五六十人", "五六十", 50, "人"), ("发放三四百份", "三四百", 300, "份"),
    ("来了二三十人", "二三十", 20, "人"), ("走访十七八个村", "十七八", 17, "个"), ("三十五六人", "三十五六", 35, "人"),
    ("覆盖三四十万人", "三四十万", 300000, "人"), ("调解一两起", "一两", 1, "起"), ("提高百分之七八十", "百分之七八十", 70, "%"),
    ("培训一百二三十人次", "一百二三十", 120, "人次"),
])
def test_a_colloquial_range_is_its_lower_bound_approx(text: str, written: str, value: int, unit: str) -> None:
    """七八场 was read as 78 exact, 五六十 as 60: a range is not one number; the contract holds its lower bound."""
    (m,) = find_mentions(text)
    assert (m.text, m.value, m.unit, m.qualifier, m.kind) == (written, value, unit, "approx", "candidate")


@pytest.mark.parametrize("numeral", ["二〇二三", "一九九八", "八五", "十二", "二十三", "一二三", "九十"])
def test_numbers_that_are_not_ranges(numeral: str) -> None:
    assert colloquial_range(numeral) is None


def test_a_written_qualifier_wins_over_the_range_approx() -> None:
    (m,) = find_mentions("超过七八十人")
    assert (m.value, m.qualifier) == (70, "at_least")


@pytest.mark.parametrize(("text", "written", "value", "unit"), [
    ("覆盖3万5千人", "3万5千", 35000, "人"), ("投入1亿2千万元", "1亿2千万", 120000000, "元"),
    ("服务3万5人次", "3万5", 35000, "人次"), ("１２万３千户", "１２万３千", 123000, "户"),
    ("修建3千米道路", "3", 3, "千米"), ("资金1.5万元", "1.5万", 15000, "元"),
])
def test_arabic_digits_with_place_words_are_one_number(text: str, written: str, value: int, unit: str) -> None:
    """3万5千 was split into 30000 and 5."""
    (m,) = find_mentions(text)
    assert (m.text, m.value, m.unit, m.qualifier) == (written, value, unit, "exact")


def test_the_validator_checks_a_range_against_its_lower_bound() -> None:
    from llmx.text.grounding import Grounding

    source = "今年组织七八场普法讲座，覆盖3万5千人。"
    figure = {"label": "普法讲座", "value": 7, "unit": "场", "qualifier": "approx", "evidence": "组织七八场普法讲座"}
    grounding = Grounding(source)
    assert grounding.check(figure).ok
    assert not grounding.check(figure | {"value": 78, "qualifier": "exact"}).ok  # the old reading is refused
    assert not grounding.check(figure | {"qualifier": "exact"}).ok
    people = {"label": "覆盖", "value": 35000, "unit": "人", "qualifier": "exact", "evidence": "覆盖3万5千人"}
    assert grounding.check(people).ok and not grounding.check(people | {"value": 5}).ok


@given(st.integers(min_value=1, max_value=10**9))
def test_a_number_cn2an_writes_in_words_is_in_words_and_its_digits_are_not(n: int) -> None:
    """What the learned labeller reads as "written in words": any numeral cn2an writes, found in a
    sentence, is; the same number in half- or full-width digits is not."""
    (words,) = find_mentions(f"开展活动{standard(n)}次。")
    assert in_chinese_numerals(words.text)
    assert not in_chinese_numerals(str(n))
    assert not in_chinese_numerals(str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")))


def test_nothing_written_is_not_in_words() -> None:
    assert not in_chinese_numerals("")
    assert not in_chinese_numerals("   ")


@pytest.mark.parametrize(("written", "in_words"), [("百分之三十", True), ("百分之百", True), ("百分之30", False),
                                                   ("百分之", False), ("30%", False)])
def test_a_percentage_is_in_words_when_its_number_is(written: str, in_words: bool) -> None:
    assert in_chinese_numerals(written) is in_words
