"""autonumerics.kernels.loops: the loops of an HLO module, the hot loop of a listing, its per-vector
counts and the cycle model (scripts/kernel_loops.py runs XLA and objdump around them)."""

import pytest

from autonumerics.kernels.loops import MULTIPLIER, cycle_bound, hot_loop, loop_count, per_vector

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

# objdump -d --no-show-raw-insn: a short loop (140-148), then a longer one (150-170) whose jump
# goes back to its start, then a forward jump that closes no loop.
LISTING = """
0000000000000100 <fusion>:
     140:\tvaddps %ymm0,%ymm1,%ymm1
     144:\tcmp    %rax,%rdx
     148:\tjne    140 <fusion+0x40>
     150:\tvmulps %ymm1,%ymm1,%ymm2
     154:\tvaddps %ymm2,%ymm1,%ymm3
     158:\tvmovups %ymm3,(%rcx,%rdx,4)
     15c:\tadd    $0x20,%rdx
     160:\tcmp    %rax,%rdx
     170:\tjne    150 <fusion+0x50>
     174:\tjmp    180 <fusion+0x80>
     180:\tret
"""

HLO = """HloModule jit_f

fused_computation {
  ROOT %x = f32[4096]{0} parameter(0)
}

ENTRY %main.4 (Arg_0.1: f32[4096]) -> (f32[4096], f32[4096]) {
  %Arg_0.1 = f32[4096]{0} parameter(0)
  %a = f32[4096]{0} fusion(f32[4096]{0} %Arg_0.1), kind=kLoop, calls=%fused_computation
  %b = f32[4096]{0} fusion(f32[4096]{0} %a), kind=kLoop, calls=%fused_computation
  ROOT %t = (f32[4096]{0}, f32[4096]{0}) tuple(%a, %b)
}
"""


def test_per_vector_counts_results_from_output_stores_only():
    instructions, multiplier, divisions = per_vector(BODY)
    assert (instructions, multiplier, divisions) == (4.5, 1.5, 0.5)


def test_multiplier_pattern_takes_fmas_and_divisions_not_adds_or_moves():
    taken = [op for op in ("vfnmadd231ps", "vfmsub213ps", "vmulps", "vdivps", "vaddps", "vmovaps",
                           "vpmulld", "vsubps") if MULTIPLIER.match(op)]
    assert taken == ["vfnmadd231ps", "vfmsub213ps", "vmulps", "vdivps"]


@pytest.mark.parametrize(("instructions", "multiplier", "cycles"),
                         [(40, 10, 10.0), (26, 13, 6.5), (36, 22, 11.0)])
def test_cycle_bound_is_the_busier_of_issue_and_multiplier(instructions, multiplier, cycles):
    assert cycle_bound(instructions, multiplier) == cycles


def test_hot_loop_is_the_longest_backward_jump():
    body = hot_loop(LISTING)
    assert body[0] == "vmulps %ymm1,%ymm1,%ymm2" and body[-1] == "jne    150 <fusion+0x50>"
    assert len(body) == 6
    assert per_vector(body) == (6.0, 1.0, 0.0)  # one ymm result per iteration
    assert hot_loop("no code here\n") == []


def test_loop_count_reads_the_entry_computation_only():
    assert loop_count(HLO) == 2
    assert loop_count(HLO.replace("fusion(f32[4096]{0} %a)", "negate(f32[4096]{0} %a)")) == 1
