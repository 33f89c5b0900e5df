"""Exceptions for user-facing errors: the CLI prints their message as one line, no traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class AutonumericsError(ValueError):
    """Bad input from a user (a config, an expression, a file, an interval)."""


@contextmanager
def error_context(where: object) -> Iterator[None]:
    """Re-raise the block's ``AutonumericsError`` as ``"{where}: {message}"`` (a file, a key)."""
    try:
        yield
    except AutonumericsError as error:
        raise AutonumericsError(f"{where}: {error}") from None
