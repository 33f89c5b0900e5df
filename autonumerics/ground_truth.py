"""Ground truth: point sets on an interval, and exact labels for them as cached double-doubles.

A label is the exact value f(x) rounded to a double-double ``hi + lo`` (``hi`` the float64
nearest to f(x), ``lo`` the float64 nearest to f(x) - hi), i.e. about 106 bits, from mpmath at
``digits`` significant digits or more. Labels are cached on disk as ``.npz`` files keyed by
the target's expression, the exact bytes of the points and ``digits``.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import warnings
import zipfile
from pathlib import Path

import mpmath
import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.expressions import EVALUATION_ERRORS, evaluate_converged
from autonumerics.targets import Interval, Target, finite_interval

CACHE_ENV = "AUTONUMERICS_CACHE"
POINT_KINDS = ("uniform", "chebyshev", "float32", "random")
# Bump when the labelling method changes, so stale caches are never read.
_LABELS_VERSION = b"autonumerics-labels-1"
_GUARD_BITS = 10  # on top of digits; evaluate_converged adds 20 more and checks convergence


def make_points(
    interval: Interval, n: int, kind: str = "uniform", rng: np.random.Generator | None = None
) -> np.ndarray:
    """Up to ``n`` sample points in ``[a, b]``: float64, sorted, unique, with both endpoints.

    Args:
        interval: ``(a, b)`` with finite ``a < b``.
        n: how many points (at least 2); fewer come back when the interval holds fewer
            distinct values (or, for ``"random"``, on a rare duplicate).
        kind: ``"uniform"`` (equally spaced), ``"chebyshev"`` (extrema of T_{n-1}, dense at the
            ends), ``"float32"`` (float32 values with equally spaced bit patterns, i.e. uniform
            in ulps; the endpoints are ``a`` and ``b`` rounded inward to float32) or
            ``"random"`` (uniform random, needs ``rng``).
        rng: the generator for ``"random"``.

    Raises:
        AutonumericsError: bad interval, ``n < 2``, an unknown kind, or no ``rng`` for random.
    """
    a, b = finite_interval(*interval)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise AutonumericsError(f"need at least 2 points (the endpoints), got n={n!r}")
    if kind == "float32":
        return _float32_points(a, b, int(n))
    if kind == "uniform":
        unit = np.arange(n) / (n - 1)
    elif kind == "chebyshev":
        # (1 - cos θ)/2 = sin²(θ/2): accurate near a, and 1 - that = cos²(θ/2) near b.
        half_angle = np.pi * np.arange(n) / (2 * (n - 1))
        unit, complement = np.sin(half_angle) ** 2, np.cos(half_angle) ** 2
        return _unique_with_ends(a, b, _map_unit(a, b, unit, complement))
    elif kind == "random":
        if rng is None:
            raise AutonumericsError("kind='random' needs a numpy Generator (rng)")
        unit = np.sort(rng.random(n - 2))
        unit = np.concatenate(([0.0], unit, [1.0]))
    else:
        choices = ", ".join(POINT_KINDS)
        raise AutonumericsError(f"unknown point kind {kind!r}; choose one of {choices}")
    return _unique_with_ends(a, b, _map_unit(a, b, unit, 1.0 - unit))


def _map_unit(a: float, b: float, unit: np.ndarray, complement: np.ndarray) -> np.ndarray:
    """a + (b - a)·u, computed from a in the lower half and from b in the upper half."""
    width, scale = b - a, 1.0
    if not math.isfinite(width):  # e.g. [-1e308, 1e308]: work with half the width
        width, scale = b / 2 - a / 2, 2.0
    with np.errstate(over="ignore"):  # the branch np.where discards may overflow
        return np.where(unit <= 0.5, a + scale * (width * unit), b - scale * (width * complement))


def _unique_with_ends(a: float, b: float, values: np.ndarray) -> np.ndarray:
    values = np.clip(values, a, b)
    values[0], values[-1] = a, b
    return np.unique(values.astype(np.float64))


def _float32_points(a: float, b: float, n: int) -> np.ndarray:
    """Float32 values in [a, b] whose ordinals (bit patterns, signed) are equally spaced."""
    finite = np.finfo(np.float32).max
    lo = np.float32(np.clip(a, -finite, finite))
    hi = np.float32(np.clip(b, -finite, finite))
    if float(lo) < a:  # round inward so the endpoints stay inside [a, b]
        lo = np.nextafter(lo, np.float32(np.inf))
    if float(hi) > b:
        hi = np.nextafter(hi, np.float32(-np.inf))
    if lo > hi:
        raise AutonumericsError(f"interval [{a!r}, {b!r}] holds no float32 value")
    first, last = _ordinal(np.array([lo, hi], dtype=np.float32))
    # floor(t + 1/2) is monotone with unit steps, so distinct targets stay distinct.
    ordinals = np.floor(np.linspace(first, last, n) + 0.5).astype(np.int64)
    return np.unique(_from_ordinal(np.clip(ordinals, first, last)).astype(np.float64))


def _ordinal(values: np.ndarray) -> np.ndarray:
    """float32 -> integers in the same order, one apart for adjacent floats (±0 -> 0)."""
    bits = values.view(np.uint32).astype(np.int64)
    magnitude = bits & 0x7FFFFFFF
    return np.where(bits >= 0x80000000, -magnitude, magnitude)


def _from_ordinal(ordinals: np.ndarray) -> np.ndarray:
    magnitude = np.abs(ordinals).astype(np.uint32)
    bits = np.where(ordinals < 0, magnitude | np.uint32(0x80000000), magnitude)
    return bits.astype(np.uint32).view(np.float32)


def labels(
    target: Target, points: np.ndarray, digits: int = 30, cache: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Exact values of ``target`` at ``points`` as double-doubles ``(hi, lo)``.

    ``hi`` is the float64 nearest to f(x) and ``lo`` the float64 nearest to f(x) - hi, from
    mpmath at ``digits`` significant digits plus guard bits, raising the precision until two
    evaluations agree. ``hi`` is nan (and ``lo`` 0) where mpmath raises, the value is not real,
    or it is infinite or nan; a finite value beyond the float64 range gives ``hi = ±inf``.
    Values below the normal range are rounded by mpmath's float conversion.

    Args:
        target: what to evaluate (its ``expression`` defines it).
        points: 1-D float64 inputs.
        digits: significant decimal digits required of ``hi + lo`` before rounding.
        cache: read and write the on-disk cache (``$AUTONUMERICS_CACHE``, default
            ``~/.cache/autonumerics/ground_truth``).
    """
    points = np.ascontiguousarray(points, dtype=np.float64)
    if points.ndim != 1:
        raise AutonumericsError(f"points must be 1-D, got shape {points.shape}")
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or digits < 1:
        raise AutonumericsError(f"digits must be a positive integer, got {digits!r}")
    path = cache_dir() / f"{_cache_key(target, points, int(digits))}.npz" if cache else None
    if path is not None:
        cached = _read_cache(path, target, points)
        if cached is not None:
            return cached
    hi, lo = _exact_double_doubles(target, points, math.ceil(digits * math.log2(10)) + _GUARD_BITS)
    if path is not None:
        _write_cache(path, target, points, int(digits), hi, lo)
    return hi, lo


