"""Error metrics against exact values: relative, absolute and ULP errors, correct rounding.

Conventions, written once here (every module that measures an error follows them):

* The exact value of the target at a point is a double-double ``(hi, lo)`` of float64 arrays:
  ``hi`` is the float64 nearest the exact value and ``lo`` the (rounded) rest, so the pair carries
  about 106 bits. A float64 reference alone is the pair ``(ref, 0)``.
* Relative error ``|approx - exact| / |exact|``; absolute error ``|approx - exact|``, both computed
  as ``|(approx - hi) - lo|``: ``approx - hi`` is exact (Sterbenz) whenever approx is within a
  factor two of the exact value, the only case where the digits matter.
* ULP error in format F of precision p: ``|approx - exact| / ulp(exact)`` with
  ``ulp(y) = 2**(floor(log2|y|) - (p - 1))`` floored at the smallest subnormal of F. The binade
  ``floor(log2|y|)`` is read from ``hi`` and the sign of ``lo``: when ``hi`` is a power of two
  and ``lo`` pulls towards zero the exact value lies in the binade below.
* A non-finite approximation (or NaN where the exact value is finite) has error ``+inf``.

Reports of these errors over a point set are in :mod:`autonumerics.numerics.reports`.
"""

from __future__ import annotations

import numpy as np

from autonumerics.numerics.dtypes import FloatFormat, float_format

__all__ = [
    "absolute_errors",
    "inverse_ulp_size",
    "relative_errors",
    "round_to_format",
    "ulp_error_at_least",
    "ulp_errors",
    "ulp_size",
]

_EXPONENT_MASK = np.int64(0x7FF0000000000000)


def _f64(values: np.ndarray | float) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def ulp_size(hi: np.ndarray, lo: np.ndarray, fmt: FloatFormat | str) -> np.ndarray:
    """The ULP of the exact values ``hi + lo`` in ``fmt``, as float64.

    Args:
        hi: float64 nearest the exact values.
        lo: the rest of the exact values (same shape, or broadcastable).
        fmt: the format whose ULP is measured (a ``FloatFormat`` or its name).

    Returns:
        ``2**(floor(log2|hi + lo|) - (p - 1))``, at least ``2**fmt.min_subnormal_exponent``.
    """
    fmt = float_format(fmt)
    hi, lo = np.broadcast_arrays(_f64(hi), _f64(lo))
    mantissa, exponent = np.frexp(hi)  # |hi| = |m| * 2**exponent, |m| in [0.5, 1)
    # hi a power of two and lo pulling towards zero: the exact value is one binade lower.
    below = (np.abs(mantissa) == 0.5) & (lo * hi < 0)
    binade = exponent - 1 - below
    binade = np.where(hi == 0, fmt.min_exponent, binade)  # frexp(0) says 2**0; 0 has the floor
    ulp_exponent = np.maximum(binade - (fmt.precision - 1), fmt.min_subnormal_exponent)
    return np.ldexp(1.0, ulp_exponent)


def _bit_trick_ok(fmt: FloatFormat) -> bool:
    # 1/ulp = 2**(p - 1 - binade) must be a normal float64 for every binade >= min_exponent,
    # i.e. its exponent field (p - 1 + 2046) - (min_exponent + 1023) must stay <= 2046.
    return fmt.min_exponent + 1023 >= fmt.precision - 1


def inverse_ulp_size(
    hi: np.ndarray, fmt: FloatFormat | str, out: np.ndarray | None = None
) -> np.ndarray:
    """``1 / ulp(hi)`` in ``fmt`` from the float64 exponent bits alone (lo taken as 0); fast path.

    The exponent field E of hi gives ``binade = E - 1023``; the reciprocal ulp
    ``2**(p - 1 - binade)`` has exponent field ``(p - 1 + 2046) - E``, so the whole computation is
    three integer passes and exact. Only for formats whose reciprocal ulps are normal float64
    (float32, bfloat16, float16).

    Args:
        hi: float64 array (finite values).
        fmt: the format; needs ``fmt.min_exponent + 1023 >= fmt.precision - 1``.
        out: optional int64 work array of hi's shape, reused for the result.

    Returns:
        The reciprocal ulps, a float64 view of ``out``.
    """
    fmt = float_format(fmt)
    if not _bit_trick_ok(fmt):
        raise ValueError(f"the exponent-bit ulp does not apply to {fmt.name}")
    field = np.bitwise_and(hi.view(np.int64), _EXPONENT_MASK, out=out)
    # The subnormal floor: binades below min_exponent share the ulp of min_exponent.
    np.maximum(field, np.int64(fmt.min_exponent + 1023) << 52, out=field)
    np.subtract(np.int64(fmt.precision - 1 + 2046) << 52, field, out=field)
    return field.view(np.float64)


