"""Metadata of a Chinese official document (公文), read from its fixed layout.

The 公文 format (GB/T 9704) puts the 发文字号 and 签发人 in the header, the
主送机关 as a short line ending in a colon before the body, the issuing bodies
and the date in the signature block (落款), and 抄送 at the foot.  All of that
is found exactly by pattern, so no model is asked for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ORG_END = r"(?:委员会|人民政府|政府|办公室|办事处|党委|市委|县委|区委|局|委|厅|院|所|中心|司法所)"
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}\s*[〔\[【［(（]\s*(?:19|20)\d{2}\s*[〕\]】］)）]\s*第?\s*\d{1,4}\s*号")
_SIGNERS = re.compile(r"签\s*发\s*人\s*[:：]\s*(.+)")
_CC = re.compile(r"^\s*抄\s*送\s*[:：]\s*(.+?)[。.]?\s*$", re.M)
_DATE_CN = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DATE_ISO = re.compile(r"((?:19|20)\d{2})[-/.](\d{1,2})[-/.](\d{1,2})")
_PUBLISHED = re.compile(r"(?:日期|发布时间|发布日期|时间)\s*[:：]\s*")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ORG = re.compile(rf"^(?:中共)?[\u4e00-\u9fff（）()]{{2,30}}?{_ORG_END}$")
_PLACE = re.compile(r"(?:中共)?([\u4e00-\u9fff]{2,3}?(?:市|县|区))([\u4e00-\u9fff]{2,3}?(?:镇|乡|街道))")
_TOWNSHIP = re.compile(r"(?:中共)?([\u4e00-\u9fff]{2,3}?(?:镇|乡|街道))(?:委员会|人民政府|党委|政府|办事处)")
_COUNTY = re.compile(r"([\u4e00-\u9fff]{1,4}?(?:县|区))(?:委员会|人民政府|政府|委)")
_SPLIT = re.compile(r"[、，,；;\s]+")
_HEADER_SUFFIX = re.compile(r"文件$")


@dataclass(frozen=True)
class Line:
    text: str
    start: int


def lines_of(text: str) -> list[Line]:
    """Non-blank lines, stripped, with their start offsets."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            out.append(Line(stripped, pos + raw.index(stripped[0])))
        pos += len(raw)
    return out


def extract_meta(text: str, body_start: int, title_words: tuple[str, ...] = ("报告",)) -> dict:
    """All metadata fields the layout gives; ``body_start`` is where the first heading begins."""
    lines = lines_of(text)
    head = [ln for ln in lines if ln.start < body_start]
    sign_at, date = _signature_date(lines)
    title = _title(head, title_words)
    issuers = _issuers(lines, sign_at) or _header_issuers(head, title)
    places = _places([*issuers, *(ln.text for ln in head)])
    level = _level(issuers, title)
    if places == (None, None) and level == "county":
        places = (_county([*issuers, title or ""]), None)
    return {
        "title": title,
        "report_year": _report_year(title, head, date),
        "doc_number": _first(_DOC_NUMBER, head),
        "signers": _signers(head),
        "issuers": issuers,
        "recipients": _recipients(head),
        "cc": _cc(text),
        "date": date or _published(head),
        "level": level,
        "township": places[1],
        "county": places[0],
    }


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _first(pattern: re.Pattern[str], lines: list[Line]) -> str | None:
    for ln in lines:
        m = pattern.search(ln.text)
        if m:
            return re.sub(r"\s+", "", m.group(0))
    return None


def _title(head: list[Line], words: tuple[str, ...]) -> str | None:
    """The first header line that names the report (holds a title word, not a colon line).

    A title broken over two lines (``…法治政府建设情况的`` / ``报告``) is joined.
    """
    for i, ln in enumerate(head):
        if any(w in ln.text for w in words) and not ln.text.endswith(("：", ":")) and len(ln.text) <= 80:
            if len(ln.text) <= 6 and i and not _DOC_NUMBER.search(head[i - 1].text):
                return _collapse(head[i - 1].text + ln.text)
            return _collapse(ln.text)
    return None


def _signers(head: list[Line]) -> list[str]:
    for ln in head:
        m = _SIGNERS.search(ln.text)
        if m:
            return [s for s in _SPLIT.split(m.group(1)) if s]
    return []


