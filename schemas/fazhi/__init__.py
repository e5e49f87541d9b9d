"""The 法治政府建设年度报告 report type: its template, catalogue and vocabulary.

Installed as ``llmx.reports.fazhi``; its files are read as package resources,
so it works from a wheel as well as from the repository.
"""

from importlib.resources import files


from llmx.reports.report_type import ReportType, read_elements
from llmx.text.numbers import load_numbered_names

from .models import CATALOGUE, Report
from llmx.yaml_text import parse_yaml

_HERE = files(__name__)
_WORDS = parse_yaml((_HERE / "words.yaml").read_text(encoding="utf-8"))

REPORT_TYPE = ReportType(
    name="fazhi",
    report_model=Report,
    catalogue=CATALOGUE,
    elements=read_elements(_HERE / "elements.yaml"),
    numbered_names=load_numbered_names(_HERE / "numbered_names.txt"),
    vocabulary=tuple(_WORDS["vocabulary"]),
    target_words=tuple(_WORDS["target_words"]),
    title_words=tuple(_WORDS["title_words"]),
    summary_title_words=tuple(_WORDS["summary_title_words"]),
    prompts=files("llmx.prompts.fazhi"),
    labeller=_HERE / "labeller.npz",
    assessment=_HERE / "assess.yaml",
)
