"""Errors a user can act on: each carries a one-line message and the exit code the CLI uses."""


class ModeltuiError(Exception):
    """Base for problems we explain in one line instead of a traceback."""

    exit_code = 1


class ConfigError(ModeltuiError):
    exit_code = 2


class UsageError(ModeltuiError):
    exit_code = 2


class UnknownModel(UsageError):
    """A model id the catalog does not have (a 404 to a client of `modeltui serve`)."""


class StoreError(ModeltuiError):
    exit_code = 1


class BudgetRefused(ModeltuiError):
    exit_code = 3


class NoModelAvailable(ModeltuiError):
    exit_code = 3


class TeamUnavailable(ModeltuiError):
    """The team database cannot be reached (or refuses us): nothing is sent under its cap."""

    exit_code = 3


class TeamError(ModeltuiError):
    """The team database said no: a schema from a newer modeltui, a right this role lacks."""

    exit_code = 1


def not_utf8(text: str | None) -> str | None:
    """Why `text` cannot be sent or logged, or None. A shell passes bytes that are not UTF-8 on
    to Python as surrogates: "not valid UTF-8 (byte 0xe9) at character 3"."""
    at = next((i for i, c in enumerate(text or "") if 0xD800 <= ord(c) <= 0xDFFF), None)
    if at is None:
        return None
    code = ord(text[at])
    return "not valid UTF-8" + (f" (byte 0x{code - 0xDC00:02x})" if 0xDC80 <= code <= 0xDCFF else "") + f" at character {at}"
