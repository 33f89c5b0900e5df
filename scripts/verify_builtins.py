"""Checks the checker: exhaustive verification of JAX built-ins against docs/references.md, the
time of an exhaustive run of the 2^x float32 degree-6 Horner program (interpreter and exported
JAX kernel) over [0, 1] (1 065 353 217 inputs), and of `--all-floats` (2^32 bit patterns) on
jnp.exp2, a full-range kernel.

    python scripts/verify_builtins.py [--workers 2] [--only exp2-builtin,erf-builtin] [--out DIR]

Prints one row per case (max ULP next to the reference figure, counts, seconds) and writes
each certificate to DIR (default: a temporary folder). Each case is a ~1e9-input run: minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from autonumerics.export import export_source
from autonumerics.ir.parse import parse_expr
from autonumerics.ir.programfile import ProgramFile
from autonumerics.truth.targets import get_target, parse_interval
from autonumerics.verification.verify import (
    builtin_subject,
    kernel_subject,
    program_subject,
    verify,
    verify_every_float,
)

HORNER6 = ProgramFile(parse_expr(
    "0x1p0 + x*(0x1.62e42cp-1 + x*(0x1.ebfd38p-3 + x*(0x1.c68b2ep-5 + x*(0x1.3cfb6p-7"
    " + x*(0x1.4748aep-10 + x*0x1.c41242p-13)))))"), "exp2", (0.0, 1.0), "float32")
ONE_BELOW = float.fromhex("0x1.fffffep-1")  # the largest float32 below 1: [1/64, 1) is closed here

# name -> (how to build the subject, target, interval, the reference max ULP)
CASES = {
    "exp2-builtin": (lambda d: builtin_subject("jnp.exp2"), "exp2", (0.0, 1.0), 1.071),
    "erf-builtin": (lambda d: builtin_subject("jax.scipy.special.erf"), "erf",
                    (2.0**-6, ONE_BELOW), 4.00),
    "exp2-horner6-program": (lambda d: program_subject(HORNER6), "exp2", (0.0, 1.0), 0.8956),
    "exp2-horner6-kernel": (lambda d: kernel_subject(_kernel(d))[0], "exp2", (0.0, 1.0), 0.8956),
    "exp2-builtin-all-floats": (lambda d: builtin_subject("jnp.exp2"), "exp2", None, 64.5),
}


def _kernel(directory: Path) -> Path:
    path = directory / "exp2_horner6.py"
    path.write_text(export_source(HORNER6, "jax"))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default=",".join(CASES), help="comma-separated case names")
    parser.add_argument("--out", help="folder for the certificates")
    parser.add_argument("--interval", help="A,B instead of each case's own (a quick smoke run)")
    args = parser.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="certificates_"))
    out.mkdir(parents=True, exist_ok=True)
    print("| case | interval | inputs | max ULP | reference | >= 1 ULP | seconds |")
    print("|---|---|---|---|---|---|---|")
    for name in args.only.split(","):
        make, target, interval, reference = CASES[name]
        interval = parse_interval(args.interval) if args.interval else interval
        started = time.perf_counter()
        if interval is None:  # every bit pattern; the report covers the inputs with normal results
            certificate = verify_every_float(make(out), get_target(target), workers=args.workers)
            interval = certificate.interval
        else:
            certificate = verify(make(out), get_target(target), interval, workers=args.workers)
        seconds = time.perf_counter() - started
        report = certificate.report
        (out / f"{name}.json").write_text(json.dumps(certificate.to_json(), indent=1))
        print(f"| {name} | [{interval[0]:g}, {interval[1]:.9g}] | {report.n_points:,} "
              f"| {report.max_ulp:.4f} | {reference} | {report.n_ge_one_ulp:,} | {seconds:.1f} |",
              flush=True)
    print(f"certificates in {out}")


if __name__ == "__main__":
    main()
