"""Exhaustive check of a bf16/fp16 activation: every one of the 65 536 inputs against mpmath.

Finite inputs (+-0 included) are scored in ulps of the 16-bit format, subnormal-aware
(``metrics.ulp_errors``: the ulp of the exact value, floored at the least subnormal), against
the exact value; "correctly rounded" means the output bits equal the reference's. Results that
overflow (the exact value rounds to +-inf) are counted apart: an output is right there only if
it is that infinity. The special inputs +-0, +-inf and NaN are checked for exact equality with
their limits (NaN: any NaN).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import all_values
from autonumerics.numerics.metrics import ulp_errors
from autonumerics.quant.lowbit import (
    lowbit_activation,
    lowbit_activation_jax,
    naive_jax,
)
from autonumerics.quant.lowbit_bits import low_format
from autonumerics.quant.lowbit_reference import reference, special_value

IMPLEMENTATIONS: dict[str, Callable[[str, np.ndarray], np.ndarray]] = {
    "ours_numpy": lowbit_activation,
    "ours_jax": lambda name, x: np.asarray(lowbit_activation_jax(name, x)),
    "naive_jax": lambda name, x: np.asarray(naive_jax(name, x)),
}


@dataclass(frozen=True)
class LowbitReport:
    """How one implementation of one function in one format fares on all inputs.

    Attributes:
        function, format, implementation: what was checked.
        n_finite: finite inputs scored (65 536 minus NaNs and infinities).
        max_ulp: largest error in ulps of the format over finite inputs (inf if an output is
            inf or NaN where the result is finite, or finite where it overflows).
        worst_input: an input with that error.
        n_ge_one_ulp: finite inputs with error >= 1 ulp.
        n_correctly_rounded: finite inputs whose output bits equal the correctly rounded bits.
        n_overflow: finite inputs whose correctly rounded result is +-inf.
        n_overflow_exact: of those, outputs equal to that infinity.
        n_saturated: finite inputs whose correctly rounded result is a limit of f at +-inf
            other than inf (tanh +-1, sigmoid 0 and 1, exp 0, GELU and SiLU -0).
        n_saturated_exact: of those, outputs with exactly those bits.
        specials_exact: outputs for +-0, +-inf and NaN equal their limits (any NaN for NaN).
        special_mismatches: "f(input) = output, expected value" for each special that is wrong.
    """

    function: str
    format: str
    implementation: str
    n_finite: int
    max_ulp: float
    worst_input: float
    n_ge_one_ulp: int
    n_correctly_rounded: int
    n_overflow: int
    n_overflow_exact: int
    n_saturated: int
    n_saturated_exact: int
    specials_exact: bool
    special_mismatches: tuple[str, ...]

    @property
    def frac_correctly_rounded(self) -> float:
        """Fraction of finite inputs rounded correctly."""
        return self.n_correctly_rounded / self.n_finite

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict (non-finite floats as strings)."""
        result = asdict(self)
        result["special_mismatches"] = list(self.special_mismatches)
        result["pct_correctly_rounded"] = round(100 * self.frac_correctly_rounded, 4)
        for key in ("max_ulp", "worst_input"):
            if not np.isfinite(result[key]):
                result[key] = str(result[key])
        return result


def all_inputs(format_name: str) -> np.ndarray:
    """The 65 536 values of the format, in bit-pattern order."""
    low_format(format_name)  # one of the low-bit formats, or its error
    return all_values(format_name)


def score(
    function: str, format_name: str, outputs: np.ndarray, implementation: str
) -> LowbitReport:
    """Score ``outputs`` (the function at :func:`all_inputs`, same dtype) against mpmath."""
    ref = reference(function, format_name)
    with np.errstate(invalid="ignore"):  # NaN patterns
        inputs = all_inputs(format_name).astype(np.float64)
        got = outputs.astype(np.float64)
    got_bits = outputs.view(np.uint16)
    finite = np.isfinite(inputs)
    with np.errstate(invalid="ignore"):
        ref_values = ref.bits.view(outputs.dtype).astype(np.float64)
    overflow = finite & np.isinf(ref_values)
    with np.errstate(all="ignore"):
        errors = ulp_errors(got, ref.exact, np.zeros_like(ref.exact), low_format(format_name))
    errors = np.where(overflow, np.where(got == ref_values, 0.0, np.inf), errors)
    errors = np.where(finite, errors, 0.0)
    worst = int(np.argmax(errors))
    limits = [np.array(special_value(function, x), dtype=outputs.dtype).view(np.uint16)
              for x in (np.inf, -np.inf)]
    limits = [bits for bits in limits if not np.isinf(bits.view(outputs.dtype))]
    saturated = finite & np.isin(ref.bits, limits)
    mismatches = []
    for index in np.flatnonzero(~finite | (inputs == 0)):
        expected, value = ref_values[index], got[index]
        same = (np.isnan(expected) and np.isnan(value)) or got_bits[index] == ref.bits[index]
        if not same:
            mismatches.append(f"{function}({inputs[index]!r}) = {value!r}, expected {expected!r}")
    return LowbitReport(
        function, format_name, implementation, int(finite.sum()), float(errors[worst]),
        float(inputs[worst]), int((errors >= 1).sum()),
        int((finite & (got_bits == ref.bits)).sum()), int(overflow.sum()),
        int((overflow & (got == ref_values)).sum()), int(saturated.sum()),
        int((saturated & (got_bits == ref.bits)).sum()), not mismatches, tuple(mismatches),
    )


def check(function: str, format_name: str, implementation: str = "ours_numpy") -> LowbitReport:
    """Run one implementation on all inputs and score it (see :data:`IMPLEMENTATIONS`)."""
    if implementation not in IMPLEMENTATIONS:
        raise AutonumericsError(
            f"unknown implementation {implementation!r}; choose one of {', '.join(IMPLEMENTATIONS)}"
        )
    outputs = IMPLEMENTATIONS[implementation](function, all_inputs(format_name))
    return score(function, format_name, outputs, implementation)
