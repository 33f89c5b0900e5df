"""Compute every classical baseline of a target on an interval, each scored like an evolved program.

The work per (family, form, degree): an approximant in mpmath (``classical``, ``remez``,
``fpminimax``), then its program (``forms``), then its sampled errors (``scoring``). Real
minimax results are cached per problem, because the float32-coefficient family starts from
them and the degree cap ("more degree than float64 can resolve") is measured with them.
"""

from __future__ import annotations

import functools
import numbers
import warnings
from collections.abc import Iterable, Sequence

import mpmath

from autonumerics.baselines import classical, forms, fpminimax, remez
from autonumerics.baselines.baseline import FAMILIES, Baseline
from autonumerics.baselines.certificate import EquioscillationCertificate
from autonumerics.baselines.problem import (
    Approximant,
    Problem,
    ZeroInInterval,
    exact_zero,
    grid_values,
    horner,
    make_problem,
)
from autonumerics.baselines.scoring import Samples, samples, score, score_values
from autonumerics.errors import AutonumericsError
from autonumerics.ir.program import Program
from autonumerics.limits import MAX_BASELINE_OPS, shown
from autonumerics.truth.ground_truth import make_points
from autonumerics.truth.targets import Target, get_target, parse_interval
from autonumerics.verification.builtins import builtin_source, evaluate_builtin

DEFAULT_KINDS = ("taylor", "pade", "chebyshev", "minimax", "rational", "fp32", "jax")
DEFAULT_MAX_OPS = 16
POLYNOMIAL_FAMILIES = ("taylor", "chebyshev", "minimax", "fp32")
# A minimax error below 2^-60 (relative) is beyond float64: higher degrees cannot show.
RESOLUTION = 2.0**-60


def compute_baselines(
    target: Target | str,
    interval: tuple[float, float] | str,
    kinds: Sequence[str] = DEFAULT_KINDS,
    max_ops: int | None = None,
    relative: bool = True,
    dtype: str = "float64",
) -> list[Baseline]:
    """Every baseline of the chosen families with at most ``max_ops`` ops, scored; an odd target
    also as x*p(x^2), x + x*q(x^2), x*r(x^2), an even one as p(x^2), r(x^2) (``Target.symmetry``).

    Args:
        target: a Target or its name / expression.
        interval: (a, b) or "a,b".
        kinds: families to compute (see ``FAMILIES``); "jax" adds the JAX built-in row.
        max_ops: the op budget (default 16).
        relative: minimise relative error (else absolute) in the minimax families.
        dtype: the format the relative / absolute errors are evaluated in ("float64" or
            "float32"); the ULP column is always float32.

    Returns:
        Baselines sorted by family then op count. Failures of single entries (a Padé pole,
        a degree past float64 resolution) become warnings, not errors.

    Raises:
        AutonumericsError: bad target, interval, kind or budget, or a target the interval
            cannot be approximated on (a pole, or a zero under relative error).
    """
    target, interval = _resolve(target, interval)
    budget = DEFAULT_MAX_OPS if max_ops is None else max_ops
    if (isinstance(budget, bool) or not isinstance(budget, numbers.Integral)
            or not 1 <= budget <= MAX_BASELINE_OPS):
        raise AutonumericsError(f"max_ops must be an integer from 1 to {MAX_BASELINE_OPS}, not "
                                f"{shown(budget, 40)}")
    budget = int(budget)
    unknown = [k for k in kinds if k not in FAMILIES]
    if unknown or dtype not in ("float64", "float32"):
        raise AutonumericsError(f"bad kinds {shown(unknown, 60)} or dtype {shown(dtype, 40)}: "
                                f"kinds are {', '.join(FAMILIES)}, dtype float64 or float32")
    data = samples(target, interval)
    results: list[Baseline] = []
    for form, problem in _problems(target, interval, relative):
        cap = _degree_cap(problem, budget, data)
        for family in (k for k in kinds if k != "jax" and _applies(k, form)):
            for degree in _degrees(family, form, budget, cap):
                try:
                    results.append(compute_baseline(target, interval, family, degree, form,
                                                    relative, dtype, problem=problem, data=data))
                except AutonumericsError as error:
                    warnings.warn(f"{family} {degree} ({form}): {error}", stacklevel=2)
    if "jax" in kinds and builtin_source(target.name) is not None:
        results.append(_jax_row(target, data))
    order = {family: i for i, family in enumerate(FAMILIES)}
    return sorted((b for b in results if b.n_ops is None or b.n_ops <= budget),
                  key=lambda b: (order[b.family], b.n_ops or 0, b.max_rel_error))


