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
COMMAND_MODULES = ("targets", "evaluate", "show")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autonumerics",
        description="Discover, certify and export cheap approximations of transcendental functions.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"autonumerics.cli.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
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
