"""gelu(x) = x Phi(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

gelu(x) = x Phi(x), Phi the standard normal distribution function. With a = |x| and
Phi(-a) = e^(-a^2/2) R(a) (R = erfcx(a/sqrt 2)/2: 1/2 at 0, ~1/(a sqrt(2 pi)) far out), the
kernel computes w = a Phi(-a) without cancellation and returns -w for x < 0 and x - w for
x >= 0 (Phi(x) = 1 - Phi(-x); w <= x/2 there, so the subtraction loses nothing).

* a is clamped to 15 (gelu(-15) < 2^-160 rounds to -0; inf and NaN become 15 here and come back
  through x - w). q = a / (1 + 3a/8) in [0, 2.2642] by one division, and a R(a) = (q/2) e^g
  with g(q) = ln(2 R(a) (1 + 3a/8)) smooth and small (0 at q = 0, -1.05 at a = 15). The
  "ratio" core, a degree-9 polynomial from a cost-aware search, gives G = g/q in [-0.463,
  -0.422] (read at max(q, 2^-40): G is 0/0 at q = 0, and q G is below 2^-41 there anyway).
  The kernel never rounds g itself: 2g = 2 q G enters s by one FMA, and 2 ql G by another.
* q is made exact as a pair: 1 + 3a/8 = den + dl (dl by one FMA: 1 - den is exact for den >= 1),
  the division's residual a - q den by one FMA, and ql = (a - q (den + dl)) (1 - 3q/8) gives
  q + ql = a / (1 + 3a/8) to ~2^-46 relative (1 - 3q/8 = 1/(1 + 3a/8)).
* e^(-a^2/2 + g) = 2^n e^(s/2): a^2 = h + l exactly (l by one FMA), n = round((g - h/2) log2 e)
  by the shifter FMA, s = (2g - h - 2n ln2_hi) - (2n ln2_lo + l): the first bracket's part
  -h - 2n ln2_hi is exact (ln2_hi has 15 bits, |n| <= 163), adding 2g rounds once at |s| <= ln 2
  and so does the last subtraction (2^-25 each, 2^-26 relative in e^(s/2)). The "exp" core
  gives e^(s/2) - 1 on [-ln 2, ln 2]; the 1 is never added on its own:
  w' = q + (q (e^(s/2) - 1) + ql e^(s/2)) = (q + ql) e^(s/2), the inner sum one FMA.
* w = w' 2^(n-1): NumPy and C scale in two steps, 2^(n+63) exactly then 2^-64 with one rounding
  (results below 2^-126, x < -13.2, are rounded once); JAX adds n - 1 to the exponent bits
  (exact while normal) and returns 0 below 2^-126, as XLA flushes subnormals anyway.
* x < 0: -w (NaN and -0 take the other branch: NaN - w = NaN, -0 - 0 = -0); x >= 0: x - w,
  which is x itself from x = 5.3475156 (0x1.563db2p+2) on, where gelu(x) rounds to x (+inf too).

Error budget (relative, units of 2^-24): G's error times q (~1) is an absolute error of g and
so a relative one of the result, the two roundings of s <= 0.5, the exp core's absolute error
<= 0.6, the inner FMA <= 0.41 (its term is at most 0.41 of w'), the final sum 1 (0.5 ULP);
for x >= 0 the errors of w enter x - w times w / (x - w) <= 1, plus the subtraction's rounding.
Measured: 2.54 ULP (x = -12.63) on 12M inputs of the negative side, where it peaks; dropping the
2 ql G term (one FMA) gives 3.16. jax.nn.gelu(approximate=False) is 1.66e7 ULP off near x = -13
and 24.7 ULP for |x| <= 6 (1 + erf cancels for x < 0).

Subnormal inputs and results are computed correctly.
Core 'ratio' (log(erfc(x/(1 - 0.375*x)/sqrt(2))*exp((x/(1 - 0.375*x))**2/2)/(1 - 0.375*x))/x on [9.094947017729282e-13, 2.265]): autonumerics/kernels/cores/gelu_fast_ratio.json
    (-0.04720521718263626 + ((((((-0.00029167899629101157 + (8.496810914948583e-05 + -8.517412425135262e-06 * x) * x) * x + 0.0004046484245918691) * x + -0.000545921444427222) * x + 0.0008698308374732733) * x + 0.0033247387036681175) * x + 0.005324491765350103) * x) * x + -0.4228845536708832
Core 'exp' (expm1(x/2) on [-0.694, 0.694]): autonumerics/kernels/cores/gelu_fast_exp.json
    ((((0.002604170935228467 + (0.0002615203848108649 + 2.170305378967896e-05 * x) * x) * x + 0.020833143964409828) * x + 0.1250000149011612) * x + 0.5) * x
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = gelu_fast(x)  # any shape, float32
"""

