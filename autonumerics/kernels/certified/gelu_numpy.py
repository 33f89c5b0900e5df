"""gelu(x) = x Phi(x) in float32 for every input: a full-range kernel exported by autonumerics (numpy).

gelu(x) = x Phi(x). With a = |x| and w = a Phi(-a), the kernel returns -w for x < 0 and x - w
for x >= 0 (w <= x/2 there). As in the fast kernel (``autonumerics/kernels/fast/gelu.py``),
q = a / (1 + 3a/8) and a Phi(-a) = (q/2) e^(-a^2/2 + g), g(q) = ln(2 R(a) (1 + 3a/8)) smooth and
small (0 at q = 0, -1.05 at a = 15), R = erfcx(a/sqrt 2)/2. Every step keeps a low part:

* a is clamped to 15 (gelu(-15) rounds to -0). q + ql = a / (1 + 3a/8) to ~2^-46 (1 + 3a/8 =
  den + dl exactly, the division's residual by FMAs; the fast kernel's construction).
* g = q G(q), G(q) = G0 + q H(q), G0 = 3/8 - sqrt(2/pi) = G0h + G0l (two float32). g = gh + gr:
  gh = q G0h rounded, its error gl exactly by one FMA, gr = q (G0l + q H) + (ql G0h + gl). The
  "tail" core H (degree 10 in u = q - 2, fitted for the absolute error of q^2 H, which is what
  reaches g) errs by <= 0.11 units of 2^-24 in q^2 H as evaluated in float32 (u centred at the
  top of [0, 2.2642], where q^2 is largest); the roundings inside gr are <= 2^-28.
* The exponent z = -a^2/2 + g: a^2 = h + l (FMA), sh + sl = -h/2 + gh exactly (TwoSum),
  n = round((sh + gr) log2 e) (shifter FMA), r = sh - n ln2_hi exact (one FMA; |r| < 0.5 and r
  is a multiple of ulp(sh) or 2^-24), rh + rerr = r + gr exactly (TwoSum; |rh| <= 0.3466),
  c = rerr + sl - l/2 - n ln2_lo (|c| < 2^-17; its roundings are 2^-41).
* e^(rh) = p + pl as in ``exp_pair``: the accurate expm1 core m(r) ~ e^r - 1 - r (6.6e-9
  absolute, 0.16 units of 2^-24 relative at most), 1 + r split exactly, Fast2Sum; pl takes
  c p by one FMA (e^c = 1 + c to 2^-35).
* w = 2^(n-1) (q + ql)(p + pl): vh = q p, vl its exact error (FMA), vlow = q pl + (ql p + vl)
  by two FMAs. x < 0: -(vh + vlow) 2^(n-1), rounded once (NumPy and C scale in two steps,
  2^(n+63) exactly then 2^-64: subnormal results, x < -13.146, are rounded once more; JAX adds
  n - 1 to the exponent bits and returns 0 below 2^-126, as XLA flushes). x >= 0 (n >= -21
  wherever it matters): wh + wl = (vh + vlow) 2^(n-1) exactly, d + e = x - wh exactly
  (Fast2Sum, x >= 2 wh), the result d + (e - wl), rounded once.
* x >= 5.3475156 (0x1.563db2p+2, where gelu(x) rounds to x) returns x by a select (+inf, NaN
  too); x = -inf gives -0; +-0 give +-0 (the x >= 0 form ends d - (wl - e): -0 - 0).

Error budget before the last rounding (relative, units of 2^-24): H in g 0.11, other roundings
of g and the exponent <= 0.05, the expm1 core 0.16, 1 + r and the products <= 0.02: ~0.35 at
worst, and the worst cases of the parts rarely meet. For x >= 0, w's error enters times
w / (x - w) <= 1. Measured (every float32 in the intervals, ``autonumerics verify --interval
... --exhaustive``): 0.811 ULP (x = -2.7813) on [-4, -2], 0.727 on [-13.146, -12]; sampled
over the whole line (2^18 per part, JAX and NumPy): 0.698 ULP.

Subnormal inputs and results are computed correctly.
Core 'tail' ((log(erfc((x + 2)/(1 - 0.375*(x + 2))/sqrt(2))*exp(((x + 2)/(1 - 0.375*(x + 2)))**2/2)/(1 - 0.375*(x + 2)))/(x + 2) - 0.375 + sqrt(2/pi))/(x + 2) on [-1.9999995, 0.265]): autonumerics/kernels/cores/gelu_tail.json
    -0.02205662429332733 + x * (0.017305314540863037 + x * (-0.0003535693685989827 + x * (-0.0016605050768703222 + x * (0.00024579346063546836 + x * (0.00021039176499471068 + x * (-6.509402737719938e-05 + x * (-4.0485389035893604e-05 + x * (8.19997330836486e-06 + x * (7.942197044030763e-06 + x * 1.313454276896664e-06)))))))))
Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
    ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
Usage: y = gelu(x)  # any shape, float32
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


__all__ = ["gelu"]

KERNEL_NAME = "gelu"
TARGET = "gelu"
INTERVAL = (-3.4028234663852886e+38, 3.4028234663852886e+38)  # valid for every float32
CORES = {'tail': 'autonumerics/kernels/cores/gelu_tail.json', 'expm1': 'autonumerics/kernels/cores/expm1_core.json'}


def _gelu_tail(r):
    """(log(erfc((x + 2)/(1 - 0.375*(x + 2))/sqrt(2))*exp(((x + 2)/(1 - 0.375*(x + 2)))**2/2)/(1 - 0.375*(x + 2)))/(x + 2) - 0.375 + sqrt(2/pi))/(x + 2): -0.02205662429332733 + ((-0.0003535693685989827 + ((((((8.19997330836486e-06 + (7.942197044030763e-06 + 1.313454276896664e-06 * x) * x) * x + -4.0485389035893604e-05) * x + -6.509402737719938e-05) * x + 0.00021039176499471068) * x + 0.00024579346063546836) * x + -0.0016605050768703222) * x) * x + 0.017305314540863037) * x (20 ops, xla, hash c94db6931cb4f500)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("-0x1.6960300000000p-6"))
        c1 = np.float32(float.fromhex("-0x1.72be8e0000000p-12"))
        c2 = np.float32(float.fromhex("0x1.13253c0000000p-17"))
        c3 = np.float32(float.fromhex("0x1.0a7ef40000000p-17"))
        c4 = np.float32(float.fromhex("0x1.6093e40000000p-20"))
        c5 = np.float32(float.fromhex("-0x1.539db60000000p-15"))
        c6 = np.float32(float.fromhex("-0x1.11062e0000000p-14"))
        c7 = np.float32(float.fromhex("0x1.b939380000000p-13"))
        c8 = np.float32(float.fromhex("0x1.01bbae0000000p-12"))
        c9 = np.float32(float.fromhex("-0x1.b34a9c0000000p-10"))
        c10 = np.float32(float.fromhex("0x1.1b87c00000000p-6"))
        v0 = _fma32(c4, x, c3)
        v1 = _fma32(v0, x, c2)
        v2 = _fma32(v1, x, c5)
        v3 = _fma32(v2, x, c6)
        v4 = _fma32(v3, x, c7)
        v5 = _fma32(v4, x, c8)
        v6 = _fma32(v5, x, c9)
        v7 = _fma32(v6, x, c1)
        v8 = _fma32(v7, x, c10)
        v9 = _fma32(v8, x, c0)
    return np.broadcast_to(v9, x.shape).astype(np.float32, copy=True)


