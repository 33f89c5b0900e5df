"""bf16 / fp16 activations (GELU, SiLU, sigmoid, tanh, exp) within 1 ulp on every finite input.

Each kernel maps the 16-bit input patterns to 16-bit output patterns through float32 cores
(``lowbit_core``) that return results as ``m * 2**e``, and one exact integer rounding
(``lowbit_bits.encode``). numpy and JAX run the same operations and give the same bits on every
input (products are kept from XLA's FMA contraction, no float32 intermediate is subnormal,
and bf16 subnormal inputs are read from their bits). The JAX kernels take and return arrays of
the 16-bit dtype; their derivative (a ``jax.custom_jvp``, since the rounding is integer
arithmetic) is the activation's own, computed in ``lowbit_grad``. What each function needs beyond
"float32 then round":

* exp: the result keeps its exponent apart, so bf16 results below 2**-126 (float32
  subnormals, flushed by XLA) and fp16 overflow are rounded exactly once.
* sigmoid(x < 0) = e^x / (1 + e^x) and SiLU(x < 0) = x e^x / (1 + e^x), scaled the same way:
  no underflow of e^x before the multiplication by x (the naive bf16 SiLU loses the tail).
* GELU(x < 0) = -|x| Phi(-|x|), with Phi(-a) = phi(a) R(a) scaled; GELU(x >= 0) = x (1 - Phi(-x)).
* tanh: an odd polynomial for |x| < 0.625 (no cancellation), (1 - e^-2a)/(1 + e^-2a) above.
* Near 0 (|x| < 2**-4), exp, sigmoid, GELU and SiLU sum their Taylor series with an exact
  leading part (``lowbit_small``) and tell the encoder which side of a tie the value lies on.
* Inputs below 2**-14 in magnitude follow the Taylor term: tanh(x) rounds to x, and GELU(x),
  SiLU(x) = x/2 + (a positive x**2 term), so x/2 is rounded with ties broken upwards.

Special values: f(NaN) = NaN, f(+-0) and f(+-inf) are the limits (GELU(-inf) = SiLU(-inf) = -0,
sigmoid(-inf) = exp(-inf) = +0, tanh(+-inf) = +-1); overflow of exp gives +inf.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import FloatFormat
from autonumerics.quant.lowbit_bits import (
    LOW_FORMATS,
    NUMPY,
    Backend,
    decode,
    encode,
    jax_backend,
    scaled_to_float32,
)
from autonumerics.quant.lowbit_core import (
    TANH_SMALL,
    exp_scaled,
    normal_tail_scaled,
    tanh_small,
)
from autonumerics.quant.lowbit_grad import derivative
from autonumerics.quant.lowbit_small import SMALL, SMALL_PATHS

__all__ = [
    "LOWBIT_FUNCTIONS", "LOW_FORMATS", "kernel_bits", "lowbit_activation", "lowbit_activation_jax",
    "naive_jax",
]

LOWBIT_FUNCTIONS = ("gelu", "silu", "sigmoid", "tanh", "exp")
TINY_EXPONENT = -14  # |x| < 2**-14 follows the Taylor rule
_TINY_SCALE = 64  # tiny inputs are read as x * 2**64, a normal float32
# (f(+inf), f(-inf)) by function: the limits.
_INFINITY_LIMITS = {
    "gelu": (np.inf, -0.0), "silu": (np.inf, -0.0), "sigmoid": (1.0, 0.0),
    "tanh": (1.0, -1.0), "exp": (np.inf, 0.0),
}
_F32 = np.float32


def _exp(b: Backend, x: Any) -> tuple[Any, Any]:
    return exp_scaled(b, b.xp.clip(x, _F32(-200), _F32(200)))


def _sigmoid(b: Backend, x: Any) -> tuple[Any, Any]:
    # sigma(x) = 1/(1 + e^-|x|) for x >= 0 and e^x/(1 + e^x) = e^-|x|/(1 + e^-|x|) for x < 0.
    m, e = exp_scaled(b, -b.xp.minimum(b.xp.abs(x), _F32(200)))
    denominator = _F32(1) + scaled_to_float32(b, m, e)
    negative = x < 0
    value = b.xp.where(negative, b.rounded(m / denominator), b.rounded(_F32(1) / denominator))
    return value, b.xp.where(negative, e, 0)


def _silu(b: Backend, x: Any) -> tuple[Any, Any]:
    m, e = exp_scaled(b, -b.xp.minimum(b.xp.abs(x), _F32(200)))
    denominator = _F32(1) + scaled_to_float32(b, m, e)
    negative = x < 0
    # Below -200 the clamp keeps x * m finite; the result underflows to -0 either way.
    tail = b.rounded(b.rounded(b.xp.maximum(x, _F32(-200)) * m) / denominator)
    return b.xp.where(negative, tail, b.rounded(x / denominator)), b.xp.where(negative, e, 0)


def _gelu(b: Backend, x: Any) -> tuple[Any, Any]:
    a = b.xp.minimum(b.xp.abs(x), _F32(20))
    m, e = normal_tail_scaled(b, a)
    negative = x < 0
    tail = b.rounded(-a * m)  # x Phi(x) = -a Phi(-a)
    upper = b.rounded(x * (_F32(1) - scaled_to_float32(b, m, e)))
    return b.xp.where(negative, tail, upper), b.xp.where(negative, e, 0)


def _tanh(b: Backend, x: Any) -> tuple[Any, Any]:
    a = b.xp.minimum(b.xp.abs(x), _F32(20))
    m, e = exp_scaled(b, -(a + a))
    t = scaled_to_float32(b, m, e)
    large = b.rounded((_F32(1) - t) / (_F32(1) + t))
    value = b.xp.where(a < TANH_SMALL, tanh_small(b, a), large)
    return b.xp.where(x < 0, -value, value), 0


_MAIN: dict[str, Callable[[Backend, Any], tuple[Any, Any]]] = {
    "gelu": _gelu, "silu": _silu, "sigmoid": _sigmoid, "tanh": _tanh, "exp": _exp,
}


def _bits_of(value: float, fmt: FloatFormat) -> int:
    return int(np.array(value, dtype=fmt.dtype).view(np.uint16))


def kernel_bits(b: Backend, name: str, bits: Any, fmt: FloatFormat) -> Any:
    """The output patterns (int32, 0..65535) of function ``name`` for input patterns ``bits``."""
    xp = b.xp
    x = decode(b, bits, fmt, 0)
    b = b.guarded(x)
    m, e = _MAIN[name](b, x)
    magnitude = bits & 0x7FFF
    tiny = magnitude < ((TINY_EXPONENT + fmt.bias) << (fmt.precision - 1))
    toward: Any = 0
    if name in SMALL_PATHS:  # near 0: an exact leading part, and the side of ties
        small = xp.abs(x) < SMALL
        small_m, small_toward = SMALL_PATHS[name](b, x)
        m, e = xp.where(small, small_m, m), xp.where(small, 0, e)
        toward = xp.where(small, small_toward, 0)
    if name in ("gelu", "silu"):  # tiny: x/2 plus a positive x**2 term
        half = b.rounded(decode(b, bits, fmt, _TINY_SCALE) * _F32(0.5))
        m, e = xp.where(tiny, half, m), xp.where(tiny, -_TINY_SCALE, e)
        toward = xp.where(tiny, 1, toward)
    out = encode(b, m, e, fmt, toward)
    if name == "tanh":
        out = xp.where(tiny, bits, out)
    positive_limit, negative_limit = _INFINITY_LIMITS[name]
    infinite = magnitude == fmt.inf_bits
    out = xp.where(infinite & (bits == fmt.inf_bits), _bits_of(positive_limit, fmt), out)
    out = xp.where(infinite & (bits != fmt.inf_bits), _bits_of(negative_limit, fmt), out)
    return xp.where(magnitude > fmt.inf_bits, fmt.nan_bits, out)


def _check(name: str, dtype: Any) -> FloatFormat:
    if name not in _MAIN:
        choices = ", ".join(LOWBIT_FUNCTIONS)
        raise AutonumericsError(f"unknown low-bit function {name!r}; choose one of {choices}")
    for fmt in LOW_FORMATS.values():
        if np.dtype(dtype) == fmt.dtype:
            return fmt
    raise AutonumericsError(
        f"low-bit activations take bfloat16 or float16 inputs, got {np.dtype(dtype)}"
    )


def lowbit_activation(name: str, x: np.ndarray) -> np.ndarray:
    """Function ``name`` of a bfloat16 or float16 numpy array, in numpy (same dtype out).

    Args:
        name: one of :data:`LOWBIT_FUNCTIONS`.
        x: the inputs (dtype ``ml_dtypes.bfloat16`` or ``numpy.float16``).

    Raises:
        AutonumericsError: an unknown function or dtype.
    """
    x = np.asarray(x)
    fmt = _check(name, x.dtype)
    bits = x.view(np.uint16).astype(np.int32)
    with np.errstate(all="ignore"):  # the lanes a select discards may overflow or divide by 0
        out = kernel_bits(NUMPY, name, bits, fmt)
    return np.asarray(out, dtype=np.int32).astype(np.uint16).view(fmt.dtype)


@functools.cache
def _jitted(name: str, fmt_name: str) -> Callable[[Any], Any]:
    import jax
    import jax.numpy as jnp
    from jax import lax

    b, fmt = jax_backend(), LOW_FORMATS[fmt_name]

    def run(x: Any) -> Any:
        bits = lax.bitcast_convert_type(x, jnp.uint16).astype(jnp.int32)
        out = kernel_bits(b, name, bits, fmt).astype(jnp.uint16)
        return lax.bitcast_convert_type(out, fmt.dtype)

    @jax.custom_jvp
    def activation(x: Any) -> Any:
        return run(x)

    @activation.defjvp
    def _jvp(primals: tuple[Any], tangents: tuple[Any]) -> tuple[Any, Any]:
        # The bits above have no useful derivative: f' is computed (lowbit_grad) and rounded once.
        (x,), (t,) = primals, tangents
        y = run(x)
        slope = derivative(b, name, x.astype(jnp.float32), y.astype(jnp.float32))
        return y, (slope * t.astype(jnp.float32)).astype(fmt.dtype)

    return jax.jit(activation)


def lowbit_activation_jax(name: str, x: Any) -> Any:
    """Function ``name`` of a bfloat16 or float16 array in jitted JAX: the same bits as numpy.

    Differentiable (``jax.grad``, ``jax.jvp``, ``vmap`` of them): the derivative is the
    activation's own, computed in float32 and rounded to the input's format (``lowbit_grad``).

    Raises:
        AutonumericsError: an unknown function or dtype.
    """
    fmt = _check(name, x.dtype)
    return _jitted(name, fmt.name)(x)


@functools.cache
def _naive(name: str, fmt_name: str) -> Callable[[Any], Any]:
    import jax
    import jax.numpy as jnp

    builtin = {
        "gelu": lambda v: jax.nn.gelu(v, approximate=False), "silu": jax.nn.silu,
        "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "exp": jnp.exp,
    }[name]
    dtype = LOW_FORMATS[fmt_name].dtype
    return jax.jit(lambda x: builtin(x.astype(jnp.float32)).astype(dtype))


def naive_jax(name: str, x: Any) -> Any:
    """The baseline: JAX's float32 built-in (jax.nn.gelu exact, jax.nn.silu, ...) then a cast."""
    fmt = _check(name, x.dtype)
    return _naive(name, fmt.name)(x)
