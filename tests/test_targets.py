"""Targets: the registry, float64 references, intervals, custom targets, ``targets`` command."""

from __future__ import annotations

import json
import math
import pickle

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autonumerics.cli
from autonumerics.errors import AutonumericsError
from autonumerics.truth.target_domain import check_finite_on
from autonumerics.truth.targets import CUSTOM_F64_BOUND, TARGETS, get_target, parse_interval

NAMES = list(TARGETS)

# Independent mpmath definitions (different formulas where one exists) for each built-in.
ORACLES = {
    "exp2": lambda x: mpmath.exp(x * mpmath.ln2),
    "exp": mpmath.exp,
    "expm1": lambda x: mpmath.exp(x) - 1,
    "log2": lambda x: mpmath.ln(x) / mpmath.ln2,
    "log": mpmath.ln,
    "log1p": lambda x: mpmath.ln(1 + x),
    "erf": mpmath.erf,
    "erfc": lambda x: 1 - mpmath.erf(x),
    "tanh": lambda x: (mpmath.exp(2 * x) - 1) / (mpmath.exp(2 * x) + 1),
    "sigmoid": lambda x: mpmath.exp(x) / (1 + mpmath.exp(x)),
    "gelu": lambda x: x * mpmath.ncdf(x),
    "silu": lambda x: x * mpmath.exp(x) / (1 + mpmath.exp(x)),
    "gelu_tanh": lambda x: x / 2 * (1 + mpmath.tanh(mpmath.sqrt(2 / mpmath.pi)
                                                    * (x + mpmath.mpf("0.044715") * x**3))),
    "softplus": lambda x: mpmath.log(1 + mpmath.exp(x)),
    "log_sigmoid": lambda x: -mpmath.log(1 + mpmath.exp(-x)),
    "sin": mpmath.sin,
    "cos": mpmath.cos,
    "rsqrt": lambda x: mpmath.sqrt(x) ** -1,
}

# Ranges beyond the default intervals where a float64 reference is most likely to go wrong:
# tails, underflow edges, large arguments. Each is (lo, hi, "linear" or "log").
STRESS = {
    "exp2": [(-1070.0, 1023.9, "linear")],
    "exp": [(-744.0, 709.7, "linear"), (1e-300, 1.0, "log")],
    "expm1": [(-40.0, 709.7, "linear"), (1e-300, 1.0, "log")],
    "log2": [(1e-300, 1e300, "log")],
    "log": [(1e-300, 1e300, "log")],
    "log1p": [(1e-300, 1e300, "log"), (-0.999999, 0.0, "linear")],
    "erf": [(-6.0, 6.0, "linear"), (1e-300, 1.0, "log")],
    "erfc": [(-6.0, 26.5, "linear"), (20.0, 26.5, "linear")],
    "tanh": [(-20.0, 20.0, "linear"), (1e-300, 1.0, "log")],
    "sigmoid": [(-708.0, 40.0, "linear")],
    "gelu": [(-37.5, 10.0, "linear"), (-37.5, -20.0, "linear")],
    "silu": [(-714.0, 40.0, "linear"), (-714.0, -700.0, "linear")],
    # where z = 2 sqrt(2/pi)(x + 0.044715 x^3) >= -110 (float32 normal results) and beyond
    "gelu_tanh": [(-10.5, 10.0, "linear"), (-10.5, -8.0, "linear"), (1.0, 1e30, "log")],
    "softplus": [(-740.0, 40.0, "linear"), (1e-300, 1e300, "log")],
    "log_sigmoid": [(-40.0, 740.0, "linear"), (1e-300, 1e300, "log")],
    "sin": [(-1e4, 1e4, "linear"), (1.0, 1e300, "log")],
    "cos": [(-1e4, 1e4, "linear"), (1.0, 1e300, "log")],
    "rsqrt": [(1e-320, 1e300, "log")],
}


def _relative_errors(target, x: np.ndarray) -> np.ndarray:
    """|reference_f64 - exact| / |exact| where the exact value is a normal float64, else 0."""
    reference = target.reference_f64(x)
    errors = np.zeros(x.size)
    with mpmath.workprec(120):
        for i, value in enumerate(x):
            exact = target.mp(mpmath.mpf(float(value)))
            if mpmath.mpf(2) ** -1022 <= abs(exact) <= mpmath.mpf(np.finfo(np.float64).max):
                errors[i] = abs(float((mpmath.mpf(float(reference[i])) - exact) / exact))
    return errors


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=25, deadline=None)
@given(which=st.integers(0, 7), unit=st.floats(0.0, 1.0))
def test_reference_within_bound_on_default_intervals(name: str, which: int, unit: float) -> None:
    target = TARGETS[name]
    a, b = target.default_intervals[which % len(target.default_intervals)]
    x = np.array([min(b, a + (b - a) * unit)])
    assert _relative_errors(target, x)[0] <= target.f64_rel_error_bound


