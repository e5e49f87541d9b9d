"""The bundled report types, one subpackage each (from the repository's ``schemas/<type>/``).

Each exposes ``DOMAIN``; ``llmx.domain.domain.load_domain`` finds them here
before looking for plug-ins in the ``llmx.report_types`` entry-point group.
"""

from llmx.checkout import checkout_folder

__path__ += checkout_folder("schemas")
