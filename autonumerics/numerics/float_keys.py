"""Ordered float32 keys: each float32's position on the number line, as an integer.

A float32's key is its bit pattern for +0 and above, and minus its magnitude bits below, so -0
and +0 share key 0, consecutive keys are consecutive float32 values across zero, and key order
is value order (NaN patterns lie beyond the infinities, ordered by their bits). Every key fits an
int32, and on int32 the map is its own inverse: ``i -> i`` for ``i >= 0``, ``i -> INT32_MIN - i``
below. So keys -> bits -> keys is the identity, and bits -> keys -> bits too, except -0 -> +0.
"""

from __future__ import annotations

import math

import numpy as np

from autonumerics.errors import AutonumericsError

__all__ = [
    "float32_grid",
    "float32_key",
    "float32_keys",
    "float32_run",
    "float32_values",
    "keys_to_float32",
]

_INT32_MIN = np.int32(np.iinfo(np.int32).min)


def _reflect(ints: np.ndarray) -> np.ndarray:
    """int32 bits -> keys, and keys -> bits: ``i`` if ``i >= 0``, else ``INT32_MIN - i``.

    Below zero, bits ``0x80000000 | m`` (read as int32: ``INT32_MIN + m``) give key ``-m``;
    neither side overflows int32.
    """
    return np.where(ints >= 0, ints, _INT32_MIN - ints)


def float32_keys(values: np.ndarray | float) -> np.ndarray:
    """The keys (int64, same shape) of ``values`` rounded to the nearest float32."""
    bits = np.asarray(values, dtype=np.float32).view(np.int32)
    return _reflect(bits).astype(np.int64)


def float32_key(value: float) -> int:
    """The key of the float32 nearest to ``value``."""
    return int(float32_keys(value))


def keys_to_float32(keys: np.ndarray) -> np.ndarray:
    """The float32 values (same shape) of integer ``keys``, each in ``[-2**31 + 1, 2**31 - 1]``."""
    return _reflect(np.asarray(keys).astype(np.int32)).view(np.float32)


def float32_run(start: int, count: int, iota: np.ndarray, out: np.ndarray) -> np.ndarray:
    """The float32 values of keys start .. start+count-1, all on one side of zero, in ``out``.

    The allocation-free form of :func:`keys_to_float32` for a run of keys: on one side of zero
    the bits step by one per key (up above zero, down below), so one pass suffices.

    Args:
        start: the first key.
        count: how many keys (at most ``iota.size``).
        iota: int32 ``0, 1, 2, ...``.
        out: int32 work array, at least ``count`` long; the result is a float32 view of it.

    Raises:
        ValueError: if the run straddles zero.
    """
    if start < 0 < start + count:
        raise ValueError("a run of keys must not straddle zero")
    first = _reflect(np.array(start, np.int32))  # the first key's bits (0-d: no scalar warning)
    if start >= 0:
        bits = np.add(iota[:count], first, out=out[:count])
    else:
        bits = np.subtract(first, iota[:count], out=out[:count])
    return bits.view(np.float32)


def float32_grid(a: float, b: float) -> tuple[int, int]:
    """Every float32 in the closed interval [a, b], as ``(first_key, count)``.

    The bounds are rounded inwards to float32 (beyond the float32 range: to the largest finite
    value, or to the infinity if the bound is infinite); -0 and +0 count once.

    Raises:
        AutonumericsError: for a NaN bound, a > b, or no float32 in [a, b].
    """
    if math.isnan(a) or math.isnan(b) or a > b:
        raise AutonumericsError(f"interval [{a!r}, {b!r}] is empty, reversed or NaN")
    with np.errstate(over="ignore"):  # bounds beyond the float32 range become ±inf
        first, last = np.float32(a), np.float32(b)  # nearest; then step inwards into [a, b]
    if float(first) < a:
        first = np.nextafter(first, np.float32(np.inf))
    if float(last) > b:
        last = np.nextafter(last, np.float32(-np.inf))
    first_key = float32_key(first)
    count = float32_key(last) - first_key + 1
    if count <= 0:
        raise AutonumericsError(f"interval [{a!r}, {b!r}] holds no float32 value")
    return first_key, count


def float32_values(first_key: int, count: int) -> np.ndarray:
    """The float32 values of keys first_key .. first_key+count-1, in increasing order."""
    return keys_to_float32(np.arange(first_key, first_key + count, dtype=np.int64))
