"""The only ways a foreign string reaches generated source: escaped text and literal values.

A program file's target and metrics, a core's file path, a kernel file's certificate: anything
read from a file or a command line is foreign, and an exporter that pasted it into a docstring
or a comment as it is would let it end that docstring or comment early and become code (a
target of ``exp2\"\"\"; import os; \"\"\"`` runs when the module is imported). So every
foreign string enters generated text through one of these functions:

* ``python_text(s)``: inside a Python docstring (non-raw, triple double quotes) or a ``#``
  comment. Backslashes, double quotes, control characters (newline and NUL included) and
  non-ASCII characters become escape sequences (``\\\\``, ``\\"``, ``\\n``, ``\\x00``,
  ``\\u00e9``), so the text cannot end the literal, start a line or form an escape of its
  own, and the docstring's value still reads as the original string.
* ``c_comment_text(s)``: inside a C block comment. Control and non-ASCII characters are
  escaped as above; ``*/`` and ``/*`` get a space between their characters, and so does every
  ``??`` (C99 reads ``??/`` as a backslash: at the end of a line, ``*??/`` and a next line
  starting with ``/`` would close the comment). Quotes and backslashes stay: a comment ends
  only at ``*/``, and a backslash ending a line only joins the next comment line to it.
* ``python_value(v)``: a value that becomes Python code (``TARGET = ...``, ``METADATA = ...``):
  its ``repr`` written in ASCII, a non-finite float as ``float("nan")`` / ``float("inf")``.

Plain text (letters, digits, spaces and ``/ . _ - + * ( ) [ ] , : = < > ^ ' ~ !``) passes
through the two text functions unchanged, so the exports of ordinary programs are unchanged.
"""

from __future__ import annotations

import math
import pprint
import re
from collections.abc import Callable

from autonumerics.errors import AutonumericsError

__all__ = ["C_KEYWORDS", "MAX_VALUE_DEPTH", "c_comment_text", "heading", "python_metadata",
           "python_text", "python_value"]

MAX_VALUE_DEPTH = 100  # lists and dicts within lists and dicts: far beyond any metadata we write

# The keywords of C (C23, which adds bool, true, false, ...): never usable as a generated
# identifier (a function, a variable), whatever else the exporter reserves.
C_KEYWORDS = frozenset(["alignas", "alignof", "auto", "bool", "break", "case", "char", "const",
                        "constexpr", "continue", "default", "do", "double", "else", "enum",
                        "extern", "false", "float", "for", "goto", "if", "inline", "int", "long",
                        "nullptr", "register", "restrict", "return", "short", "signed", "sizeof",
                        "static", "static_assert", "struct", "switch", "thread_local", "true",
                        "typedef", "typeof", "typeof_unqual", "union", "unsigned", "void",
                        "volatile", "while"])

# Printable ASCII except the double quote and the backslash: the text that needs no escape.
_PYTHON_UNSAFE = re.compile(r'[^ !#-\[\]-~]')
# Control characters (DEL included) and non-ASCII; a backslash or quote is plain text in C.
_C_UNSAFE = re.compile(r"[^ -~]")
_NAMED_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    """A character as the Python escape sequence that denotes it."""
    char = match.group()
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def python_text(text: str) -> str:
    """``text`` escaped for a Python docstring or comment (see the module docstring).

    Example:
        >>> print(python_text('exp2\"\"\"; open("PWNED", "w")\\n'))
        exp2\\"\\"\\"; open(\\"PWNED\\", \\"w\\")\\n
    """
    return _PYTHON_UNSAFE.sub(_escape, str(text))


def c_comment_text(text: str) -> str:
    """``text`` escaped for a C block comment (see the module docstring).

    Example:
        >>> c_comment_text("exp2 */ int pwned = 42; /* ??/")
        'exp2 * / int pwned = 42; / * ? ?/'
    """
    escaped = _C_UNSAFE.sub(_escape, str(text))
    escaped = re.sub(r"\*(?=/)", "* ", escaped)  # no "*/": it would end the comment
    escaped = re.sub(r"/(?=\*)", "/ ", escaped)  # no "/*": gcc -Wall warns of a nested comment
    return re.sub(r"\?(?=\?)", "? ", escaped)  # no trigraph: "??/" is a backslash in C99


class _NonFinite(float):
    """A non-finite float whose ``repr`` is Python evaluating to it (``nan`` alone is no name)."""

    def __repr__(self) -> str:
        if math.isnan(self):
            return 'float("nan")'
        return 'float("inf")' if self > 0 else 'float("-inf")'


def _finite_reprs(value: object, depth: int = 0) -> object:
    """``value`` with every non-finite float replaced by a ``_NonFinite`` (tuples stay tuples).

    Raises:
        AutonumericsError: for lists and dicts nested more than ``MAX_VALUE_DEPTH`` deep (``repr``
            and ``pprint`` recurse once or more per level, within Python's limit of 1 000 frames).
    """
    if depth > MAX_VALUE_DEPTH:
        raise AutonumericsError(f"a value nested more than {MAX_VALUE_DEPTH} levels deep "
                                "cannot be written as Python")
    if isinstance(value, float) and not math.isfinite(value):
        return _NonFinite(value)
    if isinstance(value, dict):
        return {key: _finite_reprs(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_finite_reprs(item, depth + 1) for item in value)
    return value


def python_value(value: object, pretty: bool = False) -> str:
    """Python source, in ASCII, that evaluates to ``value`` (None, bool, int, float, str, and lists,
    tuples and dicts of them, as read from JSON).

    The ``repr`` of such a value is a literal that evaluates to it, except that a non-finite float
    would read as the undefined name ``nan`` or ``inf``; non-ASCII characters can only occur inside
    its string literals, where their backslash escapes mean the same characters.

    Args:
        value: the value.
        pretty: lay it out over several lines with ``pprint`` (dicts in their own order).

    Raises:
        AutonumericsError: for a value nested more than ``MAX_VALUE_DEPTH`` deep.
    """
    value = _finite_reprs(value)
    source = pprint.pformat(value, sort_dicts=False) if pretty else repr(value)
    return source.encode("ascii", "backslashreplace").decode("ascii")


def heading(spec, name: str, version: str, escape: Callable[[str], str],
            indent: str = "    ") -> list[str]:
    """The first lines of an export's docstring or header comment: the target on its interval and
    the exporting ``version``, then ``name(x) ~= expression`` (``spec``: a ``KernelSpec``; its
    target and expression pass through ``escape``)."""
    low_high = spec.interval
    interval = f"[{low_high[0]!r}, {low_high[1]!r}]" if low_high else "(no interval recorded)"
    return [f"{escape(spec.target or 'custom target')} on {interval} in float32, exported by "
            f"autonumerics {version}.", "", f"{indent}{name}(x) ~= {escape(spec.expression)}", ""]


def python_metadata(spec) -> str:
    """The metadata lines of an exported Python module (``spec``: a ``KernelSpec``): ``__all__``,
    ``KERNEL_NAME``, ``TARGET``, ``INTERVAL``, ``SEMANTICS`` and ``PROGRAM_HASH``."""
    interval = f"({spec.interval[0]!r}, {spec.interval[1]!r})" if spec.interval else "None"
    return (f'__all__ = ["{spec.name}"]\n\nKERNEL_NAME = "{spec.name}"\n'
            f"TARGET = {python_value(spec.target)}\nINTERVAL = {interval}\n"
            f'SEMANTICS = "{spec.semantics}"\nPROGRAM_HASH = "{spec.program_hash}"\n')
