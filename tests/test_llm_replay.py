"""LLM access on recorded traffic: labelling designs, the cache, retries, re-asks.

Cassettes were recorded against the embedded model served by llama.cpp (see
conftest.py); replay needs no server.
"""

import pytest

from llmx.model.config import LLMConfig
from llmx.errors import LlmxError
from llmx.engine.model_labels import labels_model
from llmx.engine.rule_labels import unsure
from llmx.model.llm import LLM, ResponseCache
from llmx.text.load import load_document
from llmx.engine.candidates import build_candidates
from llmx.engine.segment import find_sections
from llmx.text.headings import find_headings
from llmx.text.grounding import Grounding
from conftest import CORPUS, contract_json
from faultserver import LoopbackServer, always, status

REPORT_002 = CORPUS / "002_fbe45d23903cb0be.txt"
REPORT_004 = CORPUS / "004_10dd5ecf361dedb7.txt"


def make_llm(endpoint, cache_dir, **kwargs) -> LLM:
    base_url, model = endpoint
    config = LLMConfig(base_url=base_url, model=model, cache_dir=cache_dir)
    return LLM(config, base_url=base_url, model=model, endpoint_id="recorded-embedded",
               cache=ResponseCache(cache_dir), **kwargs)


def _unsure_count(path, report_type) -> int:
    text = path.read_text(encoding="utf-8")
    grounding = Grounding(text, report_type.numbered_names)
    heads = find_headings(text)
    candidates = build_candidates(text, grounding.mentions, find_sections(text, heads, report_type), report_type)
    return len(unsure(candidates, report_type.catalogue))


def test_hybrid_reads_every_candidate_and_rerun_is_free(recorder, endpoint, report_type, tmp_path):
    doc = load_document(REPORT_004)
    with recorder.use_cassette("hybrid_004.yaml"):
        first = contract_json(doc, design="hybrid-all", report_type=report_type, llm=make_llm(endpoint, tmp_path))
        second = contract_json(doc, design="hybrid-all", report_type=report_type, llm=make_llm(endpoint, tmp_path))
    assert first["usage"]["calls"] >= 1 and first["usage"]["prompt_tokens"] > 0
    assert second["usage"]["calls"] == 0 and second["usage"]["cache_hits"] >= 1
    assert first["figures"] == second["figures"]
    assert first["prompt_version"] == report_type.prompt("name_figures").version
    assert len(first["figures"]) == _candidate_count(REPORT_004, report_type)
    assert all(f["verified"] for f in first["figures"])


def test_hybrid_all_on_every_corpus_report(recorder, endpoint, report_type, tmp_path):
    """The model's reading of every number in each bundled report (batch and fault tests replay these answers)."""
    with recorder.use_cassette("hybrid-all_corpus.yaml"):
        for path in sorted(CORPUS.glob("*.txt")):
            result = contract_json(path, design="hybrid-all", report_type=report_type, llm=make_llm(endpoint, tmp_path))
            assert result["usage"]["calls"] >= 1, path.name
            assert len(result["figures"]) + len(result["rejected"]) + len(result["uncovered"]) == _candidate_count(
                path, report_type)
            assert all(f["verified"] for f in result["figures"])


def test_each_report_counts_its_own_share_of_a_shared_model(recorder, endpoint, report_type, tmp_path, monkeypatch):
    """One model serves every report of a run (as in batch): each result's usage is what was asked for
    that report, so the reports' shares add up to the model's totals, and its seconds are its own (the
    pipeline's clock is replaced by one that advances 1.25 s a reading, so no wall clock is asserted)."""
    import itertools
    import types

    import llmx
    import llmx.pipeline

    ticks = itertools.count(1000.0, 1.25)
    monkeypatch.setattr(llmx.pipeline, "time", types.SimpleNamespace(perf_counter=lambda: next(ticks)))
    llm = make_llm(endpoint, tmp_path)
    shares = []
    with recorder.use_cassette("hybrid-all_corpus.yaml"), llmx.Extractor(design="hybrid-all", report_type=report_type,
                                                                         llm=llm) as ex:
        reports = sorted(CORPUS.glob("*.txt"))
        for path in reports + reports:  # the second pass is answered from the cache
            usage = ex.extract(path).model_dump(mode="json")["usage"]
            assert usage["seconds"] == 1.25, path.name  # read when the report starts and when it ends
            assert usage["calls"] + usage["cache_hits"] >= 1, path.name
            shares.append(usage)
    for counter in ("calls", "prompt_tokens", "completion_tokens", "cache_hits"):
        assert sum(u[counter] for u in shares) == getattr(llm.usage, counter), counter
    assert llm.usage.prompt_tokens > 0 and llm.usage.completion_tokens > 0 and llm.usage.cache_hits > 0
    assert all(u["calls"] == 0 and u["cache_hits"] >= 1 for u in shares[len(reports):])


