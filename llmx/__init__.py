"""llmx: verified structured extraction from long reports on small local LLMs."""

__version__ = "0.1.0"
