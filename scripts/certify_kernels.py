"""Write and certify the shipped full-range kernels: every certificate under results/kernels/NAME/.

Usage:
    python scripts/certify_kernels.py [NAME ...] [--write] [--workers 2]
        [--steps float32,numpy,exports,16bit]

For each kernel (default: all of ``autonumerics.kernels.KERNELS``):

1. ``--write``: build it from its default cores and write ``NAME.py`` (JAX), ``NAME_numpy.py`` and
   ``NAME.h`` into ``autonumerics/kernels/certified/`` (the package modules ``autonumerics.jax``
   imports);
2. ``certificate.json``: the JAX export over all 2^32 bit patterns (``verify --all-floats``);
3. the NumPy certificates the kernel has: over every input for expm1 and log1p
   (``certificate_numpy.json``), over the subnormal inputs (tanh, erf) or the subnormal results
   (sigmoid) elsewhere (``certificate_numpy_subnormal.json``), since XLA flushes those and the
   JAX certificate counts them apart;
4. ``exports_check.json``: JAX == C on every bit pattern and NumPy == C on every 16th (256th for
   erf; every 64th or 256th for the kernels added with the tiers), by
   ``scripts/check_kernel_exports.py``;
5. ``certificate_bfloat16.json`` and ``certificate_float16.json``: ``autonumerics.jax.NAME`` on
   every one of the 65 536 inputs of each 16-bit format (computed in float32, rounded once:
   ``autonumerics.certify.float16``), a few seconds each.

Each certificate records the sha256 of the file it checked; the tests fail when a certified file
changes without a new certificate. Run from the repository root; 1-10 minutes per step and
kernel on 2 cores (all nine kernels: about an hour).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CERTIFIED = Path("autonumerics/kernels/certified")  # relative: certificates record this path
RESULTS = REPO / "results" / "kernels"
TINY = "1.1754942106924411e-38"  # 2^-126: the NumPy subnormal certificates' intervals

# Kernel -> (certificate file suffix, interval or None for every float32) of its NumPy certificate.
NUMPY_CERTIFICATES = {
    "expm1": ("_numpy", None),
    "log1p": ("_numpy", None),
    "tanh": ("_numpy_subnormal", (f"-{TINY}", TINY)),
    "erf": ("_numpy_subnormal", (f"-{TINY}", TINY)),
    "sigmoid": ("_numpy_subnormal", ("-110", "-87.3365478515625")),
    # their JAX exports read subnormal inputs as 0 (XLA); NumPy normalises them
    "log2_fast": ("_numpy_subnormal", ("1.401298464324817e-45", TINY)),
    "log_fast": ("_numpy_subnormal", ("1.401298464324817e-45", TINY)),
    "expm1_fast": ("_numpy_subnormal", (f"-{TINY}", TINY)),
    "tanh_fast": ("_numpy_subnormal", (f"-{TINY}", TINY)),
    "erf_fast": ("_numpy_subnormal", (f"-{TINY}", TINY)),
    "sigmoid_fast": ("_numpy_subnormal", ("-110", "-87.3365478515625")),
    # subnormal results: silu below x = -91.8, gelu_tanh below x = -10.05 (JAX flushes them)
    "silu": ("_numpy_subnormal", ("-112", "-91")),
    "silu_fast": ("_numpy_subnormal", ("-112", "-91")),
    "gelu_tanh": ("_numpy_subnormal", ("-11", "-10")),
    "gelu_tanh_fast": ("_numpy_subnormal", ("-11", "-10")),
    "gelu": ("_numpy_subnormal", ("-15", "-13")),  # subnormal results below x = -13.146
    "gelu_fast": ("_numpy_subnormal", ("-15", "-13")),
    # subnormal results: softplus below x = -87.34, log_sigmoid above 87.34
    "softplus": ("_numpy_subnormal", ("-110", "-87")),
    "softplus_fast": ("_numpy_subnormal", ("-110", "-87")),
    "log_sigmoid": ("_numpy_subnormal", ("87", "110")),
    "log_sigmoid_fast": ("_numpy_subnormal", ("87", "110")),
}
# exports check: NumPy on every k-th pattern (pure NumPy is the slow part: ~3 minutes per 2^28
# inputs on 2 cores). The first nine kernels were checked on every 16th (erf every 256th); the
# kernels added with the tiers on every 64th or 256th (each exports_check.json records its step).
FIRST_KERNELS = ("exp2", "exp", "expm1", "log2", "log", "log1p", "erf", "tanh", "sigmoid")
NUMPY_STEP = {"erf": 256, **{name: 16 for name in FIRST_KERNELS if name != "erf"}}
DEFAULT_NUMPY_STEP = 256


def write(name: str) -> None:
    from autonumerics.kernels import build_kernel
    from autonumerics.kernels.base import write_kernel

    for language, path in write_kernel(build_kernel(name), REPO / CERTIFIED).items():
        print(f"  wrote {path.relative_to(REPO)} ({language})", flush=True)


def _save(path: Path, certificate: dict) -> None:
    from autonumerics.ir.programfile import write_json_atomic

    json.dumps(certificate, allow_nan=False)  # strict JSON, as the tests read it
    write_json_atomic(path, certificate)
    print(f"  {path.relative_to(REPO)}: max ULP {certificate['report']['max_ulp']:.6g}, "
          f"{certificate['seconds']:.0f} s", flush=True)


def certify(name: str, workers: int) -> None:
    from autonumerics.truth.targets import get_target
    from autonumerics.verification.verify import kernel_subject, verify, verify_every_float

    subject, module = kernel_subject(CERTIFIED / f"{name}.py")
    target = get_target(module.TARGET)  # the function: "tanh" for both tanh and tanh_fast
    certificate = verify_every_float(subject, target, workers=workers)
    _save(RESULTS / name / "certificate.json", certificate.to_json())
    if name not in NUMPY_CERTIFICATES:
        return
    suffix, interval = NUMPY_CERTIFICATES[name]
    subject, _ = kernel_subject(CERTIFIED / f"{name}_numpy.py")
    if interval is None:
        certificate = verify_every_float(subject, target, workers=workers)
    else:
        certificate = verify(subject, target, (float(interval[0]), float(interval[1])), True,
                             workers=workers)
    _save(RESULTS / name / f"certificate{suffix}.json", certificate.to_json())


def check_exports(name: str) -> None:
    command = [sys.executable, str(REPO / "scripts" / "check_kernel_exports.py"), name,
               "--numpy-step", str(NUMPY_STEP.get(name, DEFAULT_NUMPY_STEP)), "--write"]
    subprocess.run(command, check=True, cwd=REPO)


def certify_16bit(name: str) -> None:
    from autonumerics.certify.float16 import certify_16bit as certify
    from autonumerics.ir.programfile import write_json_atomic

    for format_name in ("bfloat16", "float16"):
        certificate = certify(name, format_name)
        write_json_atomic(RESULTS / name / f"certificate_{format_name}.json", certificate)
        measured = certificate["measured"]
        print(f"  certificate_{format_name}.json: max {measured['max_ulp']:.4f} ULP, "
              f"{measured['pct_correctly_rounded']} % correctly rounded", flush=True)


STEPS = {"float32": lambda name, workers: certify(name, workers),
         "exports": lambda name, workers: check_exports(name),
         "16bit": lambda name, workers: certify_16bit(name)}


def main(argv: list[str] | None = None) -> int:
    from autonumerics.kernels import KERNELS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"kernels (default: all of {', '.join(KERNELS)})")
    parser.add_argument("--write", action="store_true",
                        help="regenerate the certified exports first")
    parser.add_argument("--workers", type=int, default=2,
                        help="processes for the exhaustive checks")
    parser.add_argument("--steps", default=",".join(STEPS),
                        help=f"which steps, comma-separated (default: {','.join(STEPS)}; "
                             "float32 includes NumPy's)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(KERNELS))
    if unknown:
        parser.error(f"unknown kernel {unknown[0]!r}; choose from {', '.join(KERNELS)}")
    steps = [step for step in args.steps.split(",") if step]
    if not set(steps) <= set(STEPS):
        parser.error(f"unknown step in --steps {args.steps!r}; choose from {', '.join(STEPS)}")
    for name in args.names or list(KERNELS):
        started = time.perf_counter()
        print(f"{name}:", flush=True)
        if args.write:
            write(name)
        for step in steps:
            STEPS[step](name, args.workers)
        print(f"  {name} done in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
