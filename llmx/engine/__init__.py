"""The engine: the pipeline of one report (segment, candidates, label, verify, assemble, write).

Not called ``extract``: that name is the public function ``llmx.extract``.
"""
