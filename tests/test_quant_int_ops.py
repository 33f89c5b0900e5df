"""The integer op table: every language's meaning of an op agrees with the int64 reference."""

from __future__ import annotations

import itertools
import string
import subprocess

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from test_export_c import CC

from autonumerics.quant.codegen import _C_HELPERS
from autonumerics.quant.codegen_python import _HELPERS
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
    fits = (want >= INT32_MIN) & (want <= INT32_MAX)  # all but add, sub, mul, abs overflows
    assert fits.any()
    np.testing.assert_array_equal(got[fits], want[fits])


@pytest.mark.parametrize("int_type", [np.int32, np.int64])  # the JAX and the NumPy exports
@pytest.mark.parametrize("name", ["rshr", "shl"])
def test_the_exported_shift_helpers_equal_the_reference(name, int_type):
    namespace = {"np": np}
    helpers = _HELPERS.format(m="np", int=f"np.{int_type.__name__}", name="f", as_array="q")
    exec(helpers, namespace)  # the export's own helper source
    a, k = (arg.astype(int_type) for arg in _argument_grid(2))
    with np.errstate(over="ignore"):  # the branch np.where discards may wrap
        got = namespace[f"_{name}"](a, k)
    np.testing.assert_array_equal(got, INT_OPS[name].numpy(*_argument_grid(2)))


# Two cases the int32 code once got wrong, outside what ``audit`` sees (it checks registers,
# not the inside of an op): a positive shl overflow saturated to 2^31 - 2^k, and rshr's
# (a >> (k - 1)) + 1 overflowed at a = 2^31 - 1, k = 1.
def test_shl_saturates_a_positive_overflow_to_int32_max():
    got = INT_OPS["shl"].jax(jnp)(jnp.int32(1), jnp.int32(31))
    assert int(got) == INT32_MAX == int(INT_OPS["shl"].numpy(np.int64(1), np.int64(31)))


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


def test_the_c_shift_helpers_equal_the_reference_without_signed_overflow(tmp_path):
    values = ", ".join(f"{int(v)}LL" for v in VALUES)
    source = _C_HELPERS + f"""
#include <stdio.h>
static const long long values[] = {{{values}}};
int main(void) {{
    const int n = sizeof values / sizeof values[0];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            printf("%d %d\\n", an_rshr((int32_t)values[i], (int32_t)values[j]),
                   an_shl((int32_t)values[i], (int32_t)values[j]));
    return 0;
}}
"""
    (tmp_path / "shifts.c").write_text(source)
    binary = tmp_path / "shifts"
    # -ftrapv: a signed overflow inside a helper aborts instead of wrapping
    subprocess.run([CC, "-O2", "-ftrapv", "-o", str(binary), str(tmp_path / "shifts.c")],
                   check=True, capture_output=True, timeout=120)
    output = subprocess.run([str(binary)], check=True, capture_output=True, text=True, timeout=60)
    got = np.array([line.split() for line in output.stdout.splitlines()], dtype=np.int64)
    args = _argument_grid(2)
    np.testing.assert_array_equal(got[:, 0], INT_OPS["rshr"].numpy(*args))
    np.testing.assert_array_equal(got[:, 1], INT_OPS["shl"].numpy(*args))
