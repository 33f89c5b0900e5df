"""Classical baselines: Taylor, Padé, Chebyshev, minimax polynomial and rational (Remez), float32
coefficients and the JAX built-in, each a ``Program`` scored exactly like an evolved one.

Public API:
    compute_baselines(target, interval, kinds, max_ops, relative, dtype) -> list[Baseline]
    compute_baseline(target, interval, family, degree, form, relative, dtype) -> Baseline
    best_by_ops(baselines, metric) -> {op count: best Baseline}
    certify(error, interval, required) -> EquioscillationCertificate
"""

from autonumerics.baselines.baseline import FAMILIES, Baseline, best_by_ops
from autonumerics.baselines.certificate import EquioscillationCertificate, certify
from autonumerics.baselines.compute import (
    DEFAULT_KINDS,
    compute_baseline,
    compute_baselines,
)
from autonumerics.baselines.remez import RemezWarning

__all__ = [
    "DEFAULT_KINDS",
    "FAMILIES",
    "Baseline",
    "EquioscillationCertificate",
    "RemezWarning",
    "best_by_ops",
    "certify",
    "compute_baseline",
    "compute_baselines",
]
