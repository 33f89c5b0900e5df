"""Command line: `autonumerics COMMAND ...`. Each command lives in its own module here.

A command module defines ``register(subparsers)``, which adds its sub-parser and sets
``handler`` (a function ``(args) -> int``) as a default. Commands only parse, call the
library and print; user errors (``AutonumericsError``) become one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from autonumerics.errors import AutonumericsError

# Modules under autonumerics.cli, each registering one or more commands, in help order.
COMMAND_MODULES = ("targets", "search", "evaluate", "show", "baselines", "compare", "export", "kernel", "verify",
                   "bench", "quant")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autonumerics",
        description="Discover, certify and export cheap approximations of transcendental functions.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"autonumerics.cli.{name}").register(subparsers)
    return parser


# Options whose value may start with "-" (an interval such as -1,1): argparse would read the
# value as an option, so "--interval -1,1" is joined into "--interval=-1,1" first.
_NEGATIVE_VALUE_OPTIONS = ("--interval",)


def _join_negative_values(argv: list[str]) -> list[str]:
    joined: list[str] = []
    index = 0
    while index < len(argv):
        if argv[index] in _NEGATIVE_VALUE_OPTIONS and index + 1 < len(argv) and argv[index + 1].startswith("-"):
            joined.append(f"{argv[index]}={argv[index + 1]}")
            index += 2
        else:
            joined.append(argv[index])
            index += 1
    return joined


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_join_negative_values(list(sys.argv[1:] if argv is None else argv)))
    if getattr(args, "handler", None) is None:
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except AutonumericsError as error:
        print(f"autonumerics {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"autonumerics {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
