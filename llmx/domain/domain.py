"""What the engine needs to know about a report type, supplied by a package in ``schemas/``.

The engine never names a report type's elements, indicators or slogans; it
reads them from a ``Domain``.  A new report type is a new ``schemas/<name>/``
package exposing ``DOMAIN`` plus its prompt files under ``prompts/<name>/``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel

from llmx.domain.catalogue import Catalogue
from llmx.errors import LlmxError


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
class Domain:
    """A report type: its output model, catalogue, template elements and vocabulary."""

    name: str
    report_model: type[BaseModel]
    catalogue: Catalogue
    elements: tuple[Element, ...]
    numbered_names: tuple[str, ...]
    vocabulary: tuple[str, ...]
    target_words: tuple[str, ...]
    prompts_dir: Path
    title_words: tuple[str, ...] = ("报告",)

    def element(self, key: str) -> Element:
        return next(e for e in self.elements if e.key == key)

    def prompt(self, name: str, version: str | None = None) -> "Prompt":
        """The prompt ``prompts/<domain>/<name>.v<N>.yaml`` whose ``version`` is given, else the newest."""
        files = sorted(self.prompts_dir.glob(f"{name}.v*.yaml"), key=_file_number)
        prompts = [Prompt.load(f) for f in files]
        if not prompts:
            raise LlmxError(f"{self.prompts_dir}: no prompt files {name}.v*.yaml")
        if version is None:
            return prompts[-1]
        for prompt in prompts:
            if prompt.version == version:
                return prompt
        have = ", ".join(p.version for p in prompts)
        raise LlmxError(f"{self.prompts_dir}: no {name} prompt with version {version!r} (have {have})")


@dataclass(frozen=True)
class Prompt:
    """A prompt file: a version string and named templates (``str.format`` fields)."""

    name: str
    version: str
    parts: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> "Prompt":
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise LlmxError(f"{path}: cannot read prompt file: {exc}") from exc
        return cls(name=path.stem, version=str(raw.pop("version")), parts=raw)

    def render(self, part: str, **fields: object) -> str:
        return self.parts[part].format(**fields)


def _file_number(path: Path) -> int:
    """N of ``name.vN.yaml``, so v10 sorts after v9."""
    return int(path.suffixes[-2].lstrip(".v") or 0)


def read_elements(path: Path) -> tuple[Element, ...]:
    """Template elements from a YAML mapping ``key -> {name, keywords, ...}``."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return tuple(
        Element(key=k, name=v["name"], keywords=tuple(v.get("keywords", [])),
                list_field=v.get("list_field"), targets=bool(v.get("targets", False)),
                default_first=bool(v.get("default_first", False)),
                item_cues=tuple(v.get("item_cues", [])))
        for k, v in raw.items()
    )


def load_domain(name: str) -> Domain:
    """Import ``schemas.<name>`` and return its ``DOMAIN``."""
    try:
        module = importlib.import_module(f"schemas.{name}")
    except ModuleNotFoundError as exc:
        raise LlmxError(f"unknown report type {name!r}: no package schemas/{name}") from exc
    return module.DOMAIN
