"""What pip installs: every package folder listed, report types inside llmx, found as plug-ins too."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from llmx.reports.report_type import ENTRY_POINT_GROUP, load_report_type, report_types
from llmx.errors import LlmxError

tomllib = pytest.importorskip("tomllib")
ROOT = Path(__file__).resolve().parents[1]


def _setuptools() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_folder_is_listed_and_report_types_install_inside_llmx():
    config = _setuptools()
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "llmx").rglob("__init__.py")}
    mapped = {f"llmx.reports.{p.name}": f"schemas/{p.name}" for p in (ROOT / "schemas").iterdir() if p.is_dir()
              if not p.name.startswith(("_", "."))}
    mapped |= {f"llmx.prompts.{p.name}": f"prompts/{p.name}" for p in (ROOT / "prompts").iterdir() if p.is_dir()
               if not p.name.startswith(("_", "."))}
    assert set(config["packages"]) == found | set(mapped)
    assert config["package-dir"] == mapped
    assert not any(p.split(".")[0] != "llmx" for p in config["packages"])


def test_bundled_report_type_imports_inside_llmx_only():
    report_type = load_report_type("fazhi")
    assert report_type.report_model.__module__ == "llmx.reports.fazhi.models"
    assert "schemas" not in sys.modules and "prompts" not in sys.modules
    assert report_type.prompt_names() == ["label_choice", "label_figures", "label_figures_topk", "name_figures"]


def test_a_third_party_report_type_is_found_through_its_entry_point(tmp_path, monkeypatch):
    """A distribution on sys.path that registers a ReportType under the group is loadable by name."""
    (tmp_path / "acme_reports.py").write_text(
        "from dataclasses import replace\nfrom llmx.reports.report_type import load_report_type\n"
        "REPORT_TYPE = replace(load_report_type('fazhi'), name='acme')\n", encoding="utf-8")
    info = tmp_path / "acme_reports-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-reports\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nacme = acme_reports:REPORT_TYPE\n"
                                           "broken = acme_reports:NOTHING\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert load_report_type("acme").name == "acme"
    assert {"acme", "broken", "fazhi"} <= set(report_types())
    with pytest.raises(LlmxError, match="'broken'.*cannot be loaded"):
        load_report_type("broken")


def test_an_unknown_report_type_is_one_line_naming_the_known_ones():
    with pytest.raises(LlmxError, match=r"unknown report type 'nope' \(installed: .*fazhi"):
        load_report_type("nope")
    with pytest.raises(LlmxError, match="not a package name"):
        load_report_type("../etc")


#: What a bundled report type may import from llmx: the report-type layer and the layers below it.
_TYPE_MAY_IMPORT = ("llmx.reports.report_type", "llmx.reports.catalogue", "llmx.reports.cues", "llmx.text.",
                    "llmx.yaml_text", "llmx.errors", "llmx.files", "llmx.checkout", "llmx.notices")


def test_bundled_report_types_import_only_their_layer_and_below():
    """import-linter cannot see schemas/ (mapped into llmx.reports by package-dir), so this holds its layer."""
    import ast

    found = []
    for path in sorted((ROOT / "schemas").glob("*/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
            found += [(path.name, n) for n in names if n.split(".")[0] == "llmx"]
    assert found, "no llmx import found: the walk is broken"
    assert [(f, n) for f, n in found if not n.startswith(_TYPE_MAY_IMPORT)] == []


@pytest.mark.parametrize("name", ["report_type", "catalogue", "cues"])
def test_the_modules_a_report_type_is_made_of_are_not_report_types(name):
    with pytest.raises(LlmxError, match=rf"unknown report type '{name}' \(installed: .*fazhi"):
        load_report_type(name)
    assert name not in report_types()
