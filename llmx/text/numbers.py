"""Deterministic regex pass that finds every number in a report and classifies it.

Every statistic llmx outputs must be backed by a span this module found, so the
pass errs on the side of *finding* numbers (recall) and then *classifying* each
one: a ``candidate`` may be a statistic; an ``excluded`` mention is a number
that by rule never is (years, dates, document numbers, list markers, names and
slogans, phone numbers, ordinals, recurrence rates ...), with a short reason.

The module holds only generic Chinese-language rules.  A report type's phrases that
contain numbers (slogans such as 三项制度) are data, passed in as
``numbered_names`` and loaded from a text file with :func:`load_numbered_names`.

How it works, in two phases over the text as given (offsets never shift):

1. *Blocks*: multi-number patterns that own their whole region (dates, times,
   document numbers, plan-name year ranges, commemorative days, model names,
   phone numbers, circled list markers, numbered names).  Every number inside a
   block is emitted as excluded with the block's reason.
2. *Tokens*: every other number (Arabic, Chinese, percent) is read together
   with its unit and qualifier, then run through an ordered list of small
   context rules; the first rule that fires gives the exclusion reason.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from llmx.text.punctuation import CLAUSE_END, COLON, DASHES, SENTENCE_END, VERTICAL_BARS, char_class, compiled
from llmx.text.places import gazetteer
from llmx.text.script import MAYBE_PINYIN

if TYPE_CHECKING:  # importlib.resources.abc is new in 3.11; annotations only
    from importlib.resources.abc import Traversable

Qualifier = Literal["exact", "approx", "at_least", "at_most"]
Kind = Literal["candidate", "excluded"]
Number = int | float


@dataclass(frozen=True)
class Mention:
    """One number in the text: its span, reading, and whether it may be a statistic."""

    start: int
    end: int
    text: str
    value: Number
    unit: str
    qualifier: Qualifier
    kind: Kind
    reason: str | None


# ---------------------------------------------------------------------------
# Character classes and building blocks
# ---------------------------------------------------------------------------

_WS = r"[^\S\r\n]*"  # inline whitespace: reports put spaces anywhere, but a number never spans lines
_D = "0-9０-９"
_ARABIC = rf"[{_D}]+(?:[,，][{_D}]{{3}}(?![{_D}]))*(?:[.．][{_D}]+)?"
_CN_LEAD = "一二三四五六七八九十两"  # 零/〇/百/千/万/亿 never open a number on their own
_CN_BODY = "零〇一二三四五六七八九十两百千万亿"
_CN = rf"[{_CN_LEAD}][{_CN_BODY}]*"
_CJK = r"\u4e00-\u9fff"
_PERCENT_WORD = "百分之"  # 百分之三十: a percentage written in words
_YEAR = rf"(?:19|20|１９|２０)[{_D}]{{2}}"

# Measure words and units, longest first so 人次 wins over 人 and 个百分点 over 个.
# 分 is a unit (scores) except in fractions (三分之一); 年 and 卷 only count after Arabic digits (_CN_NOT_UNITS).
_UNITS: tuple[str, ...] = tuple(
    sorted(
        """个工作日 工作日 个百分点 百分点 平方公里 平方千米 平方米 立方米 公里 千米 千克 公斤 公顷 人次 场次 批次
        户次 件次 家次 车次 架次 台次 堂次 个月 小时 分钟 课时 学时 周年 次 场 件 起 人 名 条 份 个 项
        台 部 辆 册 张 期 批 户 家 所 处 篇 位 例 支 套 块 座 本 幅 天 周 年 元 倍 吨 亩 米 株 棵
        间 栋 组 类 种 节 堂 轮 宗 封 页 笔 票 卷 方面 领域 板块 专题 大类 大方面 大领域 大板块 大专题""".split(),
        key=len,
        reverse=True,
    )
)
_UNIT = "(?:" + "|".join(_UNITS) + "|分(?!之))"
#: 三年行动, 第八个五年, 上一年度: after Chinese numerals 年 is rarely a count; 一案一卷 names a rule, 2卷案卷 counts files
_CN_NOT_UNITS = frozenset({"年", "卷"})
#: ...except a streak: 连续两年荣获, 连续第三年位居第一 count years (a converter's pinyin, 连续(xù), may stand between;
#: the pass reads text already folded to simplified characters)
_STREAK_BEFORE = re.compile(rf"连续{MAYBE_PINYIN}{_WS}第?{_WS}\Z")

# ---------------------------------------------------------------------------
# Phase 1: blocks
# ---------------------------------------------------------------------------

_MM = "(?:1[0-2]|0?[1-9]|１[０-２]|０?[１-９])"  # month 1-12, half or full width
_DD = "(?:3[01]|[12][0-9]|0?[1-9]|３[０１]|[１２][０-９]|０?[１-９])"  # day 1-31
_MONTH = rf"(?:(?<![{_D}]){_MM}(?![{_D}])|(?<![{_CN_BODY}])(?:十[一二]?|[一二三四五六七八九]))"
_DAY = rf"(?:(?<![{_D}]){_DD}(?![{_D}])|(?:三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九]))"
_CN_YEAR = "[零〇一二三四五六七八九]{4}"
_RANGE_TO = char_class(DASHES, "~～至到") + "+"  # between the ends of a range: 2021-2025, 1至12月

# Each pattern opens with a lookahead for its possible first characters: the engine then skips the
# many positions where no match can start at the cost of one character test (the date pattern's
# optional year and month range otherwise made it the costliest scan of a long text).
_BLOCK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # 晋英委〔2024〕26号, 岔依治委【2023】02号, [2024]3号; 〔〕 is reserved for document numbers.
    ("doc_number", re.compile(
        rf"[〔［\[【(（]{_WS}{_YEAR}{_WS}[〕］\]】)）]{_WS}(?:第{_WS})?[{_D}]+{_WS}号|〔{_WS}{_YEAR}{_WS}〕")),
    # (2021-2025年), （2021-2025）, (2021—2025年) after plan and law names.
    ("plan_name_year", re.compile(
        rf"[(（]{_WS}{_YEAR}{_WS}年?{_WS}{_RANGE_TO}{_WS}{_YEAR}{_WS}年?{_WS}[)）]")),
    # 2024-01-12, 2023/12/29, 2023.12.29
    ("date", re.compile(
        rf"(?<![{_D}]){_YEAR}{_WS}([-/.．－]){_WS}{_MONTH}{_WS}\1{_WS}{_DAY}")),
    # 2024年1月31日, 1月31日, 二〇二四年一月, 12月, 1—12月; a bare 2023年 is left to the year rule.
    ("date", re.compile(
        rf"(?=[{_D}零〇{_CN_LEAD}])(?:(?:(?<![{_D}]){_YEAR}|{_CN_YEAR}){_WS}年{_WS})?(?:{_MONTH}{_WS}{_RANGE_TO}{_WS})?"
        rf"{_MONTH}{_WS}月"
        rf"(?:{_WS}{_DAY}{_WS}[日号])?")),
    ("time", re.compile(rf"(?=[{_D}])(?<![{_D}])[{_D}]{{1,2}}{_WS}[:：]{_WS}[{_D}]{{2}}(?:[:：][{_D}]{{2}})?(?![{_D}])")),
    # 12·4, 3•15 (a middle dot is never a decimal point); 12.4 / 5.12 only before a festival word or in quotes.
    ("commemorative_day", re.compile(
        rf"(?=[{_D}])(?:(?<![{_D}.．]){_MM}{_WS}[·•・∙‧]{_WS}{_DD}(?![{_D}])"
        rf"|(?<![{_D}.．]){_MM}[.．]{_DD}(?![{_D}])(?={_WS}[”\"」』’]?{_WS}(?!{_UNIT})[{_CJK}]{{0,8}}?[日节周月])"
        rf"|(?<=[“\"「『‘]){_MM}[.．]{_DD}(?=[”\"」』’]))")),
    # 1+1+N, 1+X, N+3: numbers glued by plus signs name a working model, not a count.
    ("model_name", re.compile(
        rf"(?=[{_D}A-Za-zＡ-Ｚａ-ｚ])(?:[{_D}]+|[A-Za-zＡ-Ｚａ-ｚ])(?:{_WS}[+＋]{_WS}(?:[{_D}]+|[A-Za-zＡ-Ｚａ-ｚ]))+")),
    # 0595-85681234, mobile numbers.
    ("phone", re.compile(
        rf"(?=[01])(?:(?<![{_D}])0[{_D}]{{2,3}}{_WS}[-－—]{_WS}[{_D}]{{7,8}}(?![{_D}])|(?<![{_D}])1[3-9][{_D}]{{9}}(?![{_D}]))")),
    ("list_marker", re.compile("[\u2460-\u2473\u2776-\u277f]")),  # ①-⑳, ❶-❿
)
_BLOCK_PRIORITY = {name: rank for rank, (name, _) in enumerate(_BLOCK_PATTERNS)}
# On an identical span a generic reason (12·4 → commemorative_day) is more telling than a numbered name of the report type.
_BLOCK_PRIORITY["numbered_name"] = len(_BLOCK_PATTERNS)

# Numbers inside a block, read without units, decimals or separators.
_PART = re.compile(rf"[{_D}]+|{_CN}|[\u2460-\u2473\u2776-\u277f]")

# Separators a name may be written with: 12·4 appears as 12•4, 12.4, 12・4.
_EQUIVALENT_CHARS = {"·": "·•・∙‧.．", "(": "(（", ")": ")）", "、": "、,，"}


# ---------------------------------------------------------------------------
# Phase 2: tokens and the text right around them
# ---------------------------------------------------------------------------

# 3万5千, 1亿2千万, 3万5: Arabic digits with Chinese place words, two Arabic parts at least (3千米 is
# 3 kilometres, 3万 is read by ``mult``); a last 千 before 米/克/瓦/伏 or 百 before 分 starts a unit.
_MIXED = rf"[{_D}]+{_WS}[十百千万亿]+(?:{_WS}[{_D}]+(?:{_WS}[十百千万亿])*)+(?!(?<=千)[米克瓦伏]|(?<=百)分)"
# 近千人, 逾万名, 千余人, 百余件: a bare 百/千/万 is a round number only with a qualifier and a unit
# (千方百计, 百姓 and 万家灯火 are words); 数千, 几千 and 上千 are vague, and stay words.
_BARE = rf"(?<=[近逾超])[百千万](?=[余多]?{_WS}{_UNIT})|(?<![{_D}{_CN_BODY}数几上成])[百千万](?=[余多]{_WS}{_UNIT})"
_TOKEN = re.compile(
    rf"(?P<pcn>{_PERCENT_WORD}{_WS}(?:{_ARABIC}|{_CN}|百))"
    rf"|(?P<mix>{_MIXED})"
    rf"|(?P<ar>{_ARABIC})(?:{_WS}(?P<armid>[余多])(?={_WS}[万亿]))?(?P<mult>{_WS}[万亿])?(?P<pct>{_WS}[%％])?"
    rf"|(?P<cn>{_CN})"
    rf"|(?P<bare>{_BARE})"
)
_MULTIPLIERS = {"万": 10**4, "亿": 10**8}
_TAIL = re.compile(rf"{_WS}(?P<mid>[余多])?{_WS}(?P<unit>{_UNIT})?")
_INNER_WORDS = frozenset("容部设控涵外")  # 内容, 内部, 内设: 内 opens a word, it does not mean within
_SPAN_UNITS = frozenset({"个工作日", "工作日", "日", "天", "小时", "分钟", "个月", "周"})  # 内 after these: within
_POST_QUALIFIER = re.compile(rf"{_WS}(?P<q>左右|以上|以下|以内)")
_PRE_QUALIFIER = re.compile(
    rf"(?P<q>不超过|不少于|不低于|不高于|不足|不到|少于|低于|超过|高于|多于|至少|最多|将近|接近|大约|约|近|逾|超){_WS}\Z")
_QUALIFIER_WORDS: dict[str, Qualifier] = {
    "余": "approx", "多": "approx", "约": "approx", "大约": "approx", "近": "approx", "将近": "approx",
    "接近": "approx", "左右": "approx",
    "以上": "at_least", "超过": "at_least", "超": "at_least", "逾": "at_least", "至少": "at_least",
    "不少于": "at_least", "不低于": "at_least", "高于": "at_least", "多于": "at_least",
    "以下": "at_most", "以内": "at_most", "不到": "at_most", "不足": "at_most", "不超过": "at_most",
    "不高于": "at_most", "少于": "at_most", "低于": "at_most", "最多": "at_most",
}
_NOT_APPROX_NEAR = "最附"  # 最近 / 附近 are not 近 'nearly'

_CLAUSE_BREAKS = compiled(CLAUSE_END)
_CLAUSE_START_BEFORE = SENTENCE_END + COLON
_MARKUP = " \t\u3000\xa0*#>"  # spaces and markdown bullets/bold that can precede a list marker
_RECURRENCE = re.compile(
    rf"每{_WS}(?:[半{_CN_LEAD}{_D}]+{_WS}个?{_WS})?(?:年度|季度|半年|年|季|个月|月|周|星期|天|日|旬)")
_RANKING = "排名|排位|排在|位列|名列|位居|跃居|跃升|跻身"  # the words a rank follows
_RANK_CONTEXT = re.compile(rf"{_RANKING}|全市|全省|全县|全区|全州|全国")
_RANK_UNITS = frozenset({"", "名", "位"})
# 在100个城市中位居第一, 位列全国100个城市第10名: the field a rank was won in, not the reporter's work;
# not 全市3个单位获第一名, 其中12个部门位居第一 (how many won).  The pass reads simplified text.
_RANK_PLACES = rf"{_WS}个{_WS}[{_CJK}]{{0,4}}?(?:城市|地级市|省份|省区市|县区|区县|县市区|单位|部门|省|市|县|区)"
_RANK_TO = rf"(?:第|前){_WS}[{_CN_LEAD}{_D}]"
_IN_CLAUSE = char_class(CLAUSE_END, negate=True)
_WORDS_IN_CLAUSE = char_class(CLAUSE_END, "0123456789０１２３４５６７８９", negate=True)
_RANK_FIELD_AMONG = re.compile(rf"{_RANK_PLACES}{_IN_CLAUSE}{{0,16}}?中{_IN_CLAUSE}{{0,8}}?{_RANK_TO}")
_RANK_FIELD_AFTER = re.compile(rf"{_RANK_PLACES}{_IN_CLAUSE}{{0,6}}?第{_WS}[{_CN_LEAD}{_D}]+{_WS}[名位]")
_RANK_VERB_BEFORE = re.compile(rf"(?:{_RANKING}|获评){_WORDS_IN_CLAUSE}{{0,6}}\Z")
_PRIORITY = re.compile(r"(?:放|摆|置)(?:在|于|到)$")  # 把安全放在第一位: a priority, not a rank
# 全国第二届…论坛: an edition's number, not a rank; nor 第三方评估 (a third party) or 全国第一方阵 (a tier,
# never labelled in the gold sets or probes)
_EDITION_AFTER = re.compile(rf"{_WS}(?:届|代|版|季|方)")
_TOP_SPAN_AFTER = re.compile(rf"{_WS}(?:个?季度|个?月|年|天|周|日|批|轮|期|届|阶段|段|时期)")  # 前三季度: a span
# 位列全市前十, 排名全省前三: a ranking word, then at most a few characters (全市, 同类) before 前
_TOP_BEFORE = re.compile(rf"(?:{_RANKING}|进入|稳居|居|列){_WORDS_IN_CLAUSE}{{0,4}}?前\Z")
_RUN_AFTER = re.compile(rf"{_WS}连(?:冠|升|胜|增|涨|降|跳)")  # “十二连升”, 四连冠: a streak of results
# 十五届三次会议, 十四届六次、八次全会: sessions counted within a term, each number after 届 or in its list.
_SESSION_NUMBER = rf"(?:[{_CN_LEAD}{_D}]+|[{_D}]+)"
_SESSION_AFTER = re.compile(  # 第17届1次常务会议: the bodies whose numbered sessions a report names
    rf"\s*次?(?:\s*[、和及与]\s*{_SESSION_NUMBER}\s*次)*\s*"
    r"(?:(?:常务|常委会?|全体|全委|党组)?\s*(?:[（(]\s*扩大\s*[)）])?\s*(?:会议|全会|大会)|常委会)")  # 36次常委会(扩大)会议
_PLAN_AFTER = re.compile(rf"{_WS}(?:规划|行动计划|行动方案|工作方案|攻坚行动|发展规划)")
_SERVICE_AFTER = re.compile(rf"{_WS}(?:[{_CJK}]{{0,8}}?圈|(?:公共|便民|政务|法律)?服务)")
_ORDINAL_LIST_BEFORE = re.compile(rf"第{_WS}(?:{_SESSION_NUMBER}{_WS}、{_WS})+\Z")
_SESSION_BEFORE = re.compile(rf"届\s*(?:{_SESSION_NUMBER}\s*次\s*[、和及与]\s*)*\Z")
# 《一法一条例一办法》, 《“十四五”规划》: a number inside a title in book brackets is part of the name.
_TITLES = re.compile(r"《[^《》\n]{1,40}》")
_ARABIC_NUMBER = re.compile(rf"[{_D}]+(?:[.．,，][{_D}]+)*")  # 1,200 and 3.5 are one number each
_QUOTES = re.compile(r"“[^“”\n]{1,20}”|\"[^\"\n]{1,20}\"|「[^「」\n]{1,20}」|『[^『』\n]{1,20}』|‘[^‘’\n]{1,20}’")
# Digits after a code and a separator: an index or serial number (4311230009/2025-00578).
_CODE_BEFORE = re.compile(r"[0-9A-Za-z]{4,}[/\-][0-9A-Za-z/\-]*\Z")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_PACT_BEFORE = frozenset("民公合条契规制节预相")
_MAX_TOKEN = 40  # characters of one number token
_MAX_PLACE = 8  # characters a place name may extend on either side of a numeral in it
# Generic Chinese words built from a numeral and a measure word that count nothing.
_IDIOMS = re.compile(r"一起(?![案事纠])|一部分|一次性|一元化|一条龙|一揽子|一方面|十分|三番五次|一五一十|万无一失"
                     r"|(?:十[四五六七八九]|二十[一二]?)大(?!类|方面)"  # 党的二十大专题: a party congress, not 20 topics
                     r"|人手一[册本份张套]|三位一体|一封信|一票否决|(?<=[上下])一篇|(?<=新)一轮")
# 统一部署, 唯一, 逐一, 之一, 无一例 ...: 一 glued to these characters is part of a word, not a count.
_WORD_BEFORE_ONE = frozenset("统唯单同逐专划归合如某任另其初周之不无万")
_ORG_SUFFIX = re.compile(
    rf"[{_CJK}]{{0,3}}?(?:中学|小学|学校|幼儿园|医院|卫生院|中队|大队|支队|分局|派出所|法庭|监狱|看守所|中心校|村民小组)")
_PAGE_NUMBER = re.compile(rf"{char_class(DASHES)}+{_WS}[{_D}]+{_WS}{char_class(DASHES)}+")  # - 3 -, — 12 —
_RULE_ROW = re.compile(char_class(VERTICAL_BARS, "1lI川") + "{3,}")  # what OCR reads a table's rules as, spaces removed
_HOTLINE_CONTEXT_BEFORE = re.compile(rf"(?:拨打|热线|电话|致电|专线|传真|邮编|邮政编码){_WS}[:：]?{_WS}\Z")
_HOTLINE_CONTEXT_AFTER = re.compile(rf"{_WS}(?:热线|电话|专线|服务热线|便民|政务服务)")
_HOTLINE_RECEIVES = re.compile(rf"{_WS}诉求")  # 8890诉求655件: a hotline of four digits or more, named by what it takes
_LATIN = re.compile(r"[A-Za-zＡ-Ｚａ-ｚ]")
_VERSION_AFTER = re.compile(r"版|时代|模式|平台|系统")
_VERSION_SHAPE = re.compile(r"\d\.\d")
_ARTICLE_BEFORE = re.compile(rf"(?:作为|成为|当作|每人?|今后|这|那){_WS}\Z")
_ARTICLE_OF = re.compile(rf"的{_WS}\Z")  # 的一项工作; 发生的一起案件 still counts (a case unit)
_CASE_UNITS = frozenset("起件宗例")
_OPEN_QUOTES, _CLOSE_QUOTES = "“\"「『‘", "”\"」』’"


@dataclass(frozen=True)
class _Reading:
    """A phase-2 number token together with the unit and qualifier read around it."""

    start: int
    end: int
    value: Number
    unit: str
    qualifier: Qualifier
    chinese: bool  # written in Chinese numerals (decides the no_unit rule)
    plain_int: bool  # Arabic integer without separators, decimals, multiplier or percent sign
    digits: str  # NFKC digits of a plain Arabic integer, else ""


@dataclass(frozen=True)
class _Context:
    """Per-text indexes the rules consult, built once so each rule is a cheap lookup."""

    text: str
    breaks: tuple[int, ...]
    recurrences: tuple[tuple[int, int], ...]
    tokens: tuple[int, ...]  # where every number token starts
    quotes: tuple[tuple[int, int], ...]
    titles: tuple[tuple[int, int], ...]
    idioms: tuple[tuple[int, int], ...]


# ---------------------------------------------------------------------------
# Reading values
# ---------------------------------------------------------------------------

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_GROUPS = {"万": 10**4, "亿": 10**8}


def in_chinese_numerals(written: str) -> bool:
    """Whether a number is written in Chinese numerals (三类, 两个, 四百余) rather than digits.

    Reports write their statistics in digits; a small count in words is as often a slogan's
    (两个成为), a category's (三类信息) or a recurrence's (召开一次), which the learned
    labeller weighs (``engine/learned.py``).
    """
    written = written.strip()
    if written.startswith(_PERCENT_WORD):  # 百分之三十, 百分之百 (百分之30 is in digits)
        written = written[len(_PERCENT_WORD):].lstrip()
        return written[:1] != "" and written[:1] in _CN_LEAD + "百"
    return written[:1] != "" and written[:1] in _CN_LEAD + "百千万"  # 近千人, 万余名: a bare magnitude too


def chinese_to_int(numeral: str) -> int:
    """Value of a Chinese numeral as reports write it.

    Positional digit strings (二〇二三 → 2023), standard numerals with 十百千万亿
    (两万 → 20000, 一百零五 → 105), the colloquial short forms that drop the
    last place word (三万五 → 35000, 一百一 → 110) and 万万 for 亿
    (四万万 → 400000000).  A colloquial range (七八, 五六十) is not one number:
    ``colloquial_range`` finds it before this reads it.
    """
    if len(numeral) > 1 and all(ch in _CN_DIGITS for ch in numeral):
        return _positional(numeral)
    return _grouped([_CN_DIGITS.get(ch, ch) for ch in numeral.replace("万万", "亿")])


def _positional(numeral: str) -> int:
    """Digit by digit, as years and codes are written: 二〇二三, 一九九八."""
    return int("".join(str(_CN_DIGITS[ch]) for ch in numeral))


def _grouped(parts: Sequence[int | str]) -> int:
    """Digits (ints) and place words (十百千万亿): 万 closes a group of ten thousands, 亿 multiplies all before it.

    A digit may be any integer, so Arabic numbers mixed with place words
    (3万5千 → [3, 万, 5, 千]) are read by the same rules as Chinese ones.
    """
    total = section = digit = 0
    for part in parts:
        if isinstance(part, int):
            digit = part
        elif part in _CN_SMALL:
            section += (digit or 1) * _CN_SMALL[part]  # 十五: a leading 十 means 一十
            digit = 0
        elif part == "万":
            total += (section + digit or 1) * 10**4
            section = digit = 0
        elif part == "亿":
            total = (total + section + digit or 1) * 10**8
            section = digit = 0
    return total + section + digit * _elided_place(parts)


def _elided_place(parts: Sequence[int | str]) -> int:
    """Place of a last digit written right after a place word: 三千五 is 三千五百, so 五 counts 100.

    Speech and reports drop the last place word when it is one below the word
    before the digit (三万五 = 三万五千, 一百一 = 一百一十, 三亿五 = 三亿五千万, 3万5 = 35000);
    after 零 (一百零五) or another digit the last digit counts ones.
    """
    if len(parts) < 2 or not isinstance(parts[-1], int) or isinstance(parts[-2], int):
        return 1
    place = _CN_SMALL.get(parts[-2]) or _CN_GROUPS.get(parts[-2])
    return place // 10 if place else 1


_DIGIT_RUN = re.compile(f"[{''.join(_CN_DIGITS)}]+")


def colloquial_range(numeral: str) -> str | None:
    """The numeral of a colloquial range's lower bound, or None when ``numeral`` is one number.

    Two neighbouring digits in a row, the second one more, say "this or the
    next": 七八场 is 7 or 8, 五六十 50 to 60, 三四百 300 to 400, 十七八 17 to
    18, 一两个 1 or 2.  Dropping the second digit leaves the lower bound
    (七, 五十, 三百, 十七), which is what the contract can hold (with
    ``approx``).  A longer run is positional (二〇二三), and other pairs are
    names (八五普法), so neither is a range.
    """
    for run in _DIGIT_RUN.finditer(numeral):
        a, b = run.group()[0], run.group()[-1]
        if len(run.group()) == 2 and _CN_DIGITS[a] > 0 and _CN_DIGITS[b] == _CN_DIGITS[a] + 1:
            return numeral[:run.start() + 1] + numeral[run.end():]
    return None


def _mixed_value(written: str) -> int:
    """3万5千 → 35000: Arabic parts are digits of the Chinese reading, place words as written."""
    parts = re.findall(rf"[{_D}]+|[十百千万亿]", written)
    return _grouped([int(unicodedata.normalize("NFKC", p)) if p[0] not in _CN_BODY else p for p in parts])


def _decimal_to_number(value: Decimal) -> Number:
    """int when integral (the contract), float otherwise; Decimal keeps 273.6万 exact."""
    return int(value) if value == value.to_integral_value() else float(value)


def _arabic_value(digits: str) -> Decimal:
    """Decimal value of an Arabic number as written (full-width digits, 1,234 / 1，234 separators)."""
    folded = unicodedata.normalize("NFKC", digits).replace(",", "").replace("，", "")
    return Decimal(folded)


def _part_value(part: str) -> Number:
    """Value of a number inside a block (no unit context needed)."""
    if part[0] in _CN_BODY:
        return chinese_to_int(part)
    return _decimal_to_number(_arabic_value(part))


# ---------------------------------------------------------------------------
# Phase 1
# ---------------------------------------------------------------------------


def _name_pattern(name: str) -> str:
    """Regex for one numbered name: spaces allowed between characters, width and separator variants accepted."""
    pieces = []
    for ch in unicodedata.normalize("NFKC", name):
        if ch.isspace():
            continue
        variants = _EQUIVALENT_CHARS.get(ch, ch)
        if ch.isascii() and ch.isprintable():
            variants += chr(ord(ch) + 0xFEE0)  # full-width form
        pieces.append("[" + "".join(re.escape(v) for v in dict.fromkeys(variants)) + "]")
    return _WS.join(pieces)


@lru_cache(maxsize=32)
def _names_regex(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One alternation over all names, longest first so 三官一律一员 wins over 三官一律."""
    usable = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join(_name_pattern(n) for n in usable))


