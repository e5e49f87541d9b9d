"""The region code (行政区划代码) of a report's place, so results join other public data by region.

Why this way: statistics offices, yearbooks and maps key their tables by the
6-digit code, never by name, and names repeat across China (朝阳区 is in
Beijing and in Changchun; hundreds of 城关镇).  The code is that of the most
specific place the report's metadata names that the gazetteer (jionlp's, see
``llmx.text.places``) codes: a township's county (townships carry no code of their
own there), else the county, else the city or province of a city- or
province-level report.  Where several places share the name, the one whose
province, city and county the report also names wins; when that does not
single one out, the code is null rather than a guess.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from llmx.text.places import Division, Place, gazetteer
from llmx.text.script import simplify

_CODE_LENGTH = 6


def region_code(meta: Mapping[str, Any], header: Sequence[Place], text: Sequence[Place] = ()) -> str | None:
    """The code of ``meta``'s place, disambiguated by the places the report names.

    ``header`` are the places in the reporter's own strings (title, issuers, index
    block), ``text`` those of the text; ``llmx.text.subject`` has found both already.
    """
    candidates = _candidates(meta, header)
    if not candidates:
        return None
    named = {d.name for place in (*header, *text) for d in place.divisions}
    best = max(_support(d, named) for d in candidates)
    codes = {d.code for d in candidates if _support(d, named) == best}
    if len(codes) != 1 or (best == 0 and len(candidates) > 1):
        return None
    code = codes.pop()
    return code if code and code.isdigit() and len(code) == _CODE_LENGTH else None


def _candidates(meta: Mapping[str, Any], header: Sequence[Place]) -> list[Division]:
    """Gazetteer entries that may be the report's place, most specific level first."""
    g = gazetteer()
    # a caller may pass the report's own spelling (辰溪縣); the gazetteer is simplified
    township, county = (simplify(meta[k]) if meta.get(k) else None for k in ("township", "county"))
    if township:
        # a city that governs its townships directly stands as their county (中山市 for 港口镇)
        governing = g.governing_cities(township) if county else set()
        found = [d for d in g.lookup(township) if d.kind == "township"
                 and (not county or d.county == county or (county in governing and d.city == county))]
        if found:
            return found
    if county:
        found = [d for d in g.lookup(county) if d.kind == "county"]
        if found:
            return found
    level = meta.get("level")
    if level in ("city", "province"):
        for place in header:
            found = [d for d in place.divisions if d.kind == level]
            if found:
                return found
    return []


def _support(division: Division, named: set[str]) -> int:
    """How many of the division's enclosing places the report names as well."""
    return sum(parent in named for parent in (division.county, division.city, division.province)
               if parent and parent != division.name)
