"""Fused multiply-add emulation: correctly rounded against exact rational arithmetic."""

from fractions import Fraction

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autonumerics.numerics.fma import fused_multiply_add


def _correctly_rounded(exact: Fraction, dtype) -> float:
    """The nearest value of ``dtype`` to ``exact`` (ties to even), by checking neighbours."""
    guess = np.array(float(exact)).astype(dtype)
    best = None
    steps = dtype is not ml_dtypes.bfloat16
    below = np.nextafter(guess, dtype(-np.inf)) if steps else guess
    above = np.nextafter(guess, dtype(np.inf)) if steps else guess
    for candidate in (below, guess, above):
        if not np.isfinite(candidate):  # the neighbour of the largest finite value
            continue
        distance = abs(Fraction(float(candidate)) - exact)
        unsigned = np.uint16 if np.dtype(dtype).itemsize == 2 else np.uint32
        key = (distance, int(np.array(candidate).view(unsigned)) & 1)
        if best is None or key < best[0]:
            best = (key, float(candidate))
    return best[1]


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@given(data=st.data())
@settings(max_examples=300)
def test_fma_is_correctly_rounded(dtype, data):
    width = 32 if dtype is np.float32 else 16
    values = [data.draw(st.floats(-1e3, 1e3, width=width, allow_subnormal=False)) for _ in range(3)]
    a, b, c = (np.array([v], dtype=dtype) for v in values)
    exact = Fraction(values[0]) * Fraction(values[1]) + Fraction(values[2])
    result = float(fused_multiply_add(a, b, c)[0])
    if np.isfinite(result):
        assert result == _correctly_rounded(exact, dtype)


def test_fma_differs_from_two_roundings_where_it_should():
    # 1 + 2^-12 squared: the 2^-24 term is lost when the product is rounded first.
    a = np.array([1 + 2.0**-12], np.float32)
    c = np.array([-1.0], np.float32)
    assert fused_multiply_add(a, a, c)[0] == np.float32(2.0**-11 + 2.0**-24)
    assert (a * a + c)[0] == np.float32(2.0**-11)


def test_bfloat16_fma_rounds_once():
    # (1 + 2^-4)^2 - 1 = 2^-3 + 2^-8 fits bfloat16's 8 bits; rounding the square first loses 2^-8.
    a = np.array([1 + 2.0**-4], ml_dtypes.bfloat16)
    c = np.array([-1.0], ml_dtypes.bfloat16)
    assert float(fused_multiply_add(a, a, c)[0]) == 2.0**-3 + 2.0**-8
    assert float((a * a + c)[0]) == 2.0**-3


def test_float64_fma_keeps_the_low_product_bits():
    a = np.array([1 + 2.0**-30])
    assert fused_multiply_add(a, a, np.array([-1.0]))[0] == 2.0**-29 + 2.0**-60