def _gelu_expm1(r):
    """expm1(x) - x: ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x) (12 ops, xla, hash 7436f35ca8cc577a)."""
    x = np.asarray(r, dtype=np.float32)
    with np.errstate(all="ignore"):
        c0 = np.float32(float.fromhex("0x1.11116c0000000p-7"))
        c1 = np.float32(float.fromhex("0x1.6d36920000000p-10"))
        c2 = np.float32(float.fromhex("0x1.a014820000000p-13"))
        c3 = np.float32(float.fromhex("0x1.5554f40000000p-5"))
        c4 = np.float32(float.fromhex("0x1.5555540000000p-3"))
        c5 = np.float32(float.fromhex("0x1.0000000000000p-1"))
        v0 = _fma32(c2, x, c1)
        v1 = _fma32(v0, x, c0)
        v2 = _fma32(v1, x, c3)
        v3 = _fma32(v2, x, c4)
        v4 = _fma32(v3, x, c5)
        v5 = x * x
        v6 = v4 * v5
    return np.broadcast_to(v6, x.shape).astype(np.float32, copy=True)


def gelu(x):
    """gelu(x) = x Phi(x) in float32 for every input, <= 1 ULP (module docstring), subnormal results included."""
    x = np.asarray(x, np.float32)
    bits = _bits(x)
    with np.errstate(all="ignore"):
        a = _float(bits & np.int32(0x7FFFFFFF))  # |x|, exact
        a = np.where(a < np.float32(float.fromhex("0x1.ep+3")), a, np.float32(float.fromhex("0x1.ep+3")))  # inf and NaN -> 15 (selected away at the end)
        h = a * a
        l = _fma32(a, a, -h)  # exact
        den = _fma32(a, np.float32(float.fromhex("0x1.8p-2")), np.float32(float.fromhex("0x1p+0")))
        dl = _fma32(a, np.float32(float.fromhex("0x1.8p-2")), np.float32(float.fromhex("0x1p+0")) - den)  # exact
        q = _float(_bits(a / den) & np.int32(0x7FFFFFFF))  # q >= 0: the AND is the division's one use
        res = _fma32(-q, den, a)  # exact
        e = _fma32(-q, dl, res)
        ql = e * _fma32(-q, np.float32(float.fromhex("0x1.8p-2")), np.float32(float.fromhex("0x1p+0")))  # q + ql = a / (1 + Ka)
        hq = _gelu_tail(np.where(q > np.float32(float.fromhex("0x1p-21")), q, np.float32(float.fromhex("0x1p-21"))) - np.float32(float.fromhex("0x1p+1")))  # H(q)
        inner = _fma32(q, hq, np.float32(float.fromhex("-0x1.ea1b28p-28")))
        gh = q * np.float32(float.fromhex("-0x1.b108a6p-2"))
        gl = _fma32(q, np.float32(float.fromhex("-0x1.b108a6p-2")), -gh)  # exact
        gr = _fma32(ql, np.float32(float.fromhex("-0x1.b108a6p-2")), gl)
        gr = _fma32(q, inner, gr)  # g = gh + gr
        hh = h * -np.float32(float.fromhex("0x1p-1"))  # -a^2/2 + l/2, exact
        sh = hh + gh
        b = sh - hh
        sl = (hh - (sh - b)) + (gh - b)  # sh + sl = hh + gh (TwoSum)
        t = _fma32(sh + gr, np.float32(float.fromhex("0x1.715476p+0")), np.float32(float.fromhex("0x1.8p+23")))
        nf = t - np.float32(float.fromhex("0x1.8p+23"))  # n, exact
        r = _fma32(-nf, np.float32(float.fromhex("0x1.62e43p-1")), sh)  # exact
        rh = r + gr
        b = rh - r
        rerr = (r - (rh - b)) + (gr - b)  # rh + rerr = r + gr (TwoSum)
        c = _fma32(nf, np.float32(float.fromhex("0x1.05c61p-29")), (rerr + sl) - l * np.float32(float.fromhex("0x1p-1")))
        m = _gelu_expm1(rh)  # e^rh - 1 - rh
        h1 = np.float32(float.fromhex("0x1p+0")) + rh
        lo1 = rh - (h1 - np.float32(float.fromhex("0x1p+0")))  # h1 + lo1 = 1 + rh exactly
        mid = lo1 + m
        p = h1 + mid
        pl = _fma32(c, p, mid - (p - h1))  # e^(r + c) = p + pl
        vh = q * p
        vl = _fma32(q, p, -vh)  # exact
        vlow = _fma32(ql, p, vl)
        vlow = _fma32(q, pl, vlow)  # (q + ql)(p + pl) = vh + vlow
        wn = ((vh + vlow) * _float((_bits(t) + np.int32(190)) << 23)) * np.float32(float.fromhex("0x1p-64"))  # 2^(n-1): exact, or one rounding (subnormal)
        s = _pow2(np.maximum(_bits(t) - np.int32(0x4B400001), np.int32(-126)))  # 2^(n-1), x >= 0
        wh = vh * s
        wl = vlow * s
        d = x - wh
        e = (x - d) - wh  # d + e = x - wh (Fast2Sum: x >= 2 wh)
        y = np.where(x < 0, -wn, d - (wl - e))  # -0 - (0 - 0) = -0
        y = np.where(x < np.float32(float.fromhex("0x1.563db2p+2")), y, x)  # x itself from 5.3475156 on; +inf; NaN
    return np.asarray(y, np.float32)
