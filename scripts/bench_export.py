"""The bench table: exported 2^x kernels against jnp.exp2 on [0, 1], as ratios.

    python scripts/bench_export.py [--program FILE.json ...] [--sizes 1e4,1e6,1e7] [--repeats 15]

Always includes the classical degree-6 float32 Horner polynomial (6 FMAs under XLA); add
committed programs (e.g. results/.../front/*.json) with --program. Prints a Markdown table:
built-in time / kernel time per size and for the stacked method (> 1: the kernel is faster).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from autonumerics.export import export_source
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.programfile import ProgramFile, load_program_file
from autonumerics.verification.bench import bench, load_kernel, parse_sizes, resolve_against

HORNER6 = ProgramFile(parse_expr(
    "0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5 + x*(0x1.3cfb6p-7"
    " + x*(0x1.4748aep-10 + x*0x1.c41242p-13)))))"), "exp2", (0.0, 1.0), "float32")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--program", action="append", default=[], help="a program file to add")
    parser.add_argument("--sizes", default="1e4,1e6,1e7")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--stacked-iterations", type=int, default=100)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="bench_export_"))
    programs = [("degree-6 Horner (float32, 6 FMA)", HORNER6)]
    programs += [(path, load_program_file(path)) for path in args.program]
    builtin, name = resolve_against("jnp", "exp2")
    sizes = parse_sizes(args.sizes)
    header = [f"n = {size:.0e}" for size in sizes] + [f"stacked {args.stacked_iterations}x1e4"]
    print(f"Ratio = {name} time / kernel time, float32 inputs on [0, 1] "
          "(> 1: the kernel is faster)\n")
    print("| kernel | ops | " + " | ".join(header) + " |")
    print("|---|---|" + "---|" * len(header))
    for index, (label, program_file) in enumerate(programs):
        path = directory / f"kernel{index}.py"
        path.write_text(export_source(program_file, "jax", name="kernel"))
        kernel, _ = load_kernel(path)
        rows = bench(kernel, builtin, (0.0, 1.0), sizes, args.repeats, 10_000,
                     args.stacked_iterations)
        cells = [f"{row.ratio:.2f}x ({row.kernel_seconds * 1e9 / row.n_elements:.2f} vs "
                 f"{row.builtin_seconds * 1e9 / row.n_elements:.2f} ns)" for row in rows]
        print(f"| {label} | {program_file.program.n_ops} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
