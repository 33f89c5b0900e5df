"""A static cost model of a compiled kernel: its loops, and the cycles of its hot loop's body.

``scripts/kernel_loops.py`` jits a kernel with XLA's dump on and reads what XLA wrote: the
optimized HLO (``loop_count``: a kernel should be one loop; a second one means arrays written to
memory and read back) and the object code (``hot_loop`` on an ``objdump -d --no-show-raw-insn``
listing, then ``per_vector``). The cost does not move with the machine's load as timings do.

A core that issues 4 vector instructions per cycle, 2 of them multiplies or FMAs (AMD Zen 4, and
Intel's big cores since Haswell, are of that shape), needs at least
max(instructions / 4, multiplier ops / 2) cycles per 8 results (``cycle_bound``).
"""

from __future__ import annotations

import re

__all__ = ["MULTIPLIER", "cycle_bound", "hot_loop", "loop_count", "per_vector"]

MULTIPLIER = re.compile(r"v(mul|div|fn?madd|fn?msub)\w*p[sd]$")  # the FMA units' work
_CODE_LINE = re.compile(r"\s+([0-9a-f]+):\t(.*)")  # "  4a0:\tvmulps %ymm1,%ymm2,%ymm3"
_JUMP = re.compile(r"j\w+\s+([0-9a-f]+)")
_OUTPUT_STORE = re.compile(r"%([xyz])mm\d+,\S*\(%\w+,%\w+")  # a store to an indexed address
_WIDTH = {"x": 4, "y": 8, "z": 16}  # float32 lanes of an xmm, ymm, zmm register


def loop_count(hlo: str) -> int:
    """The loops (fusions) of the entry computation of an optimized HLO module's text."""
    entry = hlo[hlo.index("\nENTRY"):]
    return len(re.findall(r" fusion\(", entry[:entry.index("\n}")]))


def hot_loop(listing: str) -> list[str]:
    """The instructions of the longest backward-jumping loop in an object file's disassembly
    (``objdump -d --no-show-raw-insn``)."""
    code = [(int(match.group(1), 16), match.group(2).strip())
            for match in map(_CODE_LINE.match, listing.splitlines()) if match]
    best: list[str] = []
    for address, text in code:
        jump = _JUMP.match(text)
        if jump and int(jump.group(1), 16) < address:
            body = [t for a, t in code if int(jump.group(1), 16) <= a <= address]
            best = max(best, body, key=len)
    return best


def per_vector(body: list[str]) -> tuple[float, float, float]:
    """Instructions, multiplier ops (multiplies, FMAs, divisions) and divisions per 8 results
    (one AVX vector) of a loop body: results counted from the stores to indexed addresses (the
    output array; stores to the stack are spills)."""
    results = 0
    for text in body:
        operands = text.split(None, 1)[1] if " " in text else ""
        stored = _OUTPUT_STORE.match(operands)
        if text.split()[0].startswith("vmov") and stored:
            results += _WIDTH[stored.group(1)]
    divisions = sum(1 for text in body if text.split()[0].startswith("vdivp"))
    multiplier = sum(1 for text in body if MULTIPLIER.match(text.split()[0]))
    vectors = max(results, 1) / 8
    return len(body) / vectors, multiplier / vectors, divisions / vectors


def cycle_bound(instructions: float, multiplier: float) -> float:
    """Least cycles per 8 results on a core issuing 4 vector instructions a cycle, 2 of them on
    its multiply/FMA units."""
    return max(instructions / 4, multiplier / 2)
