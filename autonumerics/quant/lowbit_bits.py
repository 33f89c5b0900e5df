"""Bit-exact plumbing for bf16/fp16 kernels: one backend interface (numpy or JAX), decode, encode.

The low-bit kernels compute in float32 but never let XLA decide a rounding: every product or
quotient that feeds another op is read through :meth:`Backend.rounded`, which stops LLVM from
fusing it into an FMA (``lax.optimization_barrier`` does not, measured), no float32
intermediate is ever subnormal (XLA on CPU flushes those to zero, numpy keeps them), and the
final rounding to the 16-bit format is done on integers by :func:`encode`, from a float32
significand ``m`` and a separate int32 exponent ``e`` (value ``m * 2**e``). So results that
are subnormal, or far outside float32's range, are still rounded exactly once, the same way on
both backends.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import FORMATS, FloatFormat

# The 16-bit formats of the float-format registry (numerics.dtypes holds their bit layout).
LOW_FORMATS: dict[str, FloatFormat] = {name: FORMATS[name] for name in ("bfloat16", "float16")}


def low_format(name: str) -> FloatFormat:
    """The 16-bit format called ``name``; an error naming the choices if there is none."""
    try:
        return LOW_FORMATS[name]
    except KeyError:
        raise AutonumericsError(
            f"unknown low-bit format {name!r}; choose one of {', '.join(LOW_FORMATS)}"
        ) from None


@dataclass(frozen=True)
class Backend:
    """The array operations the kernels need, in numpy or in (jitted) JAX.

    Attributes:
        name: ``"numpy"`` or ``"jax"``.
        xp: the array namespace (``numpy`` or ``jax.numpy``).
    """

    name: str
    xp: Any
    guard: Any = None

    def guarded(self, x: Any) -> Backend:
        """This backend with an int32 zero per element derived from ``x`` (finite float32).

        ``x != x`` is 0 for every finite x, but no compiler can prove it, so a product whose
        bits are OR-ed with it is opaque: LLVM cannot fuse it into an FMA. This is about 2.5x
        faster than reading the product through a select (measured on CPU).
        """
        if self.name == "numpy":
            return self
        return replace(self, guard=(x != x).astype(self.xp.int32))  # noqa: PLR0124 (NaN test)

    def rounded(self, value: Any) -> Any:
        """``value`` as an opaque float32: XLA can neither fuse it into an FMA nor rewrite it."""
        if self.name == "numpy":
            return value
        if self.guard is None:  # a select is opaque too (slower)
            return self.xp.where(value == value, value, value + value)  # noqa: PLR0124
        return self.as_float(self.as_int(value) | self.guard)

    def as_int(self, value: Any) -> Any:
        """The int32 bit pattern of a float32 array."""
        if self.name == "numpy":
            return value.view(np.int32)
        from jax import lax

        return lax.bitcast_convert_type(value, self.xp.int32)

    def as_float(self, bits: Any) -> Any:
        """The float32 array whose bit pattern is the int32 ``bits``."""
        if self.name == "numpy":
            return np.asarray(bits, dtype=np.int32).view(np.float32)
        from jax import lax

        return lax.bitcast_convert_type(bits, self.xp.float32)

    def to_float(self, ints: Any) -> Any:
        """int32 -> float32 by value (exact below 2**24)."""
        return ints.astype(self.xp.float32)

    def to_int(self, floats: Any) -> Any:
        """float32 holding integers -> int32."""
        return floats.astype(self.xp.int32)


NUMPY = Backend("numpy", np)


def jax_backend() -> Backend:
    """The JAX backend (imports JAX on first use)."""
    import jax.numpy as jnp

    return Backend("jax", jnp)


def pow2(n: int) -> np.float32:
    """2**n as a float32 constant; n must give a normal float32."""
    if not -126 <= n <= 127:
        raise ValueError(f"2**{n} is not a normal float32")
    return np.float32(2.0**n)


def decode(b: Backend, bits: Any, fmt: FloatFormat, scale_exp: int) -> Any:
    """The inputs ``x * 2**scale_exp`` as float32, from their 16-bit patterns (int32 array).

    Inputs whose scaled value would be a float32 subnormal (only bf16 subnormals at
    ``scale_exp = 0``) read as signed zero, on both backends alike; callers treat such tiny
    inputs by a separate rule. NaN and inf patterns give garbage: callers select them away.
    """
    p = fmt.precision
    field = (bits >> (p - 1)) & ((1 << fmt.exponent_bits) - 1)
    fraction = bits & ((1 << (p - 1)) - 1)
    float32_field = b.xp.clip(field - fmt.bias + 127 + scale_exp, 1, 254)
    normal = b.as_float((float32_field << 23) | (fraction << (24 - p)))
    subnormal_exp = fmt.min_exponent - p + 1 + scale_exp  # a subnormal is fraction * 2**this
    if subnormal_exp >= -126:
        subnormal = b.rounded(b.to_float(fraction) * pow2(subnormal_exp))
    else:
        subnormal = b.xp.zeros_like(normal)
    magnitude = b.xp.where(field == 0, subnormal, normal)
    return b.xp.where((bits >> 15) == 1, -magnitude, magnitude)


def encode(b: Backend, m: Any, e: Any, fmt: FloatFormat, toward: Any = 0) -> Any:
    """The 16-bit pattern (int32) of ``m * 2**e`` rounded to nearest, ties to even.

    Args:
        b: the backend.
        m: float32 significands, normal or zero (never subnormal, inf or NaN).
        e: int32 exponents (any size: overflow gives inf, underflow signed zero).
        fmt: the target format.
        toward: where the exact value lies if ``m * 2**e`` is a tie: +1 above it (towards
            +inf), -1 below, 0 unknown (then ties go to even). Only ties consult it.
    """
    xp, p = b.xp, fmt.precision
    bits = b.as_int(m)
    negative = (bits >> 31) & 1
    field = (bits >> 23) & 0xFF
    significand = (bits & 0x7FFFFF) | (1 << 23)  # 24 bits, leading one at 2**23
    leading_exp = field - 127 + e  # the value's binade: 2**leading_exp <= |value| < twice that
    # Keep p bits, or fewer below the normal range (subnormal), at most 25 shifted out (-> 0).
    shift = xp.minimum((24 - p) + xp.maximum(fmt.min_exponent - leading_exp, 0), 25)
    kept = significand >> shift
    rest = significand - (kept << shift)
    half = (1 << shift) >> 1
    # Magnitude direction of the exact value from a tie: toward +inf is "up" for positives.
    away = xp.where(negative == 1, -toward, toward)
    tie_up = (away > 0) | ((away == 0) & ((kept & 1) == 1))
    kept = kept + ((rest > half) | ((rest == half) & tie_up)).astype(xp.int32)
    # The field above the significand: carries from rounding (kept == 2**p, or a subnormal
    # rounding up to 2**(p-1)) move into the exponent on their own.
    binade = xp.minimum(xp.maximum(leading_exp, fmt.min_exponent) - fmt.min_exponent,
                        1 << fmt.exponent_bits)
    magnitude = xp.minimum((binade << (p - 1)) + kept, fmt.inf_bits)
    magnitude = xp.where(field == 0, 0, magnitude)
    return magnitude | (negative << 15)


def scaled_to_float32(b: Backend, m: Any, e: Any) -> Any:
    """``m * 2**e`` as a float32 where that is at least about 2**-60, else 0 (never subnormal).

    Used where the value is then added to 1 or subtracted from 1, so anything below 2**-60
    does not matter; ``e`` is at most 127.
    """
    xp = b.xp
    scale = b.as_float((xp.clip(e, -60, 127) + 127) << 23)
    return xp.where(e < -60, xp.float32(0), b.rounded(m * scale))
