"""Exceptions for user-facing errors: the CLI prints their message as one line, no traceback."""


class AutonumericsError(ValueError):
    """Bad input from a user (a config, an expression, a file, an interval)."""
