"""How many threads XLA's CPU backend splits an elementwise loop over, by what the loop computes.

XLA's CPU parallel-task assignment (``xla/service/cpu/parallel_task_assignment.cc``) costs a loop
from its HLO cost analysis: when the counted flops exceed the bytes accessed, it is "compute
bound" and split by a cost of flops + 10 x bytes (100 000 per thread, so any loop of more than
a few thousand elements uses every thread); otherwise by its size (256 KiB per thread). This
prints the partition count XLA chose (the ``outer_dimension_partitions`` of the compiled HLO;
1 = not split) for chains of k ops on a float32 array of ``--size`` elements, and for the
certified kernels against their built-ins: a float32 loop that reads and writes one array
crosses the line at 8 counted ops per element (arithmetic, divisions, integer and bit ops
alike), and XLA's transcendental ops (exp, log, tanh, erf...) are not counted as flops at all:
a built-in made of one such op is never split at this size, a kernel of 20 ops always is.

    python scripts/xla_partitions.py [--size 10000] [KERNEL ...]
"""

from __future__ import annotations

import argparse
import re

CHAINS = {
    "multiply-add pairs": lambda x, k: _repeat(x, k, lambda v: v * 1.5 + 0.25),
    "integer shift-xor pairs": lambda x, k: _int_chain(x, k),
    "divisions": lambda x, k: _repeat(x, k, lambda v: 1.0 / (v + 3.0)),
    "exp": lambda x, k: _repeat(x, k, _exp),
}


def _repeat(x, k, step):
    for _ in range(k):
        x = step(x)
    return x


def _exp(v):
    import jax.numpy as jnp

    return jnp.exp(v)


def _int_chain(x, k):
    import jax
    import jax.numpy as jnp

    bits = jax.lax.bitcast_convert_type(x, jnp.int32)
    for _ in range(k):
        bits = (bits << 1) ^ bits
    return jax.lax.bitcast_convert_type(bits, jnp.float32)


def partitions(function, size: int) -> int:
    """XLA's thread count for the loops of ``function`` on float32[size] (the largest)."""
    import jax
    import jax.numpy as jnp

    text = jax.jit(function).lower(jnp.zeros(size, jnp.float32)).compile().as_text()
    counts = [int(n) for n in re.findall(r'outer_dimension_partitions":\["(\d+)"', text)]
    return max(counts, default=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kernels", nargs="*", default=["exp2_fast", "tanh_fast", "gelu_fast"])
    parser.add_argument("--size", type=int, default=10_000)
    args = parser.parse_args()
    print(f"threads XLA splits a float32[{args.size}] loop over (1: not split)")
    for name, chain in CHAINS.items():
        counts = [partitions(lambda x, k=k, chain=chain: chain(x, k), args.size)
                  for k in range(1, 9)]
        print(f"  k = 1..8 {name:24s} {counts}")
    from autonumerics.kernels.tiers import split_kernel_id
    from autonumerics.verification.bench import load_kernel, resolve_against

    for kernel_id in args.kernels:
        kernel, module = load_kernel(f"autonumerics/kernels/certified/{kernel_id}.py")
        builtin, label = resolve_against("jnp", split_kernel_id(kernel_id)[0])
        print(f"  {kernel_id:24s} {partitions(kernel, args.size)}   {label}: "
              f"{partitions(builtin, args.size)}")


if __name__ == "__main__":
    main()
