"""Learning curve: how fast corrections of one kind of report teach the labeller that kind.

One kind of report (a ``meta.level`` of the gold labels: township, county,
department, ...) is held out.  A fixed test group of that kind is extracted
by labellers trained on every report of the other kinds plus 0, 5, 10, 20
corrected reports of that kind (the gold labels of reports outside the test
group stand in for a reviewer's saved corrections).  Each point is scored by
the project's scorer, with the share of figures flagged unsure and the share
of errors among them; the table is printed and drawn (plotly, one offline
HTML file) when ``--html`` is given.

Every set the shipped labeller learns from is drawn on (the gold sets and the
teaching probes, ``TRAINING_SETS``), with its boost, floor and ``other`` penalty unless ``--boost`` is given.

    python bench/learning_curve.py [--level township] [--test 20] [--html curve.html]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from llmx.reports.report_type import load_report_type  # noqa: E402
from llmx.api import Extractor  # noqa: E402
from llmx.engine.learned import load_labeller  # noqa: E402
from llmx.eval.evaluate import TRAINING_SETS, GoldSet, gold_pairs  # noqa: E402
from llmx.eval.crossval import flag_capture  # noqa: E402
from llmx.eval.scoring import load_source, score_set  # noqa: E402
from llmx.eval.train import collect, fit  # noqa: E402

METRICS = ("indicator_accuracy", "catalogue_f1", "figure_precision", "figure_recall")


def reports_by_level(sets: list[GoldSet]) -> dict[str, list[tuple[str, Path, Path, GoldSet]]]:
    """Every gold report as ``(set/doc, gold file, source, set)``, grouped by its gold ``meta.level``."""
    out: dict[str, list[tuple[str, Path, Path, GoldSet]]] = {}
    for s in sets:
        for gold, source in gold_pairs(s.gold_dir, s.source_dir):
            level = json.loads(gold.read_text(encoding="utf-8"))["meta"].get("level") or "unknown"
            out.setdefault(level, []).append((f"{s.name}/{gold.stem}", gold, source, s))
    return out


def _stable(doc: str) -> str:
    return hashlib.sha256(doc.encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", default="township")
    parser.add_argument("--test", type=int, default=20, help="reports of that kind held out for testing")
    parser.add_argument("--steps", default="0,5,10,20")
    parser.add_argument("--boost", type=float, help="fixed boost (default: the shipped labeller's, with its floor)")
    parser.add_argument("--html", type=Path)
    args = parser.parse_args()

    report_type = load_report_type("fazhi")
    sets = [GoldSet(s.name, ROOT / s.gold_dir, ROOT / s.source_dir) for s in TRAINING_SETS]
    assert report_type.labeller_file is not None
    shipped = load_labeller(report_type.labeller_file)
    boost, floor, penalty = ((shipped.boost, shipped.stat_below, shipped.other_penalty) if args.boost is None
                             else (args.boost, None, None))
    grouped = reports_by_level(sets)
    kind = sorted(grouped.get(args.level, []), key=lambda r: _stable(r[0]))
    if len(kind) <= args.test:
        raise SystemExit(f"only {len(kind)} {args.level} reports: fewer than --test {args.test} plus any to learn from")
    test, pool = kind[:args.test], kind[args.test:]
    examples = collect(report_type, sets)
    others = {doc for level, rows in grouped.items() if level != args.level for doc, *_ in rows}
    rows = []
    for n in (int(x) for x in args.steps.split(",")):
        if n > len(pool):
            print(f"skip {n}: only {len(pool)} {args.level} reports outside the test group", file=sys.stderr)
            continue
        taught = others | {doc for doc, *_ in pool[:n]}
        model = fit([e for e in examples if e.doc in taught], report_type, boost=boost, stat_below=floor,
                    other_penalty=penalty)
        with Extractor(design="learned", report_type=report_type, labeller=model) as ex:
            predictions = {doc: ex.extract(src).model_dump(mode="json") for doc, _, src, _ in test}
        scores = score_set((doc, predictions[doc], json.loads(gold.read_text(encoding="utf-8")),
                            load_source(s.source_dir, gold.stem)) for doc, gold, _, s in test)
        flags = flag_capture({"scores": scores, "predictions": predictions})
        rows.append({"corrected": n, "boost": model.boost, **{m: round(scores["total"][m], 4) for m in METRICS},
                     "unsure_flagged": flags["flagged"], "unsure_capture": flags["capture"]})
        print(json.dumps(rows[-1]))
    with Extractor(design="rules", report_type=report_type) as rules:
        baseline = score_set((doc, rules.extract(src).model_dump(mode="json"),
                              json.loads(gold.read_text(encoding="utf-8")), load_source(s.source_dir, gold.stem))
                             for doc, gold, src, s in test)["total"]
    print(json.dumps({"design": "rules", **{m: round(baseline[m], 4) for m in METRICS}}))
    if args.html:
        draw(rows, baseline, args)


def draw(rows: list[dict], baseline: dict, args: argparse.Namespace) -> None:
    import plotly.graph_objects as go

    fig = go.Figure()
    for metric in (*METRICS[:2], "unsure_capture"):
        fig.add_trace(go.Scatter(x=[r["corrected"] for r in rows], y=[r[metric] for r in rows],
                                 mode="lines+markers", name=f"learned: {metric}"))
        if metric in baseline:
            fig.add_hline(y=baseline[metric], line_dash="dot", annotation_text=f"rules: {metric}")
    fig.update_layout(title=f"{args.level} reports held out ({args.test}): quality after N corrected reports",
                      xaxis_title="corrected reports of that kind", yaxis_title="score")
    args.html.write_text(fig.to_html(include_plotlyjs=True), encoding="utf-8")


if __name__ == "__main__":
    main()