def _find_blocks(text: str, names: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, reason) blocks; earlier, then longer, then higher-priority wins."""
    found: list[tuple[int, int, str]] = []
    for reason, pattern in _BLOCK_PATTERNS:
        found.extend((m.start(), m.end(), reason) for m in pattern.finditer(text) if _PART.search(m.group()))
    names_regex = _names_regex(names)
    if names_regex is not None:
        found.extend((m.start(), m.end(), "numbered_name") for m in names_regex.finditer(text)
                     if _PART.search(m.group()))
    found.sort(key=lambda b: (b[0], -(b[1] - b[0]), _BLOCK_PRIORITY[b[2]]))
    blocks: list[tuple[int, int, str]] = []
    for block in found:
        if not blocks or block[0] >= blocks[-1][1]:
            blocks.append(block)
    return blocks


def _block_mentions(text: str, block: tuple[int, int, str]) -> list[Mention]:
    """Every number inside a block, excluded with the block's reason."""
    start, end, reason = block
    return [
        Mention(m.start(), m.end(), m.group(), _part_value(m.group()), "", "exact", "excluded", reason)
        for m in _PART.finditer(text, start, end)
    ]


# ---------------------------------------------------------------------------
# Phase 2: reading a token
# ---------------------------------------------------------------------------


def _token_value(m: re.Match[str]) -> tuple[Number, bool, bool, str, bool]:
    """(value, chinese, plain_int, digits, ranged) of a token match; 万/亿 applied, percent kept as percent.

    ``ranged``: the numeral is a colloquial range and the value its lower bound.
    """
    if m.group("pcn"):
        body = m.group("pcn")[3:].strip()
        if body[0] in _CN_BODY:
            lower = colloquial_range(body)
            return chinese_to_int(lower or body), True, False, "", lower is not None
        return _decimal_to_number(_arabic_value(body)), False, False, "", False
    if m.group("cn"):
        lower = colloquial_range(m.group("cn"))
        return chinese_to_int(lower or m.group("cn")), True, False, "", lower is not None
    if m.group("bare"):
        return chinese_to_int("一" + m.group("bare")), True, False, "", False
    if m.group("mix"):
        return _mixed_value(m.group("mix")), False, False, "", False
    digits = m.group("ar")
    value = _arabic_value(digits)
    mult = m.group("mult")
    if mult:
        value *= _MULTIPLIERS[mult.strip()]
    plain = not (mult or m.group("pct")) and not re.search(r"[,，.．]", digits)
    return _decimal_to_number(value), False, plain, unicodedata.normalize("NFKC", digits) if plain else "", False


