"""Verification over every float32 bit pattern (``verify --all-floats``), for full-range kernels.

The finite inputs are split by what the exact result is, each part checked by its own rule:

* ``normal``: the exact value is a normal float32 magnitude (>= 2^-126, below the overflow
  threshold) and the input is not subnormal: scored exactly by :func:`exhaustive_float32`.
* ``subnormal_input``: |x| < 2^-126, x != 0; scored the same way but reported apart (XLA on
  CPU reads these inputs as 0).
* ``subnormal_result``: |f(x)| < 2^-126 (exact zeros included); outputs compared with the
  float64 reference in units of 2^-149; how many were flushed to zero is counted.
* ``overflow``: |f(x)| >= 2^128 - 2^103, which rounds to infinity: the output must be that inf.
* ``undefined``: f has no real value (outside the domain): the output must be NaN.

The parts are found from the float64 reference on every ``stride``-th bit pattern, refined by
bisection to the exact boundary pattern; a part narrower than the stride between two samples of
one class would be missed (its inputs are then scored with their neighbours' rule). NaN inputs
(all 2^24 - 2 patterns) must give NaN; ±inf are among the special values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autonumerics.numerics.float_keys import float32_key, keys_to_float32
from autonumerics.numerics.reports import merge
from autonumerics.truth.targets import Target
from autonumerics.verification.exhaustive import exhaustive_float32

CLASSES = ("normal", "subnormal_input", "subnormal_result", "overflow", "undefined")
MAX_KEY = 0x7F7FFFFF  # the largest finite float32's bit pattern
OVERFLOW = 2.0**128 - 2.0**103  # exact values at or beyond this round to infinity in float32
TINY = 2.0**-126
_CHUNK = 1 << 20


def classify(target: Target, keys: np.ndarray) -> np.ndarray:
    """The index in CLASSES of each input's part."""
    x = keys_to_float32(keys).astype(np.float64)
    with np.errstate(all="ignore"):
        reference = np.abs(target.reference_f64(x))
    classes = np.zeros(x.shape, np.int8)
    classes[reference < TINY] = 2
    classes[reference >= OVERFLOW] = 3
    classes[np.isnan(reference)] = 4
    classes[(x != 0) & (np.abs(x) < TINY) & (classes != 4)] = 1
    return classes


def domain_keys(target: Target) -> list[int]:
    """Keys of the target's finite domain ends and their neighbours: a pole there (log1p at -1)
    is a one-input part that stride sampling would miss."""
    keys = []
    for end in (target.domain.lo, target.domain.hi):
        if np.isfinite(end) and abs(end) <= np.finfo(np.float32).max:
            key = float32_key(end)
            keys += [key - 1, key, key + 1]
    return [key for key in keys if -MAX_KEY <= key <= MAX_KEY]


def find_parts(target: Target, stride: int = 4099) -> list[tuple[str, int, int]]:
    """Contiguous ``(class, first_key, last_key)`` parts covering every finite float32 (sampled
    every ``stride`` keys and at the domain's ends, then bisected)."""
    extra = [MAX_KEY, 0, 1, -1, *domain_keys(target)]
    samples = np.unique(np.concatenate([np.arange(-MAX_KEY, MAX_KEY, stride), extra]))
    classes = classify(target, samples)
    parts, start = [], int(samples[0])
    for index in np.flatnonzero(classes[1:] != classes[:-1]):
        low, high, low_class = int(samples[index]), int(samples[index + 1]), classes[index]
        while high - low > 1:  # the last key of low's class before the change
            middle = (low + high) // 2
            if classify(target, np.array([middle]))[0] == low_class:
                low = middle
            else:
                high = middle
        parts.append((CLASSES[low_class], start, low))
        start = high
    parts.append((CLASSES[classes[-1]], start, MAX_KEY))
    return _merge_adjacent(parts)


