"""The path of one report through llmx, module by module, as a newcomer following the calls would walk it.

Every call into an ``llmx`` module made while ``llmx.extract`` runs on one
report is recorded (``sys.setprofile``); a module is listed where it is
first entered.  Consecutive modules of one folder make one visit to that
folder; a *return* is a visit to a folder already visited and left.  The
extraction path's folders should each be visited once, top to bottom; the
report type's data (``reports/``) and the utilities below the path
(``text/``) are counted the same way.

    python bench/path_trace.py [REPORT] [--design rules]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import llmx  # noqa: E402

DEFAULT_REPORT = ROOT / "eval" / "corpus" / "001_acdc9367334b1221.txt"


def trace(report: Path, design: str) -> list[str]:
    """The llmx modules entered while extracting ``report``, in the order first entered."""
    llmx.load_report_type("fazhi")  # the report type is read before the call, as a session does
    llmx.extract(report, design=design)  # warm: imports and caches do not count as the path
    order: dict[str, None] = {}

    def profile(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call":
            name = frame.f_globals.get("__name__", "")
            if name.startswith("llmx") and name not in order:
                order[name] = None

    sys.setprofile(profile)
    try:
        llmx.extract(report, design=design)
    finally:
        sys.setprofile(None)
    return list(order)


def folder(module: str) -> str:
    """The folder a module's file is in (a package's ``__init__`` is in the package's own folder)."""
    path = Path(sys.modules[module].__file__ or "")
    return str(path.parent.relative_to(ROOT)) + "/"


def visits(modules: list[str]) -> list[tuple[str, list[str]]]:
    """Runs of consecutive modules in one folder."""
    out: list[tuple[str, list[str]]] = []
    for m in modules:
        if out and out[-1][0] == folder(m):
            out[-1][1].append(m)
        else:
            out.append((folder(m), [m]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", type=Path, default=DEFAULT_REPORT)
    parser.add_argument("--design", default="rules")
    args = parser.parse_args()
    runs = visits(trace(args.report, args.design))
    seen: set[str] = set()
    returns = 0
    for name, modules in runs:
        again = name in seen
        returns += again
        seen.add(name)
        print(f"{name:16s}{' (return)' if again else '':10s} " + " → ".join(m.rsplit(".", 1)[-1] for m in modules))
    print(f"{len(runs)} visits to {len(seen)} folders, {returns} returns to a folder already left")


if __name__ == "__main__":
    main()
