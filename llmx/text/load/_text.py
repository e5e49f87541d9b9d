"""Plain-text decoding: UTF-8 first, then charset-normalizer, GB codecs read as GB18030."""

from __future__ import annotations

import codecs
from pathlib import Path

from llmx.text.load._common import fail

UTF8_BOM = codecs.BOM_UTF8
#: Byte-order marks of the wide encodings, longest first (UTF-32-LE's starts with UTF-16-LE's).
WIDE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
             (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))

#: Codec names charset-normalizer may report for Chinese legacy text.  All of
#: them are read as GB18030: it is a superset of GB2312/GBK, and on short texts
#: the detector often confuses GBK with Big5 (a mainland report is never Big5).
CHINESE_LEGACY = frozenset({"gb2312", "gbk", "gb18030", "cp936", "hz", "big5", "big5hkscs", "cp950"})


def decode_text(path: Path, raw: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``raw`` exactly (no newline or whitespace changes) and name the codec.

    Order: UTF-8 BOM; strict UTF-8 (GBK text practically never passes it, so a
    clean decode is proof); the ``declared`` charset (HTML ``<meta>``); then
    charset-normalizer.  NUL bytes mean UTF-16/32 (Windows Notepad's
    "Unicode" saves UTF-16 with a BOM) or else a binary file, not text.
    """
    if b"\x00" in raw:
        return _wide(path, raw)
    if raw.startswith(UTF8_BOM):
        return _strict(path, raw[len(UTF8_BOM):], "utf-8"), "utf-8-sig"
    for encoding in ("utf-8", _canonical(declared)):
        if encoding:
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError:
                pass
    return _detect(path, raw)


def _wide(path: Path, raw: bytes) -> tuple[str, str]:
    """UTF-16/32 by its byte-order mark, or BOM-less UTF-16 that reads as plausible text; else binary."""
    for bom, encoding in WIDE_BOMS:
        if raw.startswith(bom):
            return _strict(path, raw[len(bom):], encoding), encoding
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if all(map(_plausible, text)):
            return text, encoding
    fail(path, "binary file (contains NUL bytes and is not UTF-16 text), not text")


def _plausible(ch: str) -> bool:
    """A character a report in BOM-less UTF-16 would hold; random bytes rarely give only these."""
    o = ord(ch)
    return (ch in "\t\n\r" or 0x20 <= o < 0x7F or 0xA0 <= o <= 0xFF or 0x2000 <= o <= 0x206F
            or 0x3000 <= o <= 0x9FFF or 0xFF00 <= o <= 0xFFEF)


def _strict(path: Path, raw: bytes, encoding: str) -> str:
    """Decode or fail with a user-facing error (a BOM followed by bad bytes)."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        fail(path, f"not valid {encoding} text despite its byte-order mark (byte {exc.start})")


def _canonical(name: str | None) -> str | None:
    """Python codec name for a declared charset; GB*/Big5 become gb18030; unknown -> None."""
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip()).name
    except LookupError:
        return None
    return "gb18030" if codec in CHINESE_LEGACY else codec


def _detect(path: Path, raw: bytes) -> tuple[str, str]:
    """Ask charset-normalizer; if any of its candidates is a Chinese codec, use GB18030.

    Checking all candidates, not just the best, matters for short files, where
    the detector ranks cp949 or Big5 above the right GB reading.
    """
    import charset_normalizer  # only for text that is not UTF-8: most files never pay its import

    matches = list(charset_normalizer.from_bytes(raw))
    if not matches:
        fail(path, "cannot decode text (not UTF-8, GB18030 or another known encoding)")
    encodings = [_canonical(m.encoding) or m.encoding for m in matches]
    if "gb18030" in encodings:
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError:
            pass
    best = matches[0]
    return str(best), best.encoding


def load_txt(path: Path, raw: bytes) -> tuple[str, str]:
    """A text file is exactly its decoded bytes, so offsets match what the user sees."""
    return decode_text(path, raw)
