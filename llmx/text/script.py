"""Traditional characters folded to simplified, one character for one.

Reports from Hong Kong-style portals and big5 mirrors of mainland sites are
written in traditional characters (縣, 鄉, 報告, 號).  Every matching rule in
llmx is written once, in simplified characters, and runs on a folded copy of
the text.  The copy must have exactly the length of the original so that an
offset found in it is an offset in the source: OpenCC's ``t2s`` conversion is
character-level for all but a few phrases, and where it is not, the text is
converted line by line and, on a line whose length would change, character by
character.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CONFIG = "t2s.json"
# A reading in pinyin after a character, as some mirror sites annotate rare ones: 清遠(yuǎn)市, 關(guān)于.
# Patterns that must see through it (关于, a doc number's issuer code) embed this one.
PINYIN_READING = r"[(（][a-zü\u00e0-\u01dc]{1,6}[)）]"
#: A reading that may or may not stand after a character of a word (关(guān)于, 发(fā)布时间).
MAYBE_PINYIN = rf"(?:{PINYIN_READING})?"
_PINYIN = re.compile(rf"(?<=[\u4e00-\u9fff]){PINYIN_READING}")


@lru_cache(maxsize=1)
def _converter():  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(_CONFIG)


def simplify(text: str) -> str:
    """``text`` in simplified characters, with the same length and line structure."""
    if text.isascii():
        return text
    convert = _converter().convert
    out = convert(text)
    if len(out) == len(text):
        return out
    return "".join(_line(convert, line) for line in text.splitlines(keepends=True))


def _line(convert, line: str) -> str:  # type: ignore[no-untyped-def]
    out = convert(line)
    if len(out) == len(line):
        return out
    return "".join(c if len(c := convert(ch)) == 1 else ch for ch in line)


def without_pinyin(text: str) -> str:
    """``text`` without pinyin readings after characters, for matching names (not for output: offsets move)."""
    return _PINYIN.sub("", text) if "(" in text or "（" in text else text
