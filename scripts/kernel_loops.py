"""How XLA compiles each committed JAX kernel on CPU: loops (fusions) and instructions per vector.

Usage:
    python scripts/kernel_loops.py [NAME ...]

For every kernel (default: all of autonumerics/kernels/certified/NAME.py) and its JAX built-in,
jit on a float32[4096] input, and report the number of loops in the optimized HLO's entry
computation (a kernel should be one: a second loop means arrays written to memory and read back)
and, when ``objdump`` is on the PATH, the machine instructions of each loop's hot path per 8 results
(the innermost loop's instructions over the results it stores to the output), with the
multiplier's share (multiplies, FMAs and divisions) and the divisions.

The cost model is ``autonumerics.kernels.loops`` (static: it does not move with the machine's
load as timings do). The "model ratio" after each built-in is its cycle bound over the kernel's:
the throughput ratio the model predicts when both loops are compute-bound (> 1: ours faster),
to set beside the measured ratios of scripts/bench_kernels.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autonumerics.kernels.loops import cycle_bound, hot_loop, loop_count, per_vector
from autonumerics.verification.bench import resolve_against

REPO = Path(__file__).resolve().parents[1]


def object_listing(object_file: Path) -> str:
    """The disassembly of an object file, as ``hot_loop`` reads it."""
    return subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(object_file)],
                          capture_output=True, text=True, check=True).stdout


def describe(label: str, source: str) -> list[tuple[float, float, float]]:
    """Compile ``source`` (Python defining f) in a fresh process with XLA's dump on, report it;
    returns each loop's per-vector costs."""
    with tempfile.TemporaryDirectory() as dump:
        env = dict(os.environ, XLA_FLAGS=f"--xla_dump_to={dump}", JAX_PLATFORMS="cpu")
        program = ("import jax, jax.numpy as jnp\n" + source +
                   "\nprint(jax.jit(f).lower(jnp.zeros(4096, jnp.float32)).compile().as_text())")
        hlo = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True,
                             text=True, check=True, cwd=REPO).stdout
        loops = loop_count(hlo)
        detail, costs = "", []
        if shutil.which("objdump"):
            objects = sorted(p for p in Path(dump).glob("*.o") if "broadcast_in_dim" not in p.name)
            bodies = (hot_loop(object_listing(path)) for path in objects)
            costs = [cost for cost in map(per_vector, bodies) if cost[0] > 1]
            if costs:
                detail = "; per 8 results: " + ", ".join(
                    f"{n:.0f} instructions, {m:.0f} on the multiplier ({d:g} div)"
                    for n, m, d in costs)
        print(f"{label:28s} {loops} loop{'s' if loops != 1 else ''}{detail}", end="", flush=True)
        return costs


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO / "scripts"))
    from bench_kernels import kernel_names  # a sibling script, found through sys.path

    names = argv or kernel_names()
    for name in names:
        path = REPO / "autonumerics" / "kernels" / "certified" / f"{name}.py"
        bench = "from autonumerics.verification.bench import load_kernel, resolve_against\n"
        ours = describe(name, f"{bench}f, _ = load_kernel({str(path)!r})")
        print(flush=True)
        function = name.removesuffix("_fast")  # both tiers race the function's built-in
        _, builtin = resolve_against("jnp", function)
        theirs = describe(f"  {builtin}", f"{bench}f, _ = resolve_against('jnp', {function!r})")
        if len(ours) == 1 and len(theirs) == 1:
            ratio = cycle_bound(*theirs[0][:2]) / cycle_bound(*ours[0][:2])
            print(f"; model ratio {ratio:.2f}x", end="")
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