def compute_baseline(
    target: Target | str,
    interval: tuple[float, float] | str,
    family: str,
    degree: int | tuple[int, int],
    form: str = "plain",
    relative: bool = True,
    dtype: str = "float64",
    *,
    problem: Problem | None = None,
    data: Samples | None = None,
) -> Baseline:
    """One baseline: ``family`` at ``degree`` (in the form's variable t; (m, n) for rationals).

    Example: ``compute_baseline("erf", (0, 1), "fp32", 6, form="odd1")`` is x + x*q(x^2) with q
    of degree 6 in x^2 (7 float32 coefficients; degree 13 in x).

    Raises:
        AutonumericsError: a degree the interval cannot support (fewer float32 values than
            coefficients, or a minimax error below float64 resolution), a pole of a rational
            in the interval, or a bad target / interval / form.
    """
    target, interval = _resolve(target, interval)
    problem = problem or _make_problem(target, form, interval, relative)
    data = data or samples(target, interval)
    m, n = degree if isinstance(degree, tuple) else (degree, 0)
    _check_supported(interval, m + n, problem, data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        program, certificate = _build(family, problem, m, n)
    notes = tuple(str(w.message) for w in caught)
    for note in notes:
        warnings.warn(note, remez.RemezWarning, stacklevel=2)
    scored = score(program, data, dtype)
    reported = (m, n) if family in ("pade", "rational") else forms.degree_in_x(m, form)
    return Baseline(family, _label(family, form, reported, problem), reported, program,
                    program.n_ops, scored.max_rel_error, scored.max_abs_error,
                    scored.max_ulp_float32, certificate, form, dtype, notes)


def _resolve(target: Target | str, interval) -> tuple[Target, tuple[float, float]]:
    target = get_target(target) if isinstance(target, str) else target
    interval = parse_interval(interval) if isinstance(interval, str) else interval
    return target, target.check_interval(*interval)


def _problems(target: Target, interval: tuple[float, float],
              relative: bool) -> list[tuple[str, Problem]]:
    """The forms worth trying: plain, the symmetric ones of an odd or even target on any
    interval (t = x^2 runs over the squares of [a, b], which need not reach 0), and
    (x - x0)*p(x) when relative error meets an exact zero x0 no other form handles."""
    names = ["plain"]
    if target.symmetry in ("odd", "even"):
        names += ["odd", "odd1"] if target.symmetry == "odd" else ["even"]
    problems, first_error = [], None
    for name in names:
        try:
            problems.append((name, make_problem(target.mp, name, interval, relative)))
        except AutonumericsError as error:
            first_error = first_error or error
    if not problems and isinstance(first_error, ZeroInInterval):
        root = exact_zero(target.mp, interval)
        if root is not None:
            problems.append(("root", make_problem(target.mp, "root", interval, relative, root)))
    if not problems:
        raise first_error
    return problems


def _make_problem(target: Target, form: str, interval: tuple[float, float],
                  relative: bool) -> Problem:
    """make_problem, finding the zero to factor out for the root form."""
    if form != "root":
        return make_problem(target.mp, form, interval, relative)
    root = exact_zero(target.mp, interval)
    if root is None:
        raise AutonumericsError(f"the root form needs an exact float zero of {target.name} in "
                                f"[{interval[0]}, {interval[1]}]; there is none")
    return make_problem(target.mp, "root", interval, relative, root)


def _applies(family: str, form: str) -> bool:
    """x + x*q(x^2) differs from x*p(x^2) only in rounding: only the float32 family uses it."""
    return form != "odd1" or family == "fp32"


def _degrees(family: str, form: str, budget: int, cap: int) -> Iterable[int | tuple[int, int]]:
    """Degrees whose op count fits the budget: n >= 1 for polynomials, near-diagonal (m, n)
    with n >= 1 and |m - n| <= 1 for rationals, all within the resolution cap."""
    if family in POLYNOMIAL_FAMILIES:
        return [d for d in range(1, cap + 1) if forms.predicted_ops(d, 0, form) <= budget]
    return [(m, n) for total in range(1, cap + 1) for n in range(1, total + 1)
            for m in [total - n] if abs(m - n) <= 1 and forms.predicted_ops(m, n, form) <= budget]


def _degree_cap(problem: Problem, budget: int, data: Samples) -> int:
    """The largest degree worth computing: the first whose minimax error is past float64."""
    top = min(remez.MAX_DEGREE, budget)
    for degree in range(1, top + 1):
        if forms.predicted_ops(degree, 0, problem.form) > budget:
            return degree
        if _minimax(problem, degree, 0).certificate.max_error < _resolution(problem, data):
            return degree
    return top


def _resolution(problem: Problem, data: Samples) -> float:
    return RESOLUTION * (1.0 if problem.relative else float(abs(data.hi64).max()))


def _check_supported(interval: tuple[float, float], total: int, problem: Problem,
                     data: Samples) -> None:
    count = make_points(interval, total + 2, "float32").size
    if count < total + 2:
        raise AutonumericsError(
            f"degree {total} is more than [{interval[0]}, {interval[1]}] supports: it holds only "
            f"{count} float32 values, and degree {total} needs {total + 2} to be determined")
    if total > 1:
        below = _minimax(problem, total - 1, 0).certificate.max_error
        if below < _resolution(problem, data):
            raise AutonumericsError(
                f"degree {total} is more than [{interval[0]}, {interval[1]}] supports in float64: "
                f"degree {total - 1} already has minimax error {below:.3g}")


@functools.lru_cache(maxsize=256)
def _minimax(problem: Problem, m: int, n: int) -> remez.MinimaxResult:
    if n == 0:
        return remez.minimax_polynomial(problem, m)
    return remez.minimax_rational(problem, m, n)


def _build(family: str, problem: Problem, m: int,
           n: int) -> tuple[Program, EquioscillationCertificate | None]:
    """The program of one family (and its certificate, for the minimax families)."""
    if family == "taylor":
        return _program(classical.taylor(problem, m), problem), None
    if family == "chebyshev":
        return _program(classical.chebyshev_interpolant(problem, m), problem), None
    if family == "pade":
        approximant = classical.pade(problem, m, n)
        _check_no_pole(problem, approximant, f"Padé ({m}, {n})")
        return _program(approximant, problem), None
    if family in ("minimax", "rational"):
        result = _minimax(problem, m, n)
        return _program(result.approximant, problem), result.certificate
    if family == "fp32":
        return _float32_program(problem, m), None
    raise AutonumericsError(f"unknown family {shown(family, 40)}; choose one of "
                            f"{', '.join(FAMILIES)}")


def _program(approximant: Approximant, problem: Problem) -> Program:
    numerator = [float(c) for c in approximant.numerator]
    if approximant.denominator is None:
        return forms.polynomial_program(numerator, problem.form, problem.root)
    denominator = [float(c) for c in approximant.denominator]
    return forms.rational_program(numerator, denominator, problem.form, problem.root)


def _check_no_pole(problem: Problem, approximant: Approximant, name: str) -> None:
    """A sign change of the denominator on the grid is a pole: locate it by bisection."""
    ts = grid_values(problem, 512)[0]
    with mpmath.workdps(30):
        values = [horner(approximant.denominator, t) for t in ts]
        for left, right, value in zip(ts, ts[1:], values, strict=False):  # consecutive pairs
            if value == 0 or value * horner(approximant.denominator, right) < 0:
                for _ in range(60):
                    middle = (left + right) / 2
                    if horner(approximant.denominator, middle) * value > 0:
                        left = middle
                    else:
                        right = middle
                x = float(problem.to_x(left))
                raise AutonumericsError(f"{name} has a pole near x = {x:.6g}, inside the interval")


def _float32_program(problem: Problem, degree: int) -> Program:
    """Float32 coefficients from the real minimax, then tuned on the float32 evaluation."""
    start = _minimax(problem, degree, 0)
    points = [problem.to_t(x) for x in start.certificate.points]
    coefficients = fpminimax.float32_coefficients(problem, start.approximant, points)
    return forms.polynomial_program(coefficients, problem.form, problem.root)


def _jax_row(target: Target, data: Samples) -> Baseline:
    scored = score_values(evaluate_builtin(target.name, data.x32), data)
    return Baseline("jax", builtin_source(target.name), 0, None, None, scored.max_rel_error,
                    scored.max_abs_error, scored.max_ulp_float32, None, "plain", "float32")


def _label(family: str, form: str, degree: int | tuple[int, int], problem: Problem) -> str:
    shape = "" if form == "plain" else f" {forms.describe(form, problem.root)}"
    size = f" ({degree[0]},{degree[1]})" if isinstance(degree, tuple) else f" deg {degree}"
    where = ""
    if family in ("taylor", "pade"):
        center = (problem.a + problem.b) / 2
        where = f" @{float(problem.to_x(center)):.4g}"
    return f"{family}{shape}{size}{where}"
