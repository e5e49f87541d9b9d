"""The one folder llmx keeps files of its own in: responses, models, a ready-made gazetteer.

``$LLMX_CACHE_DIR`` wins; otherwise the platform's user cache folder.  Every
cache below it is rebuilt when missing, so deleting it only costs time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from llmx.options import from_environment


def cache_home() -> Path:
    """``$LLMX_CACHE_DIR``, else ``llmx`` in the platform's user cache folder."""
    env = from_environment("cache_dir")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "llmx" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "llmx"
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "llmx"
