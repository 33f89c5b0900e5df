"""How accurate the kernels' derivatives are: the JVPs of ``autonumerics.jax`` against mpmath.

For each kernel, its derivative is written as an mpmath expression (``DERIVATIVES``), labelled at
the inputs like any target (``ground_truth.labels``: double-double values from mpmath at 30
digits) and the JVP with tangent 1 is measured in float32 ULPs (``metrics.ulp_errors``). The
figure that counts is the max over inputs whose exact derivative is a normal float32 and that are
not subnormal themselves (XLA on CPU reads subnormal inputs as 0, for the kernels as for every
jitted function); the special inputs 0, +-inf and NaN are reported by value. JAX's own function
(``jnp.tanh``, ``jax.nn.sigmoid``, ...) differentiated by JAX is measured on the same inputs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from autonumerics.kernels.tiers import split_kernel_id
from autonumerics.numerics.metrics import ulp_errors
from autonumerics.truth.ground_truth import labels
from autonumerics.truth.targets import get_target
from autonumerics.verification.builtins import JAX_BUILTINS

# kernel -> its derivative as an mpmath expression in x (the parser of custom targets).
DERIVATIVES: dict[str, str] = {
    "exp2": "2**x * log(2)",
    "exp": "exp(x)",
    "expm1": "exp(x)",
    "log2": "1/(x*log(2))",
    "log": "1/x",
    "log1p": "1/(1 + x)",
    "erf": "2/sqrt(pi) * exp(-x**2)",
    "tanh": "1/cosh(x)**2",
    "sigmoid": "exp(-abs(x))/(1 + exp(-abs(x)))**2",
    "gelu": "erfc(-x/sqrt(2))/2 + x*exp(-x**2/2)/sqrt(2*pi)",
    # z = 2 sqrt(2/pi) (x + 0.044715 x^3): gelu_tanh = x sigmoid(z)
    "gelu_tanh": ("1/(1 + exp(-Z)) + x*exp(-Z)/(1 + exp(-Z))**2*2*sqrt(2/pi)*(1 + 3*0.044715*x**2)"
                  .replace("Z", "2*sqrt(2/pi)*(x + 0.044715*x**3)")),
    "silu": "1/(1 + exp(-x)) + x*exp(-x)/(1 + exp(-x))**2",
    "softplus": "1/(1 + exp(-x))",
    "log_sigmoid": "1/(1 + exp(x))",
}
# Where each kernel is used in models (sampled densely beside the random bit patterns).
USEFUL_RANGES: dict[str, tuple[float, float]] = {
    "exp2": (-126.0, 128.0), "exp": (-87.0, 88.0), "expm1": (-20.0, 20.0), "log2": (0.0, 100.0),
    "log": (0.0, 100.0), "log1p": (-1.0, 100.0), "erf": (-6.0, 6.0), "tanh": (-10.0, 10.0),
    "sigmoid": (-20.0, 20.0), "gelu": (-8.0, 8.0), "gelu_tanh": (-8.0, 8.0), "silu": (-20.0, 20.0),
    "softplus": (-20.0, 20.0), "log_sigmoid": (-20.0, 20.0),
}
# Where a derivative crosses zero, a formula whose terms cancel there loses its relative accuracy
# (the rules switch to d P(d) near these roots): max_ulp_off_roots leaves out the inputs within
# 1/256 (relative) of them, to tell such a loss from an error elsewhere (the roots by
# scipy.optimize.brentq on the float64 formulas).
DERIVATIVE_ROOTS: dict[str, float] = {"silu": -1.278464542761074, "gelu": -0.7517915246938228,
                                      "gelu_tanh": -0.7524614220712821}
SPECIAL_INPUTS = (0.0, -0.0, np.inf, -np.inf, np.nan)
FLT_MIN = float(np.finfo(np.float32).tiny)
FLT_MAX = float(np.finfo(np.float32).max)


@dataclass(frozen=True)
class DerivativeReport:
    """The accuracy of one kernel's derivative, beside JAX's built-in on the same inputs.

    Attributes:
        kernel: its name.
        expression: the exact derivative, as evaluated by mpmath.
        n_inputs: inputs measured.
        n_normal: of those, inputs in the kernel's domain, not subnormal, whose exact derivative
            is a normal float32: where the max errors are taken.
        max_ulp: the largest error of our JVP there, in float32 ULPs of the exact derivative.
        worst_input: an input with that error.
        max_ulp_off_roots: the same but for the inputs within 1/256 of a root of the derivative
            (``DERIVATIVE_ROOTS``; max_ulp itself where it has none).
        builtin_max_ulp: the same for JAX's built-in (``jnp.tanh`` ...) differentiated by JAX.
        builtin_worst_input: an input with that error.
        specials: our JVP at 0, -0, inf, -inf and NaN (values as strings).
        builtin_specials: the built-in's derivative there.
    """

    kernel: str
    expression: str
    n_inputs: int
    n_normal: int
    max_ulp: float
    worst_input: float
    max_ulp_off_roots: float
    builtin_max_ulp: float
    builtin_worst_input: float
    specials: dict[str, str]
    builtin_specials: dict[str, str]

    def to_dict(self) -> dict[str, object]:
        return {key: (str(value) if isinstance(value, float) and not np.isfinite(value) else value)
                for key, value in asdict(self).items()}


def _jvp(function, x: np.ndarray) -> np.ndarray:
    """The JVP of an elementwise ``function`` at each float32 ``x`` with tangent 1."""
    import jax
    import jax.numpy as jnp

    x = jnp.asarray(np.asarray(x, np.float32))
    _, tangent = jax.jit(lambda v: jax.jvp(function, (v,), (jnp.ones_like(v),)))(x)
    return np.asarray(tangent, np.float32)


def jvp_values(name: str, x: np.ndarray) -> np.ndarray:
    """The derivative of kernel ``name``'s public function at the float32 inputs ``x`` (its JVP):
    ``autonumerics.jax.<name>``, or ``autonumerics.jax.fast.<function>`` for "<function>_fast"."""
    import autonumerics.jax as kernels

    function, tier = split_kernel_id(name)
    return _jvp(getattr(kernels if tier == "accurate" else getattr(kernels, tier), function), x)


def builtin_jvp_values(name: str, x: np.ndarray) -> np.ndarray:
    """The derivative of JAX's own function (``jnp.tanh``, ``jax.nn.sigmoid`` ...) at ``x``."""
    import importlib

    module, function, keywords = JAX_BUILTINS[name]
    builtin = getattr(importlib.import_module(module), function)
    return _jvp(lambda v: builtin(v, **keywords), x)