@pytest.mark.parametrize("name", NAMES)
def test_reference_within_bound_on_stress_ranges(name: str) -> None:
    target, rng = TARGETS[name], np.random.default_rng(20240501)
    pieces = [rng.uniform(a, b, 150) for a, b in target.default_intervals]
    for lo, hi, scale in STRESS[name]:
        if scale == "log":
            magnitudes = np.exp(rng.uniform(math.log(lo), math.log(hi), 150))
            signs = rng.choice([-1.0, 1.0], 150) if target.domain.lo == -math.inf else 1.0
            pieces.append(magnitudes * signs)
        else:
            pieces.append(rng.uniform(lo, hi, 150))
    errors = _relative_errors(target, np.concatenate(pieces))
    assert errors.max() <= target.f64_rel_error_bound, f"worst {errors.max():.3g}"


@pytest.mark.parametrize("name", NAMES)
def test_expression_matches_an_independent_definition(name: str) -> None:
    target = TARGETS[name]
    a, b = target.default_intervals[0]
    with mpmath.workprec(200):
        for x in np.linspace(a, b, 7)[1:]:  # skip a, where some oracles are 0/0-free but 0
            point = mpmath.mpf(float(x))
            exact, oracle = target.mp(point), ORACLES[name](point)
            assert abs(exact - oracle) <= mpmath.mpf(2) ** -180 * abs(oracle)


@pytest.mark.parametrize("name", NAMES)
def test_symmetry_is_declared_exactly_when_it_holds(name: str) -> None:
    target = TARGETS[name]
    with mpmath.workprec(100):
        for x in (mpmath.mpf("0.375"), mpmath.mpf("1.25")):
            if target.domain.lo > -math.inf:  # not defined at -x: no symmetry to declare
                assert target.symmetry is None
                continue
            plus, minus = target.mp(x), target.mp(-x)
            assert (minus == -plus) == (target.symmetry == "odd")
            assert (minus == plus) == (target.symmetry == "even")


@pytest.mark.parametrize("name", NAMES)
def test_default_intervals_are_valid_and_inside_the_domain(name: str) -> None:
    target = TARGETS[name]
    assert target.default_intervals
    for a, b in target.default_intervals:
        assert target.check_interval(a, b) == (a, b)
    assert target.name == name and get_target(name) is target


def test_builtin_and_custom_targets_pickle() -> None:
    for target in (TARGETS["gelu"], get_target("besselj(0, x)")):
        copy = pickle.loads(pickle.dumps(target))
        assert copy == target
        with mpmath.workprec(80):
            assert copy.mp(mpmath.mpf("0.5")) == target.mp(mpmath.mpf("0.5"))


@pytest.mark.parametrize(
    ("spec", "oracle"),
    [
        ("besselj(0, x)", lambda x: mpmath.besselj(0, x)),
        ("exp(-x**2)", lambda x: mpmath.exp(-x * x)),
        ("0x1.8p1*x + 0.1", lambda x: 3 * x + mpmath.mpf(1) / 10),
        ("sin(pi*x)/ln2 + e", lambda x: mpmath.sin(mpmath.pi * x) / mpmath.ln2 + mpmath.e),
    ],
)
def test_custom_targets_evaluate_like_mpmath(spec: str, oracle) -> None:
    target = get_target(spec)
    assert target.name == spec and target.domain.lo == -math.inf
    # detected (truth.symmetry): J0 and the Gaussian are even, the other two neither
    assert target.symmetry == ("even" if spec in ("besselj(0, x)", "exp(-x**2)") else None)
    assert target.f64_rel_error_bound == CUSTOM_F64_BOUND
    with mpmath.workprec(150):
        for x in (-1.5, 0.3, 2.0):
            exact = oracle(mpmath.mpf(x))
            assert abs(target.mp(mpmath.mpf(x)) - exact) <= mpmath.mpf(2) ** -140 * abs(exact)
    x = np.array([-1.5, 0.3, 2.0])
    with mpmath.workprec(150):
        exact = np.array([float(oracle(mpmath.mpf(v))) for v in x])
    assert np.all(np.abs(target.reference_f64(x) - exact) <= CUSTOM_F64_BOUND * np.abs(exact))


def test_custom_reference_is_nan_outside_the_real_domain() -> None:
    reference = get_target("log(x) + sqrt(x)").reference_f64(np.array([-1.0, 0.0, 4.0]))
    assert np.isnan(reference[0]) and np.isnan(reference[1])
    assert reference[2] == pytest.approx(math.log(4) + 2, rel=1e-15)