def test_a_model_given_to_a_rules_run_is_not_named_in_its_result(endpoint, report_type, tmp_path):
    """The rules design asks no model: its result names none, even when the pipeline is handed one."""
    from llmx.pipeline import Pipeline

    result, _ = Pipeline(report_type, design="rules", llm=make_llm(endpoint, tmp_path)).extract_noted(
        load_document(REPORT_004))
    assert result.model is None and result.prompt_version == "rules" and result.usage.calls == 0


def test_choice_asks_only_about_unsure_numbers(recorder, endpoint, report_type, tmp_path):
    expected = _unsure_count(REPORT_002, report_type)
    assert expected > 0
    doc = load_document(REPORT_002)
    with recorder.use_cassette("choice_002.yaml"):
        result = contract_json(doc, design="choice", report_type=report_type, llm=make_llm(endpoint, tmp_path))
    assert result["usage"]["calls"] >= expected
    assert result["usage"]["completion_tokens"] > 0
    assert all(f["verified"] for f in result["figures"])


def test_batch_labeller_labels_every_candidate_with_a_catalogue_key(recorder, endpoint, report_type, tmp_path):
    doc = load_document(REPORT_004)
    with recorder.use_cassette("llm_004.yaml"):
        result = contract_json(doc, design="llm", report_type=report_type, llm=make_llm(endpoint, tmp_path))
    labelled = len(result["figures"]) + len(result["uncovered"]) + len(result["rejected"])
    assert labelled == _candidate_count(REPORT_004, report_type)
    assert {f["indicator"] for f in result["figures"]} <= set(report_type.catalogue.keys)
    assert result["usage"]["calls"] >= 1


def _candidate_count(path, report_type) -> int:
    text = path.read_text(encoding="utf-8")
    return sum(m.kind == "candidate" for m in Grounding(text, report_type.numbered_names).mentions)


def _ask(llm, report_type):
    model = labels_model(report_type.catalogue.keys)
    return llm.ask(model, [{"role": "user", "content": "x"}], prompt_version="t", doc_hash="d")


@pytest.mark.parametrize("code, attempts, says", [(503, 4, "unreachable or failing"), (500, 4, "unreachable or failing"),
                                                 (400, 1, "HTTP 400"), (404, 1, "HTTP 404")])
def test_server_errors_are_retried_and_client_errors_are_not(report_type, tmp_path, code, attempts, says):
    """Against a real loopback server answering ``code`` every time: a 5xx is tried four times, a 4xx
    (the request itself is wrong: asking again cannot help) once, and the error names the endpoint."""
    with LoopbackServer(always(status(code))) as server:
        llm = make_llm((server.url, server.model), tmp_path, retry_wait=0.01)
        with pytest.raises(LlmxError, match=says) as raised:
            _ask(llm, report_type)
        sent = server.requests
    assert sent == attempts and server.url in str(raised.value)


def test_labels_validation_names_missing_and_unknown_ids_for_the_reask(report_type):
    model = labels_model(report_type.catalogue.keys)
    answer = {"labels": [{"id": 1, "indicator": "law_study_session"}, {"id": 9, "indicator": "other"}]}
    with pytest.raises(Exception, match=r"missing ids \[2\], unknown ids \[9\]"):
        model.model_validate(answer, context={"ids": [1, 2]})
    fixed = model.model_validate({"labels": [{"id": 1, "indicator": "law_study_session"}]}, context={"ids": [1]})
    assert fixed.labels[0].indicator == "law_study_sessions"  # near-miss spelling mended
