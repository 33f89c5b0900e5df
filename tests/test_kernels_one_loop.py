"""Every committed JAX kernel compiles to one XLA loop on CPU (a speed property, checked on HLO).

XLA's CPU fusion pass never copies an expensive op (a division) into several consumers: a
quotient read in two places becomes its own loop, and the kernel runs as several passes over
memory (sigmoid ran as five loops, tanh's first design as three). The kernels are written so that
each division has one user; this test keeps it so.
"""

from __future__ import annotations

import re

import pytest
from kernel_checks import CERTIFIED

from autonumerics.kernels import KERNELS as ALL_KERNELS
from autonumerics.verification.bench import load_kernel

KERNELS = sorted(name for name in ALL_KERNELS if (CERTIFIED / f"{name}.py").is_file())


def entry_fusions(hlo: str) -> list[str]:
    """The fusion instructions of the optimized module's entry computation."""
    entry = hlo[hlo.index("\nENTRY"):]
    entry = entry[:entry.index("\n}")]
    return re.findall(r"%(\S+) = \S+ fusion\(", entry)


def test_the_kernel_list_is_not_empty():
    assert {"tanh", "sigmoid", "exp2", "log"} <= set(KERNELS)


@pytest.mark.parametrize("name", KERNELS)
def test_kernel_is_one_loop(name):
    import jax
    import jax.numpy as jnp

    kernel, _ = load_kernel(CERTIFIED / f"{name}.py")
    hlo = jax.jit(kernel).lower(jnp.zeros(4096, jnp.float32)).compile().as_text()
    assert len(entry_fusions(hlo)) == 1, entry_fusions(hlo)
