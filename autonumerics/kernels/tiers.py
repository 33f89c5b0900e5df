"""Accuracy tiers: each function ships as an ``accurate`` kernel and a ``fast`` one.

Mature vector libms ship two error bounds per function (SLEEF's ``u10`` and ``u35`` variants:
at most 1.0 and 3.5 ULP); autonumerics does the same, with every kernel certified over all 2^32
float32 inputs against its tier's bound:

* ``accurate``: <= 1 ULP wherever the exact result is a normal float32;
* ``fast``: <= 3.5 ULP there, as cheap as the search and the range reduction make it.

A kernel's id is the function's name for the accurate tier ("tanh") and ``NAME_fast`` for the
fast one ("tanh_fast"): the id names its module's function, its certified files
(``autonumerics/kernels/certified/tanh_fast.py``) and its results folder, and its C function
(``approx_tanh_fast``) so both tiers can share one translation unit.
"""

from __future__ import annotations

from autonumerics.errors import AutonumericsError

__all__ = ["FAST_SUFFIX", "TIERS", "TIER_BOUNDS", "kernel_id", "split_kernel_id"]

TIERS = ("accurate", "fast")
TIER_BOUNDS = {"accurate": 1.0, "fast": 3.5}  # max ULP over every float32 with a normal result
FAST_SUFFIX = "_fast"


def kernel_id(name: str, tier: str = "accurate") -> str:
    """The kernel id of function ``name`` in ``tier`` ("tanh", "fast" -> "tanh_fast").

    Raises:
        AutonumericsError: for an unknown tier.
    """
    if tier not in TIER_BOUNDS:
        raise AutonumericsError(f"unknown tier {tier!r}; choose one of {', '.join(TIERS)}")
    return name if tier == "accurate" else name + FAST_SUFFIX


def split_kernel_id(kid: str) -> tuple[str, str]:
    """(function name, tier) of a kernel id ("tanh_fast" -> ("tanh", "fast"))."""
    if kid.endswith(FAST_SUFFIX):
        return kid[: -len(FAST_SUFFIX)], "fast"
    return kid, "accurate"
