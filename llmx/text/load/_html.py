"""HTML loading: keep the report body of a saved government web page, drop site furniture.

Saved gov-site pages wrap a report in navigation, share bars, "今天是…" banners and
print/close links.  We (1) decode like a text file, honouring ``<meta charset>``;
(2) drop tags that never hold report text; (3) pick the main content container
by its well-known id/class, re-attaching the title and publication-date line that
sites print just above it; (4) drop furniture elements by tag and id/class;
(5) render one line per block element; (6) drop furniture lines by pattern,
always keeping a publication-date line (the spec's fallback date).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterator

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

from llmx.text.load._common import describe, fail
from llmx.text.load._text import decode_text

#: Tags that never carry report text anywhere on a page.
NEVER_TEXT = ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "head"]
#: Page-chrome tags.  <header>/<footer> inside <article>/<main> belong to the article.
CHROME_TAGS = frozenset({"nav", "aside", "header", "footer"})
#: id/class words naming navigation, breadcrumbs, share bars, footers, print/close links.
FURNITURE_ATTR = re.compile(
    r"(?:^|[-_])(?:nav|navbar|topnav|mainnav|subnav|menu|breadcrumbs?|crumbs?|position|location"
    r"|weizhi|dqwz|share|bdshare|bshare|footer|foot|copyright|header|toolbar|print|close"
    r"|search|qrcode|ewm|sidebar|skip)(?:[-_]|$)",
    re.IGNORECASE,
)
#: id/class values of the main content container, most specific first.
CONTAINER_NAMES = (
    "trs_editor", "ucap-content", "zoom", "pages_content", "article-content", "article_content",
    "articlecontent", "news_content", "detail-content", "content", "article", "main",
)
CONTAINER_TAGS = {"article": CONTAINER_NAMES.index("article"), "main": CONTAINER_NAMES.index("main")}
#: A container must hold this share of the largest candidate's text (skips empty stubs).
CONTAINER_MIN_SHARE = 0.3
#: How many levels above the container to look for its title and date line.
CONTEXT_LEVELS = 3

BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li ul ol dl dt dd table thead tbody tfoot tr td th caption section"
    " article main header footer nav aside blockquote pre center address figure figcaption form"
    " fieldset hr body html".split()
)
HEADINGS = frozenset({"h1", "h2", "h3"})

_DATE = r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}"
PUBDATE_LINE = re.compile(rf"^(?:.{{0,20}}?(?:时间|日期)\s*[:：]?\s*{_DATE}|{_DATE})")
PUBDATE_MAX_LEN = 120
FURNITURE_LINE = re.compile(
    r"^(?:今天是.{0,40}(?:星期|周)[一二三四五六日天]"
    r"|分享(?:到|至)?\s*[:：]"
    r"|(?:当前|您现在的|您的|您所在的|所在)位置\s*[:：]"
    r"|(?:上一篇|下一篇|浏览次数|阅读次数|访问量|点击数)\s*[:：]"
    r"|.{0,20}扫一扫.{0,20}$)"
)
#: Lines made only of these words (plus brackets) are page controls, e.g. 【打印】【关闭】.
CONTROL_WORDS = frozenset(
    "打印 打印本页 打印此页 关闭 关闭窗口 关闭本页 返回顶部 返回 收藏 加入收藏 保存 纠错 我要纠错"
    " 分享 分享到 字号 字体 大 中 小 默认 A+ A-".split()
)
_CONTROL_SPLIT = re.compile(r"[【】\[\]()（）<>|｜/:：·•\s]+")


def load_html(path: Path, raw: bytes) -> tuple[str, str]:
    """Return the report text of a saved web page and the encoding it was read with."""
    text, encoding = decode_text(path, raw, declared=_declared_charset(raw))
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as exc:  # parser missing or choking on the markup
        fail(path, f"cannot parse HTML ({describe(exc)})")
    for tag in soup.find_all(NEVER_TEXT):
        tag.decompose()
    container = _find_container(soup)
    scope: Tag = container or soup.body or soup
    lines = _context_lines(container) if container else []
    _drop_furniture(scope)
    lines += _block_lines(scope)
    return "\n".join(line for line in lines if not _is_furniture_line(line)), encoding


def _declared_charset(raw: bytes) -> str | None:
    """The charset named by ``<meta charset>`` or ``http-equiv`` in the page head, if any."""
    match = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", raw[:8192], re.I)
    return match.group(1).decode("ascii") if match else None


def _attr_values(tag: Tag) -> list[str]:
    """The tag's id and class values, which is where CMSs name page regions."""
    classes: object = tag.get("class") or []
    values = classes if isinstance(classes, list) else str(classes).split()
    tag_id = tag.get("id")
    return [*values, str(tag_id)] if tag_id else list(values)


def _visible_len(tag: Tag) -> int:
    return len("".join(tag.get_text().split()))


def _container_rank(tag: Tag) -> int | None:
    """Priority of ``tag`` as a content container (lower is more specific), or None."""
    ranks = [CONTAINER_NAMES.index(v.lower()) for v in _attr_values(tag) if v.lower() in CONTAINER_NAMES]
    if tag.name in CONTAINER_TAGS:
        ranks.append(CONTAINER_TAGS[tag.name])
    return min(ranks) if ranks else None


