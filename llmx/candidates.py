"""Figure candidates: each code-found number with its evidence clause, label and role.

The regex pass says where a number is and what it parses to; this module
adds what code can still decide exactly: the shortest clause around it (the
evidence), a label phrase, the template element it sits in, and whether it is
a target.  What the number counts (its indicator) is left to the labeller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .cues import Window
from .domain import Domain
from .numbers import Mention
from .structure import SectionSpan, element_at

_CLAUSE_BREAK = "，,。；;：:、（）()！!？?\n【】"
_SENTENCE_BREAK = "。；;！!？?\n"
_MAX_EVIDENCE = 80
_CONTEXT = 90
_WINDOW = 160
_CUE_CLAUSE_BREAK = "，,。；;：:！!？?\n"  # an aside in brackets belongs to its clause
_LEAD_WORDS = re.compile(r"^(?:其中|共计|累计|合计|共|全年|今年以来|目前|现有|已)+")


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


def build_candidates(text: str, mentions: list[Mention], sections: dict[str, SectionSpan],
                     domain: Domain) -> list[Candidate]:
    """One candidate per figure-candidate mention, numbered from 1 in document order."""
    out = []
    for m in (m for m in mentions if m.kind == "candidate"):
        start, end = evidence_span(text, m)
        element = element_at(sections, m.start)
        out.append(Candidate(
            id=len(out) + 1, mention=m, evidence=text[start:end], evidence_start=start,
            sentence_start=_back_to(text, m.start, _SENTENCE_BREAK),
            context=_context(text, m), label=_label(text, m, start, end), element=element,
            target=_is_target(text[start:m.start], element, domain), window=cue_window(text, m),
        ))
    return out


def cue_window(text: str, m: Mention) -> Window:
    """The number's sentence (at most ``_WINDOW`` characters of it) up to the end of its clause."""
    left = max(_back_to(text, m.start, _SENTENCE_BREAK), m.start - _WINDOW)
    clause = _back_to(text, m.start, _CUE_CLAUSE_BREAK)
    right = _forward_to(text, m.end, _CUE_CLAUSE_BREAK)
    return Window(text[left:right], m.start - left, m.end - left, max(clause, left) - left, right - left)


def evidence_span(text: str, m: Mention) -> tuple[int, int]:
    """The clause holding the number, widened one clause left when it names too little."""
    left = _back_to(text, m.start, _CLAUSE_BREAK)
    right = _forward_to(text, m.end, _CLAUSE_BREAK)
    if _cjk_count(text[left:m.start]) < 2 and _cjk_count(text[m.end:right]) < 3 and left > 0:
        left = _back_to(text, left - 1, _CLAUSE_BREAK)
    left, right = _strip(text, left, right)
    if right - left > _MAX_EVIDENCE:
        left = max(left, m.start - (_MAX_EVIDENCE - (min(right, m.end + 20) - m.start)))
        right = min(right, left + _MAX_EVIDENCE)
        left, right = _strip(text, left, right)
    return left, right


def _back_to(text: str, pos: int, breaks: str) -> int:
    while pos > 0 and text[pos - 1] not in breaks:
        pos -= 1
    return pos


def _forward_to(text: str, pos: int, breaks: str) -> int:
    while pos < len(text) and text[pos] not in breaks:
        pos += 1
    return pos


def _strip(text: str, left: int, right: int) -> tuple[int, int]:
    """Drop surrounding whitespace and markup so the evidence is a clean substring."""
    while left < right and (text[left].isspace() or text[left] in "*#"):
        left += 1
    while right > left and (text[right - 1].isspace() or text[right - 1] in "*#"):
        right -= 1
    return left, right


def _cjk_count(s: str) -> int:
    return sum(1 for ch in s if "\u4e00" <= ch <= "\u9fff")


def _context(text: str, m: Mention) -> str:
    """The sentence around the number, at most ``_CONTEXT`` characters, number marked."""
    left = max(_back_to(text, m.start, _SENTENCE_BREAK), m.start - _CONTEXT // 2)
    right = min(_forward_to(text, m.end, _SENTENCE_BREAK), m.end + _CONTEXT // 2)
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


def _is_target(before: str, element: str | None, domain: Domain) -> bool:
    """Numbers in a plan element, or after a target word, are targets."""
    if element and domain.element(element).targets:
        return True
    return any(word in before for word in domain.target_words)


def check_batch_ids(asked: object, answered: list[int], verb: str) -> None:
    """Raise the re-ask message unless ``answered`` holds every asked id exactly once.

    ``asked`` is the validation context's ``ids`` (nothing asked = nothing to check).
    """
    want = set(asked or ())
    if want and (set(answered) != want or len(answered) != len(want)):
        missing, extra = sorted(want - set(answered)), sorted(set(answered) - want)
        raise ValueError(f"{verb} every item exactly once: missing ids {missing}, unknown ids {extra}")
