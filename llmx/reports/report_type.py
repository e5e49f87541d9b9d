"""What the engine needs to know about a report type, supplied by a report-type package.

The engine never names a report type's elements, indicators or slogans; it
reads them from a ``ReportType``.  A bundled report type is a ``schemas/<name>/``
package exposing ``REPORT_TYPE`` plus its prompt files under ``prompts/<name>/``;
both install inside llmx (``llmx.reports.<name>``, ``llmx.prompts.<name>``)
so llmx puts no generic top-level package into site-packages.  A report type
from another distribution registers its ``REPORT_TYPE`` under the entry-point
group ``llmx.report_types``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import dataclasses
import importlib
import importlib.util
import pkgutil
import re
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from pydantic import BaseModel

from llmx.reports.catalogue import Catalogue
from llmx.errors import ConfigurationError, LlmxError
from llmx.yaml_text import YAMLError, parse_yaml

if TYPE_CHECKING:  # importlib.resources.abc is new in 3.11; annotations only
    from importlib.resources.abc import Traversable


@dataclass(frozen=True)
class Element:
    """One required element of the report template, found by its heading."""

    key: str
    name: str
    keywords: tuple[str, ...]
    list_field: str | None = None  # output list filled with this element's items
    targets: bool = False  # numbers under it are plans or targets, not results
    default_first: bool = False  # an unmatched first top-level heading belongs here
    item_cues: tuple[str, ...] = ()  # words that mark a clause as one of its items


@dataclass(frozen=True)
class ReportType:
    """A report type: its output model, catalogue, template elements and vocabulary."""

    name: str
    report_model: type[BaseModel]
    catalogue: Catalogue
    elements: tuple[Element, ...]
    numbered_names: tuple[str, ...]
    vocabulary: tuple[str, ...]
    target_words: tuple[str, ...]
    prompts: Traversable  # the folder of prompt files (a package resource)
    title_words: tuple[str, ...] = ("报告",)
    summary_title_words: tuple[str, ...] = ()  # a title only where no line has title_words
    labeller: Traversable | None = None  # the trained labeller (``llmx train``), if the type ships one
    assessment: Traversable | None = None  # the rules ``llmx assess`` judges reports by (deadlines, word lists)

    @property
    def list_fields(self) -> tuple[str, ...]:
        """The result's item lists: each element's ``list_field``, in the template's order."""
        return tuple(e.list_field for e in self.elements if e.list_field)

    @property
    def labeller_file(self) -> Traversable | None:
        """The labeller file when there is one to read (a type may name a file it has not trained yet)."""
        return self.labeller if self.labeller is not None and self.labeller.is_file() else None

    def with_labeller(self, path: str | Path | None) -> ReportType:
        """This report type with the labeller file at ``path`` (``--labeller``); itself when none is given."""
        if not path:
            return self
        path = Path(path)
        if not path.is_file():
            raise ConfigurationError(f"{path}: no such labeller file (make one with `llmx train`)")
        return dataclasses.replace(self, labeller=path)

    def element(self, key: str) -> Element:
        return next(e for e in self.elements if e.key == key)

    def prompt(self, name: str, version: str | None = None) -> Prompt:
        """The prompt ``prompts/<report_type>/<name>.v<N>.yaml`` whose ``version`` is given, else the newest."""
        prompts = [Prompt.load(f) for f in self._prompt_files().get(name, [])]
        if not prompts:
            raise LlmxError(f"{self.prompts}: no prompt files {name}.v*.yaml")
        if version is None:
            return prompts[-1]
        for prompt in prompts:
            if prompt.version == version:
                return prompt
        have = ", ".join(p.version for p in prompts)
        raise LlmxError(f"{self.prompts}: no {name} prompt with version {version!r} (have {have})")

    def prompt_names(self) -> list[str]:
        """Names of the prompts this report type has (each in one or more versions)."""
        return sorted(self._prompt_files())

    def _prompt_files(self) -> dict[str, list[Traversable]]:
        """Prompt files by name, each name's versions in order (N of ``.vN``, so v10 after v9)."""
        found: dict[str, list[tuple[int, Traversable]]] = {}
        for file in self.prompts.iterdir():
            if match := _PROMPT_FILE.fullmatch(file.name):
                found.setdefault(match.group(1), []).append((int(match.group(2) or 0), file))
        return {name: [f for _, f in sorted(files, key=itemgetter(0))] for name, files in found.items()}


