"""The functional-duplicate filter: fingerprints of what a program computes, bounded key caches."""

import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.evolution.fingerprints import FingerprintCache, fingerprint, probe_points
from autonumerics.ir.parse import parse_expr


def test_fingerprint_identifies_functions_not_spellings():
    points = probe_points(0.0, 1.0)
    assert points.shape == (16,) and np.all((points > 0) & (points < 1)) and len(set(points)) == 16
    assert np.array_equal(points, probe_points(0.0, 1.0))
    same = [parse_expr(e) for e in ("x + x", "2*x", "x*4 - x*2", "(x*x + x)/x + x - 1")]
    assert len({fingerprint(p, points) for p in same}) == 1
    assert fingerprint(parse_expr("x*x"), points) != fingerprint(parse_expr("x"), points)
    assert fingerprint(parse_expr("x*(1 + 1e-9)"), points) != fingerprint(parse_expr("x"), points)
    assert fingerprint(parse_expr("x - x"), points) == fingerprint(parse_expr("-x + x"), points)
    assert isinstance(fingerprint(parse_expr("1/(x - x)"), points), bytes)  # inf/nan do not crash


def test_cache_is_bounded_and_forgets_the_least_recent():
    cache = FingerprintCache(max_size=3)
    assert [cache.seen(k) for k in (b"a", b"b", b"c", b"a")] == [False, False, False, True]
    assert not cache.seen(b"d")  # evicts b (a was refreshed)
    assert len(cache) == 3 and b"b" not in cache and b"a" in cache
    for index in range(100):
        cache.seen(bytes([index]))
    assert len(cache) == 3
    with pytest.raises(AutonumericsError):
        FingerprintCache(0)


def test_cache_keys_restore_the_same_order_of_forgetting():
    # what a checkpoint saves and a resume restores: the same keys, least recently seen first
    cache = FingerprintCache(max_size=3, items=[b"a", b"b", b"c"])
    cache.seen(b"a")
    restored = FingerprintCache(3, cache.keys())
    assert restored.keys() == cache.keys() == [b"b", b"c", b"a"]
    restored.seen(b"d")
    assert b"b" not in restored and b"a" in restored
