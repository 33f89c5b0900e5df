"""Command line: `autonumerics COMMAND ...`. Each command lives in its own module here.

A command module defines ``register(subparsers)``, which adds its sub-parser (with a
description) and sets ``handler`` (a function ``(args) -> int``) as a default. Commands only
parse, call the library and print; user errors (``AutonumericsError``) become one line on
stderr and exit 2.

Start-up is lazy: ``COMMANDS`` holds each command's one-line summary, and only the module of the
command being run is imported (the libraries behind the commands take seconds to import;
``autonumerics --help`` needs none of them).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from typing import NoReturn

from autonumerics import __version__
from autonumerics.errors import AutonumericsError

# command -> the summary `autonumerics --help` lists, in help order.
COMMANDS: dict[str, str] = {
    "targets": "list the built-in targets",
    "search": "run an evolutionary search (a shipped config by name, or a TOML file)",
    "resume": "continue a stopped or killed search",
    "evaluate": "metrics of one program against its target",
    "show": "a run's Pareto front, or a program file (math, Python, metrics)",
    "baselines": "classical approximations (Taylor, Padé, Chebyshev, minimax, float32)",
    "compare": "a run's Pareto front against the classical baselines",
    "export": "a program as standalone JAX / NumPy / C source",
    "kernel": "a full-range float32 kernel (range reduction + evolved cores)",
    "verify": "check a program or kernel on every float32 and write a certificate",
    "bench": "time a kernel against the JAX built-in (ratios)",
    "quant": "integer activation kernels (GELU, exp, sigmoid, tanh), every input checked",
}
# command -> its module under autonumerics.cli, where that is not the command's own name
SHARED_MODULES = {"resume": "search"}


def command_module(command: str) -> str:
    """The module under ``autonumerics.cli`` that registers ``command``."""
    return SHARED_MODULES.get(command, command)


class CommandLineParser(argparse.ArgumentParser):
    """argparse with usage errors as one line on stderr and exit status 2, like every other bad
    input."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (`{self.prog} --help` shows the usage)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; ``command``'s module registers its sub-parsers in full, the others are summaries.

    Args:
        command: the command being run (None: none, e.g. for ``autonumerics --help``).
    """
    parser = CommandLineParser(
        prog="autonumerics",
        description="Discover, certify and export cheap approximations of transcendental "
        "functions.",
        epilog="`autonumerics COMMAND --help` describes a command.",
    )
    parser.add_argument("--version", action="version", version=f"autonumerics {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    module = command_module(command) if command in COMMANDS else None
    if module is not None:
        importlib.import_module(f"autonumerics.cli.{module}").register(subparsers)
    for name, summary in COMMANDS.items():
        if command_module(name) != module:  # a summary only: to list it, or reject an unknown one
            subparsers.add_parser(name, help=summary, add_help=False)
    return parser


def _command_word(argv: list[str]) -> str | None:
    """The command being run: the first argument, unless it is an option (``-h``, ``--version``)."""
    return argv[0] if argv and not argv[0].startswith("-") else None


# Options whose value may start with "-" (an interval such as -1,1): argparse would read the
# value as an option, so "--interval -1,1" is joined into "--interval=-1,1" first.
_NEGATIVE_VALUE_OPTIONS = ("--interval",)


def _join_negative_values(argv: list[str]) -> list[str]:
    joined: list[str] = []
    index = 0
    while index < len(argv):
        negative = index + 1 < len(argv) and argv[index + 1].startswith("-")
        if argv[index] in _NEGATIVE_VALUE_OPTIONS and negative:
            joined.append(f"{argv[index]}={argv[index + 1]}")
            index += 2
        else:
            joined.append(argv[index])
            index += 1
    return joined


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (2: bad input, one line on stderr)."""
    argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    parser = build_parser(_command_word(argv))
    args = parser.parse_args(argv)
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except AutonumericsError as error:
        _error_line(args.command, str(error))
        return 2
    except KeyboardInterrupt:
        print(f"autonumerics {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and cut: not an error of ours, no traceback
        _silence_stdout()
        return 141
    except OSError as error:  # last resort: a full disk, a read-only folder no option named
        where = f" ({error.filename})" if error.filename else ""
        what = "cannot write the output: " if _stdout_broken() else ""
        _error_line(args.command, f"{what}{error.strerror or error}{where}")
        return 2


# An error message is one line of at most this many characters (messages quote at most about
# 200 characters of a bad value; this only guards against a message that does not).
_MAX_ERROR_LINE = 1000


def _error_line(command: str, message: str) -> None:
    """``autonumerics COMMAND: error: MESSAGE`` on stderr, one line whatever the message holds."""
    line = " ".join(message.split())
    if len(line) > _MAX_ERROR_LINE:
        line = f"{line[:_MAX_ERROR_LINE]}... ({len(line)} characters)"
    with contextlib.suppress(OSError):  # stderr itself is gone: the exit status still tells
        print(f"autonumerics {command}: error: {line}", file=sys.stderr)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that Python's flush at exit does not fail a second time."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _stdout_broken() -> bool:
    """Whether stdout cannot be written (e.g. redirected to a full disk); then it is silenced."""
    try:
        sys.stdout.flush()
    except OSError:
        _silence_stdout()
        return True
    return False


if __name__ == "__main__":
    sys.exit(main())
