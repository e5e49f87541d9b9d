"""Pydantic models of the 法治政府建设年度报告 output contract (docs/spec/report-template.md).

Field names and shapes are the contract; extra fields (offsets, verification,
usage) are the ones the contract names for extractors that report them.
"""

from __future__ import annotations

from enum import Enum
from dataclasses import replace
from importlib.resources import files
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from llmx.reports.catalogue import Catalogue
from llmx.reports.cues import Cues

_HERE = files(__package__ or "llmx.reports.fazhi")
#: Marks a field as llmx's extra, not the contract's (a labels file saved from the review page leaves it out).
EXTRA: dict[str, Any] = {"contract": False}
CATALOGUE = replace(Catalogue.load(_HERE / "indicators.yaml"), cues=Cues.load(_HERE / "cues.yaml"))

#: Indicator keys as an enum built from the catalogue file (plus ``other``).
IndicatorKey = Enum("IndicatorKey", {k: k for k in CATALOGUE.keys}, type=str)

Qualifier = Literal["exact", "approx", "at_least", "at_most"]
Level = Literal["township", "county", "city", "province", "department", "other"]


class Meta(BaseModel):
    title: str | None = None
    report_year: int | None = None
    doc_number: str | None = None
    signers: list[str] = Field(default_factory=list)
    issuers: list[str] = Field(default_factory=list)
    recipients: list[str] = Field(default_factory=list)
    cc: list[str] = Field(default_factory=list)
    date: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    level: Level | None = None
    township: str | None = None
    county: str | None = None
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$", json_schema_extra=EXTRA)  # 行政区划代码 (llmx.regions)


class Section(BaseModel):
    present: bool = False
    heading: str | None = None


class Sections(BaseModel):
    measures: Section = Field(default_factory=Section)
    shortcomings: Section = Field(default_factory=Section)
    leader_duties: Section = Field(default_factory=Section)
    next_year: Section = Field(default_factory=Section)
    other: Section = Field(default_factory=Section)


class Figure(BaseModel):
    model_config = ConfigDict(use_enum_values=True)

    indicator: IndicatorKey
    label: str
    value: int | float
    unit: str
    qualifier: Qualifier
    target: bool
    evidence: str = Field(max_length=80)
    start: int | None = Field(default=None, json_schema_extra=EXTRA)
    end: int | None = Field(default=None, json_schema_extra=EXTRA)
    verified: bool = Field(default=False, json_schema_extra=EXTRA)
    confidence: float | None = Field(default=None, ge=0, le=1, json_schema_extra=EXTRA)  # calibrated (engine/learned.py)
    unsure: bool = Field(default=False, json_schema_extra=EXTRA)  # a reader should check this figure first


class Rejected(BaseModel):
    item: dict[str, Any]
    reason: str


class Usage(BaseModel):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    cache_hits: int = 0


class Report(BaseModel):
    doc_id: str
    meta: Meta
    sections: Sections
    figures: list[Figure]
    shortcomings: list[str]
    next_year_plans: list[str]
    meta_unsure: list[str] = Field(default_factory=list)  # extra: meta fields in doubt (llmx/engine/meta_doubt.py)
    rejected: list[Rejected] = Field(default_factory=list)
    uncovered: list[dict[str, Any]] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    model: str | None = None
    prompt_version: str | None = None
    usage: Usage = Field(default_factory=Usage)
