"""Report types: what one is (``report_type``, ``catalogue``, ``cues``) and the bundled ones.

A report type is the one name for what ``--type`` chooses: its output model,
template elements, indicator catalogue and cue words.  The bundled types are
subpackages of this package (from the repository's ``schemas/<type>/``), each
exposing ``REPORT_TYPE``; ``report_type.load_report_type`` finds them here
before looking for plug-ins in the ``llmx.report_types`` entry-point group.
"""

from llmx.checkout import checkout_folder

__path__ += checkout_folder("schemas")
