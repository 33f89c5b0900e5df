"""The integer op table: every language's meaning of an op agrees with the int64 reference."""

from __future__ import annotations

import itertools
import string

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from autonumerics.quant.int_ops import INT32_MAX, INT32_MIN, INT_OPS

# Small values, shift amounts out of [0, 31] on both sides, and the int32 edges.
VALUES = np.array([INT32_MIN, -(2**20) - 3, -7, -1, 0, 1, 2, 5, 33, 2**20 + 5, INT32_MAX],
                  dtype=np.int64)


def _argument_grid(arity: int) -> list[np.ndarray]:
    columns = zip(*itertools.product(VALUES, repeat=arity), strict=True)
    return [np.array(column, dtype=np.int64) for column in columns]


@pytest.mark.parametrize("name", sorted(INT_OPS))
def test_jax_int32_equals_the_int64_reference_wherever_it_fits(name):
    op = INT_OPS[name]
    args = _argument_grid(op.arity)
    if name == "div":
        keep = args[1] != 0
        args = [arg[keep] for arg in args]
    want = op.numpy(*args)
    got = np.asarray(jax.jit(op.jax(jnp))(*(jnp.asarray(arg, jnp.int32) for arg in args)))
    fits = _fits_int32(want) & _fits_int32(_intermediate(name, args))
    assert fits.any()
    np.testing.assert_array_equal(got[fits], want[fits])


def _fits_int32(values: np.ndarray) -> np.ndarray:
    return (values >= INT32_MIN) & (values <= INT32_MAX)


def _intermediate(name: str, args: list[np.ndarray]) -> np.ndarray:
    """The value inside the op that int32 must hold (the result itself for most ops)."""
    if name == "shl":  # a * 2^k before saturation
        return args[0] << np.clip(args[1], 0, 31)
    if name == "rshr":  # (a >> (k - 1)) + 1
        return (args[0] >> np.maximum(np.clip(args[1], 0, 31) - 1, 0)) + 1
    return args[0]


# Two known divergences between the int64 reference and the int32 code, outside what ``audit``
# sees (it checks registers, not the inside of an op): JAX and the NumPy / JAX exports saturate
# shl before shifting (C computes it in int64 and is right), and rshr's (a >> (k - 1)) + 1
# overflows in all three at a = 2^31 - 1, k = 1. Kept visible until the ops are fixed (a fix
# changes the quant exports' bytes).
@pytest.mark.xfail(strict=True, reason="shl saturates a positive overflow to 2^31 - 2^k, "
                                       "not 2^31 - 1")
def test_shl_saturates_a_positive_overflow_to_int32_max():
    got = INT_OPS["shl"].jax(jnp)(jnp.int32(1), jnp.int32(31))
    assert int(got) == INT32_MAX == int(INT_OPS["shl"].numpy(np.int64(1), np.int64(31)))


@pytest.mark.xfail(strict=True, reason="rshr(2^31 - 1, 1) overflows its (a >> 0) + 1")
def test_rshr_of_int32_max_by_one():
    got = INT_OPS["rshr"].jax(jnp)(jnp.int32(INT32_MAX), jnp.int32(1))
    assert int(got) == 2**30 == int(INT_OPS["rshr"].numpy(np.int64(INT32_MAX), np.int64(1)))


@pytest.mark.parametrize("name", sorted(INT_OPS))
def test_every_export_template_uses_each_operand(name):
    op = INT_OPS[name]
    for template in (op.c, op.python):
        fields = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        assert fields - {"m"} == {str(i) for i in range(op.arity)}, template


def test_division_by_zero_is_refused():
    with pytest.raises(Exception, match="division by zero"):
        INT_OPS["div"].numpy(np.array([1]), np.array([0]))
