"""The labeller that learns from labels: what each candidate counts, and how sure llmx is.

Cue words (``reports/cues.py``, applied by ``cue_rules.py``) name an indicator exactly where a report uses
the words the catalogue knows; every labelled figure of every gold set says
more than that.  A report type ships a small linear model trained on those
labels (``llmx train``, ``llmx/eval/train.py``) in ``labeller.npz``, and this
module applies it:

- ``p_stat``: the probability that a candidate is a statistic at all; the
  ``learned`` design drops a candidate whose ``p_stat`` is under
  ``stat_below`` (chosen by figure F1 on reports the model was not trained
  on; 0, dropping nothing, in a labeller trained without such reports);
- the indicator: the cues' key gets a fixed boost in log-probability
  (``boost``, chosen on held-out reports, ``llmx/eval/train.py``) before the model's
  classes are compared, so the model overrules a cue only where its labels
  speak clearly against it, and a key the labels rarely show is left to the
  cues that name it; ``other`` loses ``other_penalty`` (chosen with the boost),
  as the catch-all wins too many numbers of unseen reports;
- ``confidence``: the calibrated probability (isotonic, fitted on held-out
  folds) that the figure is a statistic and its indicator is right, read
  from the doubt model (``figure_doubt.py``), a second regression over what
  this one says of the figure; a figure whose uncalibrated score is at or
  below ``unsure_below`` is flagged ``unsure`` (the raw score has no
  isotonic steps, so the share flagged is what training asked for).

Why a linear model applied here with numpy, not a pickled scikit-learn
estimator: the file loads without unpickling code, and a rules run does not
pay the second it takes to import scikit-learn (``bench/coldstart.py``).
Training uses scikit-learn; the weights, the feature vocabulary and the
calibration curve are plain arrays.
"""

from __future__ import annotations

import hashlib
import json
import math
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import repeat
from typing import TYPE_CHECKING, Any

from llmx.reports.catalogue import OTHER, Catalogue
from llmx.reports.cues import Cues
from llmx.engine.cue_rules import cue_rules
from llmx.engine.candidates import Candidate
from llmx.engine.doubt_model import DoubtModel, DoubtRows
from llmx.engine.figure_doubt import doubt_rows
from llmx.engine.meta_doubt import MetaDoubt
from llmx.text.numbers import Mention, in_chinese_numerals, ordinal_mark_at
from llmx.errors import ConfigurationError

if TYPE_CHECKING:  # importlib.resources.abc is new in 3.11; annotations only
    from importlib.resources.abc import Traversable

    import numpy as np

#: Bump when ``features`` or the doubt model's features change: a model trained for others is refused, not misread.
FEATURE_VERSION = 8
NO_CUE = "none"
#: The ``learned`` design's label for a number whose ``p_stat`` is under the floor: kept aside as uncovered,
#: and told apart from a model's ``none`` so the result says who decided.
NOT_A_STATISTIC = "none:labeller"

_OWN_LEFT = 24  # characters of the number's own clause before it, read as character n-grams
_NEAR = 4  # the last characters before the number: the head of what it counts
_AFTER = 10  # characters after the number (and its unit) in its clause
_DISTANCE_BANDS = ((1, "adjacent"), (4, "near"), (10, "mid"))
_BEYOND = "far"  # the band of a deciding cue beyond the last limit
_NO_DECIDING_CUE = "cue:none"
_SMALL = 10  # the largest count ``F:words_small`` names

#: Features that name a kind of number whose cue key is wrong more or less often than most: a count
#: up to ten written in words (a slogan's 两个, a category's 三类, a recurrence's 一次), a number with no
#: unit (a hotline's 12345), and how far the deciding cue stands.  The doubt model reads them.
DOUBT_KINDS = ("F:words_small", "U:", *(f"cue:{band}" for _, band in _DISTANCE_BANDS),
               f"cue:{_BEYOND}", _NO_DECIDING_CUE)