def _pre_qualifier(text: str, start: int) -> Qualifier | None:
    """Qualifier written before the number: 约/近/超过/逾/不到 …"""
    m = _PRE_QUALIFIER.search(text, max(0, start - 8), start)
    if not m:
        return None
    word = m.group("q")
    if word == "近" and m.start() > 0 and text[m.start() - 1] in _NOT_APPROX_NEAR:
        return None
    if word == "约" and m.start() > 0 and text[m.start() - 1] in _PACT_BEFORE:
        return None  # 村规民约2项, 公约, 合约: 约 ends a word, it does not qualify the number
    return _QUALIFIER_WORDS[word]


def _is_streak(text: str, start: int) -> bool:
    """连续三年, 连续第三年: a count of years running, a figure however it is written."""
    return bool(_STREAK_BEFORE.search(text, max(0, start - 12), start))


def _read(text: str, m: re.Match[str]) -> _Reading:
    """Read a token: its value, then 余/多 and the unit after it, then 左右/以上/以下/以内."""
    value, chinese, plain, digits, ranged = _token_value(m)
    start, end = m.start(), m.end()
    qualifiers: list[Qualifier] = []
    pre = _pre_qualifier(text, start)
    if pre:
        qualifiers.append(pre)
    if m.group("ar") and m.group("armid"):
        qualifiers.append(_QUALIFIER_WORDS[m.group("armid")])  # 200余万元, 20多万元: 余/多 before the 万
    after = end
    if m.group("pct") or m.group("pcn"):
        unit = "%"
    else:
        tail = _TAIL.match(text, end)
        assert tail is not None  # every part of _TAIL is optional: it matches everywhere
        unit = tail.group("unit") or ""
        mid = tail.group("mid")
        if mid == "多" and not unit:
            mid = None  # 多 without a unit is 多部门 'many departments', not 'more than'
        if chinese and unit in _CN_NOT_UNITS and not _is_streak(text, start):
            unit = ""
        if unit:
            after = tail.end()
        elif mid:
            after = tail.start("mid") + 1
        if mid:
            qualifiers.append(_QUALIFIER_WORDS[mid])
    post = _POST_QUALIFIER.match(text, after)
    if post:
        qualifiers.append(_QUALIFIER_WORDS[post.group("q")])
        after = post.end()
    elif unit in _SPAN_UNITS and text.startswith("内", after) and text[after + 1:after + 2] not in _INNER_WORDS:
        qualifiers.append("at_most")  # 5个工作日内办结: within, as 以内
        after += 1
    if ranged:
        qualifiers.append("approx")  # a range's lower bound: about that many (after any written qualifier)
    qualifier: Qualifier = qualifiers[0] if qualifiers else "exact"
    return _Reading(start, end, value, unit, qualifier, chinese, plain, digits)


