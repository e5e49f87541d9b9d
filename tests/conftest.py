"""Shared fixtures: paths, the bundled report type, and LLM traffic replayed from cassettes.

Cassettes are recorded against a real llama.cpp server running the embedded
model; nothing in them is written by hand.  To (re)record, run with
``LLMX_RECORD=new_episodes`` (or ``all``): the fixture then starts the
embedded model and records what it answers.  Replay matches requests on
method, path and the JSON body (so the server's random port does not
matter) and stores bodies as readable UTF-8.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import vcr
import yaml
from vcr.serializers import yamlserializer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "eval" / "corpus"
GOLD = ROOT / "eval" / "gold"
CASSETTES = ROOT / "cassettes"
RECORD_MODE = os.environ.get("LLMX_RECORD", "none")
REPLAY_URL = "http://127.0.0.1:9/v1"  # nothing listens there: replay never reaches a network
EMBEDDED_ALIAS = "qwen2.5-coder-1.5b-instruct-q4_k_m"


class _Utf8Yaml:
    """vcrpy's safe YAML serializer, but writing Chinese as itself instead of \\u escapes."""

    @staticmethod
    def serialize(cassette_dict):
        return yaml.dump(cassette_dict, Dumper=yamlserializer._CassetteDumper, allow_unicode=True, width=120)

    @staticmethod
    def deserialize(cassette_string):
        return yamlserializer.deserialize(cassette_string)


def _readable_json(body):
    """Re-encode a JSON body with real characters (kept equal as JSON by the matcher)."""
    if not body:
        return body
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.dumps(json.loads(text), ensure_ascii=False).encode("utf-8")
    except (UnicodeDecodeError, ValueError):
        return body


def _before_request(request):
    request.body = _readable_json(request.body)
    return request


def _before_response(response):
    response["body"]["string"] = _readable_json(response["body"]["string"])
    return response


_PYDANTIC_DOCS = re.compile(r"errors\.pydantic\.dev/[0-9.]+/")


def comparable_body(body):
    """A request body as JSON, minus what varies by library version.

    Re-asks quote pydantic's error text, which links its docs by version
    (``errors.pydantic.dev/2.13/…``); a replay under another pydantic must
    still match the recorded request.
    """
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        return json.loads(_PYDANTIC_DOCS.sub("errors.pydantic.dev/", text))
    except (TypeError, ValueError, UnicodeDecodeError):
        return body


def _json_body(r1, r2):
    """Bodies match when they are equal as JSON (or as bytes when not JSON)."""
    assert comparable_body(r1.body) == comparable_body(r2.body)


def make_vcr() -> vcr.VCR:
    recorder = vcr.VCR(
        cassette_library_dir=str(CASSETTES),
        record_mode=RECORD_MODE,
        match_on=["method", "path", "json_body"],
        filter_headers=["authorization", "x-api-key", "openai-organization"],
        before_record_request=_before_request,
        before_record_response=_before_response,
        decode_compressed_response=True,
    )
    recorder.register_serializer("yaml", _Utf8Yaml)
    recorder.register_matcher("json_body", _json_body)
    return recorder


@pytest.fixture(scope="session")
def recorder() -> vcr.VCR:
    return make_vcr()


@pytest.fixture(scope="session")
def endpoint():
    """(base_url, model) to send LLM traffic to: a real embedded server only when recording."""
    if RECORD_MODE == "none":
        yield REPLAY_URL, EMBEDDED_ALIAS
        return
    from llmx.model.embedded import LocalServer, ensure_embedded_model

    with LocalServer(ensure_embedded_model(), n_ctx=8192, alias=EMBEDDED_ALIAS) as server:
        yield server.base_url, server.model


@pytest.fixture(scope="session")
def report_type():
    from llmx.reports.report_type import load_report_type

    return load_report_type("fazhi")


def corpus_files() -> list[Path]:
    return sorted(CORPUS.glob("*.txt"))


CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through selenium, for the pages' tests (review, corrections, assess).

    `.ci/run` installs chromium and its driver; elsewhere the tests say why they skip.
    """
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install -e '.[test]')")
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("chromium and chromedriver not installed (apt-get install chromium chromium-driver; .ci/run does)")
    import tempfile

    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="llmx-chromium-") as profile:
        for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     f"--user-data-dir={profile}", "--window-size=1400,1600"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
        try:
            yield driver
        finally:
            driver.quit()


def contract_json(source, **settings) -> dict:
    """One report through the front door (``llmx.Extractor``), as the contract JSON a user gets."""
    import llmx

    with llmx.Extractor(**settings) as ex:
        return ex.extract(source).model_dump(mode="json")
