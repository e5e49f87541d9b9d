"""China's administrative divisions: recognise, cut and rank place names in a text.

The gazetteer is jionlp's ``china_location.txt`` (province → prefecture →
county → township, with 6-digit codes down to county level), read once on
first use.  Names are matched on simplified text (see ``llmx.text.clean``), so
traditional spellings are found too; what a caller reports is the source's
own spelling at the same offsets.

A name is cut where the gazetteer says a name ends, not where a suffix
character happens to be: ``长沙市天心区坡子街街道`` is 长沙市 + 天心区 +
坡子街街道, never 市天心区.  Street offices are also found in their short
written form (``松洲街`` for 松洲街道).  A two-character name (赵县, 渠县,
城区) is taken only where it cannot be the tail of an ordinary word (主城区).
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import pickle
import re
import sys
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from llmx.options import cache_home
from llmx.errors import LlmxError
from llmx.files import write_atomic

Kind = Literal["province", "city", "county", "township"]
_DICTIONARY = "china_location.txt"
_SUFFIX_CHARS = frozenset("省市州盟区县旗镇乡道街木")
_TOWNSHIP_SUFFIXES = ("镇", "乡", "街道", "苏木")
_MAX_NAME = 12
_CITY_GOVERNED = "市直辖行政区划"  # the gazetteer's county of a township its city governs directly
_CJK = re.compile(r"[\u4e00-\u9fff]")
# Prefixes after which a two-character name still starts a name: 中共渠县县委.
_NAME_OPENERS = ("中共",)


class Division(NamedTuple):
    """One gazetteer entry (a named tuple: the gazetteer builds some 47 000 of them on
    first use, and a tuple is built several times faster than a frozen dataclass)."""

    name: str
    kind: Kind
    code: str | None  # 6-digit code (township entries carry their county's)
    county: str | None  # the county-level division it lies in (townships)
    city: str | None
    province: str
    short: str | None = None  # the gazetteer's own short name (昌吉 for 昌吉回族自治州)


@dataclass(frozen=True)
class Place:
    """A place name found in a text: its span, the name as matched, and its readings."""

    start: int
    end: int
    name: str
    divisions: tuple[Division, ...]

    def kinds(self) -> set[Kind]:
        return {d.kind for d in self.divisions}

    def is_a(self, kind: Kind) -> bool:
        return kind in self.kinds()


class Gazetteer:
    """Name → divisions, with the parent links needed to check that two names belong together."""

    def __init__(self, entries: list[Division]):
        self.by_name: dict[str, list[Division]] = {}
        for entry in entries:
            if entry.kind == "township" and not entry.name.endswith(_TOWNSHIP_SUFFIXES):
                continue  # 工业园区, 开发区, 社区: township-level units, but words, not township names
            self.by_name.setdefault(entry.name, []).append(entry)
            for alias in _short_forms(entry):
                self.by_name.setdefault(alias, []).append(entry)

    @classmethod
    def from_table(cls, by_name: dict[str, list[Division]]) -> Gazetteer:
        """A gazetteer from the name table an earlier one built (see ``gazetteer``)."""
        made = cls([])
        made.by_name = by_name
        return made

    def lookup(self, name: str) -> tuple[Division, ...]:
        return tuple(self.by_name.get(name, ()))

    def find(self, text: str) -> list[Place]:
        """Every place name in ``text``, longest first where names overlap, in order."""
        found: list[Place] = []
        for i, ch in enumerate(text):
            if ch not in _SUFFIX_CHARS:
                continue
            for size in range(min(_MAX_NAME, i + 1), 1, -1):
                start = i + 1 - size
                name = text[start:i + 1]
                entries = self.by_name.get(name)
                if entries and (size > 2 or _may_open(text, start)):
                    end = i + 1
                    if name.endswith("街") and text.startswith("街道", end):
                        end += 2  # 北城街街道 as written: the short form of 北城街道 opens a longer name
                    found.append(Place(start, end, text[start:end], tuple(entries)))
                    break
        found.sort(key=lambda p: (p.start, -(p.end - p.start)))
        kept: list[Place] = []
        for place in found:
            if kept and place.start < kept[-1].end:
                continue
            kept.append(place)
        return kept

    def is_short_name(self, name: str) -> bool:
        """``name`` is how a province, city or county is named without its suffix (北京, 济南, 滨海, 广西)."""
        return name in self._short_names

    @cached_property
    def _short_names(self) -> frozenset[str]:
        entries = [d for found in self.by_name.values() for d in found if d.kind in ("province", "city", "county")]
        return frozenset([*(d.short for d in entries if d.short),
                          *(d.name[:2] for d in entries if d.kind == "province")])

    def governing_cities(self, township: str) -> set[str]:
        """The cities that govern a township of that name with no county between (东莞市, 中山市, 儋州市, 嘉峪关市)."""
        return {d.city for d in self.lookup(township) if d.kind == "township" and d.county == _CITY_GOVERNED and d.city}

    def within(self, township: str, county: str) -> bool:
        """True if some township of that name lies in some county of that name."""
        full = {county, county.removeprefix("中共")}
        return any(d.county in full for d in self.lookup(township) if d.kind == "township")


def _short_forms(entry: Division) -> tuple[str, ...]:
    """Written short forms: 松洲街 for 松洲街道, 昌吉州 for 昌吉回族自治州, 峨边县 for 峨边彝族自治县."""
    if entry.kind == "township" and entry.name.endswith("街道") and len(entry.name) >= 4:
        return (entry.name[:-1],)
    if entry.short and entry.name.endswith(("自治州", "自治县", "自治旗")):
        return (entry.short + entry.name[-1],)
    return ()


def _may_open(text: str, start: int) -> bool:
    """A two-character name must not be the tail of a word: 主城区 is not 城区."""
    if start == 0 or not _CJK.match(text[start - 1]):
        return True
    return text[start - 1] in _SUFFIX_CHARS or text.endswith(_NAME_OPENERS, 0, start)


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer: from llmx's cache when this dictionary and this code built it before, else built afresh.

    Building it from jionlp's dictionary takes about 0.2 s, a third of a
    rules run's cold start; loading the ready-made table about a third of that.
    Any trouble with the cache (missing, unreadable, damaged, not the user's
    own) means building afresh: the cache only ever saves time.
    """
    dictionary = _dictionary_file()
    try:
        ready: Path | None = cache_home() / "gazetteer" / f"{_build_key(dictionary)}.pickle"
    except OSError:
        ready = None
    loaded = _load_table(ready) if ready else None
    if loaded:
        return Gazetteer.from_table(loaded)
    with _dictionary_lines(dictionary) as lines:
        built = Gazetteer(list(read_divisions(lines)))
    if ready:
        _save_table(ready, built.by_name)
    return built