BAD_TARGETS = [
    ("exp3", "unknown target 'exp3'"),
    ("pi + 1", "does not depend on x"),
    ("__import__('os')", "__import__"),  # the whitelist itself: test_expressions
    ("", "empty"),
    ("  ", "empty"),
]
BAD_INTERVALS = [
    ("a,b", "'a'"),
    ("1", "two bounds"),
    ("1,2,3", "two bounds"),
    ("1,0", "[1.0, 0.0]"),
    ("1,1", "empty"),
    ("1e999,2", "non-finite"),
    ("x,1", "'x'"),
    ("sqrt(-1), 1", "sqrt(-1)"),
    ("open('f'), 1", "open"),
]


@pytest.mark.parametrize(
    ("parse", "text", "named"),
    [*((get_target, spec, named) for spec, named in BAD_TARGETS),
     *((parse_interval, text, named) for text, named in BAD_INTERVALS)],
)
def test_bad_targets_and_intervals_name_their_fault(parse, text: str, named: str) -> None:
    """get_target: unknown names and constants; parse_interval: the interval's faults."""
    with pytest.raises(AutonumericsError) as error:
        parse(text)
    assert named in str(error.value)


def test_get_target_names_are_case_insensitive() -> None:
    assert get_target(" EXP2 ") is TARGETS["exp2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0,1", (0.0, 1.0)),
        ("-ln2/2, ln2/2", (-math.log(2) / 2, math.log(2) / 2)),
        ("0x1p-1, 0x1.8p0", (0.5, 1.5)),
        ("[-pi/4, pi/4]", (-math.pi / 4, math.pi / 4)),
        ("0.1, 1e1", (0.1, 10.0)),
        ("log(3, 2), 2", (math.log2(3), 2.0)),
    ],
)
def test_parse_interval(text: str, expected: tuple[float, float]) -> None:
    assert parse_interval(text) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=2))
def test_parse_interval_is_exact_for_hex_and_repr(bounds: list[float]) -> None:
    a, b = sorted(bounds)
    assume(a != b)  # (0.0 and -0.0 are equal too)
    assert parse_interval(f"{a.hex()},{b.hex()}") == (a, b)
    assert parse_interval(f"{a!r}, {b!r}") == (a, b)


@pytest.mark.parametrize(
    ("name", "interval", "named"),
    [
        ("log", (-1.0, 1.0), "(0, inf)"),
        ("log", (0.0, 1.0), "(0, inf)"),
        ("rsqrt", (-2.0, -1.0), "(0, inf)"),
        ("log1p", (-1.0, 0.0), "(-1, inf)"),
        ("exp2", (1.0, 0.0), "empty or reversed"),
        ("exp2", (0.5, 0.5), "empty or reversed"),
        ("exp2", (0.0, math.inf), "non-finite"),
        ("exp2", (math.nan, 1.0), "non-finite"),
    ],
)
def test_check_interval_errors_name_interval_and_domain(name, interval, named) -> None:
    with pytest.raises(AutonumericsError) as error:
        TARGETS[name].check_interval(*interval)
    assert named in str(error.value)
    assert "[" in str(error.value)  # names the interval


def test_check_interval_accepts_closed_ends_inside_an_open_domain() -> None:
    assert TARGETS["log1p"].check_interval(-0.5, 0) == (-0.5, 0.0)
    assert TARGETS["log"].check_interval(5e-324, 1e308) == (5e-324, 1e308)


def test_a_custom_target_is_probed_for_poles_on_its_interval() -> None:
    target = get_target("1/(x - 0.3) + 1")
    with pytest.raises(AutonumericsError, match="pole near x = 0.3"):
        target.check_interval(0.0, 1.0)
    assert target.check_interval(0.5, 1.0) == (0.5, 1.0)
    assert get_target("x - 0.3").check_interval(0.0, 1.0) == (0.0, 1.0)  # a zero is no pole
    with pytest.raises(AutonumericsError, match="cannot be evaluated at x = -1.0"):
        get_target("log(x)").check_interval(-1.0, 1.0)


def test_a_custom_target_probe_is_remembered_once_fine() -> None:
    target = get_target("sin(x)/x + 0.25")
    with pytest.raises(AutonumericsError):
        target.check_interval(0.0, 1.0)  # 0/0 at 0: refused, and not remembered
    before = check_finite_on.cache_info()
    for _ in range(3):
        target.check_interval(0.5, 2.0)
    after = check_finite_on.cache_info()
    assert after.misses == before.misses + 1 and after.hits == before.hits + 2


def test_cli_targets_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert autonumerics.cli.main(["targets", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)["targets"]
    assert [entry["name"] for entry in listed] == NAMES
    for entry in listed:
        target = TARGETS[entry["name"]]
        assert entry["expression"] == target.expression
        assert entry["domain"] == str(target.domain)
        intervals = [tuple(pair) for pair in entry["default_intervals"]]
        assert intervals == list(target.default_intervals)


def test_cli_targets_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert autonumerics.cli.main(["targets"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in NAMES)
