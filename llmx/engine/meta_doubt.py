"""Which metadata fields a reader should check: ``meta_unsure``.

Metadata is read by code from the 公文 layout (``text/meta.py``).  Two kinds
of fact say a field may be wrong:

- its shape (``shape_doubts``): a field left empty although its neighbours
  say it should exist (a township report with no township, a date written in
  the opening but none read), or a value of a shape no correct value has (a
  title carrying its document number);
- how the reading went (``meta_doubt_rows``): which field it is, for which
  level of government, whether it is empty, and what the page shows of it:
  a title that opens with 关于 or a year (its body's name left out), a
  county that is a development zone or named nowhere in the opening, an
  issuer the title does not name, a report year the title does not state,
  how many dates the opening offers.

The second kind feeds a doubt model (``doubt_model.py``, the shape checks
among its features) that ``llmx train`` fits on every gold set's meta
fields, right or wrong, and keeps in the labeller file (``info["meta_doubt"]``)
with the score at or under which a field is flagged (its ``unsure_below``:
the least sure ``META_UNSURE_SHARE`` of fields held out by set).  A result read without a
labeller that carries one is judged by the shape checks alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from llmx.engine.doubt_model import DoubtModel, DoubtRows
from llmx.text.clean import TITLE_ENDS, CleanText
from llmx.text.dates import ANY_PARTS, YEAR, as_iso
from llmx.text.places import gazetteer

#: Bump when ``meta_doubt_rows`` changes: weights fitted for other features are not applied.
META_DOUBT_VERSION = 2
_OPENING = 1500  # characters where a report's title, date and issuer stand
_YEAR = re.compile(YEAR)
_DOC_NUMBER_SHAPE = re.compile(rf"[〔\[［(（]\s*{YEAR}\s*[〕\]］)）]\s*\S{{0,4}}号")
_PAGE_WORDS = re.compile(r"[>›»]|网站?|日期|发布|印发|首页")  # a title that kept the page's furniture
_ORGAN_WORDS = re.compile(r"局|委员会|办公室|中心|厅|署|院")
_LONG_TITLE = 60
_SHORT_NAME = 5  # an issuer this short is a fragment (市司法局) or a label


def shape_doubts(meta: Mapping[str, Any], cleaned: CleanText) -> set[str]:
    """Fields whose value is missing where the rest says it exists, or of a shape no right value has."""
    opening = cleaned.text[:_OPENING]
    title = meta.get("title")
    level = meta.get("level")
    doubts = {
        "title": title is None or len(title) > _LONG_TITLE or bool(_DOC_NUMBER_SHAPE.search(title)),
        "report_year": meta.get("report_year") is None,
        "date": meta.get("date") is None and bool(ANY_PARTS.search(opening)),
        "level": level in (None, "other"),
        "township": level == "township" and not meta.get("township"),
    }
    return {name for name, doubted in doubts.items() if doubted}


def meta_doubt_rows(meta: Mapping[str, Any], cleaned: CleanText) -> tuple[list[str], DoubtRows]:
    """The fields of ``meta`` and what the meta doubt model reads of each (one row per field)."""
    readings = meta_readings(meta, cleaned)
    return list(readings), DoubtRows.of_dicts(list(readings.values()))


def meta_readings(meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, dict[str, float]]:
    """Per field of ``meta`` (the contract's, not ``region_code``), its features that are not 0: what
    training learns from and ``meta_doubt_rows`` puts in a matrix."""
    shapes = shape_doubts(meta, cleaned)
    return {name: _row(name, meta, cleaned, shapes) for name in meta if name != "region_code"}


def _row(name: str, meta: Mapping[str, Any], cleaned: CleanText, shapes: set[str]) -> dict[str, float]:
    value = meta.get(name)
    row = {f"field={name}": 1.0, f"empty:{name}": float(value in (None, "", [])),
           f"shape:{name}": float(name in shapes), f"level={meta.get('level')}:{name}": 1.0}
    row.update(_READINGS.get(name, _nothing)(value, meta, cleaned))
    return {feature: value for feature, value in row.items() if value}


def _nothing(value: Any, meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, float]:
    return {}


def _title(value: Any, meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, float]:
    title = value or ""
    return {"title:opens_about": float(title.startswith("关于")), "title:opens_year": float(title[:1].isdigit()),
            "title:length": len(title) / 40, "title:no_year": float(bool(title) and not _YEAR.search(title)),
            "title:page_words": float(bool(_PAGE_WORDS.search(title))),
            "title:no_title_end": float(bool(title) and not title.endswith(TITLE_ENDS))}


def _report_year(value: Any, meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, float]:
    title, date = meta.get("title") or "", meta.get("date")
    return {"year:not_in_title": float(bool(value) and str(value) not in title),
            "year:far_from_date": float(bool(value and date) and int(str(date)[:4]) - int(value) not in (0, 1)),
            "year:years_in_title": float(len(set(_YEAR.findall(title))) > 1)}


def _date(value: Any, meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, float]:
    dates = {re.sub(r"\s", "", m.group(0)) for m in ANY_PARTS.finditer(cleaned.text[:_OPENING])}
    published = ANY_PARTS.search(cleaned.index.get("published", ""))
    return {"date:dates_in_opening": min(len(dates), 4) / 4,
            "date:is_published": float(published is not None and as_iso(published) == value)}


def _place(name: str) -> Any:
    def reading(value: Any, meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, float]:
        title = meta.get("title") or ""
        return {f"{name}:unknown_place": float(bool(value) and not gazetteer().lookup(value)),
                f"{name}:in_title": float(bool(value) and value in title),
                f"{name}:in_opening": float(bool(value) and value in cleaned.text[:_OPENING])}
    return reading


def _issuers(value: Any, meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, float]:
    title, issuers = meta.get("title") or "", list(value or [])
    return {"issuers:count": min(len(issuers), 3) / 3,
            "issuers:in_title": float(any(i in title for i in issuers)),
            "issuers:page_words": float(any(_PAGE_WORDS.search(i) for i in issuers)),
            "issuers:short": float(any(len(i) <= _SHORT_NAME for i in issuers))}


def _level(value: Any, meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, float]:
    return {"level:publisher": float(bool(cleaned.index.get("publisher"))),
            "level:organ_in_title": float(bool(_ORGAN_WORDS.search(meta.get("title") or "")))}


def _township(value: Any, meta: Mapping[str, Any], cleaned: CleanText) -> dict[str, float]:
    county = meta.get("county")
    outside = bool(value) and isinstance(county, str) and not gazetteer().within(value, county)
    return {**_place("township")(value, meta, cleaned), "township:outside_county": float(outside)}


_READINGS = {"title": _title, "report_year": _report_year, "date": _date, "county": _place("county"),
             "township": _township, "issuers": _issuers, "level": _level}


@dataclass(frozen=True)
class MetaDoubt:
    """The fitted meta doubt model and the score at or under which a field is flagged."""

    model: DoubtModel
    unsure_below: float

    def as_info(self) -> dict[str, Any]:
        return {"version": META_DOUBT_VERSION, "unsure_below": self.unsure_below, **self.model.as_info()}

    @classmethod
    def from_info(cls, info: dict[str, Any] | None) -> MetaDoubt | None:
        """The model a labeller file keeps; None where it keeps none, or one fitted for other features."""
        if not info or info.get("version") != META_DOUBT_VERSION:
            return None
        return cls(DoubtModel.from_info(info), float(info["unsure_below"]))


def meta_doubts(meta: Mapping[str, Any], cleaned: CleanText, judge: MetaDoubt | None = None) -> list[str]:
    """Names of the meta fields in doubt, in the contract's field order: the doubt model's least sure,
    or without one the shape checks'."""
    if judge is None:
        shapes = shape_doubts(meta, cleaned)
        return [name for name in meta if name in shapes]
    fields, rows = meta_doubt_rows(meta, cleaned)
    right = judge.model.p_right(rows)
    return [name for name, p in zip(fields, right) if p <= judge.unsure_below]