# ---------------------------------------------------------------------------
# Phase 2: exclusion rules.  Each takes (context, reading) and returns a reason or None.
# ---------------------------------------------------------------------------


def _prev_nonspace(text: str, pos: int, skip: str = " \t\u3000\xa0") -> int:
    """Index of the last character before ``pos`` that is not in ``skip`` (-1 if none)."""
    pos -= 1
    while pos >= 0 and text[pos] in skip:
        pos -= 1
    return pos


def _next_nonspace(text: str, pos: int) -> int:
    """Index of the first character at or after ``pos`` that is not inline whitespace."""
    while pos < len(text) and text[pos] in " \t\u3000\xa0":
        pos += 1
    return pos


def _at_clause_start(text: str, pos: int) -> bool:
    """True if only markup separates ``pos`` from a line start or sentence/colon break."""
    prev = _prev_nonspace(text, pos, _MARKUP)
    return prev < 0 or text[prev] in _CLAUSE_START_BEFORE


def ordinal_mark_at(text: str, start: int) -> int | None:
    """Position of the 第 before a number starting at ``start`` (spaces between), if any: the number is an
    ordinal or a rank (第三次会议, 获得第 2 名)."""
    prev = _prev_nonspace(text, start)
    return prev if prev >= 0 and text[prev] == "第" else None


