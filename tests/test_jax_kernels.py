"""autonumerics.jax: the certified kernels as differentiable JAX functions, one dtype policy."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jax
import jax.numpy as jnp
import mpmath
import numpy as np
import pytest

import autonumerics.jax as ajax
from autonumerics.certify.derivatives import USEFUL_RANGES, derivative_report, spread_inputs
from autonumerics.jax._float32 import certified_export
from autonumerics.kernels import KERNELS
from autonumerics.kernels.base import CERTIFIED_DIR
from autonumerics.kernels.tiers import TIER_BOUNDS, split_kernel_id
from autonumerics.truth.targets import get_target

REPO = Path(__file__).resolve().parents[1]
NAMES = list(KERNELS)  # kernel ids, both tiers
SAMPLE = np.float32([-100.0, -9.5, -3.0, -1.0, -0.3, -1e-20, 0.0, 1e-20, 0.5, 1.0, 2.0, 9.5,
                     50.0, 1e30])
# Second derivatives by mpmath at x (log, log2, log1p only where defined).
SECOND = {"exp2": lambda x: 2**x * mpmath.log(2) ** 2, "exp": mpmath.exp, "expm1": mpmath.exp,
          "log2": lambda x: -1 / (x**2 * mpmath.log(2)), "log": lambda x: -1 / x**2,
          "log1p": lambda x: -1 / (1 + x) ** 2,
          "erf": lambda x: -4 * x / mpmath.sqrt(mpmath.pi) * mpmath.exp(-x * x),
          "tanh": lambda x: -2 * mpmath.tanh(x) / mpmath.cosh(x) ** 2,
          "sigmoid": lambda x: (lambda s: s * (1 - s) * (1 - 2 * s))(1 / (1 + mpmath.exp(-x))),
          # the activations: mpmath differentiates the target's own expression twice
          **{name: (lambda f: lambda x: mpmath.diff(f, x, 2))(get_target(name).mp)
             for name in ("gelu", "gelu_tanh", "silu", "softplus", "log_sigmoid")}}


# Open defects the 16-bit certificates count (README, "bfloat16 and float16"): gelu's JAX
# kernels (both tiers) return x, not the flushed 0, for 2^-126 <= x < 2^-125, where gelu(x) ~ x/2
# is subnormal: the 128 positive bfloat16 inputs there.
KNOWN_16BIT_DEFECTS = {("gelu", "bfloat16", "flushed"): 128}


def same_bits(a, b) -> np.ndarray:
    """Equal bit patterns (any NaN equal to any NaN) of two arrays of one float dtype."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    unsigned = {2: np.uint16, 4: np.uint32}[a.dtype.itemsize]
    with np.errstate(invalid="ignore"):
        nan = np.isnan(a.astype(np.float32)) & np.isnan(b.astype(np.float32))
    return (a.view(unsigned) == b.astype(a.dtype).view(unsigned)) | nan


def public(kid: str):
    """Kernel ``kid``'s public function: autonumerics.jax.NAME or autonumerics.jax.fast.NAME."""
    name, tier = split_kernel_id(kid)
    return getattr(ajax if tier == "accurate" else getattr(ajax, tier), name)


def test_every_kernel_is_public_under_its_name():
    accurate = [kid for kid in NAMES if split_kernel_id(kid)[1] == "accurate"]
    fast = [split_kernel_id(kid)[0] for kid in NAMES if split_kernel_id(kid)[1] == "fast"]
    assert ajax.__all__ == [*accurate, "fast"] and ajax.fast.__all__ == fast
    for kid in NAMES:
        name, tier = split_kernel_id(kid)
        function = public(kid)
        assert function.__name__ == (name if tier == "accurate" else f"{tier}.{name}")
        assert "Derivative" in function.__doc__ and f"{tier}-tier" in function.__doc__


