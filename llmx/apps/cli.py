"""Command line: every command lives in its own ``*_command.py`` module and is registered here.

Every user-facing failure is an ``LlmxError``: printed as one line, exit 2,
no traceback, and no partial output file (a multi-report ``extract`` keeps
the reports it finished).
"""

from __future__ import annotations

import click

from llmx.apps.cli_options import quiet_instructor
from llmx.apps.conventions import CONTEXT, LazyGroup

#: Every command, by name: its module is imported only when it runs (or help lists it).
COMMANDS = {name: f"llmx.apps.{module}_command:{module}_command" for name, module in (
    ("extract", "extract"), ("batch", "batch"), ("eval", "eval"), ("score", "score"), ("table", "table"),
    ("review", "review"), ("export", "export"), ("train", "train"), ("assess", "assess"))}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings=CONTEXT)
@click.version_option(package_name="llmx")
def main() -> None:
    """Verified structured data from annual reports, on local LLMs."""
    quiet_instructor()


if __name__ == "__main__":
    main()
