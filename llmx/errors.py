"""The exception types: ``LlmxError`` and, under it, what kind of problem it is.

The CLI turns every ``LlmxError`` into one line and exit 2; a library caller
can catch the kind it can handle (``InputError`` to skip a bad file, say).
At the bottom of the layers: every other module may import it.

Messages never carry a password: ``--base-url http://user:pass@host/v1`` is
a common way to reach a server behind basic auth, and the URL is named in
most model errors.  So every ``LlmxError`` message passes through
``redact_credentials`` when it is made, whoever makes it; warnings, traces,
run records and batch status lines use the same function.
"""

import re

#: ``scheme://user:password@`` or ``scheme://token@`` inside any text.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def redact_credentials(text: str) -> str:
    """``text`` with the user name and password of every URL in it replaced by ``***``."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}***@", text)


class LlmxError(Exception):
    """A problem the user can act on: bad input, unreachable endpoint, missing extra.

    The message is one line and names the file or URL concerned; the CLI prints
    it without a traceback.  Credentials in URLs are redacted from it here.
    """

    def __init__(self, message: str = "", *args: object):
        super().__init__(redact_credentials(str(message)), *args)


class UnusableAnswer(LlmxError):
    """The endpoint answered, but no answer passed validation within the re-asks.

    Callers may fall back to a model-free method instead of failing the report.
    ``malformed``: the last answer was not JSON or not the schema's shape (as
    opposed to well-formed but failing a check on its values).
    """

    def __init__(self, message: str, *, malformed: bool = False):
        super().__init__(message)
        self.malformed = malformed


class InputError(LlmxError):
    """A report that cannot be read: missing, empty, binary, unsupported, damaged, no text layer."""


class ConfigurationError(LlmxError):
    """What was asked cannot be run as given: an unknown report type or design, a design
    that needs a model with none to ask, conflicting model options."""


class ModelError(LlmxError):
    """The model endpoint failed: unreachable, timed out, or answering with errors."""
