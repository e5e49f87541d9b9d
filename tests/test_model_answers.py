"""The model's recorded answers decide what they answer (issue 22: the model must not be ignorable).

Each test reads, straight from a cassette, what the embedded model was asked
(numbered lines, the number in 【】) and what it answered, replays the run,
and checks the result carries that answer at that number.  The expected
values come from the recorded answers and the catalogue, never from llmx's
labelling code, so a labeller that drops the answers, hands a number its
neighbour's answer, or falls back to the cues' labels fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import CASSETTES, CORPUS, EMBEDDED_ALIAS, contract_json
from faultserver import LoopbackServer, Reply, status
from llmx.apps.cli import main
from llmx.engine.label import Labelling
from llmx.pipeline import analyse
from test_llm_replay import make_llm

REPORT_002 = CORPUS / "002_fbe45d23903cb0be.txt"
REPORT_004 = CORPUS / "004_10dd5ecf361dedb7.txt"
_LINE = re.compile(r"^(\d+)\. (.*)$", re.M)
_MARKED = re.compile(r"【([^】]+)】")


def exchanges(cassette: str) -> list[tuple[str, dict]]:
    """(the last user message, the parsed answer) of every recorded chat completion."""
    out = []
    for interaction in yaml.safe_load((CASSETTES / cassette).read_text(encoding="utf-8"))["interactions"]:
        asked = json.loads(interaction["request"]["body"])["messages"][-1]["content"]
        reply = json.loads(interaction["response"]["body"]["string"])["choices"][0]["message"]["content"]
        out.append((asked, json.loads(reply)))
    return out


def numbered(asked: str) -> dict[int, tuple[str, str]]:
    """Line number -> (the line without its marks, the marked number) of a batch prompt."""
    return {int(n): (_MARKED.sub(r"\1", line), _MARKED.search(line).group(1)) for n, line in _LINE.findall(asked)}


def _figure_at(result: dict, evidence: str, marked: str) -> dict:
    """The figure whose evidence is ``evidence`` and whose number reads ``marked`` (value and unit)."""
    found = [f for f in result["figures"] if f["evidence"] in evidence and marked.startswith(_number_text(f))]
    assert len(found) == 1, (evidence, marked, [(f["evidence"], f["value"]) for f in result["figures"]])
    return found[0]


def _number_text(figure: dict) -> str:
    value = figure["value"]
    return str(int(value)) if float(value).is_integer() else str(value)


def test_each_label_the_model_gave_is_the_label_of_its_own_number(recorder, endpoint, report_type, tmp_path):
    """design llm: every recorded {id, indicator} lands on the number line ``id`` marked."""
    with recorder.use_cassette("llm_004.yaml"):
        result = contract_json(REPORT_004, design="llm", report_type=report_type, llm=make_llm(endpoint, tmp_path))
    checked = 0
    for asked, answer in exchanges("llm_004.yaml"):
        lines = numbered(asked)
        for item in answer["labels"]:
            evidence, marked = lines[item["id"]]
            assert _figure_at(result, evidence, marked)["indicator"] == item["indicator"]
            checked += 1
    rules = contract_json(REPORT_004, design="rules")
    assert checked >= 5 and result["figures"] != rules["figures"]  # the answers differ from the cues' labels


def test_the_option_the_model_chose_is_the_label_of_the_number_it_was_asked_about(recorder, endpoint, report_type,
                                                                                   tmp_path):
    """design choice: a recorded answer letter names an option; that option's indicator is the figure's."""
    with recorder.use_cassette("choice_002.yaml"):
        result = contract_json(REPORT_002, design="choice", report_type=report_type, llm=make_llm(endpoint, tmp_path))
    by_name = {ind.name: ind.key for ind in report_type.catalogue.indicators}
    changed = 0
    for asked, answer in exchanges("choice_002.yaml"):
        source = re.search(r"原文：(.*)", asked).group(1)
        options = dict(re.findall(r"^([A-Z])\. ([^：\n]+)", asked, re.M))
        chosen = options[answer["answer"]]
        expected = by_name.get(chosen, "other")  # the last option is 其他 (none of these)
        figure = _figure_at(result, _MARKED.sub(r"\1", source), _MARKED.search(source).group(1))
        assert figure["indicator"] == expected, (source, chosen)
        changed += expected != "other"
    assert changed >= 1  # some answer chose an indicator the cues had left as other


def test_each_reading_the_model_wrote_is_attached_to_its_own_number(recorder, endpoint, report_type, tmp_path):
    """design hybrid-all, label stage: the recorded {id, label} becomes the reading of the number line ``id``
    marked (not its neighbour's, not empty)."""
    found = analyse(REPORT_004.read_text(encoding="utf-8"), report_type)
    with recorder.use_cassette("hybrid_004.yaml"):
        labelling = Labelling(report_type, "hybrid-all", make_llm(endpoint, tmp_path))
        read, _, _, undecided = labelling(found.candidates, "replayed")
    assert not undecided
    checked = 0
    for asked, answer in exchanges("hybrid_004.yaml"):
        lines = numbered(asked)
        for item in answer["labels"]:
            evidence, marked = lines[item["id"]]
            [candidate] = [c for c in read if c.evidence in evidence and marked.startswith(c.mention.text)]
            assert candidate.reading == item["label"]
            checked += 1
    assert checked == len(read) >= 5


def test_readings_change_labels_where_the_cues_read_them_differently(recorder, endpoint, report_type, tmp_path):
    """design hybrid-all over the corpus: the recorded readings move some figures off the cues' labels."""
    with recorder.use_cassette("hybrid-all_corpus.yaml"):
        moved = 0
        for path in sorted(Path(CORPUS).glob("*.txt")):
            read = contract_json(path, design="hybrid-all", report_type=report_type, llm=make_llm(endpoint, tmp_path))
            rules = contract_json(path, design="rules")
            moved += sum(a["indicator"] != b["indicator"] for a, b in zip(read["figures"], rules["figures"]))
    assert moved >= 1


def test_without_a_labeller_the_model_is_asked_about_what_no_cue_places(report_type):
    """hybrid with a report type that ships no labeller: the numbers asked about are those the cue words
    leave without a key, and only those."""
    import dataclasses

    from llmx.engine.rule_labels import cue_keys

    found = analyse(REPORT_002.read_text(encoding="utf-8"), report_type)
    bare = dataclasses.replace(report_type, labeller=None)
    asked = Labelling(bare, "hybrid")._unsure(found.candidates)
    unplaced = [c for c, key in zip(found.candidates, cue_keys(found.candidates, report_type.catalogue)) if key is None]
    assert asked == unplaced and 0 < len(asked) < len(found.candidates)


@pytest.mark.parametrize("version, last_option", [("choice-v1", "E. 其他"), ("choice-v2", "B. 其他")])
def test_the_prompt_version_asked_for_is_the_one_the_model_is_asked(tmp_path, version, last_option):
    """``--prompt`` reaches the labeller: choice-v1 offers four codes and "other", v2 one and "other".

    The server refuses every question (a 400 is never retried) and keeps what it was asked.
    """
    asked: list[dict] = []

    def refuse(n: int, body: bytes) -> Reply:
        asked.append(json.loads(body))
        return status(400)

    with LoopbackServer(refuse, model=EMBEDDED_ALIAS) as server:
        CliRunner().invoke(main, ["extract", str(REPORT_002), "--design", "choice", "--prompt", version, "--no-cache",
                                  "--base-url", server.url, "--model", server.model, "--quiet"])
    assert asked, "no question reached the server"
    options = [line for line in asked[0]["messages"][-1]["content"].split("选项：")[1].splitlines()
               if re.match(r"[A-Z]\. ", line)]
    assert options[-1].startswith(last_option) and len(options) == ord(last_option[0]) - ord("A") + 1
