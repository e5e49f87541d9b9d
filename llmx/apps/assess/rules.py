"""The rules a report type judges its reports by, with a user's overrides per province.

Why a file and not code: deadlines and word lists differ by province and
change with each new 工作指引; a supervisor must be able to change them
without touching llmx.  The report type ships its defaults (``assess.yaml``
beside its catalogue); ``--rules FILE`` overrides any key, for all reports
or under ``provinces: {"35": {...}}`` for one province (the first two digits
of the report's region code).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from llmx.reports.report_type import ReportType
from llmx.errors import ConfigurationError, LlmxError
from llmx.yaml_text import YAMLError, parse_yaml


@dataclass(frozen=True)
class Rules:
    """One set of rules, already merged for a report's province."""

    raw: dict[str, Any]

    def words(self, key: str) -> tuple[str, ...]:
        return tuple(str(w) for w in self.raw.get(key) or ())

    def number(self, section: str, key: str) -> float:
        return float((self.raw.get(section) or {})[key])

    def before(self, kind: str, level: str | None, report_year: int) -> dt.date:
        """The first day too late for ``kind`` (submit, publish) at ``level``, for a report on ``report_year``."""
        table = (self.raw.get("deadlines") or {})[kind]
        month_day = str(table.get(level or "default", table["default"]))
        month, day = (int(p) for p in month_day.split("-"))
        return dt.date(report_year + 1, month, day)


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``over``'s keys; mappings merge key by key, anything else is replaced."""
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


def _read(text: str, where: str) -> dict[str, Any]:
    try:
        data = parse_yaml(text) or {}
    except YAMLError as exc:
        raise LlmxError(f"{where}: not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise LlmxError(f"{where}: rules must be a mapping of keys (deadlines, fact_words, ...)")
    return data


class RuleBook:
    """The report type's rules and a user's overrides; ``for_region`` gives one province's."""

    def __init__(self, report_type: ReportType, override: Path | None = None):
        if report_type.assessment is None:
            raise ConfigurationError(f"report type {report_type.name!r} has no assessment rules (assess.yaml)")
        self.base = _read(report_type.assessment.read_text(encoding="utf-8"), str(report_type.assessment))
        user: dict[str, Any] = {}
        if override is not None:
            try:
                user = _read(Path(override).read_text(encoding="utf-8"), str(override))
            except OSError as exc:
                raise LlmxError(f"{override}: cannot read rules: {exc.strerror or exc}") from exc
        self.provinces: dict[str, dict[str, Any]] = {str(k): v for k, v in (user.pop("provinces", None) or {}).items()}
        self.base = _merge(self.base, user)
        self._check(self.base, str(override or report_type.assessment))
        for code, over in self.provinces.items():
            if not isinstance(over, dict):
                raise LlmxError(f"{override}: provinces.{code} must be a mapping")
            self._check(_merge(self.base, over), f"{override}: provinces.{code}")

    @staticmethod
    def _check(raw: dict[str, Any], where: str) -> None:
        """Refuse a deadline that is not MM-DD now, rather than halfway through a batch."""
        for kind, table in (raw.get("deadlines") or {}).items():
            if not isinstance(table, dict) or "default" not in table:
                raise LlmxError(f"{where}: deadlines.{kind} needs a default")
            for level, value in table.items():
                try:
                    month, day = (int(p) for p in str(value).split("-"))
                    dt.date(2001, month, day)
                except ValueError as exc:
                    raise LlmxError(f"{where}: deadlines.{kind}.{level} = {value!r} is not MM-DD") from exc

    def for_region(self, region_code: str | None) -> Rules:
        over = self.provinces.get((region_code or "")[:2])
        return Rules(_merge(self.base, over) if over else self.base)
