"""The cleaning stage: web-page furniture kept out of the report, and one script for matching.

Reports are mostly published as web pages and arrive as the page's text:
breadcrumbs (``您当前的位置:首页 >…``), tool bars (字号, 打印, 分享, view
counts), a 政府信息公开 index block (索引号, 发布机构, 文号, 成文日期, …),
page titles with the site's name appended (``…报告_街镇园区文件_…门户网站``)
and tags such as ``【2022年】``.  None of it is the report, but the index
block is the best metadata on the page.

``clean`` returns a ``CleanText``: the text every later stage reads, of the
same length as the source (furniture overwritten with spaces, traditional
characters folded to simplified), so an offset found in it is an offset in
the source; the index block's fields, parsed; and ``restore`` to give any
string found in the clean text back in the source's spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from llmx.text.dates import DATE_CN, DATE_ISO, TIME_OF_DAY, YEAR
from llmx.text.headings import CHINESE_NUMBERED
from llmx.text.punctuation import PROSE, VERTICAL_BARS, compiled
from llmx.text.script import MAYBE_PINYIN, simplify, without_pinyin

_INDEX_LABELS: dict[str, str] = {
    # label as pages write it -> field
    "索引号": "index_number", "索 引 号": "index_number",
    "发布机构": "publisher", "发布单位": "publisher", "发文机关": "publisher", "发文单位": "publisher",
    "发文机构": "publisher", "信息来源": "source", "来源": "source", "文章来源": "source",
    "发布者": "source", "作者": "author",
    "备注/文号": "doc_number", "发文字号": "doc_number", "文件编号": "doc_number", "文号": "doc_number",
    "公文生成日期": "written", "成文日期": "written", "生成日期": "written", "形成日期": "written",
    "发文日期": "written", "印发日期": "written", "成文时间": "written", "发文时间": "written", "印发时间": "written",
    "发布日期": "published", "发布时间": "published", "公开日期": "published", "日期": "published",
    "时间": "published", "更新时间": "published", "更新日期": "published", "发表时间": "published",
    "上传时间": "published", "录入时间": "published", "发稿时间": "published", "信息提供日期": "published",
    "名称": "title", "标题": "title", "文件名称": "title",
    "主题分类": "other", "组配分类": "other", "内容分类": "other", "所属类目": "other",
    "公开方式": "other", "公开范围": "other", "有效性": "other", "有效性/截止日期": "other",
    "主题词": "other", "体裁分类": "other", "信息类别": "other", "公开时限": "other", "公开形式": "other",
    "浏览次数": "other", "点击数": "other", "访问次数": "other", "阅读人数": "other", "浏览": "other",
    "浏览量": "other", "字号": "other", "字体": "other", "字体大小": "other", "视力保护色": "other",
    "分享到": "other", "分享": "other", "编辑": "other", "责任编辑": "other",
    "栏目": "other", "所属栏目": "other", "频道": "other", "分类": "other", "类别": "other",
    "阅读": "other", "阅读量": "other", "阅读次数": "other", "访问量": "other",
}
_SPACED = r"[ \t\u3000\xa0]*"
_DATE_AHEAD = rf"(?=[ \t\u3000\xa0]*[|｜]?[ \t\u3000\xa0]*[(（]?{YEAR}\s*[-/.年])"  # 成文日期 | 2022-03-16
# A label as pages write it: spaced out (索 引 号), in brackets ([ 发布日期 ]), then a colon or a date.
# Lines are matched one at a time, so \s inside a label never crosses a line; it compiles far
# faster than a character class between every two characters of every label.
# A converter's pinyin reading may stand after any character of a label (发(fā)布时间).
_LABEL_WORDS = "|".join(rf"{MAYBE_PINYIN}\s*".join(map(re.escape, label.replace(" ", "")))
                        for label in sorted(_INDEX_LABELS, key=len, reverse=True))
# Group 2 is the label; a bracketed one (group 1: [ 索引号 ]) needs no colon after it.
_LABEL = re.compile(
    rf"(?<![\u4e00-\u9fff])([\[【［])?\s*({_LABEL_WORDS})\s*(?(1)[\]】］]\s*[:：]?|(?:[:：]|{_DATE_AHEAD}))")
# A table row printed as text drops its colons: 索引号 1132…/2023-00355 组配分类 业务工作.  A label
# then counts only between spaces, and only on a line of two or more of them (_bare_labels).
_BARE_LABEL = re.compile(rf"(?:^|(?<=[ \t\u3000\xa0]))()({_LABEL_WORDS})(?=[ \t\u3000\xa0]|$)")
# Any short label (known or not) ends the value before it: 文章来源:司法局 更新时间:… is two fields.
_ANY_LABEL = re.compile(rf"[ \t\u3000\xa0|丨\-\[【［]+[\u4e00-\u9fff]{{2,6}}{_SPACED}[\]】］]?{_SPACED}[:：]")
# A bullet opening a header line (• ▪ ●, or - * before a space): page lists, not the report's prose.
_BULLET = re.compile(r"^[ \t\u3000\xa0]*(?:[•·▪●◆■□]+|[-*](?=[ \t\u3000\xa0]))[ \t\u3000\xa0]*")
# A count in a bulleted line (● 办理行政复议案件12件) makes it the report's, not the page's.
_COUNT = re.compile(r"[0-9０-９一二三四五六七八九十两]\s*[余多]?\s*(?:个|件|起|次|场|人|名|份|项|条|家|户|元|%|台|期|批|所|处)")
# 一、 / （一）: the report's own numbered headings, which end the page zone.
_SHORT_SENTENCE = 12
# 您当前的位置:首页 > … : where a page says where it is; site headers sit above it.
_BREADCRUMB = re.compile(r"(?:当前|所在|您的|现在的)\S{0,4}位置|^\s*首页\s*[>›»/]|[>›»]\s*\S{1,12}\s*[>›»]")
_TOOLS = re.compile(
    r"字\s*号|字体|打印|关闭窗口|【\s*关闭|分享到|扫一扫|视力保护色|无障碍|长辈版|关怀版|次浏览|浏览次数|"
    r"访问次数|点击数|阅读人数|浏览量|返回顶部|收藏本页|【\s*大\s*中\s*小|网站地图")
# A header line that is only a date (and time): the page's publication date.
_DATE_LINE = re.compile(rf"^[ \t\u3000\xa0•·\-]*[(（]?(?:{DATE_ISO}|{DATE_CN})(?:\s*{TIME_OF_DAY})?[)）]?")
#: How a whole title ends (a title line that ends otherwise is broken, ``text/meta.py``).
TITLE_ENDS = ("报告", "总结", "情况", "汇报")
# A page's date after its title on the title's line, a body between or not: the stated publication date
# (…工作报告 2024-12-12, …情况报告 上海市统计局 2020-06-08)
_TITLE_DATE = re.compile(rf"(?<=(?:{'|'.join(TITLE_ENDS)}))((?:[ \t\u3000\xa0]+[\u4e00-\u9fff]{{2,20}})?[ \t\u3000\xa0]+)"
                         rf"({DATE_ISO})(?:\s+{TIME_OF_DAY})?[ \t\u3000\xa0]*$")
# A date with the time of day on a page's header line: when the page was published, wherever it stands
# (来源:市司法局 2024-02-19 10:57; 四平市教育局 2025-01-07 09:07:00 来源:…; 发布: 2022-06-08 19:50:11)
_STAMP = re.compile(rf"({DATE_ISO})\s+{TIME_OF_DAY}")
# …报告_街镇园区文件_某区人民政府门户网站: the site's name appended to a page title.
_PAGE_SUFFIX = re.compile(r"(?:_|\s*[|｜]\s*|\s+[-–—]\s*)[^_|｜\n]*(?:网|门户|政府|文件|首页|频道|专栏|公开)[^\n]*$")
# An aggregator's line about the document: 《…报告》是2019年某市人民政府发布的通知。
_BLURB = re.compile(r"^[ \t\u3000\xa0]*《[^》\n]{4,80}》是[^。\n]{0,40}发布的[^。\n]{0,10}[。.]?[ \t\u3000\xa0]*$")
_TAG_PREFIX = re.compile(r"^[ \t\u3000\xa0]*【[^】\n]{1,12}】(?=\S)")
# 上一篇：… / 下一篇：…: the page's links to its neighbours, wherever they sit (often below the report).
_PAGE_LINK = re.compile(r"^[ \t\u3000\xa0]*(?:上一篇|下一篇)[ \t\u3000\xa0]*[:：][^\n]*", re.M)
_PROSE = compiled(PROSE)
_MAX_FURNITURE_LINE = 160
_NEAR = 200  # how far from its hinted offset a string to restore is looked for


@dataclass(frozen=True)
class CleanText:
    """A report's text ready for matching, the same length as ``original``."""

    original: str
    text: str
    index: dict[str, str] = field(default_factory=dict)
    furniture: tuple[tuple[int, int], ...] = ()
    after_breadcrumb: int = 0  # where the page's own content starts: site headers sit above the breadcrumb
    folded: bool = False  # traditional characters were folded: strings must be given back in the source's

    @cached_property
    def _back(self) -> dict[str, str]:
        """Simplified character -> the character the source writes (where folding changed it)."""
        return {f: o for f, o in zip(self.text, self.original) if f != o and not f.isspace()}

    def restore(self, piece: str | None, near: int | None = None) -> str | None:
        """``piece`` (a string read from ``text``) in the source's own characters.

        ``near``, an offset the piece stands at or close to, keeps the look-up local:
        a search of the whole text per figure would make a long report quadratic.
        """
        if not piece or not self.folded:
            return piece
        lo, hi = (0, len(self.text)) if near is None else (max(0, near - _NEAR), near + len(piece) + _NEAR)
        at = self.text.find(piece, lo, hi)
        if at >= 0:
            return self.original[at:at + len(piece)]
        if " " in piece.strip():  # a string joined from parts (a collapsed title): each part by position
            return " ".join(self.restore(part) or part for part in piece.split(" "))
        return "".join(self._back.get(ch, ch) for ch in piece)


