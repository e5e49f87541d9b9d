"""Print the tables of eval/README.md from the run records in eval/runs/.

    python eval/summarize.py [eval/runs/design_*.json ...]   # designs, one row per run and set
    python eval/summarize.py --cv [eval/runs/cv_*.json ...]  # held out beside in-sample (llmx eval --cv)

One row per run and gold set (records made on several sets have ``scores.sets``;
older corpus-only records have one total); a cross-validation record gives one
row per scheme and set, and the capture of its unsure flags per scheme.
"""

import json
import sys
from pathlib import Path

COLUMNS = ("figure_precision", "figure_recall", "catalogue_f1", "indicator_accuracy", "meta_mean",
           "ungrounded", "calls", "cache_hits", "prompt_tokens", "completion_tokens", "seconds")


def cell(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def rows(record: dict) -> list[tuple[str, dict]]:
    sets = record["scores"].get("sets")
    return list(sets.items()) if sets else [("corpus", record["scores"]["total"])]


CV_COLUMNS = ("figure_precision", "figure_recall", "catalogue_f1", "indicator_accuracy", "meta_mean")
FLAG_COLUMNS = ("flagged", "capture", "figure_errors", "meta_flagged", "meta_capture", "meta_errors")


def table(keys: tuple[str, ...], columns: tuple[str, ...], rows_: list[tuple[list[str], dict]]) -> None:
    """A Markdown table: the key cells of each row, then its values of ``columns``."""
    print("| " + " | ".join((*keys, *columns)) + " |")
    print("|---" * (len(keys) + len(columns)) + "|")
    for key_cells, values in rows_:
        print("| " + " | ".join([*key_cells, *(cell(values.get(c)) for c in columns)]) + " |")


def records(paths: list[str], pattern: str) -> list[tuple[Path, dict]]:
    runs = [Path(p) for p in paths] or sorted(Path(__file__).parent.joinpath("runs").glob(pattern))
    return [(path, json.loads(path.read_text(encoding="utf-8"))) for path in runs]


def cross_validation(paths: list[str]) -> None:
    runs = records(paths, "cv_*.json")
    table(("design", "scheme", "set"), CV_COLUMNS,
          [([r["config"]["design"], scheme, name], total) for _, r in runs for scheme, result in r["schemes"].items()
           for name, total in [*result["sets"].items(), ("all", result["total"])]])
    print()
    table(("design", "scheme"), FLAG_COLUMNS,
          [([r["config"]["design"], scheme], result["flags"]) for _, r in runs for scheme, result in r["schemes"].items()])


def main(paths: list[str]) -> None:
    table(("run", "design", "set"), COLUMNS,
          [([path.stem, r["config"]["design"], name], total) for path, r in records(paths, "design_*.json")
           for name, total in rows(r)])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--cv"]:
        cross_validation(sys.argv[2:])
    else:
        main(sys.argv[1:])
