"""Label: which catalogue indicator each candidate number counts, by the design asked for.

Designs (chosen by the eval harness, see eval/README.md):

- ``learned`` (default): the cues' key, overruled where the labeller trained on the
  gold labels (``learned.py``) speaks clearly against it, and a number it finds
  no statistic dropped (kept aside as uncovered); a part of a breakdown (其中…)
  no cue places then takes the key its whole was left with; no model.
- ``rules``: cue words and kinds of unit (``reports/cues.py``, applied by
  ``rule_labels.py``), no model; on blind probes the ``learned`` design labels better
  (eval/README.md).
- ``hybrid``: the model names what a number counts (``phrases.py``) only where
  the learned labeller is unsure of it; where the cues of that name place it
  elsewhere than the cues alone did, that key, else the ``learned`` label (a
  number the labeller set aside stays aside).
- ``hybrid-all``: the same reading asked for every number.
- ``choice``: the ranker, and the model only for the numbers the ranker
  cannot place (a multiple choice among its closest codes, one per call).
- ``llm`` (``model_labels.py``): the model labels batches of candidates with the whole catalogue in
  the (shared, cacheable) system prompt.
- ``llm-topk``: the model picks among each candidate's top ranked codes.

A model (or the learned labeller) may also answer ``none`` (not a statistic);
such candidates are kept aside as uncovered.  When the model's answer stays unusable after re-asks,
the batch falls back to the ranker rather than losing the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from llmx.reports.catalogue import OTHER
from llmx.reports.report_type import ReportType
from llmx.engine.candidates import Candidate
from llmx.engine.learned import NOT_A_STATISTIC, Decision, LearnedModel, features, load_labeller
from llmx.engine.model_labels import ChoiceLabeller, ModelLabeller
from llmx.engine.phrases import PhraseWriter
from llmx.engine.rule_labels import cue_keys, parts_take_wholes, rule_labels, unsure

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM

#: What labelling gives back: candidates (with the model's readings, where it gave them), their
#: indicators, the prompt version, and the candidates the model did not decide (unusable answers).
Labelled = tuple[list[Candidate], dict[int, str], str, list[Candidate]]


@dataclass
class Labelling:
    """The label stage of one design: each candidate's indicator, and how sure the labeller is of it."""

    report_type: ReportType
    design: str
    llm: LLM | None = None
    prompt_version: str | None = None  # None = the newest prompt of the design
    given: LearnedModel | None = None  # a labeller trained in this process; else the report type's file
    # The learned design labels a report's candidates, then judges the same ones: what both read of
    # them (features, the cues' keys) is worked out once, for the last list of candidates seen.
    _seen: tuple[tuple[Candidate, ...], dict[str, Any]] | None = field(default=None, init=False, repr=False)

    @cached_property
    def labeller(self) -> LearnedModel | None:
        """The learned labeller, read when first needed (a rules run pays for it only at this stage)."""
        if self.given is not None:
            return self.given
        source = self.report_type.labeller_file
        return load_labeller(source) if source is not None else None  # type: ignore[arg-type]

    def __call__(self, candidates: list[Candidate], doc_hash: str) -> Labelled:
        """Candidates (relabelled where the design names them), their indicators, the prompt version,
        and the candidates the model did not decide because its answer was unusable."""
        if self.design in ("rules", "learned") or self.llm is None:  # no model: see Pipeline's checks
            labels = self._cued(candidates)
            return candidates, self._learned(candidates, labels) if self.design == "learned" else labels, self.design, []
        if self.design in ("hybrid", "hybrid-all"):
            writer = PhraseWriter(self.llm, self.report_type, doc_hash, self.prompt_version)
            asked = candidates if self.design == "hybrid-all" else self._unsure(candidates)
            readings = {c.id: c.reading for c in writer(asked)}
            read = [replace(c, reading=readings.get(c.id, "")) for c in candidates]
            labels = rule_labels(read, self.report_type.catalogue)
            if self.design == "hybrid" and self.labeller is not None:
                # the model is one more voice: where its reading moves the cues to another key, that key;
                # everywhere else the learned design's label, not a step back to the cues alone.  A number
                # the labeller set aside stays aside: a reading names what a number counts, not whether
                # it is a statistic, and the floor was chosen on held-out reports
                cued = self._cued(candidates)
                learned = self._learned(candidates, cued)
                labels = {c.id: labels[c.id] if labels[c.id] != cued[c.id] and learned[c.id] != NOT_A_STATISTIC
                          else learned[c.id] for c in candidates}
            return read, labels, writer.version, writer.undecided
        labeller: ChoiceLabeller | ModelLabeller
        if self.design == "choice":
            labeller = ChoiceLabeller(self.llm, self.report_type, doc_hash, self.prompt_version)
        else:
            labeller = ModelLabeller(self.llm, self.report_type, doc_hash, topk=self.design == "llm-topk",
                                     version=self.prompt_version)
        return candidates, labeller(candidates), labeller.version, labeller.undecided

    @property
    def code_design(self) -> str:
        """The model-free design whose labels this one gives where no model answer could be used:
        ``hybrid`` keeps the learned labels, every other model design falls back to the cues."""
        return "learned" if self.design in ("learned", "hybrid") and self.labeller is not None else "rules"

    def judge(self, candidates: list[Candidate], labels: dict[int, str]) -> dict[int, Decision]:
        """The learned labeller's confidence in each candidate's final indicator (none without a labeller)."""
        if self.labeller is None:
            return {}
        # the doubt model reads the key given beside the cues' own key, from the text alone as in training
        # (a model's reading moves the cues: 'hybrid' candidates come back with one): where the labeller or
        # a language model spoke against the cues, the figure is judged as it stands and as disputed
        plain = [replace(c, reading="") if c.reading else c for c in candidates]
        cued = labels if self.design == "rules" else self._cued(plain)
        decided = self.labeller.judge(self._rows(plain), [labels.get(c.id, OTHER) for c in candidates],
                                      [cued.get(c.id, OTHER) for c in candidates])
        return {c.id: d for c, d in zip(candidates, decided)}

    def _unsure(self, candidates: list[Candidate]) -> list[Candidate]:
        """What a model is asked about: the figures the learned labeller flags, else those no cue places."""
        if self.labeller is None:
            return unsure(candidates, self.report_type.catalogue)
        labels = self._cued(candidates)
        # what the learned design would flag: its own keys, judged beside the cues'; a number it sets aside
        # stays aside whatever a reading says (Labelling.__call__), so asking about it would buy nothing
        return [c for c, d in zip(candidates, self._decide(candidates, labels, True)) if d.unsure and d.statistic]

    def _learned(self, candidates: list[Candidate], cued: dict[int, str]) -> dict[int, str]:
        """The ``learned`` design's labels: the cues' keys ``cued``, overruled where the labeller speaks
        against them, and ``NOT_A_STATISTIC`` (kept aside as uncovered, not lost) for a number it finds
        no statistic; then the catalogue's breakdown rule over them (``parts_take_wholes``)."""
        decided = {c.id: d.indicator if d.statistic else NOT_A_STATISTIC
                   for c, d in zip(candidates, self._decide(candidates, cued, True))}
        return parts_take_wholes(candidates, decided, self.report_type.catalogue, self._cue_keys(candidates))

    def _decide(self, candidates: list[Candidate], labels: dict[int, str], overrule: bool) -> list[Decision]:
        assert self.labeller is not None
        return self.labeller.decide(self._rows(candidates), [labels.get(c.id, OTHER) for c in candidates],
                                    overrule=overrule)

    def _rows(self, candidates: list[Candidate]) -> list[dict[str, float]]:
        def rows() -> list[dict[str, float]]:
            keys = self._cue_keys(candidates)
            return [features(c, key, self.report_type.catalogue) for c, key in zip(candidates, keys)]
        return self._once(candidates, "rows", rows)  # type: ignore[no-any-return]

    def _cue_keys(self, candidates: list[Candidate]) -> list[str | None]:
        """Each candidate's own cue key (``None``: no cue places it), read by the features and the breakdown rule."""
        return self._once(candidates, "cue_keys", lambda: cue_keys(candidates, self.report_type.catalogue))  # type: ignore[no-any-return]

    def _cued(self, candidates: list[Candidate]) -> dict[int, str]:
        """The cues' key of each candidate (read, not changed, by every caller)."""
        return self._once(candidates, "cued", lambda: rule_labels(candidates, self.report_type.catalogue))  # type: ignore[no-any-return]

    def _once(self, candidates: list[Candidate], name: str, work: Any) -> Any:
        seen = self._seen
        if seen is None or len(seen[0]) != len(candidates) or any(a is not b for a, b in zip(seen[0], candidates)):
            seen = self._seen = (tuple(candidates), {})
        if name not in seen[1]:
            seen[1][name] = work()
        return seen[1][name]
