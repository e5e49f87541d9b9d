"""``llmx assess``: scorecards for reports the way supervisors and researchers read them (docs/assess.md).

Built on extract results and their source text; the report type supplies
the rules (deadlines, word lists) in its own ``assess.yaml``, so nothing
here names a 法治 deadline or a slogan.
"""
