"""Metadata of a Chinese official document (公文), read from its fixed layout.

The 公文 format (GB/T 9704) puts the 发文字号 and 签发人 in the header, the
主送机关 as a short line ending in a colon before the body, the issuing bodies
and the date in the signature block (落款), and 抄送 at the foot.  Published
on a web page, the same report also carries the page's index block (成文日期,
发布机构, 文号, 名称), which ``llmx.text.clean`` parses.  All of that is found
exactly by pattern; who the issuer is (level, township, county) is decided in
``llmx.text.subject`` with the gazetteer.

Everything here reads the clean text (furniture blanked, simplified script)
and hands back strings in the source's own spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llmx.text.punctuation import CLAUSE_END, compiled
from llmx.text.clean import TITLE_ENDS, CleanText, clean
from llmx.text.dates import CN_PARTS, ISO_PARTS, YEAR, as_iso
from llmx.text.regions import region_code
from llmx.text.script import MAYBE_PINYIN, without_pinyin
from llmx.text.subject import ORG, Subject, about_body, find_subject, split_orgs, title_body

_DOC_NUMBER = re.compile(
    rf"(?:[\u4e00-\u9fff]{MAYBE_PINYIN}){{1,10}}\s*[〔\[【［(（]\s*{YEAR}\s*[〕\]】］)）]\s*第?\s*\d{{1,4}}\s*号")
_OPEN_BRACKETS, _CLOSE_BRACKETS = "[【［", "]】］"  # around a doc number an index prints before a title
_SIGNERS = re.compile(r"签\s*发\s*人\s*[:：]\s*(.+)")
_CC = re.compile(r"^\s*抄\s*送\s*[:：]\s*(.+?)[。.]?\s*$", re.M)
_YEAR = re.compile(rf"({YEAR})\s*年")
_SPLIT = re.compile(r"[、，,；;\s]+")
_HEADER_SUFFIX = re.compile(r"文件$")
# A line break a web page lost: after a title, a colon or a full stop, a gap of spaces starts a new line.
_LOST_BREAK = re.compile(r"(?<=[报告：:。])[ \t\u3000\xa0]+(?=\S)")
_SENTENCE = compiled(CLAUSE_END)
_QUOTED = re.compile(r"《[^》\n]*》|[(（][^)）\n]*[)）]|〔[^〕\n]*〕")
_MAX_TITLE = 80
_YEAR_END = ("年", "年度")  # a title broken after its year: ``某局2024年度`` / ``法治政府建设工作报告``
_TITLE_SIZE = 6


@dataclass(frozen=True)
class Line:
    text: str
    start: int


def lines_of(text: str) -> list[Line]:
    """Non-blank lines, stripped, with their start offsets; a lost line break splits a line."""
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        cut = 0
        for piece in [*_LOST_BREAK.split(raw.rstrip("\r\n")), ""][:-1] if raw.strip() else []:
            at = raw.index(piece, cut)
            stripped = piece.strip()
            if stripped:
                out.append(Line(stripped, pos + at + piece.index(stripped[0])))
            cut = at + len(piece)
        pos += len(raw)
    return out


def extract_meta(source: str | CleanText, body_start: int,
                 title_words: tuple[str, ...] = ("报告",), summary_title_words: tuple[str, ...] = ()) -> dict:
    """All metadata fields; ``body_start`` is where the first heading begins.  ``summary_title_words``
    name a title only where no header line (nor the page index) has ``title_words``."""
    ct = source if isinstance(source, CleanText) else clean(source)
    lines = lines_of(ct.text)
    head = [ln for ln in lines if ln.start < body_start]
    top = _before_prose(head)
    sign_at, date = _signature_date(lines)
    title = (_title(top, title_words) or _index_title(ct.index.get("title"), title_words)
             or (_title(top, summary_title_words) if summary_title_words else None))
    after_page = [ln for ln in top if ln.start >= ct.after_breadcrumb]
    issuers = _issuers(lines, sign_at) or _header_issuers(after_page, title)
    subject = find_subject(ct, issuers=issuers, title=title, opening=_opening(head))
    meta = {
        "title": title,
        "report_year": _report_year(title, [*head, *lines[len(head):len(head) + 1]], date or _index_date(ct)),
        "doc_number": _first(_DOC_NUMBER, top) or _index_doc_number(ct.index.get("doc_number")),
        "signers": _signers(top),
        "issuers": issuers,
        "recipients": _recipients(head, title),
        "cc": _cc(ct.text),
        "date": date or _index_date(ct),
        **_placed(subject),
    }
    meta["region_code"] = region_code(meta, subject.header_places, subject.text_places)
    return {key: _restored(ct, value) for key, value in meta.items()}


def _placed(subject: Subject) -> dict:
    return {"level": subject.level, "township": subject.township, "county": subject.county}


def _restored(ct: CleanText, value):  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        return ct.restore(value)
    if isinstance(value, list):
        return [ct.restore(v) for v in value]
    return value


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _is_prose(text: str) -> bool:
    return len(text) >= 40 and bool(_SENTENCE.search(text))


def _before_prose(head: list[Line]) -> list[Line]:
    """Header lines up to the first prose line (the body's opening sentence)."""
    for i, ln in enumerate(head):
        if _is_prose(ln.text):
            return head[:i]
    return head


def _opening(head: list[Line]) -> str:
    """The first sentence-bearing line: where the reporting body names itself."""
    return next((ln.text for ln in head if _SENTENCE.search(ln.text) and not _DOC_NUMBER.match(ln.text)
                 and not _is_address(ln.text)), "")  # a 主送 line names the superiors


def _is_address(text: str) -> bool:
    """A 主送 line: short, no full stop, ends with a colon, and not the opening formula (现将…报告如下：)."""
    return text.endswith(("：", ":")) and len(text) <= 60 and "。" not in text and "如下" not in text


def _first(pattern: re.Pattern[str], lines: list[Line]) -> str | None:
    for ln in lines:
        m = pattern.search(ln.text)
        if m and not _SENTENCE.search(ln.text):
            return re.sub(r"\s+", "", m.group(0))
    return None


def _index_doc_number(value: str | None) -> str | None:
    m = _DOC_NUMBER.search(value or "")
    return re.sub(r"\s+", "", m.group(0)) if m else None


def _is_title(text: str, words: tuple[str, ...]) -> bool:
    plain = without_pinyin(text)  # 报(bào)告: a converter's reading inside a title word
    return (any(w in plain for w in words) and not text.endswith(("：", ":"))
            and len(plain) <= _MAX_TITLE and not _SENTENCE.search(text) and "如下" not in text)


def _title(top: list[Line], words: tuple[str, ...]) -> str | None:
    """The last header line that names the report: a page repeats its title, the document's own comes last.

    A doc number and book-title marks around it are dropped (``浙卫〔2024〕3号《…》``); a
    title broken over two lines (``…法治政府建设情况的`` / ``报告``) is joined.  Where the page's
    title is the document's with the reporting body before it, the page's stands (``_names_body``).
    """
    found = None
    header = {_collapse(ln.text) for ln in top}
    for i, ln in enumerate(top):
        if not _is_title(ln.text, words):
            continue
        text = ln.text
        if i and _continues(top[i - 1].text, text, words):
            text = top[i - 1].text + text
        own = _bare_title(text)
        if not (found and own and _names_body(found, own, header)):
            found = own
    return found


def _names_body(page: str, own: str, header: set[str]) -> bool:
    """``page`` is ``own`` with the body that reports before it, a body the header sets on a line of its
    own: a page titled ``小河镇人民政府关于…报告`` above the document's ``小河镇人民政府`` / ``关于…报告``.
    Labellers take the page's full title there (10 of 11 such openings in the gold sets and probes);
    a document set out so with no such page title keeps its own title line (30 of 32)."""
    page, own = _collapse(page), _collapse(own)
    body = page[:-len(own)].strip()
    return page != own and page.endswith(own) and body in header and bool(split_orgs(body))


def _continues(prev: str, text: str, words: tuple[str, ...]) -> bool:
    """``text`` finishes a title that ``prev`` began: a short tail (``报告``), or the rest after a
    line that opens ``X关于2023年度`` and is no title, sentence, 主送 line or doc number itself, or is a
    title that ends as no whole title does (``TITLE_ENDS``: 关于2022年度法治政府部门建设 / 工作情况的报告),
    with no year in the rest."""
    if _SENTENCE.search(prev) or prev.endswith(("：", ":")) or _DOC_NUMBER.search(prev):
        return False
    return (len(text) <= _TITLE_SIZE
            or ("关于" in prev and "关于" not in text
                and (not _is_title(prev, words) or (not prev.endswith(TITLE_ENDS) and not _YEAR.search(text))))
            or (prev.endswith(_YEAR_END) and not _is_title(prev, words) and not _YEAR.search(text)))


def _bare_title(text: str) -> str | None:
    """Drop a leading doc number (bracketed too: ``[天政发〔2026〕7号]…``) and the 《》 around a title;
    ``None`` if nothing is left."""
    opened = text[:1] in _OPEN_BRACKETS
    m = _DOC_NUMBER.match(text, 1 if opened else 0)
    if m:
        text = text[m.end():]
        if opened and text[:1] in _CLOSE_BRACKETS:
            text = text[1:]
    text = text.strip()
    if text.startswith("《") and text.endswith("》"):
        text = text[1:-1]
    return _collapse(text) or None


def _index_title(value: str | None, words: tuple[str, ...]) -> str | None:
    return _bare_title(value) if value and any(w in without_pinyin(value) for w in words) else None


def _signers(head: list[Line]) -> list[str]:
    for ln in head:
        m = _SIGNERS.search(ln.text)
        if m:
            return [s for s in _SPLIT.split(m.group(1)) if s]
    return []


def _recipients(head: list[Line], title: str | None) -> list[str]:
    """The 主送 line: short, ends with a colon, lists bodies; or such a line, its colon lost,
    between the title and the opening sentence."""
    for i, ln in enumerate(head):
        colon = ln.text.endswith(("：", ":"))
        lost = (not colon and title is not None and i + 1 < len(head) and _is_prose(head[i + 1].text)
                and i > 0 and title in head[i - 1].text)
        if (colon or lost) and len(ln.text) <= 60 and "如下" not in ln.text:
            names = [s for s in _SPLIT.split(ln.text[:-1] if colon else ln.text) if s]
            if names and all(ORG.fullmatch(n) for n in names):
                return names
    return []


def _cc(text: str) -> list[str]:
    m = _CC.search(text)
    return [s for s in _SPLIT.split(m.group(1)) if s] if m else []


def _signature_date(lines: list[Line]) -> tuple[int | None, str | None]:
    """The last line that ends in a full date and is not the 印发 line: the 落款 date."""
    for i in range(len(lines) - 1, -1, -1):
        text = _collapse(lines[i].text)
        m = CN_PARTS.search(text)
        if m and m.end() == len(text.rstrip("。 ")) and "印发" not in text and len(text) <= 60:
            return i, as_iso(m)
    return None, None


def _index_date(ct: CleanText) -> str | None:
    """The index block's document date, else the page's publication date."""
    for key in ("written", "published"):
        value = ct.index.get(key, "")
        m = ISO_PARTS.search(value) or CN_PARTS.search(value)
        if m:
            return as_iso(m)
    return None


def _issuers(lines: list[Line], sign_at: int | None) -> list[str]:
    """Bodies named on the date line or on the lines just above it."""
    if sign_at is None:
        return []
    names: list[str] = []
    before_date = CN_PARTS.split(lines[sign_at].text)[0]
    for text in [*(ln.text for ln in lines[max(0, sign_at - 3):sign_at]), before_date]:
        if not text.strip():
            continue
        parts = split_orgs(text)
        if parts:
            names.extend(parts)
        else:
            names.clear()
    return names


def _header_issuers(top: list[Line], title: str | None) -> list[str]:
    """Failing a 落款: a header line naming bodies, a title ``X关于…``, or a title opening with a body."""
    last_title = max((i for i, ln in enumerate(top) if title and title in ln.text), default=len(top))
    bodies: list[str] = []  # one header line per body is common: 中共…工作委员会 / …办事处
    for ln in top[:last_title]:
        if title and title in ln.text:
            continue
        parts = split_orgs(_HEADER_SUFFIX.sub("", ln.text))
        if parts and not ln.text.endswith(("：", ":")):
            bodies += [b for b in parts if b not in bodies]  # a page may repeat the header line
        elif bodies:
            break
    if bodies:
        return bodies
    if not title:
        return []
    about = (about_body(title) or "").strip()
    if about:  # 阜城县关于…: the body as the title names it, even a bare place
        return split_orgs(about) or ([about] if not _YEAR.search(about) else [])
    return split_orgs(title_body(title).strip())


def _report_year(title: str | None, head: list[Line], date: str | None) -> int | None:
    """The year the report covers: the title's, else the first own year of the opening and the first
    heading (一、2022年法治政府建设主要举措和成效, where the opening names none), else the date's minus one.

    Years inside 《…》 names, （…） asides and doc numbers belong to other documents.
    """
    for text in [title or "", *(ln.text for ln in head)]:
        bare = _QUOTED.sub(" ", _DOC_NUMBER.sub(" ", text))
        m = _YEAR.search(bare) or re.fullmatch(rf"({YEAR})", bare.strip())
        if m:
            return int(m.group(1))
    return int(date[:4]) - 1 if date else None
