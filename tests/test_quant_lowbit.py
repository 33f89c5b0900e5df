"""Tests for the bf16/fp16 activations: exhaustive accuracy, JAX == numpy bits, exact rounding."""

from __future__ import annotations

import ml_dtypes
import mpmath
import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import FORMATS
from autonumerics.numerics.metrics import ulp_errors
from autonumerics.quant.lowbit import (
    LOWBIT_FUNCTIONS,
    lowbit_activation,
    lowbit_activation_jax,
)
from autonumerics.quant.lowbit_bits import LOW_FORMATS, NUMPY, decode, encode, low_format
from autonumerics.quant.lowbit_check import all_inputs, check, score
from autonumerics.quant.lowbit_core import MILLS, MILLS_T_SCALE, TANH_P
from autonumerics.quant.lowbit_reference import correctly_rounded, round_mpf

FORMAT_NAMES = list(LOW_FORMATS)
CASES = [(f, fmt) for fmt in FORMAT_NAMES for f in LOWBIT_FUNCTIONS]
# One exhaustive mpmath check per format runs by default; the other eight are marked slow.
DEFAULT_CASES = {("gelu", "bfloat16"), ("silu", "float16")}


def _case_params() -> list[object]:
    return [
        pytest.param(f, fmt, marks=() if (f, fmt) in DEFAULT_CASES else pytest.mark.slow)
        for f, fmt in CASES
    ]


@pytest.mark.parametrize(("function", "format_name"), _case_params())
def test_within_one_ulp_on_every_finite_input(function: str, format_name: str) -> None:
    report = check(function, format_name, "ours_numpy")
    nans = 2 * ((1 << (LOW_FORMATS[format_name].precision - 1)) - 1)
    assert report.n_finite == 65536 - (2 + nans)
    assert report.max_ulp <= 0.5 + 2**-10, report
    assert report.n_ge_one_ulp == 0
    assert report.frac_correctly_rounded >= 0.9999
    assert report.n_overflow_exact == report.n_overflow
    assert report.n_saturated_exact == report.n_saturated > 0
    assert report.specials_exact, report.special_mismatches


@pytest.mark.parametrize(("function", "format_name"), CASES)
def test_jax_equals_numpy_bit_for_bit(function: str, format_name: str) -> None:
    inputs = all_inputs(format_name)
    ours = lowbit_activation(function, inputs).view(np.uint16)
    theirs = np.asarray(lowbit_activation_jax(function, inputs)).view(np.uint16)
    nan_ours = np.isnan(ours.view(inputs.dtype).astype(np.float32))
    assert np.array_equal(ours[~nan_ours], theirs[~nan_ours])
    assert np.isnan(np.asarray(theirs.view(inputs.dtype), dtype=np.float32)[nan_ours]).all()


def test_naive_float32_baseline_fails_in_the_bf16_silu_tail() -> None:
    # jax.nn.silu in float32 then a cast: e^x is flushed to zero (XLA FTZ) while x e^x is a
    # normal bf16 number, so the baseline is off by hundreds of ulps; ours is not.
    naive = check("silu", "bfloat16", "naive_jax")
    assert naive.max_ulp > 100 and naive.worst_input < -80
    assert not naive.specials_exact  # silu(-inf) = -inf * 0 = NaN there


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
@pytest.mark.parametrize("x", [0.0, -0.0, np.inf, -np.inf, np.nan])
def test_special_values(format_name: str, x: float) -> None:
    dtype = LOW_FORMATS[format_name].dtype
    expected = {
        "exp": {0: 1.0, np.inf: np.inf, -np.inf: 0.0},
        "sigmoid": {0: 0.5, np.inf: 1.0, -np.inf: 0.0},
        "tanh": {0: x, np.inf: 1.0, -np.inf: -1.0},
        "gelu": {0: x, np.inf: np.inf, -np.inf: -0.0},
        "silu": {0: x, np.inf: np.inf, -np.inf: -0.0},
    }
    for function in LOWBIT_FUNCTIONS:
        out = lowbit_activation(function, np.array([x], dtype=dtype)).astype(np.float64)[0]
        if np.isnan(x):
            assert np.isnan(out)
            continue
        want = expected[function][0 if x == 0 else x]
        assert out == want and np.signbit(out) == np.signbit(want), (function, x, out)


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
def test_encode_rounds_like_a_cast(format_name: str) -> None:
    fmt, rng = LOW_FORMATS[format_name], np.random.default_rng(7)
    m = (rng.uniform(1, 2, 20000) * rng.choice([-1, 1], 20000)).astype(np.float32)
    e = rng.integers(-160, 140, 20000).astype(np.int32)
    got = encode(NUMPY, m, e, fmt).astype(np.uint16).view(fmt.dtype).astype(np.float64)
    for value, scale, out in zip(m[:3000], e[:3000], got[:3000], strict=True):
        exact = mpmath.ldexp(mpmath.mpf(float(value)), int(scale))
        want = np.uint16(round_mpf(exact, fmt)).view(fmt.dtype).astype(np.float64)
        assert out == want or (np.isinf(out) and out == want)
    # And against numpy's own conversion where float32 holds the value exactly.
    exact = m * np.ldexp(np.float32(1), np.clip(e, -30, 30)).astype(np.float32)
    small = encode(NUMPY, m, np.clip(e, -30, 30), fmt).astype(np.uint16)
    with np.errstate(over="ignore"):  # beyond 65504: inf, as encode gives
        assert np.array_equal(small, exact.astype(fmt.dtype).view(np.uint16))