def _load_table(ready: Path) -> dict[str, list[Division]] | None:
    """The name table an earlier run saved, if it is there, the user's own and whole."""
    try:
        st = ready.stat()
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o002):
            return None  # a pickle another user wrote, or anyone could have, is never loaded
        with open(ready, "rb") as f:
            table = pickle.load(f)
        os.utime(ready)  # in use: not pruned as stale by another install sharing the cache
    except Exception:  # noqa: BLE001 - missing, unreadable or damaged: build afresh
        return None
    return table if isinstance(table, dict) and table else None


def _save_table(ready: Path, table: dict[str, list[Division]]) -> None:
    """Keep the table for the next run; tables no run has used for a week go."""
    try:
        write_atomic(ready, pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))
        week_ago = time.time() - 7 * 24 * 3600
        for stale in ready.parent.glob("*.pickle"):
            if stale != ready and stale.stat().st_mtime < week_ago:
                stale.unlink(missing_ok=True)
    except (LlmxError, OSError):
        pass  # a read-only cache only costs time; the table in hand is the same


def _build_key(dictionary: Path) -> str:
    """Changes when the dictionary file or the code that reads it changes."""
    stat = dictionary.stat()
    code = Path(__file__).read_bytes()
    facts = f"{dictionary.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{sys.version_info[:2]}".encode()
    return hashlib.sha256(facts + code).hexdigest()[:32]


def _dictionary_file() -> Path:
    """jionlp's ``china_location.txt``, or the zip a fresh install ships it in; found without importing jionlp."""
    spec = importlib.util.find_spec("jionlp")
    if spec is None or not spec.submodule_search_locations:
        raise LlmxError("the gazetteer needs the jionlp package: pip install jionlp")
    folder = Path(next(iter(spec.submodule_search_locations))) / "dictionary"
    for found in (folder / _DICTIONARY, folder / _DICTIONARY.replace(".txt", ".zip")):
        if found.is_file():
            return found
    raise LlmxError(f"{folder}: jionlp's gazetteer ({_DICTIONARY}) is missing; reinstall jionlp")


@contextmanager
def _dictionary_lines(dictionary: Path) -> Iterator[Iterable[str]]:
    """The dictionary's lines, from the text file or from inside the zip.

    jionlp's import is slow and chatty, so llmx reads its file directly; a fresh
    install ships it zipped (jionlp unzips it on its own first use).
    """
    try:
        if dictionary.suffix == ".txt":
            with open(dictionary, encoding="utf-8") as lines:
                yield lines
        else:
            with zipfile.ZipFile(dictionary) as archive, archive.open(_DICTIONARY) as raw:
                yield io.TextIOWrapper(raw, encoding="utf-8")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise LlmxError(f"{dictionary.parent}: cannot read jionlp's gazetteer ({exc}); reinstall jionlp") from exc


def read_divisions(lines: Iterable[str]):  # type: ignore[no-untyped-def]
    """Entries of jionlp's tab-indented tree down to townships (villages are skipped)."""
    province = city = county = None
    county_code: str | None = None
    for line in lines:
        if line.startswith("\t\t\t\t"):  # villages: most of the file, cheapest to skip first
            continue
        depth = len(line) - len(line.lstrip("\t"))
        fields = line.strip().split("\t")
        name = fields[0]
        code = fields[1] if len(fields) > 1 else None
        short = fields[2] if len(fields) > 2 else None
        if depth == 0:
            province, city, county = name, None, None
            yield Division(name, "province", code, None, None, name)
        elif depth == 1:
            city, county = name, None
            if name != province:  # a municipality repeats itself as its city
                yield Division(name, "city", code, None, None, province or "", short)
        elif depth == 2:
            county, county_code = name, code
            yield Division(name, "county", code, None, city, province or "", short)
        else:
            yield Division(name, "township", county_code, county, city, province or "")

