"""The Baseline record (one classical approximation, scored), its JSON form, best-by-cost views."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from autonumerics.baselines.certificate import EquioscillationCertificate
from autonumerics.ir.program import Program

FAMILIES = ("taylor", "pade", "chebyshev", "minimax", "rational", "fp32", "jax")


@dataclass(frozen=True)
class Baseline:
    """One classical approximation of a target on an interval, scored like an evolved program.

    Attributes:
        family: "taylor", "pade", "chebyshev", "minimax", "rational", "fp32" or "jax".
        label: a short human description ("minimax x*p(x^2) deg 7").
        degree: the degree in x (polynomials) or (m, n) in the form's variable (rationals);
            0 for the JAX built-in.
        program: the program (None for the JAX built-in, which is not one).
        n_ops: the program's op count (None for the JAX built-in).
        max_rel_error: sampled max relative error, evaluated in ``dtype``.
        max_abs_error: sampled max absolute error, evaluated in ``dtype``.
        max_ulp_float32: sampled max float32 ULP error, contracted (FMA) as exported to JAX.
        certificate: the equioscillation certificate (minimax families), else None.
        form: "plain", "odd" (x*p(x^2)), "odd1" (x + x*q(x^2)) or "even" (p(x^2)).
        dtype: the format ``max_rel_error`` and ``max_abs_error`` were evaluated in.
        notes: warnings raised while computing it (e.g. Remez non-convergence).
    """

    family: str
    label: str
    degree: int | tuple[int, int]
    program: Program | None
    n_ops: int | None
    max_rel_error: float
    max_abs_error: float
    max_ulp_float32: float
    certificate: EquioscillationCertificate | None
    form: str = "plain"
    dtype: str = "float64"
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """A JSON-ready dict; ``program`` holds the program file fields plus its infix text."""
        program = None
        if self.program is not None:
            program = {"expression": self.program.to_infix(), **self.program.to_json()}
        return {
            "family": self.family,
            "label": self.label,
            "degree": list(self.degree) if isinstance(self.degree, tuple) else self.degree,
            "form": self.form,
            "n_ops": self.n_ops,
            "dtype": self.dtype,
            "max_rel_error": _number(self.max_rel_error),
            "max_abs_error": _number(self.max_abs_error),
            "max_ulp_float32": _number(self.max_ulp_float32),
            "certificate": None if self.certificate is None else self.certificate.to_json(),
            "notes": list(self.notes),
            "program": program,
        }


def _number(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def best_by_ops(baselines: Iterable[Baseline],
                metric: str = "max_rel_error") -> dict[int, Baseline]:
    """The best classical baseline affordable at each op count: the Pareto staircase.

    For every op count k at which some baseline improves on all cheaper ones, the baseline
    with the smallest ``metric`` among those with ``n_ops <= k``. Rows without a program (the
    JAX built-in) are left out.

    Args:
        baselines: scored baselines, any order.
        metric: "max_rel_error", "max_abs_error" or "max_ulp_float32".

    Returns:
        {op count: baseline}, ascending op counts, errors strictly decreasing.
    """
    priced = sorted((b for b in baselines if b.n_ops is not None),
                    key=lambda b: (b.n_ops, getattr(b, metric)))
    front: dict[int, Baseline] = {}
    best = math.inf
    for baseline in priced:
        error = getattr(baseline, metric)
        if error < best:
            front[baseline.n_ops] = baseline
            best = error
    return front
