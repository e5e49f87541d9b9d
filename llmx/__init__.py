"""llmx: verified structured extraction from long reports on small local LLMs.

    import llmx
    report = llmx.extract("report.txt", design="rules")
    with llmx.Extractor(base_url="http://127.0.0.1:8080/v1") as ex:
        reports = [ex.extract(p) for p in paths]

The names are loaded on first use, so ``import llmx`` costs next to nothing
and never loads the model stack.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS = {
    "extract": "llmx.api", "Extractor": "llmx.api",
    "LlmxError": "llmx.errors", "InputError": "llmx.errors", "ConfigurationError": "llmx.errors",
    "ModelError": "llmx.errors", "UnusableAnswer": "llmx.errors",
    "ReportType": "llmx.reports.report_type", "load_report_type": "llmx.reports.report_type",
    "report_types": "llmx.reports.report_type",
}
__all__ = [
    "ConfigurationError", "Extractor", "InputError", "LlmxError", "ModelError", "ReportType", "UnusableAnswer",
    "extract", "load_report_type", "report_types",
]

if TYPE_CHECKING:
    from llmx.api import Extractor, extract
    from llmx.reports.report_type import ReportType, load_report_type, report_types
    from llmx.errors import ConfigurationError, InputError, LlmxError, ModelError, UnusableAnswer


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'llmx' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
