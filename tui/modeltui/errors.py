"""Errors a user can act on: each carries a one-line message and the exit code the CLI uses."""


class ModeltuiError(Exception):
    """Base for problems we explain in one line instead of a traceback."""

    exit_code = 1


class ConfigError(ModeltuiError):
    exit_code = 2


class UsageError(ModeltuiError):
    exit_code = 2


class StoreError(ModeltuiError):
    exit_code = 1


class BudgetRefused(ModeltuiError):
    exit_code = 3


class NoModelAvailable(ModeltuiError):
    exit_code = 3