def features(c: Candidate, rule: str | None, catalogue: Catalogue, excluded: str | None = None) -> dict[str, float]:
    """What the model reads of one candidate: its clause as character n-grams, its unit and
    kinds of unit, its element and qualifier, and the cue rules' own decision and how it was reached.

    ``excluded``: the number pass's reason when the mention is not a candidate (training only).
    """
    m, w, cues = c.mention, c.window, catalogue.cues
    own_left = w.text[w.clause_start:w.number_start] if w else c.evidence
    after = w.text[w.number_end:w.clause_end] if w else ""
    after = after[len(m.unit):] if m.unit and after.startswith(m.unit) else after
    out: dict[str, float] = {}
    _grams(out, "L:", own_left[-_OWN_LEFT:], 2)
    _grams(out, "N:", own_left[-_NEAR:], 3)
    _grams(out, "A:", after[:_AFTER], 2)
    out["U:" + m.unit] = 1.0
    for kind in sorted(cue_rules(cues).kinds_at(w, m.unit)) if cues else ():
        out["K:" + kind] = 1.0
    out["R:" + (rule or NO_CUE)] = 1.0
    out["E:" + (c.element or "none")] = 1.0
    out["Q:" + m.qualifier] = 1.0
    out["X:" + (excluded or "candidate")] = 1.0
    out["len"] = min(len(own_left), 40) / 40
    out.update(_form(m))
    if w is not None and excluded is None and ordinal_mark_at(w.text, w.number_start) is not None:
        out["F:rank"] = 1.0  # the number pass keeps a 第N only as a rank (位居第一) or a streak's year (连续第三年)
    if cues and w:
        out.update(_cue_facts(c, cues))
    return out


def _form(m: Mention) -> dict[str, float]:
    """How the number is written: in words (and then whether it is a small count), and its order of magnitude."""
    value = float(m.value)
    out = {f"F:mag{min(int(math.log10(value)), 4) if value >= 1 else -1}": 1.0}
    if in_chinese_numerals(m.text):
        out["F:words"] = 1.0
        if value <= _SMALL:
            out["F:words_small"] = 1.0
    return out


def _grams(out: dict[str, float], prefix: str, text: str, n: int) -> None:
    out.update(dict.fromkeys([prefix + text[i:i + k] for k in range(1, n + 1) for i in range(len(text) - k + 1)], 1.0))


def _cue_facts(c: Candidate, cues: Cues) -> dict[str, float]:
    """How the cue decision was reached: how many cues compete, and how far the deciding one stands."""
    assert c.window is not None
    rules = cue_rules(cues)
    found = rules.found(c.window, c.reading)
    kinds = rules.kinds_of(c.mention.unit)
    keys = {key for _, word, _ in found for key, _, _ in rules.entries(word)}
    out = {"cues": min(len(found), 6) / 6, "cue_keys": min(len(keys), 5) / 5}
    deciding = next(((d, own) for d, word, own in found
                     if any(admits & kinds for _, admits, _ in rules.entries(word))), None)
    if deciding is None:
        out[_NO_DECIDING_CUE] = 1.0
        return out
    distance, own = deciding
    band = next((name for limit, name in _DISTANCE_BANDS if distance <= limit), _BEYOND)
    out[f"cue:{band}"] = 1.0
    out["cue:own_clause"] = float(own)
    return out


@dataclass(frozen=True)
class Decision:
    """The learned labeller's word on one candidate."""

    indicator: str
    confidence: float  # calibrated probability that this is a statistic with this indicator
    p_stat: float
    unsure: bool
    statistic: bool = True  # p_stat reaches the labeller's ``stat_below``


