"""``python -m llmx``: the command line, as the ``llmx`` script runs it."""

from llmx.apps.cli import main

main()
