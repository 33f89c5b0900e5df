"""Fused multiply-add ``a*b + c`` rounded once, for numpy arrays of every supported dtype.

numpy has no FMA, but jitted JAX on CPU computes one (XLA contracts ``a*b + c``), so the
interpreter must produce the same bits. The method, for formats of p <= 24 bits:

1. The product of two p-bit numbers has at most 2p <= 48 bits: exact in float64.
2. ``s + t = prod + c`` exactly (Knuth's TwoSum); ``s`` is the float64 rounding of the sum.
3. Rounding to float64 and then to the target format can round twice the wrong way when ``s``
   lands on a midpoint of the target format. Rounding the first step *to odd* instead (make ``s``
   odd when ``t != 0``) makes the second, ordinary rounding correct whenever 53 >= p + 2
   (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved algorithms using
   rounding to odd", 2008).

For float64 operands there is no wider type: the result is computed with error-free
transformations (Dekker's product, TwoSum) and is faithful (error < 1 ulp), not always
correctly rounded; float64 searches do not rely on FMA rounding.
"""

from __future__ import annotations

import ml_dtypes
import numpy as np


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``s, t`` with ``s = fl(a + b)`` and ``s + t == a + b`` exactly (no branches)."""
    s = a + b
    b_virtual = s - a
    a_virtual = s - b_virtual
    t = (a - a_virtual) + (b - b_virtual)
    return s, t


def _round_to_odd(s: np.ndarray, t: np.ndarray, int_type: type) -> np.ndarray:
    """``s`` rounded to odd given the exact remainder ``t`` (same float width as ``int_type``).

    When ``t != 0`` and ``s`` has an even last bit, the exact value lies strictly between ``s``
    and its neighbour in the direction of ``t``, and that neighbour is odd: step to it. In the
    sign-magnitude bit pattern, stepping away from zero is +1 and toward zero is -1.
    """
    bits = s.view(int_type)
    inexact_even = (t != 0) & ((bits & 1) == 0)
    away_from_zero = np.signbit(s) == np.signbit(t)
    step = np.where(away_from_zero, 1, -1).astype(int_type)
    return np.where(inexact_even, bits + step, bits).view(s.dtype)


def _fma_narrow(a: np.ndarray, b: np.ndarray, c: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Correctly rounded FMA for float32 and float16 operands (bfloat16 via ``_fma_odd``).

    Fast path: ``s = fl64(a*b + c)`` rounded to the format is already correct unless ``s``
    sits exactly on a midpoint of the format (the only place a second rounding can go the
    wrong way) or in its subnormal range; those rare inputs take the exact round-to-odd path.
    """
    product = np.multiply(a, b, dtype=np.float64)
    s = np.add(product, c, dtype=np.float64)
    if s.ndim == 0:
        return _fma_odd(a, b, c, dtype)
    result = s.astype(dtype)
    fmt_bits = np.finfo(dtype).nmant + 1
    dropped = 53 - fmt_bits
    low_bits = s.view(np.int64) & ((1 << dropped) - 1)
    suspicious = (low_bits == (1 << (dropped - 1))) | (np.abs(s) < np.finfo(dtype).tiny)
    if suspicious.any():
        where = np.nonzero(suspicious)
        pick = [np.broadcast_to(v, s.shape)[where] for v in (a, b, c)]
        result[where] = _fma_odd(*pick, dtype)
    return result


def _fma_odd(a: np.ndarray, b: np.ndarray, c: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Correctly rounded FMA by rounding to odd in float64 first (any format of <= 24 bits)."""
    a64, b64, c64 = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    s, t = _two_sum(a64 * b64, c64)
    s_odd = _round_to_odd(s, np.where(np.isfinite(s), t, 0.0), np.int64)
    if dtype == np.dtype(ml_dtypes.bfloat16):
        # ml_dtypes may convert float64 -> bfloat16 through float32: keep the odd rounding
        # through that step too (float32 has 24 >= 8 + 2 bits, so the last rounding is right).
        f32 = s_odd.astype(np.float32)
        remainder = np.where(np.isfinite(f32), s_odd - f32.astype(np.float64), 0.0)
        return _round_to_odd(f32, remainder, np.int32).astype(dtype)
    return s_odd.astype(dtype)


def _fma_float64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Faithful float64 FMA from Dekker's exact product and TwoSum."""
    product = a * b
    split = 134217729.0  # 2**27 + 1: Veltkamp splitting into 26-bit halves
    a_big = split * a
    a_hi = a_big - (a_big - a)
    a_lo = a - a_hi
    b_big = split * b
    b_hi = b_big - (b_big - b)
    b_lo = b - b_hi
    product_error = ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    s, t = _two_sum(product, c)
    result = s + (t + product_error)
    # Where the splitting overflowed, fall back to the twice-rounded value.
    return np.where(np.isfinite(result), result, product + c)


def fused_multiply_add(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a*b + c`` rounded once to the operands' dtype (broadcasting like numpy)."""
    dtype = np.result_type(a, b, c)
    with np.errstate(all="ignore"):
        if dtype == np.float64:
            operands = (np.asarray(v, np.float64) for v in (a, b, c))
            return _fma_float64(*np.broadcast_arrays(*operands))
        if dtype == np.dtype(ml_dtypes.bfloat16):
            return _fma_odd(a, b, c, dtype)
        return _fma_narrow(a, b, c, dtype)
