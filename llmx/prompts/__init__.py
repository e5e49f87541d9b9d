"""Prompt files of the bundled report types, one folder each (from the repository's ``prompts/<type>/``).

Read as package resources (``importlib.resources.files("llmx.prompts.<type>")``).
"""

from llmx.checkout import checkout_folder

__path__ += checkout_folder("prompts")