@pytest.mark.parametrize("name", NAMES)
def test_packaged_export_is_the_certified_file(name):
    """The module autonumerics.jax runs is the file the float32 certificate hashed.

    That certificate checked every input."""
    certificate = json.loads((REPO / "results" / "kernels" / name / "certificate.json").read_text())
    packaged = CERTIFIED_DIR / f"{name}.py"
    assert certificate["subject"]["path"] == f"autonumerics/kernels/certified/{name}.py"
    sha256 = hashlib.sha256(packaged.read_bytes()).hexdigest()
    assert certificate["subject"]["file_sha256"] == sha256
    assert certificate["all_floats"]["complete"]
    assert float(certificate["report"]["max_ulp"]) < TIER_BOUNDS[split_kernel_id(name)[1]]


@pytest.mark.parametrize("name", NAMES)
def test_values_are_the_certified_bits(name):
    x = spread_inputs(1 << 14, USEFUL_RANGES[split_kernel_id(name)[0]], seed=5)
    ours = np.asarray(public(name)(x))
    assert same_bits(ours, np.asarray(certified_export(name)(x))).all()


@pytest.mark.parametrize("name", NAMES)
def test_derivative_within_4_ulp_of_mpmath(name):
    """The JVP against mpmath's derivative wherever that is a normal float32 (the README's
    table measures 2^20 inputs per kernel: scripts/gradient_table.py)."""
    x = spread_inputs(1 << 12, USEFUL_RANGES[split_kernel_id(name)[0]], seed=1)
    report = derivative_report(name, x, cache=False)
    assert report.n_normal > 2000
    # a fast kernel's rule may use its own (<= 3.5 ULP) result: exp' = y; gelu' and gelu_tanh'
    # measure 4.1 and 6.2 ULP just outside their root's window (README, derivative accuracy)
    function, tier = split_kernel_id(name)
    bound = {"gelu": 4.5, "gelu_tanh": 6.5}.get(function, 4.0)
    bound += 0.0 if tier == "accurate" else 2.5
    assert report.max_ulp <= bound, (report.worst_input, report.max_ulp)


# The derivative at 0, +inf, -inf: exact limits (log's formula 1/x is extended as jnp extends it).
LIMITS = {"exp2": (np.float32(np.log(2)), np.inf, 0.0), "exp": (1.0, np.inf, 0.0),
          "expm1": (1.0, np.inf, 0.0), "log2": (np.inf, 0.0, -0.0), "log": (np.inf, 0.0, -0.0),
          "log1p": (1.0, 0.0, -0.0),
          "erf": (np.float32(2 / np.sqrt(np.pi)), 0.0, 0.0), "tanh": (1.0, 0.0, 0.0),
          "sigmoid": (0.25, 0.0, 0.0), "silu": (0.5, 1.0, -0.0), "softplus": (0.5, 1.0, 0.0),
          "log_sigmoid": (0.5, 0.0, 1.0), "gelu": (0.5, 1.0, -0.0), "gelu_tanh": (0.5, 1.0, -0.0)}


@pytest.mark.parametrize("name", NAMES)
def test_derivative_at_zero_infinities_and_nan(name):
    x = jnp.float32([0.0, np.inf, -np.inf, np.nan])
    _, derivative = jax.jvp(public(name), (x,), (jnp.ones_like(x),))
    derivative = np.asarray(derivative)
    assert same_bits(derivative[:3], np.float32(LIMITS[split_kernel_id(name)[0]])).all(), derivative
    assert np.isnan(derivative[3])


def test_exp2_derivative_is_finite_where_exp2_overflows():
    """2^x overflows from x = 128 on; 2^x ln 2 stays below the float32 maximum up to x = 128.53."""
    x = np.float32([128.0, 128.25, 128.5])
    _, derivative = jax.jvp(ajax.exp2, (jnp.asarray(x),), (jnp.ones(3, jnp.float32),))
    exact = [float(mpmath.mpf(2) ** float(v) * mpmath.log(2)) for v in x]
    assert np.isinf(np.asarray(ajax.exp2(x))).all()
    np.testing.assert_allclose(np.asarray(derivative), exact, rtol=2**-22)