def _is_small_marker_value(r: _Reading) -> bool:
    """List markers count sections: small integers only."""
    return isinstance(r.value, int) and 0 < r.value <= 30 and (r.chinese or r.plain_int)


def _rule_year(ctx: _Context, r: _Reading) -> str | None:
    """2023年, 2023年度, 二〇二三年, and a bare 2023 with no unit."""
    if r.qualifier != "exact" or r.unit not in ("", "年"):
        return None
    four_digits = (r.plain_int and len(r.digits) == 4) or (r.chinese and len(ctx.text[r.start:r.end]) == 4
                                                           and r.value >= 1000)
    if four_digits and 1900 <= r.value <= 2100:
        return "year"
    return None


def _rule_list_marker(ctx: _Context, r: _Reading) -> str | None:
    """一是 / （一） / (1) / 1. / 1、 / 一、 / 第一，"""
    if not _is_small_marker_value(r):
        return None
    text = ctx.text
    nxt = _next_nonspace(text, r.end)
    following = text[nxt] if nxt < len(text) else "\n"
    prev = _prev_nonspace(text, r.start)
    preceding = text[prev] if prev >= 0 else "\n"
    if r.chinese and following in "是、":
        return "list_marker"
    if preceding in "(（" and following in ")）":
        return "list_marker"
    if preceding == "第" and following in "，,、：:" and _at_clause_start(text, prev):
        return "list_marker"
    after_marker = text[nxt + 1] if nxt + 1 < len(text) else "\n"
    if (not r.chinese and following in ".．、)）" and not after_marker.isdigit()
            and _at_clause_start(text, r.start)):
        return "list_marker"
    return None


