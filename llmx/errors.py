"""The one exception type the CLI turns into a one-line message and a non-zero exit."""


class LlmxError(Exception):
    """A problem the user can act on: bad input, unreachable endpoint, missing extra.

    The message is one line and names the file or URL concerned; the CLI prints
    it without a traceback.
    """


class UnusableAnswer(LlmxError):
    """The endpoint answered, but no answer passed validation within the re-asks.

    Callers may fall back to a model-free method instead of failing the report.
    ``malformed``: the last answer was not JSON or not the schema's shape (as
    opposed to well-formed but failing a check on its values).
    """

    def __init__(self, message: str, *, malformed: bool = False):
        super().__init__(message)
        self.malformed = malformed
