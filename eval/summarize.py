"""Print the design comparison table of eval/README.md from the run records in eval/runs/.

    python eval/summarize.py [eval/runs/design_*.json ...]
"""

import json
import sys
from pathlib import Path

COLUMNS = ("figure_f1", "catalogue_f1", "indicator_accuracy", "label_similarity", "meta_mean", "sections_present_accuracy",
           "sections_heading_accuracy", "list_f1", "ungrounded", "calls", "prompt_tokens",
           "completion_tokens", "seconds")


def cell(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def main(paths: list[str]) -> None:
    runs = [Path(p) for p in paths] or sorted(Path(__file__).parent.joinpath("runs").glob("design_*.json"))
    print("| run | design | prompt | " + " | ".join(COLUMNS) + " |")
    print("|---" * (len(COLUMNS) + 3) + "|")
    for path in runs:
        record = json.loads(path.read_text(encoding="utf-8"))
        total, config = record["scores"]["total"], record["config"]
        print(f"| {path.stem} | {config['design']} | {config.get('prompt_version')} | "
              + " | ".join(cell(total.get(c)) for c in COLUMNS) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
