"""``llmx train``: fit the learned labeller on every gold label it is given.

Each gold set (the bundled ones, a user's own ``NAME=GOLD_DIR:SOURCE_DIR``)
is run through the code-only half of the pipeline (``pipeline.analyse``)
with every number kept, and each number is matched to a gold figure the way
the scorer matches them (equal value, overlapping position).  That gives,
per number: is it a statistic, and if so which indicator.  The catalogue's
own examples (``indicators.yaml``) are added as labelled rows, so a key the
gold sets rarely show is still known.

Two logistic regressions (scikit-learn) are fitted on the same features
(``engine.learned.features``): a binary one for "is a statistic", a
multinomial one for the indicator.  How strongly the cues' key is trusted
(``boost``) is chosen by leave-one-set-out accuracy over the given sets; the
doubt model (``engine.figure_doubt``) is a third regression, fitted on what
labellers trained without them say of the candidates of reports held out of
k folds (stacking); its own scores for rows held out of it calibrate the
confidence (isotonic regression) and set ``unsure_below``, the uncalibrated
score under which the least sure ``UNSURE_SHARE`` of held-out figures fall
(the calibrated one comes in steps).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from llmx.reports.catalogue import OTHER
from llmx.reports.report_type import ReportType
from llmx.engine.rule_labels import cue_keys, rule_labels
from llmx.engine.doubt_model import DoubtModel, DoubtRows
from llmx.engine.learned import FEATURE_VERSION, LearnedModel, features
from llmx.pipeline import Analysis, analyse
from llmx.errors import ConfigurationError, LlmxError
from llmx.eval.evaluate import GoldSet, described, gold_pairs, read_gold
from llmx.eval.meta_training import MetaExample, fit_meta_doubt, meta_examples
from llmx.eval.scoring.common import values_equal
from llmx.eval.scoring.figures import locate_all
from llmx.eval.scoring.sets import load_source
from llmx.text.numbers import find_mentions
from llmx.text.script import simplify
from llmx.text.textmap import FoldedText

if TYPE_CHECKING:
    import numpy as np

BOOSTS = (0.0, 1.0, 2.0, 3.0, 4.0, 6.0)  # log-probability added to the cues' key; the last all but keeps it
STAT_FLOORS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)  # p_stat under which the learned design drops a number; 0 keeps all
OTHER_PENALTIES = (0.0, 0.5, 1.0, 1.5, 2.0)  # log-probability taken from `other`, chosen with the boost
UNSURE_SHARE = 0.21  # the share of held-out `learned` figures flagged unsure (the goal allows a quarter)
FOLDS = 5
_C = 1.0  # inverse regularisation of both regressions (the scikit-learn default)
# of the doubt model: when it was chosen, held out by set at a quarter of figures flagged, 0.1 caught 167
# and 1 caught 165 of 248 errors
_DOUBT_C = 0.1
_CATALOGUE_SET = "catalogue"
_MIN_ROWS = 2  # a feature is kept when at least this many numbers show it


@dataclass(frozen=True)
class Example:
    """One number of one gold report: its features and what the gold labels say it is."""

    set: str
    doc: str
    row: dict[str, float]
    rule: str  # the cues' key, ``other`` where none places it
    candidate: bool  # the number pass kept it (only candidates can become figures)
    stat: bool
    indicator: str | None  # the gold indicator of a statistic

    @property
    def cues_right(self) -> bool:
        """The ``rules`` design gets it right: a statistic, and the cues' key is its gold indicator."""
        return self.stat and self.rule == self.indicator


def collect(report_type: ReportType, sets: Sequence[GoldSet]) -> list[Example]:
    """Every number of every gold report of ``sets``, labelled from the gold figures."""
    return collect_with_meta(report_type, sets)[0]


