"""scripts/kernel_loops.py: the per-vector counts it reads from object code, and its cycle model."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "kernel_loops.py"


@pytest.fixture(scope="module")
def kernel_loops():
    spec = importlib.util.spec_from_file_location("kernel_loops", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Two 8-wide results per iteration (two ymm stores to the output), a spill to the stack that is
# not a result, 3 multiplier ops (a multiply, an FMA, a division) among 9 instructions.
BODY = [
    "vmovups (%rax,%rdx,4),%ymm1",
    "vmulps %ymm1,%ymm1,%ymm2",
    "vfmadd213ps %ymm3,%ymm2,%ymm1",
    "vdivps %ymm1,%ymm2,%ymm4",
    "vaddps %ymm4,%ymm1,%ymm5",
    "vmovaps %ymm5,(%rdi)",
    "vmovups %ymm5,(%rcx,%rdx,4)",
    "vmovups %ymm4,0x20(%rcx,%rdx,4)",
    "jne    150 <loop+0x150>",
]


def test_per_vector_counts_results_from_output_stores_only(kernel_loops):
    instructions, multiplier, divisions = kernel_loops.per_vector(BODY)
    assert (instructions, multiplier, divisions) == (4.5, 1.5, 0.5)


def test_multiplier_pattern_takes_fmas_and_divisions_not_adds_or_moves(kernel_loops):
    taken = [op for op in ("vfnmadd231ps", "vfmsub213ps", "vmulps", "vdivps", "vaddps", "vmovaps",
                           "vpmulld", "vsubps") if kernel_loops.MULTIPLIER.match(op)]
    assert taken == ["vfnmadd231ps", "vfmsub213ps", "vmulps", "vdivps"]


@pytest.mark.parametrize(("instructions", "multiplier", "cycles"), [(40, 10, 10.0), (26, 13, 6.5), (36, 22, 11.0)])
def test_cycle_bound_is_the_busier_of_issue_and_multiplier(kernel_loops, instructions, multiplier, cycles):
    assert kernel_loops.cycle_bound(instructions, multiplier) == cycles