def test_encode_breaks_ties_by_the_side_of_the_exact_value() -> None:
    fmt = LOW_FORMATS["float16"]
    tie = np.array([2.0**-25, -(2.0**-25), 3 * 2.0**-25], dtype=np.float32)  # halfway cases
    zero = np.int32(0)
    to_even = encode(NUMPY, tie, zero, fmt).astype(np.uint16)
    above = encode(NUMPY, tie, zero, fmt, toward=np.int32(1)).astype(np.uint16)
    below = encode(NUMPY, tie, zero, fmt, toward=np.int32(-1)).astype(np.uint16)
    assert to_even.tolist() == [0x0000, 0x8000, 0x0002]
    assert above.tolist() == [0x0001, 0x8000, 0x0002]
    assert below.tolist() == [0x0000, 0x8001, 0x0001]


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
def test_decode_is_exact(format_name: str) -> None:
    inputs = all_inputs(format_name)
    bits = inputs.view(np.uint16).astype(np.int32)
    with np.errstate(invalid="ignore"):  # NaN patterns
        values = inputs.astype(np.float64)
    finite = np.isfinite(values)
    values = np.where(finite, values, 0.0)
    for scale_exp in (0, 64):
        scaled = decode(NUMPY, bits, LOW_FORMATS[format_name], scale_exp).astype(np.float64)
        # Scaled values that are normal float32 numbers are exact; bf16 subnormals at scale 0
        # read as signed zero by design.
        magnitude = np.abs(values) * 2.0**scale_exp
        normal = finite & (magnitude >= 2.0**-126) & (np.abs(values) < 2.0**60)
        assert np.array_equal(scaled[normal], values[normal] * 2.0**scale_exp)
        zero = finite & (magnitude < 2.0**-126)
        assert np.all(scaled[zero] == 0)
        assert np.array_equal(np.signbit(scaled[zero]), np.signbit(values[zero]))


def test_reference_resolves_near_ties_with_more_precision() -> None:
    # GELU(2**-133) = 2**-134 + 2**-266 phi(0)...: just above a tie, so it rounds up to 2**-133;
    # GELU(-2**-133) is just below the tie in magnitude and rounds to -0.
    bfloat16 = LOW_FORMATS["bfloat16"]
    assert correctly_rounded("gelu", 2.0**-133, bfloat16)[0] == 0x0001
    assert correctly_rounded("gelu", -(2.0**-133), bfloat16)[0] == 0x8000
    assert correctly_rounded("exp", 100.0, bfloat16)[0] == 0x7F80  # overflow


def test_round_mpf_agrees_with_exact_rational_rounding() -> None:
    fmt, rng = LOW_FORMATS["float16"], np.random.default_rng(3)
    for value in rng.uniform(-70000, 70000, 500).tolist() + [65519.99, 65520.0, 2.0**-25]:
        got = float(np.uint16(round_mpf(mpmath.mpf(value), fmt)).view(np.float16))
        # numpy's float64 -> float16 conversion rounds correctly (65520 and up: inf).
        with np.errstate(over="ignore"):
            assert got == float(np.float16(value))


def test_bad_function_or_dtype_is_a_user_error() -> None:
    with pytest.raises(AutonumericsError, match="softplus"):
        lowbit_activation("softplus", np.zeros(2, dtype=np.float16))
    with pytest.raises(AutonumericsError, match="float32"):
        lowbit_activation("gelu", np.zeros(2, dtype=np.float32))