@pytest.mark.parametrize("name", NAMES)
def test_grad_vmap_jacfwd_and_linearize_agree_with_the_jvp(name):
    function = public(name)
    logarithm = name in ("log", "log2", "log1p")
    x = jnp.asarray(np.abs(SAMPLE) + np.float32(0.5) if logarithm else SAMPLE)
    _, jvp = jax.jvp(function, (x,), (jnp.ones_like(x),))
    assert same_bits(np.asarray(jax.vmap(jax.grad(function))(x)), np.asarray(jvp)).all()
    assert same_bits(np.diag(np.asarray(jax.jacfwd(function)(x))), np.asarray(jvp)).all()
    _, linear = jax.linearize(function, x)
    assert same_bits(np.asarray(linear(jnp.ones_like(x))), np.asarray(jvp)).all()


@pytest.mark.parametrize("name", NAMES)
def test_second_derivative_by_hessian(name):
    """hessian differentiates the derivative rule itself: within 1e-5 relative of mpmath (the
    rules are not built for second order; a zero or NaN here is what this guards against)."""
    points = [0.3, 0.75, 1.5, 3.0] if name in ("log", "log2", "log1p") else [-2.0, -0.5, 0.3, 1.25]
    for point in points:
        got = float(jax.hessian(public(name))(jnp.float32(point)))
        with mpmath.workdps(30):
            exact = float(SECOND[split_kernel_id(name)[0]](mpmath.mpf(float(np.float32(point)))))
        assert got == pytest.approx(exact, rel=1e-5, abs=1e-30), (point, got, exact)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16])
def test_16_bit_inputs_are_computed_in_float32_and_rounded_once(name, dtype):
    x = jnp.asarray(np.linspace(0.01, 4.0, 97), dtype)
    y = public(name)(x)
    assert y.dtype == dtype
    once = np.asarray(certified_export(name)(x.astype(jnp.float32))).astype(dtype)
    assert same_bits(np.asarray(y), once).all()
    assert jax.grad(lambda v: public(name)(v).astype(jnp.float32).sum())(x).dtype == dtype


def test_integers_python_numbers_and_arrays_follow_jnp():
    assert ajax.exp(np.int32(2)).dtype == jnp.float32 and not ajax.exp(np.int32(2)).weak_type
    assert ajax.exp(jnp.arange(3)).dtype == jnp.exp(jnp.arange(3)).dtype
    assert ajax.tanh(True).dtype == jnp.float32
    for value in (1.0, 2):
        y = ajax.tanh(value)
        assert y.dtype == jnp.float32 and y.weak_type == jnp.tanh(value).weak_type is True
    # weak: the float16 wins, as with jnp
    assert (ajax.tanh(0.5) + jnp.float16(1)).dtype == jnp.float16
    assert ajax.log([1.0, 2.0]).shape == (2,)


def test_complex_and_float64_inputs_raise_a_type_error_naming_the_dtype():
    with pytest.raises(TypeError, match="complex64"):
        ajax.tanh(jnp.ones(2, jnp.complex64))
    with jax.enable_x64(True):
        with pytest.raises(TypeError, match="float64"):
            ajax.exp(jnp.ones(2, jnp.float64))
        with pytest.raises(TypeError, match="float64"):
            ajax.exp(1.0)  # a Python float is float64 there, as for jnp
        assert ajax.exp(jnp.ones(2, jnp.float32)).dtype == jnp.float32
    assert ajax.exp(np.ones(2, np.float64)).dtype == jnp.float32  # x64 off: JAX makes it float32


@pytest.mark.parametrize("name", ["tanh", "exp2"])
def test_standalone_export_refuses_what_it_cannot_do(name):
    """The certified export alone (as `autonumerics kernel` writes it) has no derivative and is
    float32 only: it says so instead of returning 0 or changing the dtype."""
    export = certified_export(name)
    with pytest.raises(TypeError, match=f"autonumerics.jax.{name}"):
        jax.grad(export)(1.0)
    with pytest.raises(TypeError, match="bfloat16"):
        export(jnp.ones(2, jnp.bfloat16))
    assert export(np.int32(1)).dtype == jnp.float32


