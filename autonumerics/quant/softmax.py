"""8-bit softmax from the integer exp kernel: one integer division per row, int32 everywhere.

Per row of int8 logits q (scale S): ``d = q - max(q)`` (<= 0), ``e = exp_kernel(d)`` (scale S_e,
e(0) ~ 2^30.6), ``e1 = rshr(e, r)`` with r = ceil(log2 n) so the row sum E fits int32. The row's
one division needs a well-scaled divisor, so E is normalised to 16 bits: ``b = bitlength(E)``,
``En = rshr(E, b - 16)`` in [2^15, 2^16], ``R = (2^30 - 1) div En`` (14-15 significant bits).
Each element is ``out = min(rshr(rshr(e1, b - 16) * R, 22), 255)``: 256 e1 / E on the uint8 grid
(scale 1/256, zero point 0, 1.0 saturates to 255). The product stays below 2^31 because
``rshr(e1, b-16) <= En`` and ``R < 2^30 / En``.
"""

from __future__ import annotations

from dataclasses import dataclass

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.quant.expkernel import ExpKernel, build_exp
from autonumerics.quant.int_ops import INT_OPS
from autonumerics.quant.intprogram import evaluate, evaluate_jax, jax_ops

OUTPUT_SCALE = 1.0 / 256
_rshr = INT_OPS["rshr"].numpy  # round-half-up right shift, the same op the kernels use


def softmax_int8(rows: np.ndarray, kernel: ExpKernel) -> np.ndarray:
    """uint8 softmax (scale 1/256) of int8 logit rows (last axis).

    An exact int64 model of the int32 code.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.ndim != 2 or rows.shape[1] < 1:
        raise AutonumericsError(f"softmax needs a 2-d array of rows, got shape {rows.shape}")
    n = rows.shape[1]
    # Shift the exps down only as far as the row sum needs to fit int32 (e(0) is the largest).
    largest = int(evaluate(kernel.program, d=np.zeros(1, dtype=np.int64))[0])
    row_shift = max(0, (n * largest).bit_length() - 31)
    d = rows - rows.max(axis=1, keepdims=True)
    e1 = _rshr(evaluate(kernel.program, d=d), np.int64(row_shift))
    total = e1.sum(axis=1, keepdims=True)  # < n * 2^31 / 2^r <= 2^31
    if np.any(total >= 2**31):
        raise AutonumericsError("softmax row sum overflows int32 (exp kernel output too large)")
    norm_shift = np.maximum(_bit_length(total) - 16, 0)
    divisor = _rshr(total, norm_shift)
    reciprocal = (2**30 - 1) // divisor  # the row's one division
    product = _rshr(e1, norm_shift) * reciprocal
    return np.minimum(_rshr(product, np.int64(22)), 255)


def softmax_int8_jax(rows, kernel: ExpKernel):  # jax arrays in and out
    """JAX int32 twin of ``softmax_int8`` (jittable): bit for bit equal (tested on every pair)."""
    import jax.numpy as jnp
    from jax import lax

    rshr = jax_ops()["rshr"]
    rows = jnp.asarray(rows, dtype=jnp.int32)
    n = rows.shape[1]
    largest = int(evaluate(kernel.program, d=np.zeros(1, dtype=np.int64))[0])
    row_shift = max(0, (n * largest).bit_length() - 31)
    d = rows - rows.max(axis=1, keepdims=True)
    e1 = rshr(evaluate_jax(kernel.program, d=d), jnp.int32(row_shift))
    total = e1.sum(axis=1, keepdims=True)
    norm_shift = jnp.maximum(32 - lax.clz(jnp.maximum(total, 1)) - 16, 0)  # bit length - 16
    divisor = rshr(total, norm_shift)
    reciprocal = jnp.int32(2**30 - 1) // divisor
    return jnp.minimum(rshr(rshr(e1, norm_shift) * reciprocal, jnp.int32(22)), 255)


def _bit_length(values: np.ndarray) -> np.ndarray:
    """Bits of positive int64 values (a count-leading-zeros in int32 code)."""
    # Exact for int64 (no float log2 rounding at powers of two): frexp's exponent is the bit length.
    return np.frexp(np.maximum(values, 1).astype(np.float64))[1].astype(np.int64)


def reference_softmax(rows: np.ndarray, scale: float) -> np.ndarray:
    """Correctly rounded uint8 softmax clip(round(256 p), 0, 255), p from mpmath at 40 digits."""
    rows = np.asarray(rows, dtype=np.int64)
    low = int(rows.min())
    with mpmath.workdps(40):
        exps = [mpmath.exp(mpmath.mpf(scale) * v) for v in range(low, int(rows.max()) + 1)]
        out = np.empty(rows.shape, dtype=np.int64)
        for i, row in enumerate(rows.tolist()):
            values = [exps[v - low] for v in row]
            total = mpmath.fsum(values)
            out[i] = [int(mpmath.nint(256 * v / total)) for v in values]
    return np.clip(out, 0, 255)


@dataclass(frozen=True)
class SoftmaxScore:
    rows: int
    row_length: int
    max_lsb_error: int
    correctly_rounded: float
    bias_lsb: float
    divisions_per_row: int = 1


def score_softmax(rows: np.ndarray, scale: float, kernel: ExpKernel | None = None) -> SoftmaxScore:
    """Our softmax against the correctly rounded one on the given rows."""
    kernel = kernel or build_exp(scale, min_input=-255, degree=3)
    error = softmax_int8(rows, kernel) - reference_softmax(rows, scale)
    return SoftmaxScore(rows.shape[0], rows.shape[1], int(np.abs(error).max()),
                        float(np.mean(error == 0)), float(error.mean()))


def sample_rows(rng: np.random.Generator, count: int, length: int, scale: float,
                sigma: float = 2.0) -> np.ndarray:
    """Random int8 logit rows: real logits ~ N(0, sigma^2) quantized at ``scale`` (saturating)."""
    logits = rng.normal(0.0, sigma, (count, length))
    return np.clip(np.rint(logits / scale), -128, 127).astype(np.int64)


def all_pairs() -> np.ndarray:
    """Every length-2 int8 row (65 536 rows): the exhaustive softmax check."""
    a, b = np.meshgrid(np.arange(-128, 128), np.arange(-128, 128))
    return np.stack([a.ravel(), b.ravel()], axis=1)
