"""Which metadata fields a reader should check: ``meta_unsure``.

Metadata is read by code from the 公文 layout (``text/meta.py``), and on
the gold sets it is wrong in about one field of 200, too rarely to learn
from.  So doubt is stated where the reading itself is incomplete in a way
the rest of the result contradicts: a field left empty although its
neighbours say it should exist (a township report with no township, a
date written in the opening but none read), or a value of a shape no
correct value has (a title carrying its document number).  Its capture on
the gold sets is measured by ``llmx eval`` (``meta_flag_*``).
"""

from __future__ import annotations

import re
from typing import Any

from llmx.text.clean import CleanText

_OPENING = 1500  # characters where a report's title, date and issuer stand
_FULL_DATE = re.compile(r"(?:19|20)\d{2}\s*(?:[-/.年])\s*\d{1,2}\s*(?:[-/.月])\s*\d{1,2}")
_DOC_NUMBER_SHAPE = re.compile(r"[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\S{0,4}号")
_LONG_TITLE = 60


def meta_doubts(meta: dict[str, Any], cleaned: CleanText) -> list[str]:
    """Names of the meta fields in doubt, in the contract's field order."""
    opening = cleaned.text[:_OPENING]
    title = meta.get("title")
    level = meta.get("level")
    doubts = {
        "title": title is None or len(title) > _LONG_TITLE or bool(_DOC_NUMBER_SHAPE.search(title)),
        "report_year": meta.get("report_year") is None,
        "date": meta.get("date") is None and bool(_FULL_DATE.search(opening)),
        "level": level in (None, "other"),
        "township": level == "township" and not meta.get("township"),
    }
    return [name for name in meta if doubts.get(name)]
