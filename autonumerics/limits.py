"""Limits on what one input may ask for, in one place, and how error messages quote bad values.

Every limit is far above real use and far below what would exhaust memory or time, so a hostile
or mistyped input fails at once with one line naming the limit instead of running away:

- ``MAX_INSTRUCTIONS`` (10 000): instructions in one program. Searches make programs of tens
  of ops (``mutation.max_ops`` is at most ``MAX_SEARCH_OPS``); a hand-written Horner form of
  degree 5 000 still fits. The interpreter keeps one float array per live value, so this also
  bounds its memory.
- ``MAX_EXPRESSION_CHARS`` (100 000): characters of a target expression (or of an interval's
  bounds).
- ``MAX_PROGRAM_CHARS`` (1 000 000): characters of an infix program (``--expr``, a file's
  ``expression``), so that whatever ``to_infix`` prints for a program of ``MAX_INSTRUCTIONS``
  instructions (at most about 90 characters each) reads back.
- ``MAX_EXPRESSION_DEPTH`` (200): nesting of a target expression (calls and operators; a sum
  of n terms nests n deep). The target is evaluated by nested closures, one Python frame or
  two per level, within Python's recursion limit of 1 000.
- ``MIN_DIGITS`` .. ``MAX_DIGITS`` (20 .. 1 000): significant digits of the exact labels. Labels are
  double-doubles (about 32 digits) and their high part must be the correctly rounded float64,
  which needs 17 digits and a margin; mpmath's cost grows with the digits.
- ``MAX_POINTS`` (10^7): sample points of one labelled set (``evaluation.*_points``,
  ``--points``): 240 MB of double-double labels and points, minutes (built-in targets) to
  hours (slow custom ones) of mpmath.
- ``MAX_ARGUMENT_BITS`` (2^16): a function in a target expression refuses an argument of magnitude
  2^65 536 (about 10^19 728) or more. Reducing ``sin(10**100000*x)`` needs 330 000 bits of pi per
  point, and one call with an argument of 10^(10^9) would never end.
- ``LABEL_SECONDS`` (600): default time limit for computing one set of labels; the run stops with
  one line naming the target and the point reached (``evaluation.label_seconds`` for a search).
- ``LABEL_CACHE_BYTES`` (512 MiB): the on-disk label cache; the least recently used files are
  removed beyond it (``$AUTONUMERICS_CACHE_MAX_MB`` changes it).
- ``MAX_SEARCH_OPS``, ``MAX_SEARCH_CONSTANTS`` (1 000), ``MAX_POPULATION`` (10^6),
  ``MAX_FIT_BUDGET`` (10^7): search settings; each child fit is atomic, so a budget that
  takes hours per child would make the run's time budget meaningless.
- ``MAX_BASELINE_OPS`` (64): op budget of the classical baselines (polynomials up to degree
  32); a Remez exchange of degree 500 in mpmath would take hours.
- ``MAX_INPUT_FILE_BYTES`` (64 MiB): a JSON or TOML file read (a program file of 10 000
  instructions written by autonumerics is 0.7 MB).
- ``MAX_ECHO_CHARS`` (200): an error message quotes at most this much of a bad value.
"""

from __future__ import annotations

import tomllib
from typing import Any

from autonumerics.errors import AutonumericsError

MAX_INSTRUCTIONS = 10_000
MAX_EXPRESSION_CHARS = 100_000
MAX_PROGRAM_CHARS = 1_000_000
MAX_EXPRESSION_DEPTH = 200
MIN_DIGITS = 20
MAX_DIGITS = 1_000
MAX_POINTS = 10_000_000
MAX_ARGUMENT_BITS = 1 << 16
LABEL_SECONDS = 600.0
LABEL_CACHE_BYTES = 512 << 20
MAX_SEARCH_OPS = 1_000
MAX_SEARCH_CONSTANTS = 1_000
MAX_POPULATION = 1_000_000
MAX_FIT_BUDGET = 10_000_000
MAX_BASELINE_OPS = 64
MAX_INPUT_FILE_BYTES = 64 << 20
MAX_ECHO_CHARS = 200


def shown(value: object, limit: int = MAX_ECHO_CHARS) -> str:
    """``repr(value)`` for an error message, cut to about ``limit`` characters.

    Example:
        >>> shown("x+" * 1000, 20)
        "'x+x+x+x+x+x+x+x+x+'... (2000 characters)"
    """
    text = value if isinstance(value, str) else None
    quoted = repr(value if text is None or len(text) <= limit else text[: max(1, limit - 2)])
    if text is not None and len(text) > limit:
        return f"{quoted}... ({len(text)} characters)"
    return quoted if len(quoted) <= limit + 2 else f"{quoted[:limit]}..."


def clipped(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """``text`` itself (unquoted, e.g. an error's message) cut to about ``limit`` characters."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def read_limited_text(file, source: str, kind: str, max_bytes: int = MAX_INPUT_FILE_BYTES) -> str:
    """A user's text file (a ``Path`` or a package resource), read within ``max_bytes`` as UTF-8.

    Args:
        file: what to open in binary mode (``file.open("rb")``).
        source: how messages name it.
        kind: what it should be, for messages ("config", "JSON file of ours").

    Raises:
        AutonumericsError: unreadable, larger than ``max_bytes`` or not UTF-8, one line naming it.
    """
    try:
        with file.open("rb") as stream:
            raw = stream.read(max_bytes + 1)
    except OSError as error:
        prefix = "cannot read config" if kind == "config" else "cannot read"
        raise AutonumericsError(f"{prefix} {source}: {error.strerror or error}") from None
    if len(raw) > max_bytes:
        raise AutonumericsError(f"{source}: more than {max_bytes:,} bytes, too large for a {kind}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AutonumericsError(f"{source}: not UTF-8 text (byte {raw[error.start]:#04x} at offset "
                                f"{error.start})") from None


def read_toml(file, source: str) -> dict[str, Any]:
    """A user's TOML file (a ``Path`` or a package resource) as its tables, read strictly.

    Raises:
        AutonumericsError: unreadable, too large, not UTF-8 or not TOML, one line naming ``source``.
    """
    text = read_limited_text(file, source, "config")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise AutonumericsError(f"{source}: invalid TOML: {error}") from None
    except (RecursionError, ValueError) as error:  # nested thousands deep, a 5 000-digit integer
        reason = ("nested too deeply" if isinstance(error, RecursionError)
                  else clipped(str(error), 100))
        raise AutonumericsError(f"{source}: invalid TOML: {reason}") from None