def _max_error(errors: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    if errors.size == 0:
        return 0.0, 0.0
    worst = int(np.argmax(errors))
    return float(errors[worst]), float(x[worst])


def _specials(values: np.ndarray) -> dict[str, str]:
    return {repr(s): repr(float(v)) for s, v in zip(SPECIAL_INPUTS, values, strict=True)}


def derivative_report(name: str, x: np.ndarray, cache: bool = True) -> DerivativeReport:
    """Measure kernel ``name``'s derivative and the built-in's at the float32 inputs ``x`` (1-D)."""
    x = np.asarray(x, np.float32)
    function = split_kernel_id(name)[0]  # both tiers of a function share its derivative
    hi, lo = labels(get_target(DERIVATIVES[function]), x.astype(np.float64), cache=cache)
    # open at a finite end: log's 0, log1p's -1 (derivative inf)
    domain = get_target(function).domain
    magnitude = np.abs(hi)
    with np.errstate(invalid="ignore"):
        normal = ((np.abs(x) >= FLT_MIN) | (x == 0)) & (x > domain.lo) & (x < domain.hi)
        normal &= np.isfinite(hi) & (magnitude >= FLT_MIN) & (magnitude <= FLT_MAX)
    root = DERIVATIVE_ROOTS.get(function)
    near_root = np.abs(x - root) <= abs(root) / 256 if root is not None else np.zeros(x.size, bool)
    measured = {}
    for who, values in (("ours", jvp_values(name, x)),
                        ("builtin", builtin_jvp_values(function, x))):
        with np.errstate(all="ignore"):
            errors = np.where(normal, ulp_errors(values, hi, lo, "float32"), 0.0)
            measured[who] = _max_error(errors, x)
            if who == "ours":
                off_roots = _max_error(np.where(near_root, 0.0, errors), x)[0]
    specials = np.float32(SPECIAL_INPUTS)
    return DerivativeReport(
        kernel=name, expression=DERIVATIVES[function], n_inputs=int(x.size),
        n_normal=int(normal.sum()),
        max_ulp=measured["ours"][0], worst_input=measured["ours"][1],
        max_ulp_off_roots=off_roots, builtin_max_ulp=measured["builtin"][0],
        builtin_worst_input=measured["builtin"][1],
        specials=_specials(jvp_values(name, specials)),
        builtin_specials=_specials(builtin_jvp_values(function, specials)))


def spread_inputs(n: int, useful: tuple[float, float], seed: int = 0) -> np.ndarray:
    """``n`` random finite float32 bit patterns (every binade, both signs) and ``n // 16`` uniform
    points of the useful range, for an even look at the whole range and a denser one where models
    compute."""
    rng = np.random.default_rng(seed)
    patterns = rng.integers(0, 1 << 32, n, dtype=np.uint64).astype(np.uint32).view(np.float32)
    uniform = rng.uniform(useful[0], useful[1], n // 16).astype(np.float32)
    x = np.concatenate([patterns, uniform])
    return x[np.isfinite(x)]