def _train(activation, steps: int = 200, rate: float = 0.2) -> tuple[float, float]:
    """A 1-16-1 MLP fit to sin(2x) on [-2, 2] by full-batch SGD: (final loss, |dL/dW1| at start)."""
    rng = np.random.default_rng(0)
    params = {"w1": jnp.asarray(rng.normal(0, 1, (1, 16)), jnp.float32), "b1": jnp.zeros(16),
              "w2": jnp.asarray(rng.normal(0, 0.25, (16, 1)), jnp.float32), "b2": jnp.zeros(1)}
    x = jnp.linspace(-2, 2, 128, dtype=jnp.float32)[:, None]
    y = jnp.sin(2 * x)

    def loss(p):
        return jnp.mean((activation(x @ p["w1"] + p["b1"]) @ p["w2"] + p["b2"] - y) ** 2)

    def step(_, p):
        return jax.tree.map(lambda value, gradient: value - rate * gradient, p, jax.grad(loss)(p))

    trained = jax.jit(lambda p: jax.lax.fori_loop(0, steps, step, p))(params)
    return float(loss(trained)), float(jnp.linalg.norm(jax.grad(loss)(params)["w1"]))


def _exact_gelu(v):
    return jax.nn.gelu(v, approximate=False)


# (kernel, built-in, learning rate): at 0.2 SiLU and GELU nets oscillate, and their final losses
# then depend on the last bits of every step, for any two implementations
@pytest.mark.parametrize(("name", "builtin", "rate"), [
    ("tanh", jnp.tanh, 0.2), ("sigmoid", jax.nn.sigmoid, 0.2), ("tanh_fast", jnp.tanh, 0.2),
    ("silu", jax.nn.silu, 0.1), ("gelu_tanh", jax.nn.gelu, 0.1), ("gelu_fast", _exact_gelu, 0.1)])
def test_an_mlp_trains_the_same_with_our_activation(name, builtin, rate):
    ours, theirs = _train(public(name), rate=rate), _train(builtin, rate=rate)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-4) and ours[1] > 0.01
    assert ours[0] == pytest.approx(theirs[0], rel=0.01)
    assert ours[0] < 0.5 * _train(builtin, steps=0, rate=rate)[0]  # it did learn


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("format_name", ["bfloat16", "float16"])
def test_committed_16_bit_certificate_is_current_and_within_one_ulp(name, format_name):
    path = REPO / "results" / "kernels" / name / f"certificate_{format_name}.json"
    certificate = json.loads(path.read_text())
    subject = certificate["subject"]
    export = (CERTIFIED_DIR / f"{name}.py").read_bytes()
    assert subject["export_sha256"] == hashlib.sha256(export).hexdigest()
    policy = REPO / "autonumerics" / "jax" / "_dtypes.py"
    assert subject["policy_sha256"] == hashlib.sha256(policy.read_bytes()).hexdigest()
    assert certificate["measured"]["max_ulp"] < 1.0 and certificate["measured"]["n_ge_one_ulp"] == 0
    classes = ("measured", "overflow", "undefined", "infinite", "flushed")
    assert sum(certificate[key]["n_inputs"] for key in classes) == 1 << 16
    for key in classes[1:]:
        wrong = KNOWN_16BIT_DEFECTS.get((split_kernel_id(name)[0], format_name, key), 0)
        assert certificate[key]["n_correct"] == certificate[key]["n_inputs"] - wrong, key


@pytest.mark.parametrize(("name", "format_name"), [("tanh", "bfloat16"), ("log1p", "float16")])
def test_16_bit_certificate_reproduces(name, format_name):
    from autonumerics.certify.float16 import certify_16bit

    path = REPO / "results" / "kernels" / name / f"certificate_{format_name}.json"
    committed = json.loads(path.read_text())
    fresh = certify_16bit(name, format_name, cache=False)
    for key in ("measured", "overflow", "undefined", "infinite", "flushed"):
        assert fresh[key] == committed[key], key


def test_the_readme_kernel_example_runs_and_trains(capsys):
    """The ten-line example that opens the README's kernel section, run as written."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Full-range float32 kernels", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert "from autonumerics.jax import tanh" in example
    assert len(example.strip().splitlines()) <= 12
    exec(compile(example, "README.md", "exec"), {})  # noqa: S102 - the README's own example
    loss = float(capsys.readouterr().out.split("loss", 1)[1])
    assert loss < 0.1