def _find_container(soup: BeautifulSoup) -> Tag | None:
    """The most specific known content container that holds a fair share of the text.

    Sites nest them (``#zoom > .TRS_Editor``) and some leave empty stubs with the
    same names, hence the share test against the largest candidate.
    """
    candidates = [
        (rank, _visible_len(tag), order, tag)
        for order, tag in enumerate(soup.find_all(True))
        if (rank := _container_rank(tag)) is not None
    ]
    largest = max((size for _, size, _, _ in candidates), default=0)
    fit = [(rank, -size, order, tag) for rank, size, order, tag in candidates
           if size and size >= CONTAINER_MIN_SHARE * largest]
    return min(fit)[3] if fit else None


def _context_lines(container: Tag) -> list[str]:
    """Title and publication-date line printed near the container but outside it.

    Body containers usually exclude the heading and the ``发布时间：…`` line,
    which the spec needs; lines already inside the container are not repeated.
    """
    region = _ancestor(container, CONTEXT_LEVELS)
    inside = "".join(container.get_text().split())
    before = list(_nearby(container, region, before=True))
    after = list(_nearby(container, region, before=False))
    title = _first(before, _is_title)
    date = _first(before, _is_date_tag) or _first(after, _is_date_tag)
    lines = [" ".join(t.get_text(" ").split()) for t in (title, date) if t is not None]
    return [line for line in lines if line and "".join(line.split()) not in inside]


def _first(tags: list[Tag], wanted: Callable[[Tag], bool]) -> Tag | None:
    return next((tag for tag in tags if wanted(tag)), None)


def _ancestor(tag: Tag, levels: int) -> Tag:
    """Go up ``levels`` parents, stopping below <body> so the search stays local."""
    for _ in range(levels):
        parent = tag.parent
        if parent is None or parent.name in ("body", "html", "[document]"):
            break
        tag = parent
    return tag


def _nearby(container: Tag, region: Tag, before: bool) -> Iterator[Tag]:
    """Tags of ``region`` outside ``container``, nearest first, going back or forward."""
    walk = container.previous_elements if before else container.next_elements
    for el in walk:
        if el is region or (isinstance(el, Tag) and not _within(el, region)):
            return
        if isinstance(el, Tag) and not _within(container, el) and not _within(el, container):
            yield el


def _within(tag: Tag, ancestor: Tag) -> bool:
    """Identity test: bs4's ``==`` compares markup, so ``in tag.parents`` would lie."""
    return any(parent is ancestor for parent in tag.parents)


def _is_title(tag: Tag) -> bool:
    return bool(tag.get_text(strip=True)) and (
        tag.name in HEADINGS or any("title" in v.lower() for v in _attr_values(tag)))


def _is_date_tag(tag: Tag) -> bool:
    line = " ".join(tag.get_text(" ").split())
    return len(line) <= PUBDATE_MAX_LEN and bool(PUBDATE_LINE.match(line))


def _is_furniture_tag(tag: Tag) -> bool:
    if tag.name == "form":
        return True
    if tag.name in CHROME_TAGS:
        own_part = tag.name in ("header", "footer") and tag.find_parent(["article", "main"])
        return not own_part
    return any(FURNITURE_ATTR.search(v) for v in _attr_values(tag))


def _drop_furniture(scope: Tag) -> None:
    """Remove chrome elements under ``scope``.

    Only semantic chrome tags go unconditionally.  A <form> or an id/class match
    that holds half the text or a heading is a wrapper, not chrome: ASP.NET sites
    wrap whole pages in one <form>, and class names are only a guess.
    """
    half = _visible_len(scope) / 2
    for tag in scope.find_all(_is_furniture_tag):
        if tag.decomposed:
            continue
        if tag.name in CHROME_TAGS or (_visible_len(tag) < half and not _holds_heading(tag)):
            tag.decompose()


def _holds_heading(tag: Tag) -> bool:
    """``<div class="article-header"><h1>…`` holds the report title: not chrome."""
    return any(h.get_text(strip=True) for h in tag.find_all(list(HEADINGS)))


def _block_lines(root: Tag) -> list[str]:
    """Render ``root`` with one line per block element and collapsed inline whitespace.

    An explicit stack instead of recursion: badly nested gov pages can be deep.
    """
    lines: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        line = " ".join("".join(pending).split())
        if line:
            lines.append(line)
        pending.clear()

    stack: list[object] = [root]
    while stack:
        node = stack.pop()
        if node is flush:
            flush()
        elif isinstance(node, NavigableString):
            if not isinstance(node, PreformattedString):  # comments, CDATA, doctype
                pending.append(str(node))
        elif isinstance(node, Tag):
            if node.name == "br":
                flush()
            elif node.name in BLOCK_TAGS:
                flush()
                stack.append(flush)
            stack.extend(reversed(node.contents))
    flush()
    return lines


def _is_furniture_line(line: str) -> bool:
    """True for page-control lines; a publication-date line is always kept."""
    if len(line) <= PUBDATE_MAX_LEN and PUBDATE_LINE.match(line):
        return False
    if FURNITURE_LINE.match(line):
        return True
    words = _CONTROL_SPLIT.sub(" ", line).split()
    return bool(words) and all(w in CONTROL_WORDS for w in words) and any(len(w) > 1 for w in words)
