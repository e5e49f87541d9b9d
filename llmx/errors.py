"""The one exception type the CLI turns into a one-line message and a non-zero exit."""


class LlmxError(Exception):
    """A problem the user can act on: bad input, unreachable endpoint, missing extra.

    The message is one line and names the file or URL concerned; the CLI prints
    it without a traceback.
    """


class UnusableAnswer(LlmxError):
    """The endpoint answered, but no answer passed validation within the re-asks.

    Callers may fall back to a model-free method instead of failing the report.
    """
