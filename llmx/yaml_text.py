"""YAML text to Python data, through libyaml's C parser where PyYAML has it.

Why one function: a report type's files (catalogue, cues, elements, prompts,
assessment rules) are read at every start, and PyYAML's pure-Python parser
took most of a second on them where the C one takes milliseconds
(``bench/coldstart.py``).  Both are safe loaders: plain data, no objects.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: What a malformed YAML text raises, for callers that name the file in one line.
YAMLError = yaml.YAMLError


def parse_yaml(text: str) -> Any:
    """The data in ``text`` (safe: mappings, lists, scalars only)."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506  (a safe loader, C or Python)
