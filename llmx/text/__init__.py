"""Report-type-free text work: load a file (sources/), clean it, find numbers and 公文 metadata.

Nothing here knows a report type; report types (``llmx.reports``) and the pipeline build on it.
"""