def _rule_phone(ctx: _Context, r: _Reading) -> str | None:
    """Hotlines (12345, 12348, 110 after 拨打), postcodes and fax numbers after their label, and long bare
    digit strings: identifiers, not counts."""
    if not r.plain_int or r.unit:
        return None
    text = ctx.text
    if len(r.digits) == 5 and r.digits.startswith("12"):
        return "phone"
    if len(r.digits) >= 7:
        return "phone"
    if _HOTLINE_CONTEXT_BEFORE.search(text, max(0, r.start - 8), r.start) or _HOTLINE_CONTEXT_AFTER.match(text, r.end):
        return "phone"
    return "phone" if len(r.digits) >= 4 and _HOTLINE_RECEIVES.match(text, r.end) else None


def _rule_layout(ctx: _Context, r: _Reading) -> str | None:
    """A page number between dashes (- 3 -) or a table's rule row that OCR read as digits
    (| | | → 111, 11川1), alone on its line: nothing it counts is named.

    A bare number alone on its line is not enough: Word and HTML tables put each cell on a line.
    """
    if r.unit or r.chinese:
        return None
    text = ctx.text
    end = text.find("\n", r.end)
    line = text[text.rfind("\n", 0, r.start) + 1:len(text) if end < 0 else end]
    if _PAGE_NUMBER.fullmatch(line.strip()) or _RULE_ROW.fullmatch("".join(line.split())):
        return "layout"
    return None


def _rule_identifier(ctx: _Context, r: _Reading) -> str | None:
    """5G, APP2, 3号楼: digits glued to Latin letters or followed by 号 name things, they do not count."""
    text = ctx.text
    if r.chinese:
        return None
    if (r.start > 0 and _LATIN.match(text, r.start - 1)) or _LATIN.match(text, r.end):
        return "alnum_code"
    zero_led = r.plain_int and len(r.digits) > 1 and r.digits.startswith("0")
    if not r.unit and (zero_led or _CODE_BEFORE.search(text, max(0, r.start - 24), r.start)):
        return "alnum_code"  # 4311230009/2025-00578, 00005: index and serial numbers count nothing
    if not r.unit and text.startswith("号", _next_nonspace(text, r.end)):
        return "identifier"
    return None


def _rule_place_name(ctx: _Context, r: _Reading) -> str | None:
    """三张镇, 七星街道, 五华区: a Chinese numeral inside a place name the gazetteer holds."""
    if not r.chinese:
        return None
    lo = max(0, r.start - _MAX_PLACE)
    for place in gazetteer().find(ctx.text[lo:r.end + _MAX_PLACE]):
        start, end = place.start + lo, place.end + lo
        if not (start <= r.start and r.end <= end):
            continue
        if not any(d.name == place.name for d in place.divisions):
            return None  # a short form (五家街 for 五家街道) inside 五家街边商户 is no name
        if ctx.text.startswith(("镇", "村", "街"), end) and place.name.endswith(("乡", "镇")):
            return None  # 八家乡镇卫生院: the name's last character starts the word 乡镇
        return "place_name"
    return None


def _rule_org_name(ctx: _Context, r: _Reading) -> str | None:
    """第一中学, 三中队: a number (ordinal or bare) right before an organisation suffix."""
    if r.unit and ordinal_mark_at(ctx.text, r.start) is None:
        return None
    return "org_name" if _ORG_SUFFIX.match(ctx.text, r.end) else None


def _is_result(ctx: _Context, r: _Reading) -> bool:
    """A rank (第21位, 第一名, 前十) or a streak of results (“十二连升”, 四连冠: labelled even in quotes) is a
    figure as written: the ordinal, quotation and no-unit rules do not apply to it."""
    return _is_rank(ctx, r) or bool(_RUN_AFTER.match(ctx.text, r.end))


def _is_rank(ctx: _Context, r: _Reading) -> bool:
    """排名位列全市第三, 竞赛第一名, 百强第8位: 第N after a ranking word, or 第N名, or a 第N位 that ends its
    phrase, is a result, not an ordinal (every 第N名 and 第N位 of the gold sets and probes is labelled a
    figure, lists of them too: 第37位、第56位); not 第一位法律顾问 (the first adviser), 放在第一位
    (a priority) nor 全国第二届 (an edition)."""
    at = ordinal_mark_at(ctx.text, r.start)
    if at is None:
        return _is_top(ctx, r)
    if r.unit not in _RANK_UNITS or _EDITION_AFTER.match(ctx.text, r.end):
        return False
    if r.unit == "位" and not _CJK_CHAR.match(ctx.text, unit_end(ctx.text, r.end, r.unit)) \
            and not _PRIORITY.search(ctx.text, max(0, at - 3), at):
        return True  # 第8位, / 第8位。: the phrase ends with it
    return r.unit == "名" or bool(_RANK_CONTEXT.search(ctx.text, max(0, at - 8), at))


def _is_top(ctx: _Context, r: _Reading) -> bool:
    """位列全市前十, 排名全省前三: a place among the first N after a ranking word is a rank too (the gold
    sets label it); not 全省前三季度 (a span of time), nor 全市前一阶段 or 目前一共 (no ranking word)."""
    top = _prev_nonspace(ctx.text, r.start)
    if top < 0 or ctx.text[top] != "前" or r.unit not in _RANK_UNITS or _TOP_SPAN_AFTER.match(ctx.text, r.end):
        return False
    return bool(_TOP_BEFORE.search(ctx.text, max(0, top - 10), top + 1))


