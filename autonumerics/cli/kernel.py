"""`autonumerics kernel`: assemble a full-range float32 kernel (range reduction + evolved cores)
and export it."""

from __future__ import annotations

import argparse
from pathlib import Path

from autonumerics.cli.common import (
    add_command,
    add_output_options,
    console,
    print_json,
    write_output,
)
from autonumerics.errors import AutonumericsError
from autonumerics.export import LANGUAGES
from autonumerics.export.c import c_name
from autonumerics.kernels import (
    KERNELS,
    KernelSource,
    build_kernel,
    main_role,
    resolve_core_path,
)
from autonumerics.kernels.tiers import TIER_BOUNDS, TIERS, kernel_id


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "kernel", run, """Assemble the full-range kernel of TARGET
        (valid for every float32 input: range reduction, special values, evolved cores) and write
        it as a standalone JAX module, NumPy module or C99 header. The three agree bit for bit
        (JAX flushes subnormal results to zero on CPU).""")
    parser.add_argument("target", help=f"the kernel: {', '.join(KERNELS)}")
    parser.add_argument("--tier", choices=TIERS, default="accurate",
                        help=f"accuracy tier: accurate (<= {TIER_BOUNDS['accurate']:g} ULP, the "
                        f"default) or fast (<= {TIER_BOUNDS['fast']:g} ULP, cheaper): the kernel "
                        "NAME_fast")
    parser.add_argument("--from", dest="cores", action="append", default=[], metavar="[ROLE=]PATH",
                        help="use this program file or run folder (its front's most accurate "
                        "program) as the core ROLE (default: the kernel's main core); repeatable")
    parser.add_argument("--to", choices=LANGUAGES, default="jax",
                        help="the language (default: jax)")
    add_output_options(parser, "the file to write (default: stdout)",
                       "print what was written as one JSON object")


def parse_core_arguments(target: str, values: list[str]) -> dict[str, str]:
    """``ROLE=PATH`` / ``PATH`` arguments as role -> program file (run folders resolved).

    A value is ``ROLE=PATH`` when what precedes its first "=" is an identifier and the whole value
    is not an existing path (a file name may hold "=").
    """
    paths: dict[str, str] = {}
    for value in values:
        role, separator, path = value.partition("=")
        if not separator or not role.isidentifier() or Path(value).exists():
            role, path = main_role(target), value
        if not role or not path:
            raise AutonumericsError(f"--from {value!r}: expected ROLE=PATH or PATH")
        paths[role] = resolve_core_path(path)
    return paths


def report(source: KernelSource, language: str, path: Path | None, as_json: bool) -> None:
    """Say what was written (nothing on the terminal when the source went to stdout)."""
    function = c_name(source.name) if language == "c" else source.name
    data = {"kernel": source.name, "language": language, "path": str(path) if path else None,
            "function": function, "ops_per_element": source.ops_per_element,
            "cores": {core.role: core.path for core in source.cores}}
    if as_json:
        print_json(data)
    elif path is not None:
        cores = ", ".join(f"{role}={file}" for role, file in data["cores"].items())
        console.print(f"wrote {path} ({language} kernel {function}, {source.ops_per_element} "
                      f"ops/element; cores {cores})", highlight=False, markup=False,
                      soft_wrap=True)  # paths: no markup


def run(args: argparse.Namespace) -> int:
    if args.target not in KERNELS:
        raise AutonumericsError(f"unknown kernel {args.target!r}; "
                                f"choose one of {', '.join(KERNELS)}")
    kid = args.target if args.tier == "accurate" else kernel_id(args.target, args.tier)
    if kid not in KERNELS:
        raise AutonumericsError(f"--tier {args.tier}: {args.target!r} has no {args.tier} kernel "
                                f"(no {kid!r}); kernels: {', '.join(KERNELS)}")
    source = build_kernel(kid, parse_core_arguments(kid, args.cores))
    if args.json and args.output is None:
        raise AutonumericsError("--json needs -o FILE (the source would mix with the JSON on "
                                "stdout)")
    path = write_output(getattr(source, args.to), args.output)
    report(source, args.to, path, args.json)
    return 0