def test_low_formats_are_the_registry_formats() -> None:
    assert [LOW_FORMATS[name] is FORMATS[name] for name in FORMAT_NAMES] == [True, True]
    assert FORMAT_NAMES == ["bfloat16", "float16"]
    with pytest.raises(AutonumericsError, match="unknown low-bit format 'float32'; choose one of"):
        low_format("float32")


def test_score_counts_a_wrong_output() -> None:
    inputs = all_inputs("float16")
    outputs = lowbit_activation("tanh", inputs).copy()
    outputs.view(np.uint16)[0x3C00] += 1  # tanh(1.0) one ulp too high
    report = score("tanh", "float16", outputs, "tampered")
    assert report.n_ge_one_ulp >= 1 and report.worst_input == 1.0


@pytest.mark.parametrize(
    "function", ["exp", "sigmoid", "gelu", pytest.param("silu", marks=pytest.mark.slow)]
)  # fp16 SiLU is checked exhaustively by default already
def test_near_zero_path_is_correctly_rounded_in_float16(function: str) -> None:
    # Every fp16 input with 2**-14 <= |x| < 2**-4 (20 480 of them), against mpmath directly:
    # the correctly rounded values there lie as close as 2**-30 to a tie.
    fmt = LOW_FORMATS["float16"]
    inputs = all_inputs("float16")
    magnitude = np.abs(inputs.astype(np.float32))
    chosen = inputs[(magnitude >= 2.0**-14) & (magnitude < 2.0**-4)]
    ours = lowbit_activation(function, chosen).view(np.uint16)
    want = [correctly_rounded(function, float(x), fmt)[0] for x in chosen.astype(np.float64)]
    assert ours.tolist() == want


def test_jax_bits_hold_inside_a_callers_jit() -> None:
    # Inside another jit the caller's products sit next to ours; the bitcasts at the boundary
    # and the guard keep XLA from fusing across them.
    import jax
    import jax.numpy as jnp

    inputs = all_inputs("bfloat16")
    finite = np.isfinite(inputs.astype(np.float32))

    @jax.jit
    def caller(x: jax.Array) -> jax.Array:
        y = lowbit_activation_jax("silu", (x.astype(jnp.float32) * 1.0).astype(x.dtype))
        return (y.astype(jnp.float32) * 1.0).astype(x.dtype)

    got = np.asarray(caller(inputs)).view(np.uint16)
    want = lowbit_activation("silu", inputs).view(np.uint16)
    assert np.array_equal(got[finite], want[finite])


def test_stored_polynomials_reach_their_accuracy() -> None:
    # The coefficients in lowbit_core (fitted by lowbit_fit), evaluated in float64.
    from scipy.special import erfcx  # scipy: imported only by this test

    a = np.linspace(0, 14, 20001)
    t = float(MILLS_T_SCALE) / (float(MILLS_T_SCALE) + a)
    mills = np.polyval(np.array(MILLS, dtype=np.float64), t)
    exact = np.sqrt(np.pi / 2) * erfcx(a / np.sqrt(2))
    assert np.max(np.abs(mills / exact - 1)) < 5e-8  # 3.5e-8 measured
    x = np.linspace(2.0**-14, 0.625, 20001)
    tanh = x + x * x * x * np.polyval(np.array(TANH_P, dtype=np.float64), x * x)
    assert np.max(np.abs(tanh / np.tanh(x) - 1)) < 2.0**-26.5  # 2**-26.97 measured


# --- derivatives (jax.custom_jvp) -----------------------------------------------------------------

_DERIVATIVES = {
    "exp": lambda x: mpmath.exp(x),
    "sigmoid": lambda x: 1 / ((1 + mpmath.exp(-x)) * (1 + mpmath.exp(x))),
    "tanh": lambda x: mpmath.sech(x) ** 2,
    "gelu": lambda x: mpmath.ncdf(x) + x * mpmath.npdf(x),
    "silu": lambda x: (1 + (1 + x) * mpmath.exp(-x)) / (1 + mpmath.exp(-x)) ** 2,
}
GRAD_TOLERANCE_ULP = 0.5 + 2.0**-10


def _grid(format_name: str, stride: int) -> np.ndarray:
    """Every ``stride``-th finite input, and the 64 inputs on each side of GELU' and SiLU' zeros."""
    inputs = all_inputs(format_name)
    finite = inputs[np.isfinite(inputs.astype(np.float32))]
    roots = np.array([-0.7517915246935645, -1.2784645427610737], dtype=inputs.dtype).view(np.uint16)
    near = np.concatenate([np.arange(int(r) - 64, int(r) + 65, dtype=np.uint16) for r in roots])
    return np.unique(np.concatenate([finite[::stride], near.view(inputs.dtype)]))


