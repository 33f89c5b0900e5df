"""Certificates of the JAX kernels in bfloat16 and float16: every one of the 65 536 inputs.

``autonumerics.jax.<name>`` computes a 16-bit input in float32 and rounds the result once to the
input's format. Each input is classified, and each class has its own rule:

* ``measured``: finite inputs whose exact result is a finite real: the output is measured in ULPs
  of the 16-bit format (subnormal-aware, ``metrics.ulp_errors``) and compared bit for bit with the
  correctly rounded result (``metrics.round_to_format``, rounding the mpmath value once);
* ``overflow``: the correctly rounded result is +-inf (poles included: log(0), log1p(-1)): the
  output must be that infinity;
* ``undefined``: outside the domain (log of a negative number) and NaN inputs: the output must be
  NaN;
* ``infinite``: +-inf inputs: the output must equal the certified float32 kernel's result, rounded;
* ``flushed``: bfloat16 only, which shares float32's exponent range: inputs that are subnormal
  (XLA on CPU reads them as 0) or whose exact result is below 2^-126 (XLA flushes it): the output
  must equal the result at +-0, or be a zero (or the correctly rounded value).
Float16's subnormals are normal float32 numbers, so float16 has no flushed inputs.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import mpmath
import numpy as np

from autonumerics.ir.programfile import json_safe
from autonumerics.kernels.tiers import split_kernel_id
from autonumerics.numerics.dtypes import all_values, float_format
from autonumerics.numerics.metrics import round_to_format, ulp_errors
from autonumerics.truth.ground_truth import labels
from autonumerics.truth.targets import get_target

FORMAT = "autonumerics-16bit-certificate/1"
FLT_MIN = float(np.finfo(np.float32).tiny)
POLICY_FILE = Path(__file__).resolve().parents[1] / "jax" / "_dtypes.py"
CERTIFIED_DIR = Path(__file__).resolve().parents[1] / "kernels" / "certified"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Equal bits, any NaN equal to any NaN (16-bit arrays)."""
    with np.errstate(invalid="ignore"):
        nan = np.isnan(a.astype(np.float32)) & np.isnan(b.astype(np.float32))
    return (a.view(np.uint16) == b.view(np.uint16)) | nan


def _poles(name: str, x: np.ndarray) -> np.ndarray:
    """The exact values at inputs the labels left NaN: +-inf at a pole (log(0)), else NaN."""
    target = get_target(name)
    values = []
    for value in x.tolist():
        try:
            exact = target.mp(mpmath.mpf(value))
        except (ValueError, ArithmeticError, TypeError):
            exact = mpmath.nan
        infinite = isinstance(exact, mpmath.mpf) and mpmath.isinf(exact)
        values.append(float(exact) if infinite else np.nan)
    return np.array(values, np.float64)


def classify(format_name: str, x64: np.ndarray, hi: np.ndarray,
             rounded: np.ndarray) -> dict[str, np.ndarray]:
    """Boolean masks of the classes above (a partition of the inputs); ``hi``: +-inf at poles."""
    nan_input, infinite = np.isnan(x64), np.isinf(x64)
    finite = ~nan_input & ~infinite
    undefined = nan_input | (finite & np.isnan(hi))
    flushed = np.zeros_like(finite)
    if format_name == "bfloat16":
        with np.errstate(invalid="ignore"):
            tiny_input = (x64 != 0) & (np.abs(x64) < FLT_MIN)
            tiny_result = (hi != 0) & (np.abs(hi) < FLT_MIN)
        flushed = finite & ~undefined & (tiny_input | tiny_result)
    rest = finite & ~undefined & ~flushed
    overflow = rest & np.isinf(rounded.astype(np.float64))
    return {"measured": rest & ~overflow, "overflow": overflow, "undefined": undefined,
            "infinite": infinite, "flushed": flushed}


def certify_16bit(name: str, format_name: str, cache: bool = True) -> dict:
    """The certificate of kernel ``name`` on every input of ``format_name`` (a dict), through its
    public function: ``autonumerics.jax.<function>`` (accurate tier) or
    ``autonumerics.jax.fast.<function>`` (``name`` = "<function>_fast")."""
    import jax.numpy as jnp

    import autonumerics.jax as kernels

    started = time.perf_counter()
    fmt = float_format(format_name)
    x = all_values(format_name)
    target_name, tier = split_kernel_id(name)
    public = target_name if tier == "accurate" else f"{tier}.{target_name}"
    function = getattr(kernels if tier == "accurate" else getattr(kernels, tier), target_name)
    y = np.asarray(function(jnp.asarray(x)))
    assert y.dtype == fmt.dtype, f"{name} returned {y.dtype} for {format_name} input"
    with np.errstate(invalid="ignore"):
        x64 = x.astype(np.float64)
    hi, lo = labels(get_target(target_name),
                    np.nan_to_num(x64, nan=0.0, posinf=0.0, neginf=0.0), cache=cache)
    left = np.isfinite(x64) & np.isnan(hi)
    hi[left] = _poles(target_name, x64[left])
    with np.errstate(all="ignore"):
        rounded = round_to_format(hi, np.where(np.isfinite(hi), lo, 0.0), fmt)
    classes = classify(format_name, x64, hi, rounded)
    at_zero = np.asarray(function(jnp.asarray(np.array([0.0, -0.0], fmt.dtype))))
    # the certified float32 results at +-inf, rounded to the format
    at_infinity = np.asarray(function(jnp.float32([np.inf, -np.inf]))).astype(fmt.dtype)
    signed_zero = np.where(x.view(np.uint16) >> 15, at_zero[1], at_zero[0])  # the input's sign
    expected_ok = {
        "overflow": _same(y, rounded),
        "undefined": np.isnan(y.astype(np.float32)),
        "infinite": _same(y, np.where(x64 > 0, at_infinity[0], at_infinity[1])),
        "flushed": (y.astype(np.float32) == 0) | _same(y, rounded) | _same(y, signed_zero),
    }
    measured = classes["measured"]
    with np.errstate(all="ignore"):
        errors = np.where(measured, ulp_errors(y.astype(np.float64), hi, lo, fmt), 0.0)
    worst = int(np.argmax(errors))
    correct = measured & _same(y, rounded)
    export = CERTIFIED_DIR / f"{name}.py"
    return json_safe({
        "format": FORMAT,
        "subject": {"function": f"autonumerics.jax.{public}",
                    "export": f"autonumerics/kernels/certified/{name}.py",
                    "export_sha256": _sha256(export), "policy": "autonumerics/jax/_dtypes.py",
                    "policy_sha256": _sha256(POLICY_FILE)},
        "target": target_name, "dtype": format_name, "inputs": "every bit pattern (65 536)",
        "measured": {"n_inputs": int(measured.sum()), "max_ulp": float(errors[worst]),
                     "worst_input": float(x[worst]), "n_ge_half_ulp": int((errors >= 0.5).sum()),
                     "n_ge_one_ulp": int((errors >= 1).sum()),
                     "n_correctly_rounded": int(correct.sum()),
                     "pct_correctly_rounded": round(100 * float(correct.sum())
                                                    / max(int(measured.sum()), 1), 4)},
        **{key: {"n_inputs": int(classes[key].sum()), "n_correct": int((classes[key] & ok).sum())}
           for key, ok in expected_ok.items()},
        "seconds": round(time.perf_counter() - started, 3),
    })
