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

from functools import lru_cache

_CONFIG = "t2s.json"


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