def _grad_errors(function: str, format_name: str,
                 x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ulp errors of vmap(grad) where |f'| >= 2**-126, absolute errors elsewhere,
    exact f' as float64)."""
    import jax
    import jax.numpy as jnp

    grad = jax.grad(lambda v: lowbit_activation_jax(function, v))
    got = np.asarray(jax.vmap(grad)(jnp.asarray(x)))
    got = got.astype(np.float64)
    with mpmath.workdps(30):
        exact = np.array([float(_DERIVATIVES[function](mpmath.mpf(float(v))))
                          for v in x.astype(np.float64)])
    largest = float(np.finfo(np.float16).max if format_name == "float16"
                    else ml_dtypes.finfo(x.dtype).max)
    overflow = np.abs(exact) > largest  # the correctly rounded result is inf (exp only)
    assert np.all(got[overflow] == np.inf)
    normal = ~overflow & (np.abs(exact) >= 2.0**-126)
    errors = ulp_errors(got[normal], exact[normal], np.zeros(normal.sum()),
                        LOW_FORMATS[format_name])
    tiny = ~overflow & ~normal
    return errors, np.abs(got[tiny] - exact[tiny]), exact


@pytest.mark.parametrize(("function", "format_name"), CASES)
def test_gradient_matches_mpmath_on_a_grid(function: str, format_name: str) -> None:
    """vmap(grad) of every activation, on every 16th finite input and around the zeros of f':
    within 0.5 + 2**-10 ulp of the format where |f'| >= 2**-126 (float32's own error is about
    2**-21 relative, so rounding is correct up to near-ties); below 2**-126 (bf16 subnormals,
    which XLA on CPU flushes) within 2**-126 absolute. Exhaustively: at most 0.5002 ulp."""
    x = _grid(format_name, 16)
    errors, tiny_errors, _ = _grad_errors(function, format_name, x)
    assert errors.size > 1000 and errors.max() <= GRAD_TOLERANCE_ULP
    assert np.all(tiny_errors <= 2.0**-126)


@pytest.mark.slow
@pytest.mark.parametrize(("function", "format_name"), CASES)
def test_gradient_on_every_finite_input(function: str, format_name: str) -> None:
    """As the grid test (same tolerance: 0.5 + 2**-10 ulp where |f'| >= 2**-126), on all finite
    inputs."""
    inputs = all_inputs(format_name)
    finite = inputs[np.isfinite(inputs.astype(np.float32))]
    errors, tiny_errors, _ = _grad_errors(function, format_name, finite)
    assert errors.max() <= GRAD_TOLERANCE_ULP and np.all(tiny_errors <= 2.0**-126)


@pytest.mark.parametrize("format_name", FORMAT_NAMES)
def test_grad_of_a_scalar_jvp_and_specials(format_name: str) -> None:
    import jax
    import jax.numpy as jnp

    dtype = LOW_FORMATS[format_name].dtype
    for function in LOWBIT_FUNCTIONS:
        grad = jax.grad(lambda v, f=function: lowbit_activation_jax(f, v))
        at_one = grad(jnp.asarray(1.0, dtype=dtype))
        assert at_one.dtype == dtype
        with mpmath.workdps(30):
            want = float(_DERIVATIVES[function](mpmath.mpf(1)))
        assert abs(float(at_one) - want) <= 2.0 ** -(LOW_FORMATS[format_name].precision - 1) * want
        x = jnp.asarray([0.5, -3.0, 2.0], dtype=dtype)
        _, tangent = jax.jvp(lambda v, f=function: lowbit_activation_jax(f, v), (x,),
                             (jnp.full_like(x, 4),))
        slopes = jax.vmap(grad)(x)
        # exact scaling
        assert np.array_equal(np.asarray(tangent, np.float32), 4 * np.asarray(slopes, np.float32))
        specials = jax.vmap(grad)(jnp.asarray([np.inf, -np.inf, np.nan], dtype=dtype))
        limits = {"exp": [np.inf, 0.0], "gelu": [1.0, 0.0],
                  "silu": [1.0, 0.0]}.get(function, [0.0, 0.0])
        assert np.asarray(specials, np.float32)[:2].tolist() == limits
        assert np.isnan(float(specials[2]))
