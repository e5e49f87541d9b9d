"""The learned labeller: shipped trained on today's labels, refused when stale, honest under cross-validation."""

from __future__ import annotations

import io
import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import llmx

from llmx.apps.cli import main
from llmx.reports.report_type import load_report_type
from llmx.engine.learned import FEATURE_VERSION, LearnedModel, load_labeller
from llmx.pipeline import Pipeline
from llmx.errors import ConfigurationError
from llmx.eval import crossval
from llmx.eval.crossval import cross_validate
from llmx.eval.evaluate import DEFAULT_SETS, HELD_OUT_SETS, PROBE_SETS, TRAINING_SETS, GoldSet
from llmx.eval.scoring.figures import locate_all
from llmx.eval.scoring.sets import load_source
from llmx.eval.train import OTHER_PENALTIES, STAT_FLOORS, _leaning, collect, data_hash, fit
from llmx.text.numbers import find_mentions
from llmx.text.script import simplify
from llmx.text.textmap import FoldedText

from conftest import contract_json

ROOT = Path(__file__).resolve().parents[1]
REPORT_TYPE = load_report_type("fazhi")


@pytest.fixture(scope="module")
def shipped() -> LearnedModel:
    assert REPORT_TYPE.labeller is not None
    return load_labeller(REPORT_TYPE.labeller)


def _rooted(sets) -> list[GoldSet]:
    return [GoldSet(s.name, ROOT / s.gold_dir, ROOT / s.source_dir) for s in sets]


@pytest.fixture(scope="module")
def examples():
    """Every number of every set the shipped labeller learns from (the gold sets and the teaching probes)."""
    return collect(REPORT_TYPE, _rooted(TRAINING_SETS))


def test_shipped_labeller_was_trained_on_todays_labels_and_features(shipped, examples) -> None:
    """Change a cue, a feature or a gold label and this fails until `llmx train` is run again."""
    assert shipped.info["feature_version"] == FEATURE_VERSION
    assert shipped.info["data_hash"] == data_hash(examples)
    assert shipped.info["statistics"] == sum(e.stat for e in examples)
    assert set(shipped.info["sets"]) == {s.name for s in TRAINING_SETS}
    assert not {s.name for s in HELD_OUT_SETS} & set(shipped.info["sets"])  # the held-out probe stays unseen


def test_every_gold_figure_is_matched_to_a_number(examples) -> None:
    """Training sees every located gold figure (the scorer's match rule); a loss here would be silent."""
    golds, unlocated = 0, []
    for s in _rooted(TRAINING_SETS):
        for path in s.gold_dir.glob("*.json"):
            figures = json.loads(path.read_text(encoding="utf-8"))["figures"]
            source = load_source(s.source_dir, path.stem)
            located = locate_all(figures, FoldedText.of(source), find_mentions(simplify(source),
                                                                                REPORT_TYPE.numbered_names))
            golds += len(figures)
            unlocated += [f"{s.name}/{path.stem}: {g.figure['evidence']}" for g in located if g.reason is not None]
    # probe labels the scorer itself cannot place have no number to teach: 五千米 labelled 5 千米, a
    # fraction (十分之一强) labelled 0.1, and 半天 labelled 0.5 天
    assert unlocated == ["p6/A018: 全年共规整三线线路约五千米", "p10/B012: 占全国获奖项目总数的十分之一强",
                         "p14/C001: 厅主题教育读书班安排半天时间"]
    assert sum(e.stat for e in examples) == golds - len(unlocated)


