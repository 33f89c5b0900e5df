"""Hypothesis strategies shared by the tests: random programs over the op registry."""

from __future__ import annotations

from hypothesis import strategies as st

from autonumerics.ir.ops import OPS
from autonumerics.ir.program import Instruction, Program

SAFE_CONSTANTS = st.floats(min_value=-4.0, max_value=4.0, allow_nan=False, width=32).filter(
    lambda v: abs(v) > 1e-3
)


@st.composite
def programs(draw, ops=tuple(OPS), max_instructions: int = 8, max_constants: int = 4) -> Program:
    """A random valid program; every instruction may use x, any constant or any earlier value."""
    constants = tuple(draw(st.lists(SAFE_CONSTANTS, min_size=1, max_size=max_constants)))
    refs = ["x"] + [f"c{i}" for i in range(len(constants))]
    instructions = []
    for index in range(draw(st.integers(1, max_instructions))):
        op = draw(st.sampled_from(sorted(ops)))
        args = tuple(draw(st.sampled_from(refs)) for _ in range(OPS[op].arity))
        instructions.append(Instruction(op, args))
        refs.append(f"v{index}")
    return Program(tuple(instructions), constants, f"v{len(instructions) - 1}")
