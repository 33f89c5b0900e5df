"""Exact scoring of a run of consecutive float32 inputs: float64 fast path, mpmath where unsure.

Each input is scored against the target's float64 reference in numpy passes over cache-sized
blocks. The reference's relative error bound becomes a margin in ULP units, and every input
whose verdict that margin leaves open (ULP error within the margin of 0.5 or 1, possibly the
largest, or a reference so close to a power of two that the exact value's binade is unknown) is
recomputed with mpmath (``exact_values``). The counts are therefore exact, not float64 guesses,
while mpmath runs on a handful of inputs per million.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import float_format
from autonumerics.numerics.float_keys import float32_run
from autonumerics.numerics.metrics import (
    inverse_ulp_size,
    relative_errors,
    round_to_format,
    ulp_error_at_least,
    ulp_errors,
)
from autonumerics.numerics.reports import ErrorReport
from autonumerics.verification.exact_values import ExactTarget, exact_double_doubles

__all__ = ["ChunkScorer"]

FLOAT32 = float_format("float32")
BLOCK = 1 << 16  # inputs per numpy pass (measured best of 2**12 .. 2**16 on a 1 MiB L2)
MAX_REFINED_FOR_MAX = 8  # inputs mpmath certifies for a chunk's maximum, at most


class _Tally:
    """Running totals of one chunk.

    The maximum is settled lazily: inputs whose ULP error may be the chunk's largest wait in
    ``pending`` (bounded, pruned as the proven lower bound ``lower`` rises) and mpmath certifies
    them once, at the end of the chunk.
    """

    def __init__(self) -> None:
        self.n_points = self.n_ge_half = self.n_ge_one = self.n_correct = 0
        self.max_abs = self.max_rel = 0.0
        self.max_ulp, self.lower = -math.inf, -math.inf
        self.worst_input = self.worst_output = math.nan
        self.pending = (np.empty(0, np.float32), np.empty(0, np.float32), np.empty(0))

    def offer_max(self, ulp: float, x: float, output: float) -> None:
        """Take an exact (ulp, x) as the maximum if strictly larger: ties keep the earlier input."""
        self.lower = max(self.lower, ulp)
        if ulp > self.max_ulp:
            self.max_ulp, self.worst_input, self.worst_output = ulp, x, output

    def add_pending(
        self, x: np.ndarray, output: np.ndarray, estimate: np.ndarray, margin: float
    ) -> None:
        """Queue inputs whose true error is at most ``estimate + margin``; drop those that
        cannot reach ``lower``."""
        x, output, estimate = (np.concatenate(p)
                               for p in zip(self.pending, (x, output, estimate), strict=True))
        keep = np.flatnonzero(estimate + margin >= self.lower)
        if keep.size > MAX_REFINED_FOR_MAX:  # a plateau: certify the largest estimates only
            keep = np.sort(keep[np.argsort(-estimate[keep], kind="stable")[:MAX_REFINED_FOR_MAX]])
        self.pending = (x[keep], output[keep], estimate[keep])

    def report(self) -> ErrorReport:
        return ErrorReport(
            dtype="float32",
            n_points=self.n_points,
            exhaustive=True,
            max_rel_error=self.max_rel,
            max_abs_error=self.max_abs,
            max_ulp=self.max_ulp,
            worst_input=self.worst_input,
            worst_output=self.worst_output,
            n_ge_half_ulp=self.n_ge_half,
            n_ge_one_ulp=self.n_ge_one,
            n_correctly_rounded=self.n_correct,
        )


class ChunkScorer:
    """Scores runs of consecutive float32 inputs block by block, reusing its work arrays.

    Args:
        approx_fn: float32 array -> float32 array of the same shape; must not modify its input.
        target: the exact function (see ``ExactTarget``).
        block: inputs per numpy pass.
    """

    def __init__(self, approx_fn: Callable[[np.ndarray], np.ndarray], target: ExactTarget,
                 block: int = BLOCK) -> None:
        self.approx_fn, self.target, self.block = approx_fn, target, block
        bound = float(target.f64_rel_error_bound)
        # |ref - y| <= bound*|y| < bound * 2**24 ulp(y); 2**-30 covers the rounding of the
        # error computation itself (relative 2**-53) for errors up to 2**22 ulp.
        self.margin = bound * 2.0**FLOAT32.precision * (1 + 2.0**-20) + 2.0**-30
        # References within `bound` of a power of two (in float64 steps of the binade below).
        self.pow2_steps = np.int64(math.ceil(bound * 2.0**53) + 2)
        self.iota = np.arange(block, dtype=np.int32)
        self.bits = np.empty(block, np.int32)
        self.x64, self.errors, self.work = (np.empty(block) for _ in range(3))
        self.ints = np.empty(block, np.int64)
        self.flags, self.pow2 = np.empty(block, np.bool_), np.empty(block, np.bool_)

    def score(self, start: int, count: int) -> ErrorReport:
        """The exact report of keys start .. start+count-1 (one side of zero)."""
        tally = _Tally()
        for offset in range(0, count, self.block):
            n = min(self.block, count - offset)
            x = float32_run(start + offset, n, self.iota, self.bits)
            self._score_block(x, tally)
        self._settle_max(tally)
        return tally.report()

    def _score_block(self, x: np.ndarray, tally: _Tally) -> None:
        n = x.size
        approx = np.asarray(self.approx_fn(x))
        if approx.dtype != np.float32 or approx.shape != x.shape:
            raise AutonumericsError(
                f"approx_fn must return float32 values of shape {x.shape}, "
                f"got {approx.dtype} of shape {approx.shape}"
            )
        x64, errors = self.x64[:n], self.errors[:n]
        np.copyto(x64, x)
        hi = np.ascontiguousarray(self.target.reference_f64(x64), dtype=np.float64)
        with np.errstate(all="ignore"):
            tally.max_abs = max(tally.max_abs, self._abs_diff(approx, hi, errors))
            tally.max_rel = max(tally.max_rel, self._max_rel(approx, hi, errors))
            # ULP errors from the reference: |approx - ref| * 2**(23 - floor(log2|ref|)).
            np.multiply(errors, inverse_ulp_size(hi, FLOAT32, out=self.ints[:n]), out=errors)
        pow2 = self._near_power_of_two(hi)
        refine, guess_half, guess_one = self._threshold_candidates(errors, pow2)
        self._max_candidates(x, approx, errors, pow2, tally)
        tally.n_points += n
        tally.n_ge_half += guess_half
        tally.n_ge_one += guess_one
        tally.n_correct += n - guess_half  # error < 0.5 ulp <=> correctly rounded (but ties)
        if refine.size:
            self._refine(x, approx, errors, refine, tally)

    @staticmethod
    def _abs_diff(approx: np.ndarray, hi: np.ndarray, out: np.ndarray) -> float:
        """|approx - hi| into out (NaN made inf); returns its maximum."""
        np.copyto(out, approx)
        np.subtract(out, hi, out=out)
        np.abs(out, out=out)
        largest = float(out.max())  # NaN if any NaN: the check for non-finite outputs is free
        if not math.isfinite(largest):
            np.nan_to_num(out, copy=False, nan=np.inf)
            largest = math.inf
        return largest

    def _max_rel(self, approx: np.ndarray, hi: np.ndarray, diff: np.ndarray) -> float:
        rel = np.divide(diff, hi, out=self.work[: diff.size])
        largest = max(float(rel.max()), -float(rel.min()))
        if math.isnan(largest):  # 0/0 where the exact value is 0: the careful definition
            largest = float(relative_errors(approx, hi, np.zeros_like(hi)).max())
        return largest

    def _near_power_of_two(self, hi: np.ndarray) -> np.ndarray | None:
        """Mask of the references so close to a power of two that the exact value's binade, hence
        its ulp, is uncertain by a factor two (None if there are none)."""
        steps, ints, flags = self.pow2_steps, self.ints[: hi.size], self.pow2[: hi.size]
        np.add(hi.view(np.int64), steps, out=ints)
        np.bitwise_and(ints, np.int64(0x000FFFFFFFFFFFFF), out=ints)  # mantissa within steps of 0
        np.less_equal(ints, 2 * steps, out=flags)
        return flags if flags.any() else None

    def _count_ge(self, errors: np.ndarray, threshold: float) -> int:
        flags = np.greater_equal(errors, threshold, out=self.flags[: errors.size])
        return int(np.count_nonzero(flags))

    def _threshold_candidates(
        self, errors: np.ndarray, pow2: np.ndarray | None
    ) -> tuple[np.ndarray, int, int]:
        """Inputs whose side of 0.5 or 1 ulp the margin leaves open, and the float64 counts."""
        margin, parts, counts = self.margin, [], []
        for threshold in (0.5, 1.0):
            above = self._count_ge(errors, threshold + margin)
            if self._count_ge(errors, threshold - margin) == above:
                counts.append(above)
                continue
            window = np.flatnonzero((errors >= threshold - margin) & (errors < threshold + margin))
            parts.append(window)
            counts.append(above + int(np.count_nonzero(errors[window] >= threshold)))
        if pow2 is not None:  # there the true error lies in [e/2 - margin, 2e + margin]
            reach = np.greater_equal(errors, (0.5 - margin) / 2, out=self.flags[: errors.size])
            if np.logical_and(reach, pow2, out=reach).any():
                near = np.flatnonzero(reach)
                e = errors[near]
                parts.append(near[np.isfinite(e) & (e / 2 - margin < 1.0)])
        refine = np.unique(np.concatenate(parts)) if parts else np.empty(0, np.intp)
        return refine, counts[0], counts[1]

    def _max_candidates(self, x: np.ndarray, approx: np.ndarray, errors: np.ndarray,
                        pow2: np.ndarray | None, tally: _Tally) -> None:
        """Queue the inputs that may hold the chunk's largest error (mpmath settles them later)."""
        margin, block_max = self.margin, float(errors.max())
        if block_max == math.inf:  # a non-finite output: its error is exactly inf
            first = int(np.argmax(errors))
            tally.offer_max(math.inf, float(x[first]), float(approx[first]))
            return
        certain_max, upper = block_max, block_max + margin
        if pow2 is not None:  # true errors there lie in [e/2 - margin, 2e + margin]
            upper = max(upper, 2 * float(np.max(errors, where=pow2, initial=0.0)) + margin)
            certain = np.logical_not(pow2, out=self.flags[: errors.size])
            certain_max = float(np.max(errors, where=certain, initial=0.0))
        if upper < tally.lower:
            return
        tally.lower = max(tally.lower, certain_max - margin)
        reach = np.greater_equal(errors, tally.lower - margin, out=self.flags[: errors.size])
        if pow2 is not None:
            reach |= pow2 & (errors >= (tally.lower - margin) / 2)
        if np.count_nonzero(reach) > MAX_REFINED_FOR_MAX:
            # A plateau within the float64 margin (a smooth ramp of tiny errors, say): keep its
            # first largest estimate; the certified maximum is then within 2 margins of the truth.
            index = np.array([np.argmax(errors)])
        else:
            index = np.flatnonzero(reach)
        estimate = errors[index] * (2.0 if pow2 is not None else 1.0)
        tally.add_pending(x[index], approx[index], estimate, margin)

    def _refine(self, x: np.ndarray, approx: np.ndarray, errors: np.ndarray,
                indices: np.ndarray, tally: _Tally) -> None:
        """Replace the float64 verdicts at ``indices`` by exact ones from mpmath."""
        hi, lo = exact_double_doubles(self.target, x[indices])
        outputs, guess = approx[indices], errors[indices]
        exact = ulp_errors(outputs, hi, lo, FLOAT32)
        correct = outputs == round_to_format(hi, lo, FLOAT32)
        ge_half = ulp_error_at_least(outputs, hi, lo, FLOAT32, 0.5)
        ge_one = ulp_error_at_least(outputs, hi, lo, FLOAT32, 1.0)
        tally.n_ge_half += int(np.count_nonzero(ge_half) - np.count_nonzero(guess >= 0.5))
        tally.n_ge_one += int(np.count_nonzero(ge_one) - np.count_nonzero(guess >= 1.0))
        tally.n_correct += int(np.count_nonzero(correct) - np.count_nonzero(guess < 0.5))
        worst = int(np.argmax(exact))
        tally.offer_max(float(exact[worst]), float(x[indices[worst]]), float(outputs[worst]))

    def _settle_max(self, tally: _Tally) -> None:
        """Certify the queued maximum candidates with mpmath."""
        x, outputs, estimate = tally.pending
        reach = estimate + self.margin >= tally.lower
        x, outputs = x[reach], outputs[reach]
        if x.size and tally.max_ulp < math.inf:
            hi, lo = exact_double_doubles(self.target, x)
            exact = ulp_errors(outputs, hi, lo, FLOAT32)
            worst = int(np.argmax(exact))
            tally.offer_max(float(exact[worst]), float(x[worst]), float(outputs[worst]))
