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


def cross_validation(paths: list[str]) -> None:
    runs = [Path(p) for p in paths] or sorted(Path(__file__).parent.joinpath("runs").glob("cv_*.json"))
    print("| design | scheme | set | " + " | ".join(CV_COLUMNS) + " |")
    print("|---" * (len(CV_COLUMNS) + 3) + "|")
    for path in runs:
        record = json.loads(path.read_text(encoding="utf-8"))
        for scheme, result in record["schemes"].items():
            for name, total in [*result["sets"].items(), ("all", result["total"])]:
                print(f"| {record['config']['design']} | {scheme} | {name} | "
                      + " | ".join(cell(total.get(c)) for c in CV_COLUMNS) + " |")
    print()
    print("| design | scheme | " + " | ".join(FLAG_COLUMNS) + " |")
    print("|---" * (len(FLAG_COLUMNS) + 2) + "|")
    for path in runs:
        record = json.loads(path.read_text(encoding="utf-8"))
        for scheme, result in record["schemes"].items():
            print(f"| {record['config']['design']} | {scheme} | "
                  + " | ".join(cell(result["flags"].get(c)) for c in FLAG_COLUMNS) + " |")


def main(paths: list[str]) -> None:
    runs = [Path(p) for p in paths] or sorted(Path(__file__).parent.joinpath("runs").glob("design_*.json"))
    print("| run | design | set | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 3) + "|")
    for path in runs:
        record = json.loads(path.read_text(encoding="utf-8"))
        for name, total in rows(record):
            print(f"| {path.stem} | {record['config']['design']} | {name} | "
                  + " | ".join(cell(total.get(c)) for c in COLUMNS) + " |")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--cv"]:
        cross_validation(sys.argv[2:])
    else:
        main(sys.argv[1:])