def collect_with_meta(report_type: ReportType, sets: Sequence[GoldSet]) -> tuple[list[Example], list[MetaExample]]:
    """Every number and every labelled meta field of every gold report of ``sets`` (the meta doubt
    model's examples, ``meta_training.py``), each report analysed once for both."""
    numbers: list[Example] = []
    meta: list[MetaExample] = []
    for s in sets:
        for gold_path, _ in gold_pairs(s.gold_dir, s.source_dir):
            gold = read_gold(gold_path)
            unknown = {f.get("indicator") for f in gold["figures"]} - {*report_type.catalogue.keys, OTHER}
            if unknown:
                raise LlmxError(f"{gold_path}: indicators not in the {report_type.name} catalogue: {sorted(map(str, unknown))}")
            source = load_source(s.source_dir, gold_path.stem)
            doc = f"{s.name}/{gold_path.stem}"
            found = analyse(source, report_type, every_mention=True)
            numbers.extend(_report_examples(report_type, s.name, doc, source, gold, found))
            meta.extend(meta_examples(s.name, doc, found, gold.get("meta")))
    return numbers, meta


def _report_examples(report_type: ReportType, set_name: str, doc: str, source: str, gold: dict,
                     found: Analysis) -> list[Example]:
    cands = found.candidates
    keys = cue_keys(cands, report_type.catalogue)
    rules = rule_labels(cands, report_type.catalogue)
    located = locate_all(gold["figures"], FoldedText.of(source), find_mentions(simplify(source), report_type.numbered_names))
    taken: set[int] = set()
    out = []
    for c, key, excluded in zip(cands, keys, found.excluded):
        m = c.mention
        match = next((g for g in located if g.reason is None and g.index not in taken and g.value is not None
                      and values_equal(float(m.value), g.value)
                      and any(s < m.end and m.start < e for s, e in g.spans)), None)
        if match is not None:
            taken.add(match.index)
        out.append(Example(set_name, doc, features(c, key, report_type.catalogue, excluded), rules[c.id],
                           excluded is None, match is not None,
                           str(match.figure.get("indicator") or OTHER) if match is not None else None))
    return out


def catalogue_examples(report_type: ReportType) -> list[Example]:
    """The catalogue's example phrases as labelled statistics: the number last in each is the figure."""
    out = []
    for ind in report_type.catalogue.indicators:
        for phrase in ind.examples:
            found = analyse(phrase + "。", report_type)
            if not found.candidates:
                continue
            c = found.candidates[-1]
            key = cue_keys([c], report_type.catalogue)[0]
            out.append(Example(_CATALOGUE_SET, f"{_CATALOGUE_SET}/{ind.key}", features(c, key, report_type.catalogue),
                               key or OTHER, True, True, ind.key))
    return out