def clean(original: str) -> CleanText:
    """Fold the script, find the furniture, parse the index block."""
    folded = simplify(original)
    chars = list(folded)
    spans: list[tuple[int, int]] = []
    index: dict[str, str] = {}
    pos = after_breadcrumb = 0
    pending: str | None = None  # an index label whose value is on the next line
    for line in folded.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if _BREADCRUMB.search(body):
            after_breadcrumb = pos + len(line)
            # 当前位置: / 首页 > 海丰县人民政府门户网站 > …: whose site it is (the path may take a line of its own)
            index["breadcrumb"] = f"{index.get('breadcrumb', '')} {body.strip()}".strip()
        found, pending = _furniture_in(body, index, pending)
        stamp = _STAMP.search(body)
        if stamp and not _PROSE.search(body):  # after the line's labels: a labelled date is read as written
            index.setdefault("published", stamp.group(1))
        for start, end in found:
            spans.append((pos + start, pos + end))
            for i in range(pos + start, pos + end):
                chars[i] = " "
        if not found and _opens_body(body):
            break  # furniture is the page's: above the report's first sentence or heading
        pos += len(line)
    for link in _PAGE_LINK.finditer(folded):
        if any(start <= link.start() < end for start, end in spans):
            continue
        spans.append(link.span())
        chars[link.start():link.end()] = " " * (link.end() - link.start())
    return CleanText(original, "".join(chars), index, tuple(sorted(spans)), after_breadcrumb, folded != original)