@dataclass(frozen=True)
class LearnedModel:
    """A trained labeller: feature vocabulary, two linear models, a calibration curve, provenance."""

    vocabulary: dict[str, int]
    classes: tuple[str, ...]
    ind_coef: np.ndarray  # (classes, features)
    ind_intercept: np.ndarray
    stat_coef: np.ndarray  # (features,)
    stat_intercept: float
    calib_x: np.ndarray
    calib_y: np.ndarray
    info: dict[str, Any]  # version, data hash, sets, boost, unsure_below, ...

    @cached_property
    def _weights_by_feature(self) -> np.ndarray:
        """The indicator weights one row per feature, so a row's features gather contiguous rows."""
        import numpy as np

        return np.ascontiguousarray(self.ind_coef.T, dtype=np.float32)

    @property
    def boost(self) -> float:
        return float(self.info["boost"])

    @property
    def other_penalty(self) -> float:
        """Log-probability taken from ``other`` before the classes are compared (0 in a file from before it
        was chosen): ``other`` is the labels' catch-all, and on reports a labeller was not trained on it
        wins more numbers than it should (chosen with the boost, ``llmx/eval/train.py``)."""
        return float(self.info.get("other_penalty") or 0.0)

    @cached_property
    def doubt(self) -> DoubtModel:
        """The doubt model trained beside this one; a neutral one in a labeller fitted inside a fold."""
        return DoubtModel.from_info(self.info.get("doubt_model"))

    @cached_property
    def meta_doubt(self) -> MetaDoubt | None:
        """The meta doubt model trained beside this one (``meta_doubt.py``); None in a file that keeps
        none (or one fitted for other features), where the shape checks alone judge."""
        return MetaDoubt.from_info(self.info.get("meta_doubt"))

    @property
    def unsure_below(self) -> float:
        return float(self.info["unsure_below"])

    @property
    def stat_below(self) -> float:
        """Under this ``p_stat`` a candidate is no statistic (0 in a file from before it was chosen)."""
        return float(self.info.get("stat_below") or 0.0)

    @classmethod
    def load(cls, source: Traversable | Any) -> LearnedModel:
        """Read a ``labeller.npz`` (no pickles); refuse one made for other features."""
        import numpy as np

        try:
            with source.open("rb") as fh:
                arrays = dict(np.load(fh, allow_pickle=False))
            info = json.loads(str(arrays["info"]))
            if info.get("feature_version") != FEATURE_VERSION:
                raise ConfigurationError(f"{source}: trained on features v{info.get('feature_version')}, "
                                         f"this llmx reads v{FEATURE_VERSION}: retrain with `llmx train`")
            return cls({str(name): i for i, name in enumerate(arrays["vocabulary"])},
                       tuple(str(k) for k in arrays["classes"]), arrays["ind_coef"], arrays["ind_intercept"],
                       arrays["stat_coef"], float(arrays["stat_intercept"]), arrays["calib_x"], arrays["calib_y"],
                       info)
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            raise ConfigurationError(f"{source}: not a readable labeller file ({exc})") from exc

    def save(self, path: Any) -> None:
        """Write the arrays as ``.npz`` (compressed, pickle-free) through ``path``'s open file."""
        import numpy as np

        np.savez_compressed(
            path, vocabulary=np.array(sorted(self.vocabulary, key=self.vocabulary.__getitem__)),
            classes=np.array(self.classes), ind_coef=self.ind_coef.astype(np.float32),
            ind_intercept=self.ind_intercept.astype(np.float32), stat_coef=self.stat_coef.astype(np.float32),
            stat_intercept=np.array(self.stat_intercept), calib_x=self.calib_x, calib_y=self.calib_y,
            info=np.array(json.dumps(self.info, ensure_ascii=False, sort_keys=True)))

    def probabilities(self, rows: Sequence[dict[str, float]]) -> tuple[np.ndarray, np.ndarray]:
        """(indicator probabilities per row and class, probability each row is a statistic).

        All rows in one pass: every known feature of every row becomes one (row, column, value)
        triple, its weights are gathered at once and summed per row.
        """
        import numpy as np

        names = [name for row in rows for name in row]
        cols = np.fromiter(map(self.vocabulary.get, names, repeat(-1)), dtype=np.intp, count=len(names))
        val = np.fromiter((v for row in rows for v in row.values()), dtype=np.float64, count=len(names))
        at = np.repeat(np.arange(len(rows), dtype=np.intp), [len(row) for row in rows])
        known = cols >= 0
        idx, val, at = cols[known], val[known], at[known]
        # rows are in order, so each row's weights are one run of the gathered ones, summed by reduceat
        counts = np.bincount(at, minlength=len(rows))
        filled = counts > 0
        scores = np.zeros((len(rows), len(self.classes)), dtype=np.float32)
        if filled.any():
            starts = (np.cumsum(counts) - counts)[filled]
            scores[filled] = np.add.reduceat(self._weights_by_feature[idx] * val[:, None].astype(np.float32),
                                             starts, axis=0)
        scores = scores.astype(np.float64) + self.ind_intercept
        stat = np.bincount(at, weights=self.stat_coef[idx] * val, minlength=len(rows)) + self.stat_intercept
        scores -= scores.max(axis=1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=1, keepdims=True)
        return probs, 1.0 / (1.0 + np.exp(-stat))

    def decide(self, rows: Sequence[dict[str, float]], rules: Sequence[str], *, overrule: bool = True) -> list[Decision]:
        """Each row's indicator, calibrated confidence and unsure flag.

        ``rules``: the cues' key per row (``other`` where no cue places it), boosted before the
        classes are compared, as ``other`` is penalised (``other_penalty``).  ``overrule``: take the
        model's best key; else keep the cues' key and say how sure the model is of it.
        """
        if not rows:
            return []
        keys, p_stat, doubted = self.doubt_inputs(rows, rules, overrule=overrule)
        return self._decisions(keys, p_stat, doubted)

    def judge(self, rows: Sequence[dict[str, float]], keys: Sequence[str], rules: Sequence[str]) -> list[Decision]:
        """How sure llmx is of ``keys`` beside the cues' own ``rules``: a key that differs from the
        cues' is judged as disputed.  Training shows the doubt model the cues' keys and this model's
        own; a language model's key (the ``llm`` and ``choice`` designs) is read by the same features
        but was never among what it learned from, so its flags there are less well calibrated."""
        if not rows:
            return []
        probs, p_stat = self.probabilities(rows)
        return self._decisions(list(keys), p_stat, self._doubt_rows(probs, p_stat, keys, rules, rows))

    def _decisions(self, keys: list[str], p_stat: np.ndarray, doubted: DoubtRows) -> list[Decision]:
        import numpy as np

        raw = self.doubt.p_right(doubted)
        confidence = np.interp(raw, self.calib_x, self.calib_y)
        return [Decision(key, round(float(conf), 3), float(ps), bool(score <= self.unsure_below),
                         bool(ps >= self.stat_below))
                for key, conf, ps, score in zip(keys, confidence, p_stat, raw)]

    def chosen_keys(self, rows: Sequence[dict[str, float]], rules: Sequence[str]) -> list[str]:
        """The key the boosted model chooses per row (``decide``'s keys, without its doubt)."""
        return self.keys_of(self.probabilities(rows)[0], rules)

    def keys_of(self, probs: np.ndarray, rules: Sequence[str]) -> list[str]:
        """The key chosen per row from the model's own ``probs`` (``probabilities``), the cues' key
        boosted and ``other`` penalised: training weighs many boosts over one pass of probabilities."""
        import numpy as np

        scores = np.log(probs + 1e-12)
        index = {k: j for j, k in enumerate(self.classes)}
        for i, rule in enumerate(rules):
            if rule in index:
                scores[i, index[rule]] += self.boost
        if OTHER in index:
            scores[:, index[OTHER]] -= self.other_penalty
        # a cue key the labeller never saw cannot be weighed against its classes: the cues keep it
        return [self.classes[j] if rule in index else rule for j, rule in zip(scores.argmax(axis=1), rules)]

    def doubt_inputs(self, rows: Sequence[dict[str, float]], rules: Sequence[str], *,
                     overrule: bool = True) -> tuple[list[str], np.ndarray, DoubtRows]:
        """The key chosen per row, ``p_stat``, and what the doubt model reads of each (training fits
        the doubt model on these, for rows of reports held out of this model's fit)."""
        probs, p_stat = self.probabilities(rows)
        keys = self.keys_of(probs, rules) if overrule else list(rules)
        return keys, p_stat, self._doubt_rows(probs, p_stat, keys, rules, rows)

    def _doubt_rows(self, probs: np.ndarray, p_stat: np.ndarray, keys: Sequence[str], rules: Sequence[str],
                    rows: Sequence[dict[str, float]]) -> DoubtRows:
        # the doubt model reads the model's own (unboosted) probabilities: the boosted one is near 1
        # wherever a cue decided, so it cannot show the model speaking against the cue
        return doubt_rows(probs, self.classes, p_stat, keys, rules, [[k for k in DOUBT_KINDS if k in row] for row in rows],
                          DOUBT_KINDS)


def labeller_digest(source: Traversable | None) -> str | None:
    """A digest of a labeller file's bytes: part of what decides a result (batch resume compares it)."""
    if source is None or not source.is_file():
        return None
    return hashlib.sha256(source.read_bytes()).hexdigest()[:16]


@lru_cache(maxsize=4)
def load_labeller(source: Traversable) -> LearnedModel:
    """The report type's shipped labeller, read once per process."""
    return LearnedModel.load(source)