def fit(examples: Sequence[Example], report_type: ReportType, *, boost: float | None = None,
        stat_below: float | None = None, other_penalty: float | None = None,
        provenance: dict[str, Any] | None = None, judges: Sequence[Example] = (),
        meta: Sequence[MetaExample] = ()) -> LearnedModel:
    """The labeller trained on ``examples`` (plus the catalogue's), its boost, ``other_penalty`` and
    ``stat_below`` chosen unless the boost is given (on ``judges``, reports it is not trained on, else by
    leave-one-set-out, where the floor stays 0; a given boost comes with no penalty unless one is given),
    its confidence calibrated on k held-out folds; with the meta doubt model fitted on ``meta`` (none
    given: the shape checks judge the metadata)."""
    import numpy as np

    examples = list(examples)
    if not any(e.stat for e in examples):
        raise LlmxError("no gold figure could be matched to a number: nothing to learn from")
    catalogue = catalogue_examples(report_type)
    chosen = None
    if boost is None:
        chosen = choose_boost_and_floor(examples, catalogue, judges,
                                        OTHER_PENALTIES if other_penalty is None else (other_penalty,))
        boost, stat_below = chosen.boost, chosen.stat_below if stat_below is None else stat_below
        other_penalty = chosen.other_penalty if other_penalty is None else other_penalty
    other_penalty = other_penalty or 0.0
    model = _fit_once(examples, catalogue, boost, calibration=(np.array([0.0, 1.0]), np.array([0.0, 1.0])),
                      unsure_below=0.0, info={"other_penalty": other_penalty})
    held_out = _held_out_doubt(examples, catalogue, boost, stat_below or 0.0, other_penalty)
    doubt, raw = _fit_doubt(held_out)
    calib_x, calib_y = _isotonic(raw, held_out.right)
    unsure_below = _flag_threshold(raw[held_out.learned])
    meta_doubt, meta_stats = fit_meta_doubt(meta) if meta else (None, {})
    info = {
        "version": 1, "feature_version": FEATURE_VERSION, "boost": boost, "other_penalty": other_penalty,
        "unsure_below": unsure_below,
        "stat_below": stat_below or 0.0,
        "doubt_model": doubt.as_info(),
        **({"meta_doubt": meta_doubt.as_info()} if meta_doubt else {}),
        **({"meta_doubt_held_out": meta_stats} if meta_stats else {}),
        "report_type": report_type.name, "examples": len(examples), "statistics": sum(e.stat for e in examples),
        "catalogue_examples": len(catalogue), "data_hash": data_hash(examples),
        "boost_hits": chosen.boost_hits if chosen else {},  # where cues and model decide
        "other_penalty_hits": chosen.penalty_hits if chosen else {},
        "stat_floor_f1": chosen.floor_f1 if chosen else {},  # where the learned design drops numbers
        "trained": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        **(provenance or {}),
    }
    return LearnedModel(model.vocabulary, model.classes, model.ind_coef, model.ind_intercept, model.stat_coef,
                        model.stat_intercept, calib_x, calib_y, info)


