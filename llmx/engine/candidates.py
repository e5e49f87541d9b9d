"""Figure candidates: each code-found number with its evidence clause, label and role.

The regex pass says where a number is and what it parses to; this module
adds what code can still decide exactly: the shortest clause around it (the
evidence), a label phrase, the template element it sits in, and whether it is
a target.  What the number counts (its indicator) is left to the labeller.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from llmx.text.punctuation import (BRACKETS, CLAUSE_END, CLOSING_BRACKETS, COLON, FULL_STOP, LIST_COMMA,
                                   OPENING_BRACKETS, SENTENCE_END)
from llmx.engine.cue_rules import Window
from llmx.reports.report_type import ReportType
from llmx.text.numbers import Mention, unit_end
from llmx.engine.segment import SectionSpan, element_at

_CLAUSE_BREAK = CLAUSE_END + COLON + LIST_COMMA + BRACKETS
_MAX_EVIDENCE = 80
_CONTEXT = 90
_WINDOW = 160
_CUE_CLAUSE_BREAK = CLAUSE_END + COLON  # an aside in brackets belongs to its clause
_LEAD_WORDS = re.compile(r"^(?:其中|共计|累计|合计|共|全年|今年以来|目前|现有|已)+")
_CJK_CHAR = re.compile("[\u4e00-\u9fff]")
_DIRECT_COUNT = 256  # stretches up to this long are counted character by character
#: 其中 right after a figure opens its breakdown: 收到行政复议申请87件。其中，受理66件 / 调处矛盾纠纷444起（其中书面调解139起）
BREAKDOWN_LEAD = "其中"


@dataclass(frozen=True)
class Candidate:
    """A number that may be a figure, with everything code knows about it."""

    id: int
    mention: Mention
    evidence: str
    evidence_start: int
    sentence_start: int  # candidates sharing it stand in one sentence
    context: str  # the sentence around it, number marked 【…】, for the labeller
    label: str
    element: str | None
    target: bool
    reading: str = ""  # what the model says the number counts (hybrid design), helps place it
    window: Window | None = None  # its sentence up to the end of its clause, where its cue words are
    part_of: int | None = None  # the id of the figure whose breakdown (其中…) this number is part of


def build_candidates(text: str, mentions: list[Mention], sections: dict[str, SectionSpan],
                     report_type: ReportType) -> list[Candidate]:
    """One candidate per figure-candidate mention, numbered from 1 in document order."""
    out: list[Candidate] = []
    clauses, sentences = _Breaks.of(text, _CLAUSE_BREAK), _Breaks.of(text, SENTENCE_END)
    cue_clauses = _Breaks.of(text, _CUE_CLAUSE_BREAK)
    cjk = _CjkCounter(text, clauses)
    for m in (m for m in mentions if m.kind == "candidate"):
        start, end = evidence_span(text, m, clauses, cjk)
        element = element_at(sections, m.start)
        out.append(Candidate(
            id=len(out) + 1, mention=m, evidence=text[start:end], evidence_start=start,
            sentence_start=sentences.back_to(m.start),
            context=_context(text, m, sentences), label=_label(text, m, start, end), element=element,
            target=_is_target(text[start:m.start], element, report_type),
            window=cue_window(text, m, sentences, cue_clauses),
            part_of=_whole(out, m, text),
        ))
    return out


def _whole(before: list[Candidate], m: Mention, text: str) -> int | None:
    """The id of the figure whose breakdown ``m`` stands in, if any.

    The catalogue's rule: a sub-breakdown of a figure (其中书面调解139起) takes the whole's key.  A
    breakdown runs from 其中 to the end of its sentence (a semicolon between parts does not end it), or
    to the closing bracket when 其中 opens an aside; its whole is the figure right before 其中, with
    nothing but 余/多, its unit and a comma, full stop or opening bracket between.  An aside's own 其中
    that closed before ``m`` is passed over for the one before it.
    """
    at = m.start
    while (at := text.rfind(BREAKDOWN_LEAD, max(0, m.start - _WINDOW), at)) >= 0:
        if any(ch in FULL_STOP for ch in text[at:m.start]):
            return None
        whole = next((c for c in reversed(before) if c.mention.end <= at), None)
        if whole is None:
            return None
        lead = "".join(text[unit_end(text, whole.mention.end, whole.mention.unit):at].split())
        if lead not in ("", *CLAUSE_END, *OPENING_BRACKETS):
            continue  # 其中 not right after a figure: an earlier one may still open this breakdown
        if lead in OPENING_BRACKETS and any(ch in CLOSING_BRACKETS for ch in text[at:m.start]):
            continue  # an aside that closed before this number
        return whole.id
    return None


@dataclass(frozen=True)
class _Breaks:
    """Where one kind of break character stands in a text, found once.

    The clause or sentence around a number is then a bisect away, however
    long the text runs without a break (a converted table can be one line).
    """

    at: list[int]
    length: int

    @classmethod
    def of(cls, text: str, chars: str) -> "_Breaks":
        """One regex pass over the text, instead of a walk per number."""
        return cls([m.start() for m in re.finditer(f"[{re.escape(chars)}]", text)], len(text))

    def back_to(self, pos: int) -> int:
        """Just after the last break before ``pos`` (0 if none): the start of its clause."""
        i = bisect_left(self.at, pos)
        return self.at[i - 1] + 1 if i else 0

    def forward_to(self, pos: int) -> int:
        """The first break at or after ``pos`` (the text's end if none): the end of its clause."""
        i = bisect_left(self.at, pos)
        return self.at[i] if i < len(self.at) else self.length


class _CjkCounter:
    """How many CJK characters a stretch of one clause holds.

    Short stretches are counted directly; a long clause (a table converted to
    one line) has its CJK positions listed once, so the many numbers in it do
    not each count the clause again.
    """

    def __init__(self, text: str, clauses: _Breaks):
        self.text, self.clauses = text, clauses
        self.long_clauses: dict[int, list[int]] = {}

    def count(self, start: int, end: int) -> int:
        """CJK characters in ``text[start:end]``, a stretch without clause breaks."""
        if end - start <= _DIRECT_COUNT:
            return len(_CJK_CHAR.findall(self.text, start, end))
        clause = self.clauses.back_to(start)
        positions = self.long_clauses.get(clause)
        if positions is None:
            stop = self.clauses.forward_to(start)
            positions = self.long_clauses[clause] = [m.start() for m in _CJK_CHAR.finditer(self.text, clause, stop)]
        return bisect_left(positions, end) - bisect_left(positions, start)


def cue_window(text: str, m: Mention, sentences: _Breaks | None = None, clauses: _Breaks | None = None) -> Window:
    """The number's sentence (at most ``_WINDOW`` characters of it) up to the end of its clause."""
    sentences = sentences or _Breaks.of(text, SENTENCE_END)
    clauses = clauses or _Breaks.of(text, _CUE_CLAUSE_BREAK)
    left = max(sentences.back_to(m.start), m.start - _WINDOW)
    clause, right = clauses.back_to(m.start), clauses.forward_to(m.end)
    return Window(text[left:right], m.start - left, m.end - left, max(clause, left) - left, right - left)


def evidence_span(text: str, m: Mention, clauses: _Breaks, cjk: _CjkCounter) -> tuple[int, int]:


    """The clause holding the number, widened one clause left when it names too little."""
    left = clauses.back_to(m.start)
    right = clauses.forward_to(m.end)
    if cjk.count(left, m.start) < 2 and cjk.count(m.end, right) < 3 and left > 0:
        left = clauses.back_to(left - 1)
    left, right = _strip(text, left, right)
    if right - left > _MAX_EVIDENCE:
        left = max(left, m.start - (_MAX_EVIDENCE - (min(right, m.end + 20) - m.start)))
        right = min(right, left + _MAX_EVIDENCE)
        left, right = _strip(text, left, right)
    return left, right


def _strip(text: str, left: int, right: int) -> tuple[int, int]:
    """Drop surrounding whitespace and markup so the evidence is a clean substring."""
    while left < right and (text[left].isspace() or text[left] in "*#"):
        left += 1
    while right > left and (text[right - 1].isspace() or text[right - 1] in "*#"):
        right -= 1
    return left, right


def _context(text: str, m: Mention, sentences: _Breaks) -> str:
    """The sentence around the number, at most ``_CONTEXT`` characters, number marked."""
    left = max(sentences.back_to(m.start), m.start - _CONTEXT // 2)
    right = min(sentences.forward_to(m.end), m.end + _CONTEXT // 2)
    unit_end = m.end + len(m.unit) if text.startswith(m.unit, m.end) else m.end
    body = text[left:m.start] + "【" + text[m.start:unit_end] + "】" + text[unit_end:right]
    return " ".join(body.split())


def _label(text: str, m: Mention, start: int, end: int) -> str:
    """What is counted: the evidence before the number, else after it, without lead words."""
    before = " ".join(text[start:m.start].split()).strip("“”\"' ")
    before = _LEAD_WORDS.sub("", before)
    if len(before) >= 2:
        return before
    after = text[m.end:end]
    after = after[after.find(m.unit) + len(m.unit):] if m.unit and m.unit in after else after
    return " ".join(after.split()).strip("余多以上左右") or before or m.unit


def _is_target(before: str, element: str | None, report_type: ReportType) -> bool:
    """Numbers in a plan element, or after a target word, are targets."""
    if element and report_type.element(element).targets:
        return True
    return any(word in before for word in report_type.target_words)


def check_batch_ids(asked: Iterable[int] | None, answered: list[int], verb: str) -> None:
    """Raise the re-ask message unless ``answered`` holds every asked id exactly once.

    ``asked`` is the validation context's ``ids`` (nothing asked = nothing to check).
    """
    want = set(asked or ())
    if want and (set(answered) != want or len(answered) != len(want)):
        missing, extra = sorted(want - set(answered)), sorted(set(answered) - want)
        raise ValueError(f"{verb} every item exactly once: missing ids {missing}, unknown ids {extra}")