def _opens_body(line: str) -> bool:
    """A line that is the report's: a sentence (a prose line, or a shorter one with 。/，), or a numbered heading."""
    stripped = line.strip()
    if not stripped or _BULLET.match(line):
        return False
    if CHINESE_NUMBERED.match(stripped):
        return True
    return (len(stripped) >= 40 and bool(_PROSE.search(stripped))) or (
        len(stripped) >= _SHORT_SENTENCE and bool(_PROSE.search(stripped)))


def _furniture_in(line: str, index: dict[str, str], pending: str | None) -> tuple[list[tuple[int, int]], str | None]:
    """Spans of a page-zone ``line`` that are furniture, and an index label left waiting for its value.

    Index fields found on the way go to ``index``.
    """
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_FURNITURE_LINE:
        return [], None
    whole = [(0, len(line))]
    labels = _labels(line)
    if pending and not _PROSE.search(stripped) and len(stripped) <= 80:
        value = line[:labels[0].start()] if labels else line  # 双牌县教育局 发文日期:… holds the next field too
        index.setdefault(pending, _value(value))
        return whole, _read_fields(line, labels, index) if labels else None
    if _BLURB.match(line):
        return whole, None
    date = _DATE_LINE.match(line)
    if date and len(stripped) <= 60 and not _PROSE.search(stripped):
        index.setdefault("published", date.group(0).strip(" (（)）•·-"))
        return whole, None
    bullet = _BULLET.match(line)
    if labels and not line[bullet.end() if bullet else 0:labels[0].start()].strip():
        return whole, _read_fields(line, labels, index)
    if labels and not _PROSE.search(stripped):  # …年度报告 发布时间:… : the fields go, what stands before stays
        return [(labels[0].start(), len(line))], _read_fields(line, labels, index)
    if _BREADCRUMB.search(stripped) or (_TOOLS.search(stripped) and not _PROSE.search(stripped)):
        _read_fields(line, labels, index)
        return whole, None
    if bullet and not _COUNT.search(stripped):
        return whole, None
    spans = []
    tag = _TAG_PREFIX.match(line)
    if tag:
        spans.append(tag.span())
    dated = _TITLE_DATE.search(line)
    if dated and len(stripped) <= 100 and not _PROSE.search(stripped):
        index.setdefault("published", dated.group(2))
        spans.append((dated.start(), len(line)))
    suffix = _PAGE_SUFFIX.search(line)
    if suffix and not _PROSE.search(line[:suffix.start()]):
        spans.append(suffix.span())
        index.setdefault("site", suffix.group(0).strip("_|｜-–— "))
    return spans, None