def cache_dir() -> Path:
    """The labels cache: ``$AUTONUMERICS_CACHE`` or ``~/.cache/autonumerics/ground_truth``."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "autonumerics" / "ground_truth"


def _exact_double_doubles(
    target: Target, points: np.ndarray, bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """The one place exact values are computed (mpmath with gmpy2 underneath).

    This is the seam for a faster backend: python-flint's arb would evaluate the same
    expression with rigorous error bounds; it is not a dependency, so only mpmath is here.
    """
    hi = np.full(points.shape, np.nan)
    lo = np.zeros(points.shape)
    for index, x in enumerate(points.tolist()):
        try:
            value = evaluate_converged(target.mp, x, bits)
        except EVALUATION_ERRORS:
            continue
        if not mpmath.isfinite(value):
            continue
        hi[index] = float(value)  # mpmath rounds to nearest
        if math.isfinite(hi[index]):
            # value - hi is exact (no rounding) and has far fewer bits than value.
            lo[index] = float(mpmath.fsub(value, hi[index], exact=True))
    return hi, lo


def _cache_key(target: Target, points: np.ndarray, digits: int) -> str:
    digest = hashlib.sha256(_LABELS_VERSION)
    digest.update(b"\0" + target.expression.encode() + b"\0" + str(digits).encode() + b"\0")
    digest.update(points.astype("<f8").tobytes())
    return digest.hexdigest()[:32]


def _read_cache(
    path: Path, target: Target, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """The cached labels, or None if absent, unreadable or not for exactly these points."""
    try:
        with np.load(path, allow_pickle=False) as stored:
            same = (
                str(stored["expression"]) == target.expression
                and stored["points"].tobytes() == points.astype("<f8").tobytes()
            )
            return (stored["hi"].copy(), stored["lo"].copy()) if same else None
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None


def _write_cache(
    path: Path, target: Target, points: np.ndarray, digits: int, hi: np.ndarray, lo: np.ndarray
) -> None:
    """Write atomically: a temporary file in the same folder, then ``os.replace``."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
        with os.fdopen(handle, "wb") as stream:
            np.savez(stream, hi=hi, lo=lo, points=points.astype("<f8"),
                     expression=np.array(target.expression), digits=np.array(digits))
        os.replace(temporary, path)
    except OSError as error:
        warnings.warn(f"could not cache labels in {path.parent}: {error}", stacklevel=3)
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