import numpy as np

def _fma32(a, b, c):
    """a*b + c rounded once to float32 (round to odd in float64, then to nearest)."""
    product = np.multiply(a, b, dtype=np.float64)  # exact: at most 48 significant bits
    addend = np.asarray(c, dtype=np.float64)
    total = product + addend
    # TwoSum: total + rest == product + addend exactly.
    addend_part = total - product
    product_part = total - addend_part
    rest = (product - product_part) + (addend - addend_part)
    rest = np.where(np.isfinite(total), rest, 0.0)
    # Round to odd: an inexact total with an even last bit moves one step towards the exact sum.
    bits = np.asarray(total, dtype=np.float64).view(np.int64)
    step = np.where(np.signbit(total) == np.signbit(rest), 1, -1).astype(np.int64)
    odd = np.where((rest != 0) & ((bits & 1) == 0), bits + step, bits).view(np.float64)
    return odd.astype(np.float32)


def _bits(x):
    """The float32 values' bit patterns as int32."""
    return np.asarray(x, dtype=np.float32).view(np.int32)


def _float(bits):
    """int32 bit patterns as float32 values."""
    return np.asarray(bits, dtype=np.int32).view(np.float32)


def _pow2(n):
    """2.0**n as float32 for int32 n in [-126, 127], built from its exponent bits (exact)."""
    return _float((np.asarray(n, dtype=np.int32) + np.int32(127)) << np.int32(23))


__all__ = ["gelu_fast"]

KERNEL_NAME = "gelu_fast"
TARGET = "gelu"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'ratio': 'autonumerics/kernels/cores/gelu_fast_ratio.json', 'exp': 'autonumerics/kernels/cores/gelu_fast_exp.json'}


