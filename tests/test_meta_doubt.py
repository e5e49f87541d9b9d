"""Which meta fields a reader should check: the shape checks, the learned meta doubt model, its training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from llmx.engine.doubt_model import DoubtModel, DoubtRows
from llmx.engine.learned import load_labeller
from llmx.engine.meta_doubt import META_DOUBT_VERSION, MetaDoubt, meta_doubt_rows, meta_doubts, shape_doubts
from llmx.eval.evaluate import TRAINING_SETS, GoldSet
from llmx.eval.meta_training import META_UNSURE_SHARE, MetaExample, _regression, fit_meta_doubt, meta_data_hash
from llmx.eval.train import collect_with_meta
from llmx.reports.report_type import load_report_type
from llmx.text.clean import clean

ROOT = Path(__file__).resolve().parents[1]
REPORT_TYPE = load_report_type("fazhi")
OPENING = "某县人民政府关于2023年度法治政府建设情况的报告\n一、主要工作\n2024年1月20日，召开会议3次。"


def _meta(**given: object) -> dict[str, object]:
    meta: dict[str, object] = {"title": "某县人民政府关于2023年度法治政府建设情况的报告", "report_year": 2023,
                               "doc_number": None, "signers": [], "issuers": ["某县人民政府"], "recipients": [],
                               "cc": [], "date": "2024-01-20", "level": "county", "township": None, "county": "某县"}
    return meta | given


@pytest.fixture(scope="module")
def meta_examples() -> list[MetaExample]:
    return collect_with_meta(REPORT_TYPE, [GoldSet(s.name, ROOT / s.gold_dir, ROOT / s.source_dir)
                                          for s in TRAINING_SETS])[1]


def test_shape_checks_doubt_an_empty_field_the_rest_says_exists_and_a_title_of_no_right_shape() -> None:
    ct = clean(OPENING)
    assert shape_doubts(_meta(), ct) == set()
    assert shape_doubts(_meta(title=None, report_year=None), ct) == {"title", "report_year"}
    assert shape_doubts(_meta(date=None), ct) == {"date"}  # a full date stands in the opening
    assert shape_doubts(_meta(date=None), clean("某县关于法治政府建设情况的报告\n一、主要工作")) == set()
    assert shape_doubts(_meta(title="某县关于2023年法治政府建设情况的报告(某政发〔2024〕3号)"), ct) == {"title"}
    assert shape_doubts(_meta(level="township", township=None), ct) == {"township"}
    assert shape_doubts(_meta(level=None), ct) == {"level"}


def test_without_a_meta_doubt_model_the_shape_checks_judge_in_field_order() -> None:
    ct = clean(OPENING)
    assert meta_doubts(_meta(level=None, title=None), ct) == ["title", "level"]


def test_a_field_is_in_doubt_where_the_model_scores_it_at_or_under_its_threshold() -> None:
    ct = clean(OPENING)
    meta = _meta(county=None)
    fields, rows = meta_doubt_rows(meta, ct)
    assert "region_code" not in fields and fields == [n for n in meta if n != "region_code"]
    judge = MetaDoubt(DoubtModel({"empty:county": -6.0}, 3.0), 0.5)
    assert meta_doubts(meta, ct, judge) == ["county"]
    assert meta_doubts(_meta(), ct, judge) == []
    p_county = 1 / (1 + np.exp(3.0))  # intercept 3, weight -6 on the empty county
    assert meta_doubts(meta, ct, MetaDoubt(judge.model, p_county - 1e-9)) == []
    assert meta_doubts(meta, ct, MetaDoubt(judge.model, p_county + 1e-9)) == ["county"]


def test_what_the_model_reads_of_a_field_names_the_readings_that_go_wrong() -> None:
    ct = clean(OPENING)
    _, rows = meta_doubt_rows(_meta(title="关于2023年度法治政府建设情况的报告", county="某某高新区",
                                    issuers=["市司法局"]), ct)
    read = dict(zip(rows.names, rows.matrix.max(axis=0)))
    assert read["title:opens_about"] == 1.0
    assert read["county:unknown_place"] == 1.0
    assert read["issuers:short"] == 1.0 and read.get("issuers:in_title", 0.0) == 0.0
    _, rows = meta_doubt_rows(_meta(), ct)
    read = dict(zip(rows.names, rows.matrix.max(axis=0)))
    assert read["issuers:in_title"] == 1.0 and read.get("title:opens_about", 0.0) == 0.0


def test_a_model_for_other_features_is_not_applied() -> None:
    judge = MetaDoubt(DoubtModel({"empty:county": -1.0}, 0.2), 0.4)
    assert MetaDoubt.from_info(judge.as_info()) == judge
    assert MetaDoubt.from_info({**judge.as_info(), "version": META_DOUBT_VERSION - 1}) is None
    assert MetaDoubt.from_info(None) is None


def test_training_learns_which_reading_goes_wrong_and_flags_the_share_held_out_by_set() -> None:
    examples = []
    for s in ("a", "b", "c"):
        for i in range(60):
            risky = i % 6 == 0
            examples.append(MetaExample(s, f"{s}/{i}", "county", {"field=county": 1.0, "risky": float(risky)},
                                        right=not (risky and i % 12 == 0)))
    judge, stats = fit_meta_doubt(examples)
    assert judge is not None and judge.model.weights["risky"] < 0
    assert stats["wrong"] == sum(not e.right for e in examples) and stats["held_out_capture"] == 1.0
    assert stats["held_out_flagged"] >= META_UNSURE_SHARE
    assert stats["data_hash"] == meta_data_hash(examples)
    none, stats = fit_meta_doubt([MetaExample("a", "a/1", "title", {"x": 1.0}, True)] * 5)
    assert none is None and stats["wrong"] == 0


def test_a_fold_with_nothing_to_learn_from_is_left_out_of_the_threshold() -> None:
    """Holding out set a leaves only b, whose fields are all right: a's fields get no held-out score
    (a made-up 0.5 would fill the least sure tail) and the share is read on b's alone."""
    examples = [MetaExample("a", f"a/{i}", "county", {"risky": 1 - i / 100}, right=i >= 10) for i in range(100)]
    examples += [MetaExample("b", f"b/{i}", "county", {"risky": 1 - i / 100}, right=True) for i in range(100)]
    judge, stats = fit_meta_doubt(examples)
    assert judge is not None and stats["held_out"] == "by set"
    assert stats["held_out_fields"] == 100
    assert stats["held_out_flagged"] == pytest.approx(META_UNSURE_SHARE, abs=0.01)


