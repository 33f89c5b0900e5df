"""`autonumerics verify`: exhaustive float32 check of a program, a kernel file or a JAX built-in."""

from __future__ import annotations

import argparse

from rich.markup import escape
from rich.table import Table

from autonumerics.cli.common import (
    add_command,
    add_output_options,
    add_target_options,
    console,
    format_number,
    metric_table,
    print_result,
    progress_bar,
)
from autonumerics.errors import AutonumericsError
from autonumerics.ir.programfile import SEMANTICS, load_program_file, write_json_atomic
from autonumerics.truth.target_interval import target_interval
from autonumerics.truth.targets import get_target
from autonumerics.verification.verify import (
    builtin_subject,
    builtin_target,
    kernel_subject,
    program_subject,
    verify,
    verify_every_float,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = add_command(subparsers, "verify", run, """Verify a program file (run by the
        interpreter, as its export computes it), an exported kernel file (a JAX one runs jitted
        under JAX, in chunks; a NumPy one as is) or a JAX built-in (--builtin jnp.exp2): max ULP,
        worst input, counts >= 0.5 / >= 1 ULP, fraction correctly rounded, special values. Exact
        counts (mpmath near rounding boundaries).""")
    parser.add_argument("subject", nargs="?", help="PROGRAM.json or KERNEL.py")
    parser.add_argument("--builtin",
                        help="a JAX function instead: jnp.exp2, jax.scipy.special.erf, ...")
    parser.add_argument("--function",
                        help="the kernel's function name (default: the file's KERNEL_NAME)")
    add_target_options(parser, "target (default: the file's)",
                       "A,B (default: the file's, else the target's)")
    parser.add_argument("--semantics", choices=SEMANTICS,
                        help="for a program file (default: the file's, else xla)")
    parser.add_argument("--exhaustive", action="store_true", help="every float32 in the interval")
    parser.add_argument("--all-floats", action="store_true",
                        help="every float32 bit pattern (for full-range kernels; overflow, "
                        "underflow and undefined inputs checked by rule)")
    # smoke runs of --all-floats
    parser.add_argument("--max-per-part", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--points", type=int, default=10_000,
                        help="sample size without --exhaustive")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes for --exhaustive (0: in this process)")
    add_output_options(parser, "write the certificate (JSON) here",
                       "print the certificate as one JSON object")


def _subject(args: argparse.Namespace):
    """The subject and the target / interval it records, if any."""
    if (args.subject is None) == (args.builtin is None):
        raise AutonumericsError("give a PROGRAM.json, a KERNEL.py or --builtin NAME (one of them)")
    if args.builtin:
        return builtin_subject(args.builtin), builtin_target(args.builtin), None
    if args.subject.endswith(".py"):
        subject, module = kernel_subject(args.subject, args.function)
        return subject, getattr(module, "TARGET", None), getattr(module, "INTERVAL", None)
    program_file = load_program_file(args.subject)
    subject = program_subject(program_file, args.subject, args.semantics)
    return subject, program_file.target, program_file.interval


def run(args: argparse.Namespace) -> int:
    subject, target_name, interval = _subject(args)
    target_name = args.target or target_name
    if not target_name:
        raise AutonumericsError("no target: pass --target")
    target = get_target(target_name)
    if not args.all_floats:  # every float needs no interval
        interval = target_interval(target, args.interval, interval)
    with progress_bar("every float32",
                      enabled=(args.exhaustive or args.all_floats) and not args.json) as progress:
        if args.all_floats:
            certificate = verify_every_float(subject, target, args.workers, progress,
                                             args.max_per_part)
        else:
            certificate = verify(subject, target, interval, args.exhaustive, args.points,
                                 args.workers, progress)
    data = certificate.to_json()
    if args.output:
        write_json_atomic(args.output, data)
    return print_result(data, args.json, print_certificate)


def print_certificate(data: dict) -> None:
    report, subject = data["report"], data["subject"]
    name = subject.get("expression") or subject.get("function") or subject.get("path")
    low, high = data["interval"]
    rows = [("max ULP", format_number(report["max_ulp"], 5)),
            ("worst input", f"{report['worst_input']!r} ({report['worst_input_hex']})"),
            ("inputs >= 0.5 ULP", f"{report['n_ge_half_ulp']:,}"),
            ("inputs >= 1 ULP", f"{report['n_ge_one_ulp']:,}"),
            ("correctly rounded", f"{100 * report['frac_correctly_rounded']:.4f} %"),
            ("max relative error", format_number(report["max_rel_error"])),
            ("time", f"{data['seconds']:.2f} s")]
    console.print(f"[bold]{subject['kind']}[/bold]: {escape(str(name))}", highlight=False)
    title = (f"{data['target']} on [{low:g}, {high:g}], float32, {data['inputs']} "
             f"({report['n_points']:,} inputs)")
    console.print(metric_table(title, rows))
    special = Table(title=f"special values ({data['subnormals']})")
    for column in ("input", "output", "correctly rounded", "in interval"):
        special.add_column(column)
    for row in data["special_values"]:
        rounded = "yes" if row["correctly_rounded"] else "no"
        special.add_row(f"{float(row['input']):.7g}", f"{float(row['output']):.8g}",
                        f"{rounded} ({row['expected']})", "yes" if row["in_interval"] else "no")
    console.print(special)
    for name, counts in data.get("all_floats", {}).items():
        if isinstance(counts, dict) and "n_correct" in counts:
            console.print(f"{name}: {counts['n_correct']:,} of {counts['n_inputs']:,} as required",
                          highlight=False)