def _labels(line: str) -> list[re.Match[str]]:
    """The index labels of ``line`` in order: with a colon (or a date after them), and, on a table row
    printed without colons, bare ones (``_bare_labels``)."""
    labels = list(_LABEL.finditer(line))
    bare = _bare_labels(line)
    if not bare:
        return labels
    spans = [m.span(2) for m in bare]
    return sorted([*bare, *(m for m in labels if not any(a <= m.start(2) < b for a, b in spans))],
                  key=lambda m: m.start())


def _bare_labels(line: str) -> list[re.Match[str]]:
    """The labels of an index row without colons: two or more, the first opening the line, no prose."""
    if _PROSE.search(line):
        return []
    labels = list(_BARE_LABEL.finditer(line))
    if len(labels) < 2 or line[:labels[0].start()].strip():
        return []
    return labels


def _read_fields(line: str, labels: list[re.Match[str]], index: dict[str, str]) -> str | None:
    """``label: value`` pairs of one line; the first value of each field wins.

    Returns the field of a last label with no value (its value is on the next line).
    """
    waiting = None
    for i, m in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(line)
        unknown = _ANY_LABEL.search(line, m.end(), end)
        raw = line[m.end():unknown.start() if unknown else end]
        value = _value(_TABLE_BAR.split(raw.lstrip(_SEPARATORS), maxsplit=1)[0])  # a table cell ends at its bar
        name = _INDEX_LABELS[re.sub(r"\s", "", without_pinyin(m.group(2)))]
        if value and name != "other":
            index.setdefault(name, value)
        # 分享到: waits for no value on the next line, nor does an empty cell of a table row (| 文号: | |)
        waiting = None if value or name == "other" or "|" in raw or "｜" in raw else name
    return waiting


_SEPARATORS = " \t\u3000\xa0•·" + VERTICAL_BARS + "-"
_TABLE_BAR = re.compile(r"[|｜]")


def _value(raw: str) -> str:
    """A field's value without the separators, table bars and bullets around it."""
    return raw.strip(_SEPARATORS)