def _nonfinite_to_inf(errors: np.ndarray) -> np.ndarray:
    errors = np.asarray(errors)
    return np.where(np.isfinite(errors), errors, np.inf)


def absolute_errors(approx: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """``|approx - (hi + lo)|`` as float64; non-finite approximations give ``inf``."""
    with np.errstate(invalid="ignore", over="ignore"):
        errors = np.abs((_f64(approx) - _f64(hi)) - _f64(lo))
    return _nonfinite_to_inf(errors)


def relative_errors(approx: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """``|approx - exact| / |exact|`` as float64.

    0 where both are 0, ``inf`` where only the exact value is 0.
    """
    absolute = absolute_errors(approx, hi, lo)
    with np.errstate(divide="ignore", invalid="ignore"):
        errors = np.where(absolute == 0, 0.0, absolute / np.abs(_f64(hi)))
    return _nonfinite_to_inf(errors)


def ulp_errors(
    approx: np.ndarray, hi: np.ndarray, lo: np.ndarray, fmt: FloatFormat | str
) -> np.ndarray:
    """ULP errors of ``approx`` against the exact values ``hi + lo`` in ``fmt``, as float64.

    Args:
        approx: the computed values (any float dtype; converted exactly to float64).
        hi: float64 nearest the exact values.
        lo: the rest of the exact values.
        fmt: the format the ULP is measured in.

    Returns:
        ``|approx - exact| / ulp(exact)``; ``inf`` where approx is not finite.
    """
    fmt = float_format(fmt)
    return _nonfinite_to_inf(absolute_errors(approx, hi, lo) / ulp_size(hi, lo, fmt))


def ulp_error_at_least(
    approx: np.ndarray, hi: np.ndarray, lo: np.ndarray, fmt: FloatFormat | str, threshold: float
) -> np.ndarray:
    """Whether the ULP error is >= threshold, decided exactly from the double-double.

    The float64 quotient of :func:`ulp_errors` rounds, so an error of 1 - 1e-20 ulp reads as
    1.0. Here, with d = approx - hi (exact near the threshold, by Sterbenz) and s = sign(d),
    ``|d - lo| >= t*ulp`` becomes ``|d| - t*ulp >= s*lo``: the left side is exact wherever the
    verdict is close (|d| within a factor two of t*ulp), and lo is compared exactly.

    Args:
        approx, hi, lo, fmt: as for :func:`ulp_errors`.
        threshold: a power of two times a small integer (0.5, 1, 1.5...), so t*ulp is exact.

    Returns:
        A boolean array; True where approx is not finite.
    """
    fmt = float_format(fmt)
    approx, hi, lo = _f64(approx), _f64(hi), _f64(lo)
    with np.errstate(invalid="ignore", over="ignore"):
        d = approx - hi
        verdict = np.abs(d) - threshold * ulp_size(hi, lo, fmt) >= np.sign(d) * lo
    return verdict | ~np.isfinite(d)


def round_to_format(hi: np.ndarray, lo: np.ndarray, fmt: FloatFormat | str) -> np.ndarray:
    """The exact values ``hi + lo`` correctly rounded (to nearest, ties to even) into ``fmt``.

    Rounds from the double-double directly: casting hi first would round twice. When hi is
    exactly a midpoint of ``fmt`` the sign of lo decides; only ``lo == 0`` is a true tie.

    Returns:
        An array of ``fmt.dtype`` (overflow gives ``±inf``).
    """
    fmt = float_format(fmt)
    hi, lo = np.broadcast_arrays(_f64(hi), _f64(lo))
    if fmt.precision >= 53:
        return (hi + lo).astype(fmt.dtype)  # one float64 addition rounds the exact sum once
    ulp = ulp_size(hi, lo, fmt)
    with np.errstate(invalid="ignore"):
        scaled = hi / ulp  # exact: a power-of-two scaling, |scaled| < 2**p
        nearest = np.rint(scaled)  # ties to even
        on_midpoint = (scaled - np.floor(scaled)) == 0.5
    nearest = np.where(on_midpoint & (lo > 0), np.ceil(scaled), nearest)
    nearest = np.where(on_midpoint & (lo < 0), np.floor(scaled), nearest)
    rounded = nearest * ulp
    overflow = np.abs(rounded) >= np.ldexp(1.0, fmt.max_exponent + 1)
    rounded = np.where(overflow, np.copysign(np.inf, hi), rounded)
    return rounded.astype(fmt.dtype)  # exact: every value is representable in fmt