def _gelu_fast_ratio(r):
    """log(erfc(x/(1 - 0.375*x)/sqrt(2))*exp((x/(1 - 0.375*x))**2/2)/(1 - 0.375*x))/x: (-0.04720521718263626 + ((((((-0.00029167899629101157 + (8.496810914948583e-05 + -8.517412425135262e-06 * x) * x) * x + 0.0004046484245918691) * x + -0.000545921444427222) * x + 0.0008698308374732733) * x + 0.0033247387036681175) * x + 0.005324491765350103) * x) * x + -0.4228845536708832 (18 ops, xla, hash 37e5ac8beefc6948)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("-0x1.82b4840000000p-5"))
        c1 = np.float32(float.fromhex("-0x1.31d8fc0000000p-12"))
        c2 = np.float32(float.fromhex("0x1.6461d00000000p-14"))
        c3 = np.float32(float.fromhex("-0x1.1dcc040000000p-17"))
        c4 = np.float32(float.fromhex("0x1.a84dfc0000000p-12"))
        c5 = np.float32(float.fromhex("-0x1.1e38560000000p-11"))
        c6 = np.float32(float.fromhex("0x1.c80ab80000000p-11"))
        c7 = np.float32(float.fromhex("0x1.b3c7b80000000p-9"))
        c8 = np.float32(float.fromhex("0x1.5cf2260000000p-8"))
        c9 = np.float32(float.fromhex("-0x1.b108a60000000p-2"))
        v0 = _fma32(c3, x, c2)
        v1 = _fma32(v0, x, c1)
        v2 = _fma32(v1, x, c4)
        v3 = _fma32(v2, x, c5)
        v4 = _fma32(v3, x, c6)
        v5 = _fma32(v4, x, c7)
        v6 = _fma32(v5, x, c8)
        v7 = _fma32(v6, x, c0)
        v8 = _fma32(v7, x, c9)
    return np.broadcast_to(v8, x.shape).astype(np.float32, copy=True)


def _gelu_fast_exp(r):
    """expm1(x/2): ((((0.002604170935228467 + (0.0002615203848108649 + 2.170305378967896e-05 * x) * x) * x + 0.020833143964409828) * x + 0.1250000149011612) * x + 0.5) * x (11 ops, xla, hash 0d017e3ab765b9b0)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.55557a0000000p-9"))
        c1 = np.float32(float.fromhex("0x1.1239580000000p-12"))
        c2 = np.float32(float.fromhex("0x1.6c1de80000000p-16"))
        c3 = np.float32(float.fromhex("0x1.55548a0000000p-6"))
        c4 = np.float32(float.fromhex("0x1.0000020000000p-3"))
        c5 = np.float32(float.fromhex("0x1.0000000000000p-1"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = v4 * x
    return np.broadcast_to(v5, x.shape).astype(np.float32, copy=True)


def gelu_fast(x):
    """gelu(x) = x Phi(x) in float32 for every input, <= 3.5 ULP (module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
        a = np.where(a < np.float32(float.fromhex("0x1.ep+3")), a, np.float32(float.fromhex("0x1.ep+3")))  # inf and NaN -> 15 too (NaN returns via x - w)
        h = a * a
        l = _fma32(a, a, -h)  # exact
        den = _fma32(a, np.float32(float.fromhex("0x1.8p-2")), np.float32(float.fromhex("0x1p+0")))
        dl = _fma32(a, np.float32(float.fromhex("0x1.8p-2")), np.float32(float.fromhex("0x1p+0")) - den)  # exact
        q = _float(_bits(a / den) & np.int32(0x7FFFFFFF))  # q >= 0: the AND is the division's one use
        res = _fma32(-q, den, a)  # exact
        e = _fma32(-q, dl, res)
        ql = e * _fma32(-q, np.float32(float.fromhex("0x1.8p-2")), np.float32(float.fromhex("0x1p+0")))  # q + ql = a / (1 + Ka)
        gq = _gelu_fast_ratio(np.where(q > np.float32(float.fromhex("0x1p-40")), q, np.float32(float.fromhex("0x1p-40"))))  # G = g/q (0/0 at q = 0: q >= 2^-40)
        g2 = gq + gq  # 2G, exact
        u = _fma32(q, gq, -(h * np.float32(float.fromhex("0x1p-1"))))  # g - a^2/2, only for n
        t = _fma32(u, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23")))
        nf = t - np.float32(float.fromhex("0x1.8p+23"))  # n, exact
        s1 = -(nf * np.float32(float.fromhex("0x1.62e4p+0"))) - h  # exact
        s1 = _fma32(ql, g2, s1)  # + 2 ql G, one rounding
        c = _fma32(nf, np.float32(float.fromhex("0x1.7f7d1cp-19")), l)
        s = _fma32(q, g2, s1) - c  # two roundings, as XLA fuses
        em1 = _gelu_fast_exp(s)  # e^(s/2) - 1
        j = _fma32(q, em1, ql * (em1 + np.float32(float.fromhex("0x1p+0"))))  # one rounding, as XLA fuses it
        w = q + j  # (q + ql) e^(s/2)
        w = (w * _float((_bits(t) + np.int32(190)) << 23)) * np.float32(float.fromhex("0x1p-64"))  # 2^(n-1): exact, or one rounding (subnormal)
        y = np.where(x < 0, -w, x - w)
    return np.asarray(y, np.float32)