def _rule_ordinal(ctx: _Context, r: _Reading) -> str | None:
    """第五次会议, 第二批, 第一时间; 第二、三批 (one 第 for a list of them); 十五届三次会议 (a session's number
    after its term, no 第)."""
    if r.unit == "年" and _is_streak(ctx.text, r.start):
        return None  # 连续第三年: the third year running is three years
    if ordinal_mark_at(ctx.text, r.start) is not None or _ORDINAL_LIST_BEFORE.search(ctx.text, max(0, r.start - 16), r.start):
        return "ordinal"
    if r.unit != "次" or not _SESSION_AFTER.match(ctx.text, r.end):
        return None
    return "ordinal" if _SESSION_BEFORE.search(ctx.text, max(0, r.start - 24), r.start) else None


def _rule_recurrence(ctx: _Context, r: _Reading) -> str | None:
    """每半年听取一次, 每月至少开展3场次, 以每两月1次频次: a rate, not a total."""
    i = bisect_right(ctx.recurrences, (r.start, len(ctx.text))) - 1
    if i < 0:
        return None
    p_start, p_end = ctx.recurrences[i]
    if r.start < p_end:  # the number is inside the 每… phrase (每两月)
        return "recurrence"
    # the rate is the phrase's first number, in its clause: 以每两月1次频次开展学习5次 keeps the 5
    same_clause = bisect_left(ctx.breaks, p_end) == bisect_left(ctx.breaks, r.start)
    first_after = bisect_left(ctx.tokens, p_end) == bisect_left(ctx.tokens, r.start)
    return "recurrence" if same_clause and first_after else None


def _inside(spans: tuple[tuple[int, int], ...], start: int, end: int) -> bool:
    """True if [start, end) lies within one of the sorted, non-overlapping spans."""
    i = bisect_right(spans, (start, sys.maxsize)) - 1
    return i >= 0 and spans[i][0] <= start and end <= spans[i][1]


def _opens_with_count(ctx: _Context, r: _Reading) -> bool:
    """The quotation around ``r`` opens with a Chinese numeral: a slogan of so many things."""
    i = bisect_right(ctx.quotes, (r.start, sys.maxsize)) - 1
    return ctx.text[ctx.quotes[i][0] + 1:ctx.quotes[i][0] + 2] in _CN_LEAD


def _holds_numbers(ctx: _Context, r: _Reading) -> bool:
    """The quotation around ``r`` opens with a number in digits and holds another: a name built of them
    (“4个1”执法模式, “5办1站2中心”), never a statistic in the gold sets and probes; not
    “办结率100%、满意率98%”, whose numbers each follow what they measure."""
    i = bisect_right(ctx.quotes, (r.start, sys.maxsize)) - 1
    start, end = ctx.quotes[i]
    first = _ARABIC_NUMBER.match(ctx.text, start + 1)
    if first is None or ctx.text.startswith("年", first.end()):  # “2023年度100件”: a year opens no name
        return False
    return len(_ARABIC_NUMBER.findall(ctx.text, start, end)) > 1


def unit_end(text: str, end: int, unit: str) -> int:
    """Where a number ending at ``end`` has its unit end (past a 余/多 and spaces between them), or ``end``
    when it has none."""
    at = text.find(unit, end, end + len(unit) + 3) if unit else -1
    return at + len(unit) if at >= 0 else end


def _rule_lost_point(ctx: _Context, r: _Reading) -> str | None:
    """2优化法治教育阵地建设: a small bare number opening a line after a finished sentence, glued to the
    words of a list item whose point was lost (3号楼 names a building; a table's cell stands alone on
    its line; a line wrapped mid-sentence goes on counting)."""
    text = ctx.text
    if r.chinese or r.unit or not _is_small_marker_value(r) or r.start == 0 or text[r.start - 1] != "\n":
        return None
    before = _prev_nonspace(text, r.start, " \t\u3000\xa0\n")
    if before >= 0 and text[before] not in _CLAUSE_START_BEFORE:
        return None  # a line wrapped mid-sentence (覆盖率达到\n9成以上): the number goes on the sentence
    following = text[r.end:r.end + 1]
    return "list_marker" if _CJK_CHAR.match(following) and following not in "号期届" else None


def _rule_plan_span(ctx: _Context, r: _Reading) -> str | None:
    """法治政府建设5年规划, 3年行动计划: the span a plan's name gives (三年行动 in words has no 年 unit)."""
    return "plan_name_year" if r.unit == "年" and _PLAN_AFTER.match(ctx.text, unit_end(ctx.text, r.end, r.unit)) else None


def _rule_service_circle(ctx: _Context, r: _Reading) -> str | None:
    """15分钟公共服务配套, 30分钟法律服务圈: minutes that name a standard of access, not a time taken."""
    return "service_name" if r.unit == "分钟" and _SERVICE_AFTER.match(ctx.text, unit_end(ctx.text, r.end, r.unit)) else None


def _rule_rank_field(ctx: _Context, r: _Reading) -> str | None:
    """在全部评估的100个城市中位居第一, 位列全国100个城市第10名: the number of places ranked, which the rank
    is out of; the rank itself is the figure."""
    if _RANK_FIELD_AMONG.match(ctx.text, r.end):
        return "rank_field"
    ranked = _RANK_FIELD_AFTER.match(ctx.text, r.end) and _RANK_VERB_BEFORE.search(ctx.text, max(0, r.start - 12), r.start)
    return "rank_field" if ranked else None


def _rule_titled(ctx: _Context, r: _Reading) -> str | None:
    """《一法一条例一办法》: a number inside a document or law title counts nothing of the reporter's."""
    return "title_name" if _inside(ctx.titles, r.start, r.end) else None


def _rule_quoted(ctx: _Context, r: _Reading) -> str | None:
    """“四级”, “十一个坚持”, “1310”: a Chinese numeral in a short quoted phrase, or an Arabic
    number in one, unless the quotation is just that count (“办结率100%”), names something."""
    if not _inside(ctx.quotes, r.start, r.end):
        return None
    if r.chinese or _opens_with_count(ctx, r) or _holds_numbers(ctx, r):
        return "quoted_name"  # “四级”; “三个 100%” (a slogan of counted targets); “4个1”, “5办1站2中心”
    before, after = _prev_nonspace(ctx.text, r.start), _next_nonspace(ctx.text, r.end)
    opens = ctx.text[before:before + 1] in _OPEN_QUOTES
    whole = opens and ctx.text[after:after + 1] in _CLOSE_QUOTES
    tail = _next_nonspace(ctx.text, unit_end(ctx.text, r.end, r.unit))
    named = bool(_CJK_CHAR.match(ctx.text, tail))  # the quotation goes on in words: “30分钟公共法律服务圈”
    return "quoted_name" if whole or not r.unit or named else None  # “1310”, “511集中放权”, “1 3 x”


def _rule_idiom(ctx: _Context, r: _Reading) -> str | None:
    """一起学习, 统一部署, 无一例, 十分: numerals that are part of ordinary words."""
    if not r.chinese:
        return None
    if _inside(ctx.idioms, r.start, r.end):
        return "idiom"
    if ctx.text[r.start] == "一" and r.start > 0 and ctx.text[r.start - 1] in _WORD_BEFORE_ONE:
        return "idiom"
    return None


