"""Print the design comparison table of eval/README.md from the run records in eval/runs/.

    python eval/summarize.py [eval/runs/design_*.json ...]

One row per run and gold set (records made on several sets have ``scores.sets``;
older corpus-only records have one total).
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
    main(sys.argv[1:])