def test_the_shipped_labeller_carries_a_meta_doubt_model_fitted_on_todays_labels(meta_examples) -> None:
    """Change a gold meta label or what the model reads and this fails until `llmx train` is run again."""
    assert REPORT_TYPE.labeller is not None
    shipped = load_labeller(REPORT_TYPE.labeller)
    assert shipped.meta_doubt is not None
    held = shipped.info["meta_doubt_held_out"]
    assert held["data_hash"] == meta_data_hash(meta_examples)
    assert held["fields"] == len(meta_examples) and held["wrong"] == sum(not e.right for e in meta_examples)


def test_held_out_by_set_the_model_catches_more_wrong_fields_than_the_shape_checks_at_their_share(meta_examples) -> None:
    """The reason the model exists, measured: fitted without each set in turn, its least sure fields of
    that set, as many as the shape checks flag, hold more of the wrong ones."""
    shape = np.array([e.row.get(f"shape:{e.field}", 0.0) > 0 for e in meta_examples])
    wrong = np.array([not e.right for e in meta_examples])
    sets = np.array([e.set for e in meta_examples])
    held = np.zeros(len(meta_examples))
    for s in np.unique(sets):
        out = sets == s
        rows = DoubtRows.of_dicts([e.row for e in meta_examples])
        held[out] = _regression(rows.take(~out), ~wrong[~out]).p_right(rows.take(out))
    least_sure = np.argsort(held)[:int(shape.sum())]
    assert wrong[least_sure].sum() > (wrong & shape).sum()