def data_hash(examples: Sequence[Example]) -> str:
    """A digest of what was learned from: every example's features and labels."""
    h = hashlib.sha256()
    for e in examples:
        h.update(json.dumps([e.doc, sorted(e.row.items()), e.stat, e.indicator, e.candidate],
                            ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()[:16]


def _fit_once(examples: Sequence[Example], catalogue: Sequence[Example], boost: float,
              calibration: tuple[np.ndarray, np.ndarray], unsure_below: float, info: dict[str, Any]) -> LearnedModel:
    """Both regressions on ``examples`` (statistics and the catalogue's rows for the indicator)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # a problem this small runs several times slower when BLAS threads contend
        return _fit_regressions(examples, catalogue, boost, calibration, unsure_below, info)


def _fit_regressions(examples: Sequence[Example], catalogue: Sequence[Example], boost: float,
                     calibration: tuple[np.ndarray, np.ndarray], unsure_below: float,
                     info: dict[str, Any]) -> LearnedModel:
    import numpy as np
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    everything = [*examples, *catalogue]
    seen = Counter(name for e in everything for name in e.row)
    vectorizer = DictVectorizer().fit([{name: 1.0 for name, n in seen.items() if n >= _MIN_ROWS}])
    vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
    # one pass over the rows: the statistic model reads the examples', the indicator model the labelled ones
    matrix = vectorizer.transform([e.row for e in everything])
    labelled = [i for i, e in enumerate(everything) if e.stat and e.candidate]
    indicator = LogisticRegression(C=_C, max_iter=5000, solver="newton-cg")  # L-BFGS-B is slow over this many weights
    indicator.fit(matrix[labelled], [everything[i].indicator for i in labelled])
    stat = LogisticRegression(C=_C, max_iter=5000)
    stat_y = [e.stat for e in examples]
    if len(set(stat_y)) < 2:  # every number a statistic (or none): nothing to tell apart
        stat_coef, stat_intercept = np.zeros(len(vocabulary)), 10.0 if stat_y[0] else -10.0
    else:
        stat.fit(matrix[:len(examples)], stat_y)
        stat_coef, stat_intercept = stat.coef_[0], float(stat.intercept_[0])
    coef, intercept = indicator.coef_, indicator.intercept_
    if len(indicator.classes_) == 2:  # scikit-learn keeps one row for two classes: make it a softmax pair
        coef, intercept = np.vstack([-coef[0] / 2, coef[0] / 2]), np.array([-intercept[0] / 2, intercept[0] / 2])
    return LearnedModel(vocabulary, tuple(str(k) for k in indicator.classes_), np.asarray(coef), np.asarray(intercept),
                        np.asarray(stat_coef), stat_intercept, calibration[0], calibration[1],
                        {"boost": boost, "unsure_below": unsure_below, **info})


def _folds(examples: Sequence[Example], k: int = FOLDS) -> list[set[str]]:
    """Reports split into ``k`` groups by a stable hash of their names (folds by report, not by number)."""
    docs = sorted({e.doc for e in examples})
    groups: list[set[str]] = [set() for _ in range(min(k, len(docs)))]
    for doc in docs:
        groups[int(hashlib.sha256(doc.encode()).hexdigest(), 16) % len(groups)].add(doc)
    return [g for g in groups if g]


@dataclass(frozen=True)
class Choice:
    """What held-out reports chose: the boost and the floor, and what each value tried scored there."""

    boost: float
    stat_below: float
    other_penalty: float
    boost_hits: dict[str, int]  # held-out figures labelled right at each boost, at the chosen penalty (and by the cues)
    penalty_hits: dict[str, int]  # held-out figures labelled right at each penalty, at the chosen boost
    floor_f1: dict[str, float]  # held-out figure F1 at each floor


def choose_boost_and_floor(examples: Sequence[Example], catalogue: Sequence[Example],
                           judges: Sequence[Example] = (), penalties: Sequence[float] = OTHER_PENALTIES) -> Choice:
    """The boost and ``other`` penalty (of ``penalties``) with the best indicator accuracy and the
    ``stat_below`` floor with the best figure F1 on reports the model is not trained on, and what each value
    tried scored there; ties go to the larger boost, which trusts the cues more, then to the smaller
    penalty, and to the lower floor, which drops less.

    Those reports are ``judges`` when given: sets the cue words were written on less (the probes).  A judge set
    that is also learned from is held out in turn (the model is fitted on every other set and
    labels it), so every labelled probe can both teach and judge.  Without judges each set is held
    out in turn (folds by report when only one set is given), but the cue words and the number
    pass were written on every gold set, so there the cues' key is in-sample and the choice leans to
    them: on the blind probes (eval/probes/) a middle boost labels unseen reports better than the
    largest.  The floor drops nothing (0) without judges, for the same reason.
    """
    if judges:
        trials = [([e for e in examples if e.set != name], [e for e in judges if e.set == name and e.candidate])
                  for name in sorted({e.set for e in judges})]
    else:
        sets = sorted({e.set for e in examples})
        held_outs = [{e.doc for e in examples if e.set == s} for s in sets] if len(sets) > 1 else _folds(examples)
        trials = [([e for e in examples if e.doc not in held], [e for e in examples if e.doc in held and e.candidate])
                  for held in held_outs]
    hits: Counter[tuple[float, float]] = Counter()
    kept: dict[float, Counter[str]] = {floor: Counter() for floor in STAT_FLOORS}
    for train, test in trials:
        labelled = [e for e in test if e.stat]
        if not labelled or not any(e.stat for e in train):
            continue
        model = _fit_once(train, catalogue, 0.0, (_identity(), _identity()), 0.0, {})
        probs = model.probabilities([e.row for e in labelled])[0]
        for b in BOOSTS:
            for penalty in penalties:
                keys = _leaning(model, b, penalty).keys_of(probs, [e.rule for e in labelled])
                hits[b, penalty] += sum(key == e.indicator for key, e in zip(keys, labelled))
        _, p_stat = model.probabilities([e.row for e in test])
        for floor in STAT_FLOORS:
            kept[floor].update(("tp" if e.stat else "fp") if p >= floor else ("fn" if e.stat else "tn")
                               for p, e in zip(p_stat, test))
    if not any(counts for counts in kept.values()):
        raise LlmxError("no set could judge the boost: each judge set is held out of the fit it judges, and "
                        "holding it out leaves no labelled figure to learn from (learn from more sets)")
    cues = sum(e.rule == e.indicator for train, test in trials if test and any(e.stat for e in train)
               for e in test if e.stat)
    best, penalty = max(hits, key=lambda bp: (hits[bp], bp[0], -bp[1]))
    f1 = {floor: _f1(c) for floor, c in kept.items()}
    floor = max(STAT_FLOORS, key=lambda t: (f1[t], -t)) if judges else 0.0
    return Choice(best, floor, penalty, {**{str(b): hits[b, penalty] for b in BOOSTS}, "cues alone": cues},
                  {str(p): hits[best, p] for p in penalties}, {str(t): round(v, 4) for t, v in f1.items()})


def _f1(c: Counter[str]) -> float:
    return 2 * c["tp"] / (2 * c["tp"] + c["fp"] + c["fn"]) if c["tp"] else 0.0


def _identity() -> np.ndarray:
    import numpy as np

    return np.array([0.0, 1.0])


def _leaning(model: LearnedModel, boost: float, other_penalty: float) -> LearnedModel:
    """``model`` deciding with another boost and ``other`` penalty."""
    return LearnedModel(model.vocabulary, model.classes, model.ind_coef, model.ind_intercept, model.stat_coef,
                        model.stat_intercept, model.calib_x, model.calib_y,
                        {**model.info, "boost": boost, "other_penalty": other_penalty})


@dataclass(frozen=True)
class HeldOutDoubt:
    """What the doubt model reads of the figures of reports held out of k folds, for the cues' key
    (every candidate: the ``rules`` design's figures) and for the model's (the candidates the
    ``learned`` design keeps as figures); whether each was right (a number that is no statistic
    never is), the fold it was held out of, and which rows are the ``learned`` design's."""

    rows: DoubtRows
    right: np.ndarray
    fold: np.ndarray
    learned: np.ndarray


def _held_out_doubt(examples: Sequence[Example], catalogue: Sequence[Example], boost: float,
                    stat_below: float, other_penalty: float) -> HeldOutDoubt:
    import numpy as np

    parts: list[DoubtRows] = []
    right: list[bool] = []
    fold: list[int] = []
    learned: list[bool] = []
    for f, held in enumerate(_folds(examples)):
        train = [e for e in examples if e.doc not in held]
        test = [e for e in examples if e.doc in held and e.candidate]
        if not test or not any(e.stat for e in train):
            continue
        model = _fit_once(train, catalogue, boost, (_identity(), _identity()), 0.0, {"other_penalty": other_penalty})
        for overrule in (False, True):
            keys, p_stat, doubted = model.doubt_inputs([e.row for e in test], [e.rule for e in test], overrule=overrule)
            kept = p_stat >= stat_below if overrule else np.ones(len(test), dtype=bool)
            parts.append(doubted.take(kept))
            right += [e.stat and key == e.indicator for key, e, k in zip(keys, test, kept) if k]
            fold += [f] * int(kept.sum())
            learned += [overrule] * int(kept.sum())
    return HeldOutDoubt(DoubtRows.joined(parts), np.array(right, dtype=float), np.array(fold),
                        np.array(learned, dtype=bool))


def _fit_doubt(held: HeldOutDoubt) -> tuple[DoubtModel, np.ndarray]:
    """The doubt model fitted on every held-out row, and each row's score from one fitted without its
    fold, so the calibration and the threshold see scores as an unseen report gets them (with a
    single fold there is nothing to hold out: the full model's own scores stand in)."""
    import numpy as np

    full = _doubt_regression(held.rows, held.right)
    folds = np.unique(held.fold)
    if len(folds) < 2:
        return full, full.p_right(held.rows)
    raw = np.empty(len(held.rows))
    for f in folds:
        out, at = held.fold != f, held.fold == f
        raw[at] = _doubt_regression(held.rows.take(out), held.right[out]).p_right(held.rows.take(at))
    return full, raw


def _doubt_regression(rows: DoubtRows, right: np.ndarray) -> DoubtModel:
    import math

    from sklearn.linear_model import LogisticRegression

    if len(set(right.tolist())) < 2:  # all right (or none): nothing to tell apart, the rate says it all
        return DoubtModel({}, math.copysign(10.0, right.mean() - 0.5) if len(right) else 0.0)
    fitted = LogisticRegression(C=_DOUBT_C, max_iter=5000).fit(rows.matrix, right)
    return DoubtModel({name: float(w) for name, w in zip(rows.names, fitted.coef_[0]) if w},
                      float(fitted.intercept_[0]))


def _flag_threshold(raw: np.ndarray) -> float:
    """The uncalibrated score at or under which ``UNSURE_SHARE`` of held-out figures fall.

    Read on the raw score, which is continuous: the calibrated one comes in isotonic steps, and a
    step spanning the quantile would flag far fewer figures than asked.
    """
    import numpy as np

    return float(np.quantile(raw, UNSURE_SHARE)) if len(raw) else -1.0


def _isotonic(raw: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An increasing map from raw to calibrated confidence, as the points ``numpy.interp`` reads."""
    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    if len(raw) < 2:
        return _identity(), _identity()
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, right)
    return np.asarray(iso.X_thresholds_, dtype=float), np.asarray(iso.y_thresholds_, dtype=float)


def train(report_type: ReportType, sets: Sequence[GoldSet], *, boost: float | None = None,
          stat_below: float | None = None, other_penalty: float | None = None,
          judge_sets: Sequence[GoldSet] = ()) -> LearnedModel:
    """Collect ``sets`` and fit: the model ``llmx train`` writes; ``judge_sets`` choose the boost (a
    judge set also in ``sets`` is held out of the fit that it judges).

    Sets are held out and recorded by name, so two sets of one name are refused, and so is a judge
    named like a set learned from but with other folders; a judge given twice judges once."""
    try:
        import sklearn  # noqa: F401  (only to say what is missing before any work)
    except ImportError as exc:
        raise ConfigurationError("training needs scikit-learn: pip install -e '.[train]'") from exc
    by_name = {s.name: s for s in sets}
    if len(by_name) < len(sets):
        repeated = sorted({s.name for s in sets if sum(t.name == s.name for t in sets) > 1})
        raise LlmxError(f"two sets share a name ({', '.join(repeated)}): a set is held out and recorded by its "
                        f"name, so give each its own")
    judge_sets = list(dict.fromkeys(judge_sets))
    for judge in judge_sets:
        if judge.name in by_name and by_name[judge.name] != judge:
            raise LlmxError(f"--boost-on {judge.name}: a set learned from has that name but other folders")
    examples, meta = collect_with_meta(report_type, sets)
    provenance: dict[str, Any] = {"sets": described(sets)}
    if judge_sets and boost is None:
        provenance["boost_judged_on"] = described(judge_sets)
    judges: list[Example] = []
    if judge_sets and boost is None:
        learned_from = {s.name for s in sets}
        judges = [e for e in examples if e.set in {s.name for s in judge_sets}]
        judges += collect(report_type, [s for s in judge_sets if s.name not in learned_from])
    return fit(examples, report_type, boost=boost, stat_below=stat_below, other_penalty=other_penalty,
               provenance=provenance, judges=judges, meta=meta)
