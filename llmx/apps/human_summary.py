"""The short human summary of one result, printed on stderr so stdout stays pure JSON."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table

from llmx.pipeline import FALLBACK_WARNING


def unsure_line(result: dict[str, Any]) -> str:
    """How many figures and which meta fields a reader should check first (``unsure``, ``meta_unsure``)."""
    figures = sum(bool(f.get("unsure")) for f in result["figures"])
    fields = result.get("meta_unsure") or []
    return f"{figures} unsure figures, meta {', '.join(fields) if fields else 'none'} in doubt"


def print_summary(result: dict[str, Any], console: Console | None = None) -> None:
    """Figures by indicator, template elements, rejected and uncovered counts, cost."""
    console = console or Console(stderr=True)
    counts = Counter(f["indicator"] for f in result["figures"])
    table = Table(title=f"{result['doc_id']}: {len(result['figures'])} verified figures", show_edge=False)
    table.add_column("indicator")
    table.add_column("figures", justify="right")
    for key, n in counts.most_common():
        table.add_row(key, str(n))
    console.print(table)
    present = [k for k, s in result["sections"].items() if s["present"]]
    missing = [k for k, s in result["sections"].items() if not s["present"]]
    console.print(f"elements present: {', '.join(present) or '-'}; missing: {', '.join(missing) or '-'}")
    console.print(f"rejected: {len(result.get('rejected', []))}; uncovered numbers: "
                  f"{len(result.get('uncovered', []))}")
    console.print(f"to check: {unsure_line(result)}")
    u = result.get("usage", {})
    console.print(f"cost: {u.get('calls', 0)} calls, {u.get('prompt_tokens', 0)}+{u.get('completion_tokens', 0)} "
                  f"tokens, {u.get('seconds', 0)} s, {u.get('cache_hits', 0)} cache hits")
    for warning in result.get("warnings", []):
        if warning.startswith(FALLBACK_WARNING):
            continue  # printed as an llmx: warning line of its own, even with --quiet
        console.print(f"[yellow]warning:[/] {warning}")
