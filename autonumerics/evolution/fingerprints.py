"""The search's functional-duplicate filter: fingerprints of what a program computes, and the
bounded caches of keys (fingerprints, structural hashes) that a checkpoint saves.

Two programs that compute the same function (``x + x`` and ``2*x``) share a fingerprint, so
the second is not admitted to the population: it would only crowd out different ones.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Hashable, Iterable

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.program import Program

SIGNIFICANT_DIGITS = 12  # fingerprints ignore differences below ~1e-12 relative (rounding noise)
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def probe_points(low: float, high: float, count: int = 16) -> np.ndarray:
    """``count`` fixed, irregularly spaced points inside ``[low, high]`` (a golden-ratio
    sequence): irregular, so two different functions rarely agree on all of them."""
    fractions = (0.5 + _GOLDEN * np.arange(count)) % 1.0
    return low + (high - low) * fractions


def fingerprint(program: Program, points: np.ndarray) -> bytes:
    """A hash of the program's values (its own constants, float64) at ``points``, each rounded to
    ``SIGNIFICANT_DIGITS`` digits: programs computing the same function share it, up to
    rounding noise (a value right at a rounding boundary may split a pair; that only costs an
    evaluation)."""
    values = evaluate(program, np.asarray(points, dtype=np.float64), "float64") + 0.0  # -0 -> +0
    digits = SIGNIFICANT_DIGITS - 1
    text = ",".join("nan" if math.isnan(v) else f"{v:.{digits}e}" for v in values.tolist())
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


class FingerprintCache:
    """A bounded set of keys (fingerprints, structural hashes) that forgets the least recently
    seen first; ``keys()`` and the ``items`` argument let a checkpoint save and restore it
    (what ``functools.lru_cache``, which memoises calls and hides its keys, cannot do)."""

    def __init__(self, max_size: int = 100_000, items: Iterable[Hashable] = ()) -> None:
        if max_size < 1:
            raise AutonumericsError(f"fingerprint cache size {max_size!r} must be >= 1")
        self.max_size = max_size
        self._entries: OrderedDict[Hashable, None] = OrderedDict()
        for item in items:
            self.seen(item)

    def keys(self) -> list[Hashable]:
        """The remembered keys, least recently seen first."""
        return list(self._entries)

    def seen(self, key: Hashable) -> bool:
        """True if ``key`` was seen before (and is remembered); otherwise remember it, False."""
        if key in self._entries:
            self._entries.move_to_end(key)
            return True
        self._entries[key] = None
        if len(self._entries) > self.max_size:
            self._entries.popitem(last=False)
        return False

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries
