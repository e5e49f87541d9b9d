"""The response cache, which heals instead of crashing.

A cache is a convenience: losing it costs model calls, never results.  So
damage is reported in one line and worked around, and the run goes on:

- a database that does not open or fails sqlite's quick check (overwritten,
  truncated) is moved aside as ``<folder>.damaged-<time>`` and started afresh
  (moved, not deleted: it is the user's disk and may be worth a look);
- a cache folder that cannot be a folder (a file in its place, no
  permission, locked by another program) is bypassed for this run;
- an entry that is not valid JSON, or no longer fits its response model, is
  dropped and the question asked again;
- an error while reading or writing mid-run stops using the cache for the
  rest of the run (the next run's quick check decides whether to rebuild).

Values are JSON text, never pickle, so a damaged or planted entry can only
fail validation, not run code.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import diskcache

from llmx import notices

_DB = "cache.db"  # diskcache's database file inside the cache folder
#: sqlite messages that mean the file itself is damaged (not busy, locked or unreadable).
_DAMAGE = ("malformed", "not a database", "corrupt", "disk image", "file is not", "quick_check")


class ResponseCache:
    """Validated responses stored as JSON text in a diskcache folder; ``None`` folder = no cache."""

    def __init__(self, directory: Path | None, warn: Callable[[str], None] = notices.warn):
        self.directory = Path(directory) if directory else None
        self._warn = warn
        self._lock = threading.Lock()
        self._cache = self._open(self.directory) if self.directory else None

    # ------------------------------------------------------------ opening

    def _open(self, directory: Path) -> diskcache.Cache | None:
        try:
            return _open_checked(directory)
        except (sqlite3.Error, OSError) as exc:
            if _is_damage(exc) and directory.is_dir():
                return self._rebuild(directory, exc)
            self._warn(f"response cache {directory} cannot be used ({_reason(exc)}); running without it")
            return None

    def _rebuild(self, directory: Path, damage: BaseException) -> diskcache.Cache | None:
        aside = directory.with_name(f"{directory.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            directory.rename(aside)
            cache = _open_checked(directory)
        except (sqlite3.Error, OSError) as exc:
            self._warn(f"response cache {directory} is damaged ({_reason(damage)}) and could not be "
                       f"rebuilt ({_reason(exc)}); running without it")
            return None
        self._warn(f"response cache {directory} was damaged ({_reason(damage)}); "
                   f"moved it to {aside.name} and started a new one")
        return cache

    # ------------------------------------------------------------ use

    def get(self, key: str) -> str | None:
        """The stored text, or None (missing, or unreadable and now dropped)."""
        cache = self._cache
        if cache is None:
            return None
        try:
            value = cache.get(key)
        except Exception as exc:  # sqlite errors, a damaged value file, an unpicklable planted value
            self._give_up(exc)
            return None
        if value is not None and not isinstance(value, str):
            self.discard(key, f"holds {type(value).__name__}, not JSON text")
            return None
        return value

    def set(self, key: str, value: str) -> None:
        cache = self._cache
        if cache is None:
            return
        try:
            cache.set(key, value)
        except Exception as exc:  # a full disk or a damaged database must not lose the result
            self._give_up(exc)

    def discard(self, key: str, problem: str | None) -> None:
        """Drop one entry; say why when ``problem`` is given (a stale format is dropped silently)."""
        cache = self._cache
        if cache is None:  # nothing was read from a cache, so nothing is dropped
            return
        if problem:
            self._warn(f"response cache {self.directory}: dropped an unreadable entry ({problem}); "
                       f"asking the model again")
        try:
            cache.delete(key)
        except Exception as exc:
            self._give_up(exc)

    def _give_up(self, exc: BaseException) -> None:
        """Stop using the cache for this run (once, whichever thread hits the problem first)."""
        with self._lock:
            cache, self._cache = self._cache, None
        if cache is None:
            return
        self._warn(f"response cache {self.directory} failed ({_reason(exc)}); running without it")
        try:
            cache.close()
        except Exception:  # already broken; nothing more to report
            pass

    def close(self) -> None:
        cache, self._cache = self._cache, None
        if cache is not None:
            cache.close()


def _open_checked(directory: Path) -> diskcache.Cache:
    """Open the cache, first letting sqlite check an existing database (cheap for a cache's size)."""
    db = directory / _DB
    if db.is_file():
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            verdict = con.execute("PRAGMA quick_check").fetchone()[0]
        con.close()
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"quick_check: {verdict}")
    return diskcache.Cache(str(directory))


def _is_damage(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.DatabaseError) and any(word in str(exc).lower() for word in _DAMAGE)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(getattr(exc, "strerror", None) or exc).split())
    return f"{type(exc).__name__}: {text[:160]}"