def _rule_anniversary(ctx: _Context, r: _Reading) -> str | None:
    """改革开放40周年, 宪法公布施行四十周年: an anniversary names an occasion, it counts no work."""
    return "anniversary" if r.unit == "周年" else None


def _rule_year_range(ctx: _Context, r: _Reading) -> str | None:
    """20212025年: a plan's year range whose dash was lost in conversion."""
    digits = r.digits
    if len(digits) == 8 and all(1900 <= int(y) <= 2100 for y in (digits[:4], digits[4:])) \
            and int(digits[:4]) <= int(digits[4:]):
        return "plan_name_year"
    return None


def _rule_glued_date(ctx: _Context, r: _Reading) -> str | None:
    """20256月, 2025612日: a year run into a month or day is a damaged date, never a count
    (20日内 and 由20日压缩至5日 are durations and stay)."""
    if r.chinese or r.unit or len(r.digits) < 5:
        return None
    nxt = _next_nonspace(ctx.text, r.end)
    return "date" if ctx.text.startswith(("月", "日"), nxt) else None


def _rule_version(ctx: _Context, r: _Reading) -> str | None:
    """综窗2.0改革, 升级至3.0版本, 4.0版: a one-digit decimal before 版/改革/平台… or written N.0
    names a release; it counts nothing (得分95.0 does count)."""
    if r.chinese or r.unit:
        return None
    written = unicodedata.normalize("NFKC", ctx.text[r.start:r.end])
    if not _VERSION_SHAPE.fullmatch(written):
        return None
    nxt = _next_nonspace(ctx.text, r.end)
    return "version" if written.endswith(".0") or _VERSION_AFTER.match(ctx.text, nxt) else None


def _rule_article(ctx: _Context, r: _Reading) -> str | None:
    """作为一项重要任务, 今后一个时期, 每一个环节, 取消一批, 依法治理的一项基础性工作: 一 with a measure
    word after 作为/成为/每/今后/的,
    or 一批, is an article ('a', 'each'), not a count (发生一起案件 and 召开一次会议 still count)."""
    if not (r.chinese and ctx.text[r.start:r.end] == "一" and r.unit):
        return None
    if r.unit == "批" or _ARTICLE_BEFORE.search(ctx.text, max(0, r.start - 4), r.start):
        return "article"
    if r.unit not in _CASE_UNITS and _ARTICLE_OF.search(ctx.text, max(0, r.start - 2), r.start):
        return "article"
    return None


def _rule_slogan_count(ctx: _Context, r: _Reading) -> str | None:
    """三个“一号工程”: a Chinese count of a quoted name is a slogan's name, not a statistic."""
    if not r.chinese or r.unit != "个":
        return None
    after = _next_nonspace(ctx.text, r.end + len(r.unit))
    return "slogan" if ctx.text.startswith(("“", "\"", "「", "『"), after) else None


def _rule_no_unit(ctx: _Context, r: _Reading) -> str | None:
    """A Chinese numeral counts something only when a measure word follows (一同部署 does not)."""
    return "no_unit" if r.chinese and not r.unit else None


_CUT_OFF = re.compile(r"[余多]?\s*$")  # what may stand between a cut-off number and the end of the text


def _rule_cut_off(ctx: _Context, r: _Reading) -> str | None:
    """推出80 at the very end of the text: an opening cut mid-figure, whose unit (or digits) the cut took.
    Labellers count only what is fully there: of 22 such ends in the gold sets and probes, one was counted."""
    return "cut_off" if not r.unit and _CUT_OFF.match(ctx.text, r.end) else None


_RULES: tuple[Callable[[_Context, _Reading], str | None], ...] = (
    _rule_year,
    _rule_year_range,
    _rule_glued_date,
    _rule_anniversary,
    _rule_version,
    _rule_list_marker,
    _rule_phone,
    _rule_layout,
    _rule_identifier,
    _rule_place_name,
    _rule_org_name,
    _rule_titled,  # 《关于公布全省前十强县的通知》: a rank inside a title is part of the name
)
_RULES_AFTER_RANK: tuple[Callable[[_Context, _Reading], str | None], ...] = (
    _rule_ordinal,
    _rule_recurrence,
    _rule_quoted,
    _rule_lost_point,
    _rule_plan_span,
    _rule_service_circle,
    _rule_rank_field,
    _rule_slogan_count,
    _rule_idiom,
    _rule_article,
    _rule_cut_off,
    _rule_no_unit,
)


def _classify(ctx: _Context, r: _Reading) -> Mention:
    """Run the rules in order; the first reason wins, else the reading is a candidate."""
    text = ctx.text
    reason = next((why for rule in _RULES if (why := rule(ctx, r))), None)
    if reason is None and not _is_result(ctx, r):
        reason = next((why for rule in _RULES_AFTER_RANK if (why := rule(ctx, r))), None)
    kind: Kind = "excluded" if reason else "candidate"
    return Mention(r.start, r.end, text[r.start:r.end], r.value, r.unit, r.qualifier, kind, reason)


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def _spans(pattern: re.Pattern[str], text: str) -> tuple[tuple[int, int], ...]:
    return tuple(m.span() for m in pattern.finditer(text))


def _context(text: str, tokens: Sequence[re.Match[str]]) -> _Context:
    return _Context(
        text=text,
        breaks=tuple(m.start() for m in _CLAUSE_BREAKS.finditer(text)),
        recurrences=_spans(_RECURRENCE, text),
        tokens=tuple(m.start() for m in tokens),
        quotes=_spans(_QUOTES, text),
        titles=_spans(_TITLES, text),
        idioms=_spans(_IDIOMS, text),
    )


def find_mentions(text: str, numbered_names: Sequence[str] = ()) -> list[Mention]:
    """Every numeric mention in ``text``, in order, each classified as candidate or excluded."""
    blocks = _find_blocks(text, tuple(numbered_names))
    mentions = [mention for block in blocks for mention in _block_mentions(text, block)]
    block_starts = [b[0] for b in blocks]
    tokens = list(_TOKEN.finditer(text))
    ctx = _context(text, tokens)
    for m in tokens:
        if m.end() - m.start() > _MAX_TOKEN:
            continue  # a run of digits that long is a code or noise, never a statistic (and int() refuses it)
        i = bisect_right(block_starts, m.end() - 1) - 1
        if i >= 0 and blocks[i][1] > m.start():
            continue  # overlaps a block, whose numbers were already emitted
        mentions.append(_classify(ctx, _read(text, m)))
    mentions.sort(key=lambda mention: mention.start)
    return mentions


def candidates(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions that may be statistics."""
    return [m for m in mentions if m.kind == "candidate"]


def load_numbered_names(path: Path | Traversable) -> tuple[str, ...]:
    """Phrases from a names file: one per line, blank lines and ``#`` comments ignored, order kept."""
    names: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        phrase = re.split(r"\s#", line, maxsplit=1)[0].strip()
        if phrase and not phrase.startswith("#"):
            names[phrase] = None
    return tuple(names)
