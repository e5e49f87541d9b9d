"""Where a source checkout keeps the bundled report types, so that they import as if installed.

An installed llmx holds ``schemas/<type>`` as ``llmx/reports/<type>`` and
``prompts/<type>`` as ``llmx/prompts/<type>`` (pyproject's ``package-dir``),
so nothing generic lands at the top of site-packages.  In the repository
those folders stay at the top, where report-type authors look for them; when
llmx runs from the checkout itself (``PYTHONPATH``, a plain clone), the two
llmx packages add the top-level folder to their search path instead.
"""

from __future__ import annotations

from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent


def checkout_folder(name: str) -> list[str]:
    """``[<repo>/<name>]`` when llmx runs from its repository, else ``[]`` (an installed copy)."""
    folder = _ROOT / name
    is_repo = (_ROOT / "pyproject.toml").is_file() and (_ROOT / "llmx" / "checkout.py").is_file()
    return [str(folder)] if is_repo and folder.is_dir() else []
