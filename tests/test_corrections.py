"""Corrections that teach: fix a result on the review page, save it as labels, and learn from them.

The page is driven in a real headless Chromium: hover a figure, change one
figure's indicator, reject another, fix a meta field, keep a number the
learned labeller set aside, press "Save labels", and read the downloaded
file back.  That file then scores as a gold set and trains a labeller
(``llmx train --set mine=LABELS/:REPORTS/``; ``--with`` adds the bundled sets).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

from click.testing import CliRunner

from llmx.apps.cli import main
from llmx.apps.corrections import contract_fields, labels_skeleton
from llmx.reports.report_type import load_report_type
from llmx.engine.learned import LearnedModel
from test_review import ARTIFACTS

ROOT = Path(__file__).resolve().parents[1]
WIDE2 = ROOT / "eval" / "wide2"
DOC = "010"  # a mediator's counts after a training meeting: figures a reviewer relabels


def _extract(tmp_path: Path) -> Path:
    """The report as extracted with the shipped labeller, which flags two of 010's seven figures and not
    the others: the page has both to order."""
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["extract", str(WIDE2 / "raw" / f"{DOC}.txt"), "-o", f"{out}/", "--quiet"])
    assert result.exit_code == 0, result.output
    return out / f"{DOC}.json"


def test_labels_file_keeps_the_contract_fields_only() -> None:
    report_type = load_report_type("fazhi")
    figure_model = report_type.report_model.model_fields["figures"].annotation.__args__[0]  # type: ignore[union-attr]
    assert contract_fields(figure_model) == ["indicator", "label", "value", "unit", "qualifier", "target", "evidence"]
    result = json.loads((ROOT / "eval" / "runs" / "design_rules.json").read_text(encoding="utf-8"))[
        "predictions"]["corpus/000_463a946c1bd692f9"]
    skeleton = labels_skeleton(result, report_type)
    assert "region_code" not in skeleton["meta"] and set(skeleton["meta"]) == set(
        json.loads((ROOT / "eval" / "gold" / "000_463a946c1bd692f9.json").read_text(encoding="utf-8"))["meta"])
    assert skeleton["sections"] is None and skeleton["shortcomings"] is None


def _wait_for(path: Path, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.is_file() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert path.is_file(), f"the page did not save {path.name}"


def test_correct_save_and_learn_in_headless_chromium(browser, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    result_path = _extract(tmp_path)
    result = json.loads(result_path.read_text(encoding="utf-8"))
    page = tmp_path / "page.html"
    out = CliRunner().invoke(main, ["review", str(result_path), "--source", str(WIDE2 / "raw" / f"{DOC}.txt"),
                                    "-o", str(page)])
    assert out.exit_code == 0, out.output
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get(page.as_uri())

    rows = browser.find_elements(By.CSS_SELECTOR, ".panel.wide tbody tr")
    flags = [("unsure" in (r.get_attribute("class") or "")) for r in rows]
    assert 0 < sum(flags) < len(flags) and sum(flags) == sum(f["unsure"] for f in result["figures"])
    assert flags == sorted(flags, reverse=True), "unsure figures are listed first"

    mark = browser.find_element(By.ID, "fig-0")
    ActionChains(browser).move_to_element(mark).perform()
    assert result["figures"][0]["label"] in browser.find_element(By.ID, "inspector").text

    relabel = next(i for i, f in enumerate(result["figures"]) if f["indicator"] != "other")
    reject = next(i for i, f in enumerate(result["figures"]) if i != relabel)
    select = Select(browser.find_element(By.CSS_SELECTOR, f'.fix-indicator[data-index="{relabel}"]'))
    select.select_by_value("other")
    browser.find_element(By.CSS_SELECTOR, f'.fix-reject[data-index="{reject}"]').click()
    county = browser.find_element(By.CSS_SELECTOR, '.fix-meta[data-field="county"]')
    county.clear()
    county.send_keys("杭州市余杭区")
    browser.find_element(By.ID, "save-labels").click()
    saved = downloads / f"{DOC}.json"
    _wait_for(saved)
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "review_corrections.png"))

    labels = json.loads(saved.read_text(encoding="utf-8"))
    assert labels["doc_id"] == DOC and labels["sections"] is None
    assert len(labels["figures"]) == len(result["figures"]) - 1
    kept = [f for i, f in enumerate(result["figures"]) if i != reject]
    assert [f["evidence"] for f in labels["figures"]] == [f["evidence"] for f in kept]
    relabelled = labels["figures"][relabel - (reject < relabel)]
    assert relabelled["indicator"] == "other" and relabelled["evidence"] == result["figures"][relabel]["evidence"]
    assert labels["meta"]["county"] == "杭州市余杭区"
    assert labels["meta"]["report_year"] == result["meta"]["report_year"]  # untouched fields keep their type
    assert "start" not in labels["figures"][0] and "confidence" not in labels["figures"][0]

    # The saved file is a gold set: the scorer reads it, and a labeller learns from it.
    gold, reports = tmp_path / "labels", tmp_path / "reports"
    gold.mkdir()
    reports.mkdir()
    shutil.copy(saved, gold / saved.name)
    shutil.copy(WIDE2 / "raw" / f"{DOC}.txt", reports / f"{DOC}.txt")
    scored = CliRunner().invoke(main, ["score", str(tmp_path / "out"), str(gold), "--source-dir", str(reports),
                                       "--json"])
    assert scored.exit_code == 0, scored.output
    total = json.loads(scored.stdout)
    assert total["figure_recall"] == 1.0 and total["figure_precision"] < 1.0  # the rejected figure is extra now
    trained = CliRunner().invoke(main, ["train", "--set", f"mine={gold}:{reports}", "--boost", "4",
                                        "-o", str(tmp_path / "mine.npz"), "--json"])
    assert trained.exit_code == 0, trained.output
    info = json.loads(trained.stdout)
    assert info["statistics"] == len(labels["figures"]) and list(info["sets"]) == ["mine"]
    model = LearnedModel.load(tmp_path / "mine.npz")
    assert model.info["data_hash"] == info["data_hash"]


def test_a_number_the_labeller_set_aside_can_be_kept_in_headless_chromium(browser, tmp_path: Path) -> None:
    """A true statistic the labeller set aside must not be lost to training: on the page it can be kept,
    with an indicator, and the saved labels then hold it as a figure."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    report = tmp_path / "aside.txt"
    report.write_text("各位领导：\n2024年，我镇推行一套材料、一次提交、一次反馈，办理行政复议案件3件。\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["extract", str(report), "-o", f"{out}/", "--quiet"]).exit_code == 0
    result = json.loads((out / "aside.json").read_text(encoding="utf-8"))
    aside = [u for u in result["uncovered"] if "figure" in u]
    assert aside and all(u["reason"].startswith("labeller") for u in aside)
    page = tmp_path / "page.html"
    assert CliRunner().invoke(main, ["review", str(out / "aside.json"), "--source", str(report),
                                     "-o", str(page)]).exit_code == 0
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    browser.get(page.as_uri())
    Select(browser.find_element(By.CSS_SELECTOR, '.fix-aside-indicator[data-index="0"]')).select_by_value(
        "publicity_events")
    browser.find_element(By.CSS_SELECTOR, '.fix-keep[data-index="0"]').click()
    browser.find_element(By.ID, "save-labels").click()
    saved = downloads / "aside.json"
    _wait_for(saved)
    labels = json.loads(saved.read_text(encoding="utf-8"))
    assert len(labels["figures"]) == len(result["figures"]) + 1
    kept = labels["figures"][-1]
    assert kept["indicator"] == "publicity_events" and kept["evidence"] == aside[0]["figure"]["evidence"]
    assert kept["value"] == aside[0]["value"] and set(kept) == set(labels["figures"][0])
