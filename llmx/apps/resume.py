"""Resume: which results of an earlier batch still stand, and which leftovers a killed one left.

Every output carries ``source_sha256`` (of the file's bytes) and
``config_hash`` (of everything besides the text that decides the answer: the
report type and its schema, the design and the labeller; for a model design
also the prompts, the model, the endpoint and how it is asked).  A rerun
skips a report only when its output carries both unchanged, so an
interrupted batch resumes where it stopped and a changed report or
configuration is redone.  Kept apart from ``batch.py`` because it decides
what a user gets back, and its tests (and mutation tests) should see it alone.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llmx.reports.report_type import ReportType
from llmx.engine.learned import labeller_digest
from llmx.files import is_temp_name
from llmx.model.records import digest, schema_hash
from llmx.options import needs_model

if TYPE_CHECKING:  # the model stack loads only when a model is used
    from llmx.model.llm import LLM


@dataclasses.dataclass(frozen=True)
class Job:
    """One report and where its JSON goes; ``error`` is set when it must fail before any work."""

    source: Path
    output: Path
    error: str | None = None


def file_sha256(path: Path) -> str:
    """The same hash as ``Document.sha256`` (raw bytes), without parsing the file."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def config_hash(report_type: ReportType, design: str, prompt_version: str | None, llm: LLM | None) -> str:
    """A digest of everything that decides a report's output besides its text.

    Prompt versions are taken for all of the report type's prompts (the newest
    of each, plus any version asked for): coarser than the design's own
    prompt, but it needs no second copy of which design reads which prompt.
    ``rules`` uses no model, so endpoint, model and sampling stay out of it.
    """
    identity: dict[str, Any] = {"type": report_type.name, "schema": schema_hash(report_type.report_model),
                                "design": design, "labeller": labeller_digest(report_type.labeller)}
    if needs_model(design) and llm is not None:
        identity |= {
            "prompts": _prompt_versions(report_type), "prompt": prompt_version,
            "model": llm.model, "endpoint": llm.endpoint_id, "mode": llm.config.mode,
            "sampling": llm.config.sampling(), "reasks": llm.config.reasks,
        }
    return digest(identity)


def _prompt_versions(report_type: ReportType) -> dict[str, str]:
    return {name: report_type.prompt(name).version for name in report_type.prompt_names()}


def is_current(job: Job, accepted: set[str]) -> bool:
    """True when the job's output exists and was made from this content under an accepted configuration."""
    try:
        stored = json.loads(job.output.read_text(encoding="utf-8"))
        return (isinstance(stored, dict) and stored.get("config_hash") in accepted
                and stored.get("source_sha256") == file_sha256(job.source))
    except (OSError, ValueError):
        return False


def sweep_temp_files(outdir: Path) -> int:
    """Remove temporary files a killed earlier run left (a SIGKILL skips every cleanup).

    Only names ``llmx.files.temp_name`` makes, and only regular files: a user's
    own hidden ``.x.y.tmp`` in the output folder is not ours to delete.
    """
    removed = 0
    for path in outdir.iterdir() if outdir.is_dir() else ():
        if is_temp_name(path.name) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
