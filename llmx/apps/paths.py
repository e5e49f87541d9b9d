"""Output paths: a path ending in ``/`` (or naming an existing folder) is always a folder.

Why one rule everywhere: ``-o out/`` in a shell loop must fill a folder and
never write a file called ``out``; the same must hold for every option that
names an output file, which then gets its usual name inside that folder.
"""

from __future__ import annotations

import os
from pathlib import Path


def is_folder(path: str) -> bool:
    """True for ``out/`` (whether or not it exists yet) and for an existing folder."""
    return path.endswith(("/", os.sep)) or Path(path).is_dir()


def output_file(path: str, default_name: str) -> Path:
    """The file ``path`` names, or ``path/default_name`` when ``path`` is a folder."""
    return Path(path) / default_name if is_folder(path) else Path(path)