def _merge_adjacent(parts: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    merged: list[tuple[str, int, int]] = []
    for name, first, last in parts:
        if merged and merged[-1][0] == name and merged[-1][2] + 1 == first:
            merged[-1] = (name, merged[-1][1], last)
        else:
            merged.append((name, first, last))
    return merged


def _check_part(function: Callable, target: Target, name: str, first: int, last: int) -> dict:
    """Counts for a part checked by rule (not by ULP): overflow, undefined, subnormal results."""
    n = n_correct = n_zero = 0
    worst = 0.0
    for start in range(first, last + 1, _CHUNK):
        x = keys_to_float32(np.arange(start, min(start + _CHUNK, last + 1)))
        with np.errstate(all="ignore"):
            y = np.asarray(function(x), np.float32).astype(np.float64)
            reference = target.reference_f64(x.astype(np.float64))
        n += x.size
        if name == "overflow":
            n_correct += int(np.count_nonzero(np.isinf(y) & (np.sign(y) == np.sign(reference))))
        elif name == "undefined":
            n_correct += int(np.count_nonzero(np.isnan(y)))
        else:
            n_zero += int(np.count_nonzero(y == 0))
            n_correct += int(np.count_nonzero(y == reference.astype(np.float32)))
            with np.errstate(all="ignore"):
                errors = np.abs(y - reference) / 2.0**-149
            worst = max(worst, float(np.max(np.where(np.isnan(errors), np.inf, errors))))
    result = {"n_inputs": n, "n_correct": n_correct}
    if name == "subnormal_result":
        result.update(n_flushed_to_zero=n_zero, max_error_subnormal_ulps=worst)
    return result


def _nan_inputs(function: Callable) -> dict:
    """Every NaN bit pattern (both signs) must give NaN."""
    n = n_nan = 0
    for sign in (0, 0x80000000):
        for start in range(0x7F800001, 0x80000000, _CHUNK):
            bits = np.arange(start, min(start + _CHUNK, 0x80000000), dtype=np.int64) | sign
            y = np.asarray(function(bits.astype(np.uint32).view(np.float32)))
            n, n_nan = n + bits.size, n_nan + int(np.count_nonzero(np.isnan(y)))
    return {"n_inputs": n, "n_correct": n_nan}


def verify_all_floats(
    function: Callable, target: Target, workers: int = 2, stride: int = 4099,
    progress: Callable[[int, int], None] | None = None, max_per_part: int | None = None,
):
    """Check ``function`` on every float32 bit pattern.

    Args:
        function: picklable float32 -> float32 callable.
        target: the exact function.
        workers: processes for the scored parts.
        stride: sampling stride (in bit patterns) of the search for the parts.
        progress: ``progress(done, total)`` over the scored parts.
        max_per_part: check only the first inputs of each part (a quick smoke run, not a proof).

    Returns:
        ``(report, details)``: the exact ErrorReport of the ``normal`` part, and a JSON-ready
        dict with the parts and each rule-checked part's counts (and the subnormal inputs' report).
    """
    parts = find_parts(target, stride)
    if max_per_part is not None:
        parts = [(name, first, min(last, first + max_per_part - 1)) for name, first, last in parts]
    scored = {"normal": [], "subnormal_input": []}
    details: dict = {"parts": [], "stride": stride, "complete": max_per_part is None}
    total = sum(last - first + 1 for name, first, last in parts if name in scored)
    done = 0
    for name, first, last in parts:
        low, high = (float(v) for v in keys_to_float32(np.array([first, last])))
        details["parts"].append(
            {"class": name, "from": repr(low), "to": repr(high), "n_inputs": last - first + 1}
        )
        if name in scored:
            shifted = None if progress is None else (lambda d, t, o=done: progress(o + d, total))
            scored[name].append(
                exhaustive_float32(function, target, (low, high), workers=workers, progress=shifted)
            )
            done += last - first + 1
        else:
            details.setdefault(name, {"n_inputs": 0, "n_correct": 0})
            for key, value in _check_part(function, target, name, first, last).items():
                previous = details[name].get(key, 0)
                largest = key.startswith("max")
                details[name][key] = max(previous, value) if largest else previous + value
    details["nan_inputs"] = _nan_inputs(function)
    if scored["subnormal_input"]:
        details["subnormal_input"] = merge(scored["subnormal_input"]).to_dict()
    return merge(scored["normal"]), details
