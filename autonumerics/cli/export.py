"""`autonumerics export`: a program file as standalone JAX, NumPy or C source."""

from __future__ import annotations

import argparse

from autonumerics.cli.common import add_command, add_output_options, console, write_output
from autonumerics.cli.kernel import report
from autonumerics.errors import AutonumericsError
from autonumerics.export import LANGUAGES, export_source
from autonumerics.ir.programfile import SEMANTICS, load_program_file
from autonumerics.kernels import KERNELS, build_kernel, core_roles
from autonumerics.kernels.tiers import split_kernel_id


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "export", run, """Write a program file as a standalone
        kernel: a JAX module (imports only jax), a NumPy module (only numpy) or a C99 header. The
        kernel computes the interpreter's float32 result bit for bit: 'xla' semantics as jitted
        JAX fuses multiply-adds, 'strict' one rounding per op.""")
    parser.add_argument("program", help="PROGRAM.json")
    parser.add_argument("--to", required=True, choices=LANGUAGES, help="the language")
    add_output_options(parser, "the file to write (default: stdout)", json_help=None)
    parser.add_argument("--name", help="the function's name (default: the target's name)")
    parser.add_argument("--semantics", choices=SEMANTICS,
                        help="float32 rounding to reproduce (default: the file's, else xla)")
    parser.add_argument("--full-range", action="store_true",
                        help="export the full-range kernel of the program's target (exp2, exp, "
                        "log2, ...) with this program as its main core (see `autonumerics kernel`; "
                        "a core both tiers use goes into the accurate kernel)")


def run_full_range(args: argparse.Namespace) -> int:
    """The program as the main core of the full-range kernel named by its target."""
    if args.name or args.semantics:
        raise AutonumericsError("--full-range takes neither --name nor --semantics (the kernel "
                                "fixes both)")
    target = load_program_file(args.program).target or ""
    users = core_roles(target)  # the kernel of that name, or kernels with such a core
    # a core both tiers of a function use goes into the accurate one (the fast one: `autonumerics
    # kernel NAME --tier fast --from ROLE=PATH`)
    users = [user for user in users if split_kernel_id(user[0])[1] == "accurate"] or users
    if not users:
        raise AutonumericsError(f"--full-range: the program's target {target!r} is neither a "
                                f"kernel nor a kernel's core; kernels: {', '.join(KERNELS)}")
    if len(users) > 1:
        named = ", ".join(f"{name} (--from {role}=PATH)" for name, role in users)
        raise AutonumericsError(f"--full-range: {target!r} is a core of several kernels: {named}; "
                                "choose one with `autonumerics kernel NAME "
                                f"--from ROLE={args.program}`")
    kernel, role = users[0]
    source = build_kernel(kernel, {role: args.program})
    report(source, args.to, write_output(getattr(source, args.to), args.output), as_json=False)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.full_range:
        return run_full_range(args)
    program_file = load_program_file(args.program)
    source = export_source(program_file, args.to, name=args.name, semantics=args.semantics)
    path = write_output(source, args.output)
    if path is not None:
        console.print(f"wrote {path} ({args.to}, {program_file.program.n_ops} ops)",
                      highlight=False, markup=False, soft_wrap=True)
    return 0