def test_a_labeller_for_other_features_is_refused(shipped, tmp_path: Path) -> None:
    path = _stale(shipped, tmp_path)
    with pytest.raises(ConfigurationError) as refused:
        LearnedModel.load(path)
    assert str(refused.value) == (f"{path}: trained on features v{FEATURE_VERSION + 1}, this llmx reads "
                                  f"v{FEATURE_VERSION}: retrain with `llmx train`")
    broken = tmp_path / "broken.npz"
    for content in (b"not a zip", path.read_bytes()[: path.stat().st_size // 2]):  # garbage, a cut-off file
        broken.write_bytes(content)
        with pytest.raises(ConfigurationError, match="not a readable labeller"):
            LearnedModel.load(broken)


def test_a_saved_labeller_reads_back_deciding_as_it_did(shipped, examples, tmp_path: Path) -> None:
    """Save then load keeps every feature's column, every class name, the weights (as float32, to stay
    small) and the provenance; the reloaded labeller decides every gold number as the shipped one does."""
    path = tmp_path / "again.npz"
    with path.open("wb") as fh:
        shipped.save(fh)
    again = LearnedModel.load(path)
    assert again.vocabulary == shipped.vocabulary and again.classes == shipped.classes
    assert again.info == shipped.info
    with np.load(path, allow_pickle=False) as arrays:
        assert {arrays[k].dtype for k in ("ind_coef", "ind_intercept", "stat_coef")} == {np.dtype(np.float32)}
    rows, rules = [e.row for e in examples], [e.rule for e in examples]
    assert again.decide(rows, rules, overrule=True) == shipped.decide(rows, rules, overrule=True)


def _stale(shipped: LearnedModel, tmp_path: Path) -> Path:
    path = tmp_path / "stale.npz"
    with path.open("wb") as fh:
        replace(shipped, info={**shipped.info, "feature_version": FEATURE_VERSION + 1}).save(fh)
    return path


def test_boost_decides_who_labels(shipped, examples) -> None:
    """No boost (and no penalty on `other`): the model's own best key; a huge boost: always the cues' key."""
    rows = [e for e in examples if e.stat and e.candidate]
    cues = [e.rule for e in rows]
    trusting = replace(shipped, info={**shipped.info, "boost": 50.0}).decide([e.row for e in rows], cues)
    assert [d.indicator for d in trusting] == cues
    free = replace(shipped, info={**shipped.info, "boost": 0.0, "other_penalty": 0.0})
    decided = free.decide([e.row for e in rows], cues)
    probs, _ = free.probabilities([e.row for e in rows])
    assert [d.indicator for d in decided] == [free.classes[j] for j in probs.argmax(axis=1)]


def test_every_figure_gets_a_confidence_and_a_share_is_flagged() -> None:
    with llmx.Extractor(design="rules", report_type=REPORT_TYPE) as run:
        figures = [f for path in sorted((ROOT / "eval" / "wide2" / "raw").glob("*.txt"))
                   for f in run.extract(path).model_dump(mode="json")["figures"]]
    confidences = np.array([f["confidence"] for f in figures])
    assert ((confidences >= 0) & (confidences <= 1)).all()
    unsure = np.array([f["unsure"] for f in figures])
    assert 0 < unsure.mean() <= 0.25
    assert confidences[unsure].max() <= confidences[~unsure].min()  # one threshold separates them


def test_learned_design_without_a_labeller_is_refused() -> None:
    bare = replace(REPORT_TYPE, labeller=None)
    with pytest.raises(ConfigurationError, match="trained labeller"):
        Pipeline(bare, design="learned")
    figures = llmx.extract(ROOT / "eval" / "corpus" / "000_463a946c1bd692f9.txt", report_type=bare,
                           design="rules").figures
    assert all(f.confidence is None and f.unsure is False for f in figures)  # no labeller: no doubt claimed


def test_labeller_option_reaches_the_pipeline(shipped, tmp_path: Path) -> None:
    """--labeller FILE is used (a labeller that flags everything flags everything) and a missing file is one line."""
    flag_all = replace(shipped, info={**shipped.info, "unsure_below": 1.0})
    path = tmp_path / "all.npz"
    buffer = io.BytesIO()
    flag_all.save(buffer)
    path.write_bytes(buffer.getvalue())
    report = ROOT / "eval" / "corpus" / "000_463a946c1bd692f9.txt"
    out = CliRunner().invoke(main, ["extract", str(report), "--labeller", str(path), "-o", str(tmp_path / "r.json")])
    assert out.exit_code == 0, out.output
    figures = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["figures"]
    assert figures and all(f["unsure"] for f in figures)
    missing = CliRunner().invoke(main, ["extract", str(report), "--labeller", str(tmp_path / "no.npz")])
    assert missing.exit_code == 2 and "no.npz" in missing.output and "Traceback" not in missing.output
    # the Python API takes the file's path as a string or a Path, and LLMX_LABELLER names it too
    for given in (str(path), path):
        with llmx.Extractor(design="rules", labeller=given) as ex:
            assert all(f.unsure for f in ex.extract(report).figures)
    with llmx.Extractor(design="rules") as ex:
        assert not all(f.unsure for f in ex.extract(report).figures)  # the shipped labeller flags fewer


def test_cross_validation_holds_each_set_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two small sets: each is extracted by a labeller trained on the other one only."""
    sets = []
    corpus = sorted((ROOT / "eval" / "gold").glob("*.json"))
    for name, golds in (("a", corpus[:3]), ("b", corpus[3:])):
        gold_dir, src_dir = tmp_path / name / "gold", tmp_path / name / "src"
        gold_dir.mkdir(parents=True)
        src_dir.mkdir(parents=True)
        for gold in golds:
            shutil.copy(gold, gold_dir / gold.name)
            shutil.copy(ROOT / "eval" / "corpus" / f"{gold.stem}.txt", src_dir / f"{gold.stem}.txt")
        sets.append(GoldSet(name, gold_dir, src_dir))
    trained_on: list[set[str]] = []
    real_fit = crossval.fit

    floors: list[float | None] = []

    def spy(examples, report_type, **kwargs):
        trained_on.append({e.doc for e in examples})
        floors.append(kwargs.get("stat_below"))
        return real_fit(examples, report_type, **kwargs)

    monkeypatch.setattr(crossval, "fit", spy)
    record = cross_validate(REPORT_TYPE, sets, "learned", schemes=("leave_one_set_out",), boost=4.0, stat_below=0.4)
    assert floors == [0.4, 0.4] and record["config"]["stat_below"] == 0.4  # every fold drops as the shipped one
    scheme = record["schemes"]["leave_one_set_out"]
    assert set(scheme["sets"]) == {"a", "b"}
    # each set was extracted by a labeller that saw only the other set's reports
    assert sorted(map(sorted, trained_on)) == [[f"a/{g.stem}" for g in corpus[:3]], [f"b/{g.stem}" for g in corpus[3:]]]
    assert len(scheme["predictions"]) == len(corpus)
    flags = scheme["flags"]
    assert flags["figures"] == sum(len(p["figures"]) for p in scheme["predictions"].values())
    assert 0 <= flags["figures_flagged"] <= flags["figures"]


def test_fit_refuses_labels_it_cannot_use() -> None:
    with pytest.raises(Exception, match="nothing to learn"):
        fit([], REPORT_TYPE, boost=4.0)


def test_summaries_count_what_to_check(tmp_path: Path) -> None:
    """The --json summary and the human summary both say how many figures and which meta fields to check."""
    report = ROOT / "eval" / "wide2" / "raw" / "013.txt"
    out = CliRunner().invoke(main, ["extract", str(report), "-o", f"{tmp_path}/", "--json"])
    assert out.exit_code == 0, out.output
    entry = json.loads(out.stdout)["reports"][0]
    result = json.loads((tmp_path / "013.json").read_text(encoding="utf-8"))
    assert entry["unsure"] == sum(f["unsure"] for f in result["figures"])
    assert entry["meta_unsure"] == result["meta_unsure"]
    human = CliRunner().invoke(main, ["extract", str(report)])
    fields = ", ".join(result["meta_unsure"]) or "none"
    assert f"to check: {entry['unsure']} unsure figures, meta {fields} in doubt" in human.stderr


def test_batched_probabilities_equal_each_row_computed_alone(shipped, examples) -> None:
    """The one-pass gather of weights gives what a plain sum over each row's own features gives."""
    rows = [e.row for e in examples[:40]]
    probs, p_stat = shipped.probabilities(rows)
    for i, row in enumerate(rows):
        scores = shipped.ind_intercept.astype(float).copy()
        stat = shipped.stat_intercept
        for name, value in row.items():
            j = shipped.vocabulary.get(name)
            if j is not None:
                scores += shipped.ind_coef[:, j] * value
                stat += shipped.stat_coef[j] * value
        expected = np.exp(scores - scores.max())
        assert np.allclose(probs[i], expected / expected.sum())
        assert np.isclose(p_stat[i], 1 / (1 + np.exp(-stat)))


def test_learned_design_reads_each_candidate_once_to_label_and_judge_it(monkeypatch) -> None:
    """Labelling then judging the same candidates builds their features once, and each report's anew."""
    import llmx.engine.label as label

    calls: list[int] = []
    real = label.features
    monkeypatch.setattr(label, "features", lambda c, *a, **k: calls.append(c.id) or real(c, *a, **k))
    per_report = []
    with llmx.Extractor(design="learned") as extractor:
        for path in sorted((ROOT / "eval" / "wide2" / "raw").glob("*.txt"))[:3]:
            before = len(calls)
            extractor.extract(path)
            per_report.append(calls[before:])
    assert any(per_report)
    for ids in per_report:  # every candidate once, not once to label and again to judge
        assert len(ids) == len(set(ids))


def test_learned_design_reports_the_confidence_of_the_decision_it_made(shipped) -> None:
    """Where the learned design overrules a cue, the figure's confidence is the overruling decision's
    (the cues' key boosted), not a second judgement that boosts the model's own key."""
    eager = replace(shipped, info={**shipped.info, "boost": 1.0})
    from llmx.engine.rule_labels import cue_keys
    from llmx.engine.learned import features
    from llmx.pipeline import analyse

    checked = 0
    for path in sorted((ROOT / "eval" / "wide2" / "raw").glob("*.txt"))[:15]:
        result = contract_json(path, design="learned", report_type=REPORT_TYPE, labeller=eager)
        found = analyse(path.read_text(encoding="utf-8"), REPORT_TYPE)
        keys = cue_keys(found.candidates, REPORT_TYPE.catalogue)
        rows = [features(c, k, REPORT_TYPE.catalogue) for c, k in zip(found.candidates, keys)]
        decided = eager.decide(rows, [k or "other" for k in keys])
        by_start = {c.mention.start: d for c, d in zip(found.candidates, decided)}
        for figure in result["figures"]:
            d = by_start[figure["start"]]
            assert (figure["indicator"], figure["confidence"], figure["unsure"]) == (d.indicator, d.confidence, d.unsure)
            checked += 1
    assert checked > 0


def test_a_number_after_a_kept_di_reads_as_a_rank_or_a_streak() -> None:
    """F:rank marks a candidate the number pass kept after 第 (a rank, a streak's year), not a count."""
    from llmx.engine.learned import features
    from llmx.pipeline import analyse

    text = "2024年，我局执法考评位居全市第一，连续第三年获评先进，办理案件12件。\n"
    found = analyse(text, REPORT_TYPE)
    marked = {c.mention.text: "F:rank" in features(c, None, REPORT_TYPE.catalogue) for c in found.candidates}
    assert marked == {"一": True, "三": True, "12": False}


def test_a_labeller_for_another_report_type_is_refused(shipped) -> None:
    other = replace(shipped, info={**shipped.info, "report_type": "budget"})
    with pytest.raises(ConfigurationError, match="budget"):
        Pipeline(REPORT_TYPE, design="rules", labeller=other)


def test_a_cue_key_the_labeller_never_saw_is_kept(shipped, examples) -> None:
    rows = [e.row for e in examples if e.stat and e.candidate][:5]
    decided = replace(shipped, info={**shipped.info, "boost": 0.0}).decide(rows, ["no_such_key"] * len(rows))
    assert [d.indicator for d in decided] == ["no_such_key"] * len(rows)


def test_the_doubt_model_reads_what_the_labeller_says_of_a_figure() -> None:
    """Its features: the probabilities of a statistic, of the key given and of the cues' key, whether
    model and cues agree, how spread the probabilities are, the key, and the kinds of number."""
    from llmx.engine.figure_doubt import doubt_rows

    probs = np.array([[0.7, 0.2, 0.1]] * 3)
    got = doubt_rows(probs, ("petitions", "other", "legal_aid"), np.array([0.9, 0.9, 0.5]),
                     ["petitions", "petitions", "no_such_key"], ["petitions", "legal_aid", "other"],
                     [["U:"], [], []], ["U:", "cue:far"])
    row = [dict(zip(got.names, r)) for r in got.matrix]
    agreed, overruled, unknown = row
    assert agreed["model_agrees"] == 1.0 and agreed["kind=U:"] == 1.0 and agreed["kind=cue:far"] == 0.0
    assert agreed["key=petitions"] == 1.0 and agreed["key=other"] == 0.0
    assert agreed["log_p_key"] == pytest.approx(np.log(0.7 + 1e-6))
    assert agreed["log_p_stat"] == pytest.approx(np.log(0.9 + 1e-6))
    assert agreed["margin"] == pytest.approx(0.5)
    assert agreed["entropy"] == pytest.approx(-sum(p * np.log(p) for p in (0.7, 0.2, 0.1)), abs=1e-9)
    assert overruled["model_agrees"] == 0.0 and overruled["log_p_cue"] == pytest.approx(np.log(0.1 + 1e-6))
    assert unknown["log_p_key"] == pytest.approx(np.log(1e-6)) and unknown["cue_other"] == 1.0
    assert sum(v for k, v in unknown.items() if k.startswith("key=")) == 0.0  # a key the labeller never saw


def test_doubt_rows_of_no_figures_and_of_one_class_have_every_column() -> None:
    from llmx.engine.figure_doubt import MEASURES, doubt_rows

    empty = doubt_rows(np.zeros((0, 2)), ("a", "b"), np.zeros(0), [], [], [], ["U:"])
    assert empty.matrix.shape == (0, len(MEASURES) + 3)
    one = doubt_rows(np.ones((2, 1)), ("a",), np.array([0.9, 0.1]), ["a", "a"], ["a", "other"], [[], []], [])
    assert dict(zip(one.names, one.matrix[1]))["margin"] == 1.0
    with pytest.raises(ValueError, match="one entry per figure"):
        doubt_rows(np.ones((2, 1)), ("a",), np.array([0.9]), ["a", "a"], ["a", "a"], [[], []], [])


def test_doubt_rows_of_labellers_with_other_classes_join_on_the_union_of_columns() -> None:
    from llmx.engine.doubt_model import DoubtRows

    a = DoubtRows(("x", "key=a"), np.array([[1.0, 1.0]]))
    b = DoubtRows(("x", "key=b"), np.array([[2.0, 1.0], [3.0, 0.0]]))
    joined = DoubtRows.joined([a, b])
    assert joined.names == ("x", "key=a", "key=b")
    assert joined.matrix.tolist() == [[1.0, 1.0, 0.0], [2.0, 0.0, 1.0], [3.0, 0.0, 0.0]]


def test_the_doubt_model_is_a_logistic_regression_over_named_weights() -> None:
    from llmx.engine.doubt_model import DoubtModel, DoubtRows

    model = DoubtModel({"a": 2.0, "b": -1.0}, 0.5)
    rows = DoubtRows(("a", "b", "unknown"), np.array([[1.0, 0.0, 0.0], [1.0, 3.0, 0.0], [0.0, 0.0, 5.0]]))
    got = model.p_right(rows)
    assert got.tolist() == pytest.approx([1 / (1 + np.exp(-2.5)), 1 / (1 + np.exp(0.5)), 1 / (1 + np.exp(-0.5))])
    assert DoubtModel.from_info(model.as_info()) == model
    assert DoubtModel.from_info(None).p_right(rows).tolist() == [0.5] * 3  # a labeller fitted in a fold


def test_a_figure_is_unsure_where_the_doubt_model_scores_it_at_or_under_the_threshold(shipped, examples) -> None:
    rows = [e.row for e in examples if e.candidate][:40]
    rules = [e.rule for e in examples if e.candidate][:40]
    _, _, doubt_rows = shipped.doubt_inputs(rows, rules, overrule=False)
    raw = shipped.doubt.p_right(doubt_rows)
    cut = float(np.median(raw))
    decided = replace(shipped, info={**shipped.info, "unsure_below": cut}).decide(rows, rules, overrule=False)
    assert [d.unsure for d in decided] == (raw <= cut).tolist()
    assert 0 < sum(d.unsure for d in decided) < len(decided)
    # confidence is the calibration of the same score: it never falls as the score rises
    order = np.argsort(raw)
    assert all(np.diff([decided[i].confidence for i in order]) >= 0)


def test_a_small_count_in_words_is_doubted_more_than_its_twin_in_digits(shipped) -> None:
    """Training learns that a count up to ten written in words (a slogan's 两个, a category's 三类) is
    wrong more often than most: the same row, in words, scores lower."""
    assert shipped.doubt.weights["kind=F:words_small"] < 0
    # the kind is also a feature of the labeller: leave it out of the vocabulary to see the doubt model alone
    shipped = replace(shipped, vocabulary={k: j for k, j in shipped.vocabulary.items() if k != "F:words_small"})
    twin = {"R:none": 1.0, "U:次": 1.0, "cue:adjacent": 1.0}
    worded = {**twin, "F:words_small": 1.0}
    rule = shipped.classes[int(shipped.probabilities([twin])[0][0].argmax())]
    digits, words = shipped.decide([twin, worded], [rule, rule], overrule=False)
    assert words.confidence <= digits.confidence
    _, _, doubted = shipped.doubt_inputs([twin, worded], [rule, rule], overrule=False)
    in_digits, in_words = shipped.doubt.p_right(doubted)
    assert in_words < in_digits


def _held_out(matrix: list[list[float]], right: list[float], fold: list[int]):  # type: ignore[no-untyped-def]
    from llmx.engine.doubt_model import DoubtRows
    from llmx.eval.train import HeldOutDoubt

    return HeldOutDoubt(DoubtRows(("only_in_0", "x"), np.array(matrix)), np.array(right), np.array(fold),
                        np.ones(len(right), dtype=bool))


def test_each_held_out_doubt_score_comes_from_a_model_fitted_without_its_fold() -> None:
    """Calibration and threshold read scores as an unseen report gets them: a feature only fold 0
    shows, always right there, lifts fold 0's scores in the full fit but not in its held-out ones."""
    from llmx.eval.train import _fit_doubt

    matrix, right, fold = [], [], []
    for f in range(3):
        for i in range(40):
            matrix.append([1.0, 0.0] if f == 0 else [0.0, float(i % 2)])
            right.append(1.0 if f == 0 else float(i % 2))
            fold.append(f)
    held = _held_out(matrix, right, fold)
    full, raw = _fit_doubt(held)
    zero = np.array(fold) == 0
    assert full.weights["only_in_0"] > 0
    assert (raw[zero] < full.p_right(held.rows.take(zero)) - 0.05).all()


def test_a_single_fold_or_a_single_outcome_still_gives_scores_that_order_the_rows() -> None:
    """With one fold nothing can be held out: the full model's scores stand in (not a constant 0.5);
    with one outcome the model says it for every row."""
    from llmx.eval.train import _fit_doubt

    one_fold = _held_out([[0.0, float(i % 2)] for i in range(40)], [float(i % 2) for i in range(40)], [0] * 40)
    _, raw = _fit_doubt(one_fold)
    assert raw[1] > raw[0]
    all_right = _held_out([[0.0, float(i % 2)] for i in range(40)], [1.0] * 40, [i % 2 for i in range(40)])
    model, raw = _fit_doubt(all_right)
    assert (raw > 0.99).all() and not model.weights


def test_training_judges_the_learned_design_on_the_figures_it_keeps(examples) -> None:
    """The threshold is read on the ``learned`` design's figures: candidates under the floor are set
    aside there, so their (low) scores must not fill the share flagged."""
    from llmx.eval.train import _held_out_doubt, catalogue_examples

    sample = [e for e in examples if e.set == "corpus"]
    catalogue = catalogue_examples(REPORT_TYPE)
    none_dropped = _held_out_doubt(sample, catalogue, 2.0, 0.0, 0.0)
    dropped = _held_out_doubt(sample, catalogue, 2.0, 0.5, 0.0)
    candidates = sum(e.candidate for e in sample)
    assert int((~none_dropped.learned).sum()) == int((~dropped.learned).sum()) == candidates  # the cues' rows
    assert int(none_dropped.learned.sum()) == candidates
    assert 0 < int(dropped.learned.sum()) < candidates


def test_boost_chosen_on_reports_it_did_not_learn_from(tmp_path: Path) -> None:
    """--boost-on: the boost that labels the judging reports best, those reports not learned from."""
    out = CliRunner().invoke(main, ["train", "--set", "corpus", "--boost-on", "wide2", "-o", str(tmp_path / "j.npz"),
                                    "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.stdout)
    assert list(info["sets"]) == ["corpus"] and list(info["boost_judged_on"]) == ["wide2"]
    hits = {float(k): v for k, v in info["boost_hits"].items() if k != "cues alone"}
    assert info["boost"] == max(hits, key=lambda b: (hits[b], b))
    judged = [e for e in collect(REPORT_TYPE, [GoldSet(s.name, ROOT / s.gold_dir, ROOT / s.source_dir)
                                               for s in DEFAULT_SETS if s.name == "wide2"]) if e.stat and e.candidate]
    assert info["boost_hits"]["cues alone"] == sum(e.rule == e.indicator for e in judged)
    assert info["statistics"] == sum(e.stat for e in collect(REPORT_TYPE, [GoldSet(
        s.name, ROOT / s.gold_dir, ROOT / s.source_dir) for s in DEFAULT_SETS if s.name == "corpus"]))


def test_the_shipped_boost_and_floor_were_chosen_on_the_probes_held_out_in_turn(shipped, examples) -> None:
    """The cue words were written on every gold set; the shipped boost and floor are judged on the
    probes, each held out of the fit that labels it (so 'cues alone' counts only probe figures)."""
    assert set(shipped.info["boost_judged_on"]) == {s.name for s in PROBE_SETS}  # the file sorts its keys
    hits = {float(k): v for k, v in shipped.info["boost_hits"].items() if k != "cues alone"}
    assert shipped.boost == max(hits, key=lambda b: (hits[b], b))
    by_penalty = {float(k): v for k, v in shipped.info["other_penalty_hits"].items()}
    assert set(by_penalty) == set(OTHER_PENALTIES) and by_penalty[shipped.other_penalty] == hits[shipped.boost]
    assert shipped.other_penalty == max(by_penalty, key=lambda p: (by_penalty[p], -p))
    probes = [e for e in examples if e.set in {s.name for s in PROBE_SETS} and e.stat and e.candidate]
    assert shipped.info["boost_hits"]["cues alone"] == sum(e.rule == e.indicator for e in probes)
    f1 = {float(k): v for k, v in shipped.info["stat_floor_f1"].items()}
    assert set(f1) == set(STAT_FLOORS)
    assert shipped.stat_below == max(f1, key=lambda t: (f1[t], -t))


def test_a_judge_set_also_learned_from_is_held_out_of_the_fit_it_judges(tmp_path: Path) -> None:
    """`--set wide2 --boost-on wide2`: wide2 teaches the shipped fit, yet its figures are labelled for
    the choice by a model trained without them; without judges the floor drops nothing."""
    out = CliRunner().invoke(main, ["train", "--set", "corpus", "--set", "wide2", "--boost-on", "wide2",
                                    "-o", str(tmp_path / "j.npz"), "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.stdout)
    assert list(info["sets"]) == ["corpus", "wide2"] and list(info["boost_judged_on"]) == ["wide2"]
    corpus_only = fit(collect(REPORT_TYPE, _rooted(s for s in DEFAULT_SETS if s.name == "corpus")), REPORT_TYPE,
                      boost=0.0, other_penalty=info["other_penalty"])
    wide2 = [e for e in collect(REPORT_TYPE, _rooted(s for s in DEFAULT_SETS if s.name == "wide2"))
             if e.stat and e.candidate]
    decided = corpus_only.decide([e.row for e in wide2], [e.rule for e in wide2])
    assert info["boost_hits"]["0.0"] == sum(d.indicator == e.indicator for d, e in zip(decided, wide2))
    unjudged = CliRunner().invoke(main, ["train", "--set", "corpus", "--set", "wide2", "-o", str(tmp_path / "u.npz"),
                                         "--json"])
    assert json.loads(unjudged.stdout)["stat_below"] == 0.0


def test_your_labels_are_folded_in_beside_every_bundled_set(tmp_path: Path) -> None:
    """`train --with mine=LABELS:REPORTS`: the shipped labeller's sets plus yours, judged as it is."""
    labels, reports = tmp_path / "labels", tmp_path / "reports"
    labels.mkdir(), reports.mkdir()
    for name in ("001", "004"):  # wide2's reports stand in for a reviewer's saved corrections
        shutil.copy(ROOT / "eval" / "wide2" / "gold" / f"{name}.json", labels / f"mine{name}.json")
        shutil.copy(ROOT / "eval" / "wide2" / "raw" / f"{name}.txt", reports / f"mine{name}.txt")
    out = CliRunner().invoke(main, ["train", "--with", f"mine={labels}:{reports}", "-o", str(tmp_path / "m.npz"),
                                    "--json"])
    assert out.exit_code == 0, out.output
    info = json.loads(out.stdout)
    assert list(info["sets"]) == [*(s.name for s in TRAINING_SETS), "mine"]
    assert set(info["boost_judged_on"]) == {s.name for s in PROBE_SETS}
    mine = collect(REPORT_TYPE, [GoldSet("mine", labels, reports)])
    assert info["examples"] == len(collect(REPORT_TYPE, _rooted(TRAINING_SETS))) + len(mine)


def test_sets_are_told_apart_by_name_and_a_judge_needs_something_to_learn_from(tmp_path: Path) -> None:
    """A set is held out and recorded by its name: two sets of one name, or a judge named like a set
    learned from but elsewhere, are refused; so is a judge that leaves nothing to learn from."""
    def train(*args: str):
        return CliRunner().invoke(main, ["train", *args, "-o", str(tmp_path / "x.npz")])

    twice = train("--set", "corpus", "--with", "corpus")
    assert twice.exit_code == 2 and "share a name (corpus)" in twice.output
    elsewhere = train("--set", "corpus", "--set", "mine=eval/wide2/gold:eval/wide2/raw",
                      "--boost-on", "mine=eval/wide/gold:eval/wide/raw")
    assert elsewhere.exit_code == 2 and "other folders" in elsewhere.output
    alone = train("--set", "corpus", "--boost-on", "corpus")
    assert alone.exit_code == 2 and "no set could judge" in alone.output
    assert not (tmp_path / "x.npz").exists()


def test_in_hybrid_a_reading_does_not_bring_back_a_number_set_aside(shipped, monkeypatch) -> None:
    """The model's reading names what a number counts: it may move a key, but not undo the floor."""
    from dataclasses import replace as with_
    from llmx.engine import label
    from llmx.engine.learned import NOT_A_STATISTIC
    from llmx.pipeline import analyse

    class Reader:  # reads every number it is asked about as publicity, which moves every cue key
        version, undecided = "test", []

        def __init__(self, *args, **kwargs) -> None:
            pass

        def __call__(self, asked):
            return [with_(c, reading="宣传活动") for c in asked]

    monkeypatch.setattr(label, "PhraseWriter", Reader)
    found = analyse("2024年，我镇推行一套材料、一次提交、一次反馈，开展法治讲座3次。", REPORT_TYPE)
    labelling = label.Labelling(REPORT_TYPE, "hybrid", llm=object(), given=shipped)  # type: ignore[arg-type]
    _, labels, _, _ = labelling(found.candidates, "h")
    learned = labelling._learned(found.candidates, label.rule_labels(found.candidates, REPORT_TYPE.catalogue))
    aside = [c.id for c in found.candidates if learned[c.id] == NOT_A_STATISTIC]
    assert aside and all(labels[i] == NOT_A_STATISTIC for i in aside)


def test_eval_cv_folds_use_the_shipped_boost_and_floor(shipped) -> None:
    """Every fold of `eval --cv` labels and drops as the shipped labeller does (they were judged on probes)."""
    from llmx.apps.eval_command import _judged_choice

    assert _judged_choice(REPORT_TYPE) == (shipped.boost, shipped.stat_below, shipped.other_penalty)
    bare = replace(REPORT_TYPE, labeller=ROOT / "no_such_labeller.npz")
    assert _judged_choice(bare) == (None, None, None)


def test_floor_range_and_the_held_out_probe_warning(tmp_path: Path) -> None:
    out = CliRunner().invoke(main, ["train", "--set", "corpus", "--floor", "1.5", "-o", str(tmp_path / "x.npz")])
    assert out.exit_code == 2 and "1.5" in out.output
    held_out = HELD_OUT_SETS[0].name
    held = CliRunner().invoke(main, ["train", "--set", "corpus", "--set", held_out, "--boost", "4", "--floor", "0",
                                     "-o", str(tmp_path / "y.npz")])
    assert held.exit_code == 0, held.output
    assert f"{held_out} is the held-out probe" in held.stderr


def test_the_learned_design_keeps_aside_a_number_it_finds_no_statistic(shipped, tmp_path: Path) -> None:
    """Under the floor a number leaves the figures for `uncovered`, with the labeller's probability;
    the rules design keeps it."""
    text = "各位领导：\n2024年，我镇推行一套材料、一次提交、一次反馈、一次分办，办理行政复议案件3件。\n"
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    learned = llmx.extract(path, design="learned")
    rules = llmx.extract(path, design="rules")
    dropped = [u for u in learned.uncovered if u["reason"].startswith("labeller")]
    assert shipped.stat_below > 0 and dropped, learned.uncovered
    assert all(float(u["reason"].split("(p ")[1].split(")")[0]) < shipped.stat_below for u in dropped)
    kept = {f.start for f in learned.figures} | {u["start"] for u in dropped}
    assert kept == {f.start for f in rules.figures}
    assert 3 in {f.value for f in learned.figures}


def test_the_default_design_is_the_cue_words_for_a_report_type_without_a_labeller(monkeypatch) -> None:
    """learned is the default only where a labeller exists; asked for by name, it is refused instead."""
    monkeypatch.delenv("LLMX_DESIGN", raising=False)
    bare = replace(REPORT_TYPE, labeller=ROOT / "no_such_labeller.npz")
    assert llmx.extract(ROOT / "eval" / "corpus" / "000_463a946c1bd692f9.txt", report_type=bare).prompt_version == "rules"
    assert llmx.extract(ROOT / "eval" / "corpus" / "000_463a946c1bd692f9.txt").prompt_version == "learned"
    with pytest.raises(ConfigurationError, match="trained labeller"):
        llmx.extract(ROOT / "eval" / "corpus" / "000_463a946c1bd692f9.txt", report_type=bare, design="learned")


def test_judging_the_learned_keys_beside_the_cues_is_what_deciding_them_said(shipped, examples) -> None:
    """The pipeline judges a figure's final key beside the cues' key: for the keys the labeller chose
    itself that is exactly its own decision, overruled figures included; judged as if the cues had
    chosen them (rule = key) the overruled ones would look undisputed."""
    rows = [e.row for e in examples if e.candidate][:300]
    rules = [e.rule for e in examples if e.candidate][:300]
    decided = shipped.decide(rows, rules, overrule=True)
    keys = [d.indicator for d in decided]
    assert shipped.judge(rows, keys, rules) == decided
    overruled = [i for i, (k, r) in enumerate(zip(keys, rules)) if k != r]
    assert overruled, "the shipped labeller overrules some cue among these rows"
    undisputed = shipped.judge(rows, keys, keys)
    assert any(undisputed[i].confidence != decided[i].confidence for i in overruled)


def test_the_other_penalty_moves_numbers_from_other_to_a_catalogue_key_and_nothing_else(shipped, examples) -> None:
    """A penalty on `other` only ever trades `other` for a key: a number the model gave a key keeps it,
    and with a penalty past any margin no known class loses to `other`."""
    rows = [e for e in examples if e.set == "wide2" and e.stat and e.candidate]
    keys = {p: _leaning(shipped, shipped.boost, p).chosen_keys([e.row for e in rows], [e.rule for e in rows])
            for p in (0.0, 1.0, 50.0)}
    moved = [(a, b) for a, b in zip(keys[0.0], keys[1.0]) if a != b]
    assert moved and all(a == "other" and b != "other" for a, b in moved)
    assert "other" not in keys[50.0]
    assert _leaning(shipped, shipped.boost, 0.0).other_penalty == 0.0 and shipped.info["other_penalty"] == shipped.other_penalty


def test_the_learned_design_gives_a_part_its_wholes_key_where_the_labeller_read_it_alone(shipped) -> None:
    """The labeller decides each number alone; the catalogue's rule that a part (其中…) takes its whole's
    key is applied over its keys.  A labeller that reads every number no cue places as `other` stands in
    for one that doubts 受理66件 (受理 alone names no case)."""
    from dataclasses import fields

    class PartBlind(LearnedModel):
        def doubt_inputs(self, rows, rules, *, overrule=True):  # type: ignore[no-untyped-def]
            keys, p_stat, doubted = super().doubt_inputs(rows, rules, overrule=overrule)
            return ["other" if "R:none" in row else key for row, key in zip(rows, keys)], p_stat, doubted

    blind = PartBlind(*(getattr(shipped, f.name) for f in fields(shipped)))
    text = "一、主要举措\n全年收到行政复议申请87件。其中，受理66件，不予受理18件。\n"
    with llmx.Extractor(design="learned", labeller=blind) as ex:
        figures = {f.value: f.indicator for f in ex.extract(text).figures}
    assert figures == {87: "reconsideration_cases", 66: "reconsideration_cases", 18: "reconsideration_cases"}
    # the stub does read the parts alone as `other`: the rule, not the labeller, gave them the key
    from llmx.engine.learned import features
    from llmx.engine.rule_labels import cue_keys
    from llmx.pipeline import analyse

    candidates = analyse(text, REPORT_TYPE).candidates
    keys = cue_keys(candidates, REPORT_TYPE.catalogue)
    alone = blind.decide([features(c, k, REPORT_TYPE.catalogue) for c, k in zip(candidates, keys)],
                         ["reconsideration_cases"] * len(candidates))
    assert [d.indicator for d in alone] == ["reconsideration_cases", "other", "other"]
