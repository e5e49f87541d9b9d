"""The eval scorer: predicted report JSON against gold labels.

Implements the "Scoring" section of docs/spec/report-template.md; the choices
the contract leaves open are written down in docs/eval.md.
"""

from llmx.eval.scoring.report import metrics_from_counts, score_report
from llmx.eval.scoring.sets import check_thresholds, load_source, score_dirs, score_set

__all__ = ["score_report", "score_set", "score_dirs", "check_thresholds",
           "metrics_from_counts", "load_source"]