@dataclass(frozen=True)
class Prompt:
    """A prompt file: a version string and named templates (``str.format`` fields)."""

    name: str
    version: str
    parts: dict[str, str]

    @classmethod
    def load(cls, path: Traversable) -> Prompt:
        try:
            raw = parse_yaml(path.read_text(encoding="utf-8"))
        except (OSError, YAMLError) as exc:
            raise LlmxError(f"{path}: cannot read prompt file: {exc}") from exc
        return cls(name=path.name.removesuffix(".yaml"), version=str(raw.pop("version")), parts=raw)

    def render(self, part: str, **fields: object) -> str:
        return self.parts[part].format(**fields)


#: A prompt file's name: ``<name>.v<N>.yaml``.
_PROMPT_FILE = re.compile(r"(\w+)\.v(\d*)\.yaml")


def read_elements(path: Traversable) -> tuple[Element, ...]:
    """Template elements from a YAML mapping ``key -> {name, keywords, ...}``."""
    raw = parse_yaml(path.read_text(encoding="utf-8"))
    return tuple(
        Element(key=k, name=v["name"], keywords=tuple(v.get("keywords", [])),
                list_field=v.get("list_field"), targets=bool(v.get("targets", False)),
                default_first=bool(v.get("default_first", False)),
                item_cues=tuple(v.get("item_cues", [])))
        for k, v in raw.items()
    )


#: The entry-point group through which other distributions offer report types.
ENTRY_POINT_GROUP = "llmx.report_types"
#: The package whose subpackages are the bundled report types (this module's own package).
_BUNDLED = __name__.rpartition(".")[0]


def load_report_type(name: str) -> ReportType:
    """The ``REPORT_TYPE`` of report type ``name``: bundled (``llmx.reports.<name>``) first, then plug-ins.

    Bundled types are tried first because scanning installed distributions
    for entry points costs time every run needs not pay.  Only a subpackage
    of ``llmx.reports`` is a bundled type: its modules (``catalogue``,
    ``cues``, this one) are what a type is made of, and do not hide a plug-in
    of the same name.
    """
    if not name.isidentifier():
        raise ConfigurationError(f"unknown report type {name!r}: not a package name")
    spec = importlib.util.find_spec(f"{_BUNDLED}.{name}")
    if spec is None or spec.submodule_search_locations is None:
        return _plugin(name)
    return _checked(name, getattr(importlib.import_module(spec.name), "REPORT_TYPE", None))


def report_types() -> list[str]:
    """Every report type this installation can load: bundled ones and plug-ins."""
    from importlib.metadata import entry_points

    bundled = {m.name for m in pkgutil.iter_modules(importlib.import_module(_BUNDLED).__path__) if m.ispkg}
    return sorted(bundled | {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def _plugin(name: str) -> ReportType:
    from importlib.metadata import entry_points  # scanning distributions is slow: only for plug-ins

    found = entry_points(group=ENTRY_POINT_GROUP, name=name)
    if not found:
        raise ConfigurationError(f"unknown report type {name!r} (installed: {', '.join(report_types())})")
    point = next(iter(found))
    try:
        report_type = point.load()
    except Exception as exc:  # a broken plug-in is the user's to fix: name it, in one line
        raise ConfigurationError(f"report type {name!r} ({point.value}) cannot be loaded: {exc}") from exc
    return _checked(name, report_type)


def _checked(name: str, report_type: object) -> ReportType:
    if not isinstance(report_type, ReportType):
        raise ConfigurationError(f"report type {name!r} offers no ReportType as REPORT_TYPE")
    return report_type
