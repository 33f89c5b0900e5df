"""How XLA compiles each committed JAX kernel on CPU: loops (fusions) and instructions per vector.

Usage:
    python scripts/kernel_loops.py [NAME ...]

For every kernel (default: all of autonumerics/kernels/certified/NAME.py) and its JAX built-in, jit on a
float32[4096] input, and report the number of loops in the optimized HLO's entry computation (a
kernel should be one: a second loop means arrays written to memory and read back) and, when
``objdump`` is on the PATH, the machine instructions of each loop's hot path per 8 results
(the innermost loop's instructions over the results it stores to the output), with the
multiplier's share (multiplies, FMAs and divisions) and the divisions.

This is a static cost: it does not move with the machine's load as timings do. A core that
issues 4 vector instructions per cycle, 2 of them multiplies or FMAs (AMD Zen 4, and Intel's
big cores since Haswell, are of that shape), needs at least max(instructions / 4, multiplier
ops / 2) cycles per 8 results. The "model ratio" after each built-in is its bound over the
kernel's: the throughput ratio this model predicts when both loops are compute-bound (> 1: ours
faster), to set beside the measured ratios of scripts/bench_kernels.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def hot_loop(object_file: Path) -> list[str]:
    """The instructions of the longest backward-jumping loop in an object file."""
    listing = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(object_file)],
                             capture_output=True, text=True, check=True).stdout
    rows = [line.split("\t", 1) for line in listing.splitlines() if re.match(r"\s+[0-9a-f]+:\t", line)]
    code = [(int(address.strip().rstrip(":"), 16), text.strip()) for address, text in rows]
    best: list[str] = []
    for address, text in code:
        jump = re.match(r"j\w+\s+([0-9a-f]+)", text)
        if jump and int(jump.group(1), 16) < address:
            body = [t for a, t in code if int(jump.group(1), 16) <= a <= address]
            best = max(best, body, key=len)
    return best


MULTIPLIER = re.compile(r"v(mul|div|fn?madd|fn?msub)\w*p[sd]$")  # the FMA units' work


def per_vector(body: list[str]) -> tuple[float, float, float]:
    """Instructions, multiplier ops (multiplies, FMAs, divisions) and divisions per 8 results
    (one AVX vector) of a loop body: results counted from the stores to indexed addresses (the
    output array; stores to the stack are spills)."""
    width = {"x": 4, "y": 8, "z": 16}
    results = 0
    for text in body:
        operands = text.split(None, 1)[1] if " " in text else ""
        stored = re.match(r"%([xyz])mm\d+,\S*\(%\w+,%\w+", operands)
        if text.split()[0].startswith("vmov") and stored:
            results += width[stored.group(1)]
    divisions = sum(1 for text in body if text.split()[0].startswith("vdivp"))
    multiplier = sum(1 for text in body if MULTIPLIER.match(text.split()[0]))
    vectors = max(results, 1) / 8
    return len(body) / vectors, multiplier / vectors, divisions / vectors


def cycle_bound(instructions: float, multiplier: float) -> float:
    """Least cycles per 8 results on a core issuing 4 vector instructions a cycle, 2 of them on
    its multiply/FMA units."""
    return max(instructions / 4, multiplier / 2)


def describe(label: str, source: str) -> list[tuple[float, float, float]]:
    """Compile ``source`` (Python defining f) in a fresh process with XLA's dump on, report it;
    returns each loop's per-vector costs."""
    with tempfile.TemporaryDirectory() as dump:
        env = dict(os.environ, XLA_FLAGS=f"--xla_dump_to={dump}", JAX_PLATFORMS="cpu")
        program = ("import jax, jax.numpy as jnp\n" + source +
                   "\nprint(jax.jit(f).lower(jnp.zeros(4096, jnp.float32)).compile().as_text())")
        hlo = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True,
                             check=True, cwd=REPO).stdout
        entry = hlo[hlo.index("\nENTRY"):]
        loops = len(re.findall(r" fusion\(", entry[:entry.index("\n}")]))
        detail, costs = "", []
        if shutil.which("objdump"):
            objects = sorted(p for p in Path(dump).glob("*.o") if "broadcast_in_dim" not in p.name)
            costs = [c for c in map(per_vector, map(hot_loop, objects)) if c[0] > 1]
            if costs:
                detail = "; per 8 results: " + ", ".join(
                    f"{n:.0f} instructions, {m:.0f} on the multiplier ({d:g} div)" for n, m, d in costs)
        print(f"{label:28s} {loops} loop{'s' if loops != 1 else ''}{detail}", end="", flush=True)
        return costs


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(REPO / "scripts"))
    from bench_kernels import kernel_names

    from autonumerics.verification.bench import resolve_against

    names = argv or kernel_names()
    for name in names:
        path = REPO / "autonumerics" / "kernels" / "certified" / f"{name}.py"
        ours = describe(name, f"from autonumerics.verification.bench import load_kernel\nf, _ = load_kernel({str(path)!r})")
        print(flush=True)
        _, builtin = resolve_against("jnp", name)
        theirs = describe(f"  {builtin}", f"from autonumerics.verification.bench import resolve_against\nf, _ = resolve_against('jnp', {name!r})")
        if len(ours) == 1 and len(theirs) == 1:
            print(f"; model ratio {cycle_bound(*theirs[0][:2]) / cycle_bound(*ours[0][:2]):.2f}x", end="")
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
