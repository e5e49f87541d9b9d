"""Command line: every command lives in its own ``*_command.py`` module and is registered here.

Every user-facing failure is an ``LlmxError``: printed as one line, exit 2,
no traceback, and no partial output file (a multi-report ``extract`` keeps
the reports it finished).
"""

from __future__ import annotations

import click

from llmx.apps.assess_command import assess_command
from llmx.apps.batch_command import batch_command
from llmx.apps.cli_options import quiet_instructor
from llmx.apps.conventions import CONTEXT, apply as apply_conventions
from llmx.apps.eval_command import eval_command
from llmx.apps.export_command import export_command
from llmx.apps.extract_command import extract_command
from llmx.apps.review_command import review_command
from llmx.apps.score_command import score_command
from llmx.apps.table_command import table_command
from llmx.apps.train_command import train_command


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="llmx")
def main() -> None:
    """Verified structured data from annual reports, on local LLMs."""
    quiet_instructor()


for command in (extract_command, batch_command, eval_command, score_command, table_command, review_command,
                export_command, train_command, assess_command):
    main.add_command(command)
apply_conventions(main)

if __name__ == "__main__":
    main()
