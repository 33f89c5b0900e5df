"""Check that a kernel's JAX, NumPy and C exports agree bit for bit on every float32 bit pattern.

Usage:
    python scripts/check_kernel_exports.py exp2 exp [--step 1] [--chunk-bits 24] [--write]

For each NAME it loads the certified exports autonumerics/kernels/certified/NAME.py (JAX, jitted),
NAME_numpy.py and NAME.h
(compiled with ``cc -O2 -std=c99 -ffp-contract=off`` into a shared library), runs all three on
the 2^32 bit patterns in chunks, and counts:

* ``numpy_vs_c``: inputs where NumPy and C differ (must be 0);
* ``jax_flushed``: inputs where JAX differs from C and XLA on CPU flushes subnormals there (the
  input or the result is subnormal, or JAX gives +-0 for C's +-2^-126, the smallest normal, seen
  for x = +-2^-125 in silu_fast and gelu_fast): excluded from the comparison, but counted;
* ``jax_vs_c`` and ``jax_vs_numpy``: the other inputs where JAX differs (must be 0).
NaN outputs compare equal whatever their payload. ``--step k`` checks every k-th pattern only
(a quick run); ``--numpy-step k`` runs the (slow, pure NumPy) export on every k-th pattern of
those only, JAX and C on all of them (``numpy_inputs`` counts what NumPy saw, ``jax_vs_c`` the
JAX/C differences outside the flushed inputs); ``--write`` saves the counts to
results/kernels/NAME/exports_check.json.
Exit status 1 if any kernel has a difference.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from autonumerics.sourcefile import load_module

REPO = Path(__file__).resolve().parents[1]
FLAGS = ["-O2", "-std=c99", "-ffp-contract=off", "-shared", "-fPIC"]
TINY = np.float32(2.0**-126)


def compile_c(header: Path, name: str, directory: Path):
    """The header's ``approx_NAME_loop`` compiled into a shared library, as a NumPy callable."""
    compiler = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if compiler is None:
        raise SystemExit("no C compiler found (cc, gcc or clang)")
    source = directory / f"{name}.c"
    source.write_text(f'#include "{header.resolve()}"\n'
                      "void run(const float *in, float *out, size_t n) "
                      f"{{ approx_{name}_loop(in, out, n); }}\n")
    library = directory / f"{name}.so"
    subprocess.run([compiler, *FLAGS, "-o", str(library), str(source), "-lm"], check=True)
    run = ctypes.CDLL(str(library)).run
    run.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]

    def function(x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, np.float32)
        out = np.empty_like(x)
        run(x.ctypes.data, out.ctypes.data, x.size)
        return out

    return function


def same_bits(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a.view(np.int32) == b.view(np.int32)) | (np.isnan(a) & np.isnan(b))


def subnormal(a: np.ndarray) -> np.ndarray:
    return (a != 0) & (np.abs(a) < TINY)


def edge_flushed(y_jax: np.ndarray, y_c: np.ndarray) -> np.ndarray:
    """JAX gives +-0 where C gives +-2^-126, the smallest normal: the results at the edge of the
    subnormal range, where XLA's flush to zero of a subnormal intermediate (or of an exact value
    just below 2^-126, before it rounds up) takes the result with it."""
    return (y_jax == 0) & (np.abs(y_c) == TINY)


def check_kernel(name: str, step: int, chunk_bits: int, directory: Path,
                 numpy_step: int = 1) -> dict:
    """Counts of disagreements between the three exports of kernel ``name`` over all patterns."""
    import jax

    folder = REPO / "autonumerics" / "kernels" / "certified"
    jax_function = jax.jit(getattr(load_module(folder / f"{name}.py", f"check_{name}"), name))
    numpy_function = getattr(load_module(folder / f"{name}_numpy.py", f"check_{name}_numpy"), name)
    c_function = compile_c(folder / f"{name}.h", name, directory)
    counts = {"inputs": 0, "numpy_inputs": 0, "numpy_vs_c": 0, "jax_vs_c": 0, "jax_vs_numpy": 0,
              "jax_flushed": 0}
    examples: list[str] = []
    chunk = (1 << chunk_bits) * step
    started = time.perf_counter()
    for first in range(0, 1 << 32, chunk):
        bits = np.arange(first, min(first + chunk, 1 << 32), step, dtype=np.uint64)
        x = bits.astype(np.uint32).view(np.float32)
        y_c = c_function(x)
        y_jax = np.asarray(jax_function(x))
        flushed = subnormal(x) | subnormal(y_c) | edge_flushed(y_jax, y_c)
        jax_differs = ~same_bits(y_jax, y_c) & ~flushed
        counts["inputs"] += x.size
        counts["jax_vs_c"] += int(jax_differs.sum())
        counts["jax_flushed"] += int((~same_bits(y_jax, y_c) & flushed).sum())
        picked = slice(None, None, numpy_step)
        y_numpy = numpy_function(x[picked])
        c_differs = ~same_bits(y_numpy, y_c[picked])
        counts["numpy_inputs"] += y_numpy.size
        counts["numpy_vs_c"] += int(c_differs.sum())
        counts["jax_vs_numpy"] += int((~same_bits(y_jax[picked], y_numpy) & ~flushed[picked]).sum())
        bad = np.flatnonzero(jax_differs)[: 5 - len(examples)]
        examples += [f"x={float(x[i])!r} c={float(y_c[i])!r} jax={float(y_jax[i])!r}" for i in bad]
        bad = np.flatnonzero(c_differs)[: 5 - len(examples)]
        examples += [f"x={float(x[picked][i])!r} numpy={float(y_numpy[i])!r} "
                     f"c={float(y_c[picked][i])!r}" for i in bad]
    command = (f"python scripts/check_kernel_exports.py {name}"
               + (f" --step {step}" if step > 1 else "")
               + (f" --numpy-step {numpy_step}" if numpy_step > 1 else ""))
    return {"kernel": name, "step": step, "numpy_step": numpy_step, **counts, "examples": examples,
            "seconds": round(time.perf_counter() - started, 1), "command": command}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="+", help="kernel names (autonumerics.kernels.KERNELS)")
    parser.add_argument("--step", type=int, default=1,
                        help="check every k-th bit pattern (default: all)")
    parser.add_argument("--numpy-step", type=int, default=1,
                        help="run NumPy on every k-th of those (default: all)")
    parser.add_argument("--chunk-bits", type=int, default=22, help="log2 of the patterns per chunk")
    parser.add_argument("--write", action="store_true",
                        help="save results/kernels/NAME/exports_check.json")
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="check_kernel_exports_") as directory:
        for name in args.names:
            result = check_kernel(name, args.step, args.chunk_bits, Path(directory),
                                  args.numpy_step)
            print(json.dumps(result))
            failed |= any(result[key] > 0 for key in ("numpy_vs_c", "jax_vs_c", "jax_vs_numpy"))
            if args.write:
                path = REPO / "results" / "kernels" / name / "exports_check.json"
                path.write_text(json.dumps(result, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