def _recipients(head: list[Line]) -> list[str]:
    """The 主送 line: short, ends with a colon, lists bodies."""
    for ln in head:
        if ln.text.endswith(("：", ":")) and len(ln.text) <= 60 and "如下" not in ln.text:
            names = [s for s in _SPLIT.split(ln.text[:-1]) if s]
            if names and all(_ORG.match(n) for n in names):
                return names
    return []


def _cc(text: str) -> list[str]:
    m = _CC.search(text)
    return [s for s in _SPLIT.split(m.group(1)) if s] if m else []


def _signature_date(lines: list[Line]) -> tuple[int | None, str | None]:
    """The last line that ends in a full date and is not the 印发 line: the 落款 date."""
    for i in range(len(lines) - 1, -1, -1):
        text = _collapse(lines[i].text)
        m = _DATE_CN.search(text)
        if m and m.end() == len(text.rstrip("。 ")) and "印发" not in text and len(text) <= 60:
            return i, _iso(m)
    return None, None


def _iso(m: re.Match[str]) -> str:
    y, mo, d = (int(g) for g in m.groups())
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _published(head: list[Line]) -> str | None:
    for ln in head:
        if _PUBLISHED.search(ln.text):
            m = _DATE_ISO.search(ln.text) or _DATE_CN.search(ln.text)
            if m:
                return _iso(m)
    return None


def _issuers(lines: list[Line], sign_at: int | None) -> list[str]:
    """Bodies named on the date line or on the lines just above it."""
    if sign_at is None:
        return []
    names: list[str] = []
    before_date = _DATE_CN.split(lines[sign_at].text)[0]
    for text in [*(ln.text for ln in lines[max(0, sign_at - 3):sign_at]), before_date]:
        if not text.strip():
            continue
        parts = [p for p in _SPLIT.split(text) if p]
        if parts and all(_ORG.match(p) for p in parts):
            names.extend(parts)
        else:
            names.clear()
    return names


def _header_issuers(head: list[Line], title: str | None) -> list[str]:
    """Failing a 落款: a header line naming bodies, or a title ``X关于…的报告``."""
    for ln in head:
        if title and ln.text == title:
            break
        parts = [p for p in _SPLIT.split(_HEADER_SUFFIX.sub("", ln.text)) if p]
        if parts and all(_ORG.match(p) for p in parts) and not ln.text.endswith(("：", ":")):
            return parts
    if title and "关于" in title:
        parts = [p for p in _SPLIT.split(title.split("关于")[0]) if p]
        if parts and all(_ORG.match(p) for p in parts):
            return parts
    return []


def _places(texts: list[str]) -> tuple[str | None, str | None]:
    """(county, township) from the first text naming both, else a township alone."""
    for t in texts:
        m = _PLACE.search(t.removeprefix("中共"))
        if m:
            return m.group(1), m.group(2)
    for t in texts:
        m = _TOWNSHIP.search(t)
        if m:
            return None, m.group(1)
    return None, None


def _county(texts: list[str]) -> str | None:
    """The county (县/区) a county-level body names, for reports with no township."""
    for t in texts:
        m = _COUNTY.search(t.removeprefix("中共"))
        if m:
            return m.group(1)
    return None


def _report_year(title: str | None, head: list[Line], date: str | None) -> int | None:
    """The year the report covers: the title's year, else the first year in the header."""
    for text in [title or "", *(ln.text for ln in head)]:
        m = _YEAR.search(text) or re.fullmatch(r"((?:19|20)\d{2})", text.strip())
        if m and not _DOC_NUMBER.search(text):
            return int(m.group(1))
    return int(date[:4]) - 1 if date else None


def _level(issuers: list[str], title: str | None) -> str | None:
    """Administrative level from the issuing bodies (or the title when there are none)."""
    probe = " ".join(issuers) or (title or "")
    if not probe:
        return None
    if re.search(r"(?:局|办公室|委员会办公室|中心)$", issuers[0] if issuers else "") and not re.search(r"(镇|乡|街道)", probe):
        return "department"
    for level, pattern in (("township", r"镇|乡|街道"), ("county", r"县|区|县级市"),
                           ("province", r"省|自治区"), ("city", r"市")):
        if re.search(pattern, probe):
            return level
    return "other"
