"""The accurate float32 gelu kernel: x Phi(x) from e^(-x^2/2 + g) with g, the exponent and the
product carried as unrounded pairs, <= 1 ULP.

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
"""

from __future__ import annotations

from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import (
    assemble_kernel,
    float32_literal,
    kernel_docstring,
    python_kernel,
)
from autonumerics.kernels.base import Core, CoreRole, KernelSource, packaged_core

KID = "gelu"
DEFAULT_CORES = {"tail": packaged_core("gelu_tail.json"),
                 "expm1": packaged_core("expm1_core.json")}

CLAMP = "0x1.ep+3"  # 15: gelu(-15) rounds to -0; keeps n >= -164 and 2^(n+63) normal
K = "0x1.8p-2"  # 3/8: q = a / (1 + K a)
FLOOR = "0x1p-21"  # the tail core reads max(q, 2^-21) - 2 (its target is 0/0 at q = 0)
CENTRE = "0x1p+1"  # 2: the tail core's input is u = q - 2
G0_HI = "-0x1.b108a6p-2"  # G0 = 3/8 - sqrt(2/pi) = G0_HI + G0_LO
G0_LO = "-0x1.ea1b28p-28"
SATURATION = "0x1.563db2p+2"  # 5.3475156: gelu(x) rounds to x from here on
TAIL_TARGET = ("(log(erfc((x + 2)/(1 - 0.375*(x + 2))/sqrt(2))*exp(((x + 2)/(1 - 0.375*(x + 2)))"
               "**2/2)/(1 - 0.375*(x + 2)))/(x + 2) - 0.375 + sqrt(2/pi))/(x + 2)")  # H(u + 2)
ROLES = {"tail": CoreRole(TAIL_TARGET, (-1.9999995, 0.2641509)),  # u = max(q, 2^-21) - 2
         # rh: ln2/2 plus the slack of n rounded from sh + gr (< 2e-5)
         "expm1": CoreRole("expm1(x) - x", (-0.3466, 0.3466))}
LOG2E = "0x1.715476p+0"
SHIFTER = "0x1.8p+23"  # t = z log2e + SHIFTER holds n = round(z log2e) in its low bits
LN2_HI = "0x1.62e43p-1"  # float32(ln 2): r = sh - n ln2_hi exact by one FMA
NEG_LN2_LO = "0x1.05c61p-29"  # -(ln 2 - ln2_hi)
SCALE_BIAS = 127 + 63  # bits(t) + 190 << 23 = 2^(n+63)

DESCRIPTION = (
    "a = |x| clamped to 15; q + ql = a/(1 + 3a/8) (one division, FMA residuals); a Phi(-a) = "
    "(q/2) e^(-a^2/2 + g), g = q G0 + q^2 H(q) with G0 a float32 pair, q G0 an exact FMA pair and "
    "H the tail core (degree 10 in q - 2); the exponent as an exact pair (a^2 = h + l, TwoSums, "
    "exact Cody-Waite), e^r = p + pl (accurate expm1 core, Fast2Sum); w = (q + ql)(p + pl) "
    "2^(n-1) with one rounding; x < 0: -w, x >= 0: x - w by Fast2Sum (one rounding); x >= "
    "5.3475156 -> x; NaN -> NaN; subnormal results rounded once more (NumPy, C; JAX flushes)."
)

# name -> (JAX line, NumPy line): JAX writes a*b + c and XLA fuses it; NumPy writes _fma32
_LINES = {
    "l": ("l = ra * a - h  # XLA fuses: exact", "l = _fma32(a, a, -h)  # exact"),
    "den": ("den = a * {K} + {one}", "den = _fma32(a, {K}, {one})"),
    "dl": ("dl = ra * {K} + ({one} - den)  # exact", "dl = _fma32(a, {K}, {one} - den)  # exact"),
    "res": ("res = a - q * den  # exact", "res = _fma32(-q, den, a)  # exact"),
    "e": ("e = res - q * dl", "e = _fma32(-q, dl, res)"),
    "ql": ("ql = e * ({one} - q * {K})  # q + ql = a / (1 + Ka)",
           "ql = e * _fma32(-q, {K}, {one})  # q + ql = a / (1 + Ka)"),
    "inner": ("inner = q * hq + {G0_LO}", "inner = _fma32(q, hq, {G0_LO})"),
    "gl": ("gl = rq * {G0_HI} - gh  # exact", "gl = _fma32(q, {G0_HI}, -gh)  # exact"),
    "gr1": ("gr = ql * {G0_HI} + gl", "gr = _fma32(ql, {G0_HI}, gl)"),
    "gr2": ("gr = q * inner + gr  # g = gh + gr", "gr = _fma32(q, inner, gr)  # g = gh + gr"),
    "t": ("t = jax.lax.optimization_barrier((sh + gr) * {LOG2E} + {SHIFTER})",
          "t = _fma32(sh + gr, {LOG2E}, {SHIFTER})"),
    "r": ("r = sh - nf * {LN2_HI}  # exact", "r = _fma32(-nf, {LN2_HI}, sh)  # exact"),
    "c": ("c = nf * {NEG_LN2_LO} + ((rerr + sl) - l * {half})",
          "c = _fma32(nf, {NEG_LN2_LO}, (rerr + sl) - l * {half})"),
    "m": ("m = _rounded(_gelu_expm1(rh))  # e^rh - 1 - rh (kept apart from mid)",
          "m = _gelu_expm1(rh)  # e^rh - 1 - rh"),
    "h1": ("h1 = jax.lax.optimization_barrier({one} + rh)", "h1 = {one} + rh"),
    "pl": ("pl = c * p + (mid - (p - h1))  # e^(r + c) = p + pl",
           "pl = _fma32(c, p, mid - (p - h1))  # e^(r + c) = p + pl"),
    "vl": ("vl = rq * p - vh  # exact", "vl = _fma32(q, p, -vh)  # exact"),
    "v1": ("vlow = ql * p + vl", "vlow = _fma32(ql, p, vl)"),
    "v2": ("vlow = q * pl + vlow  # (q + ql)(p + pl) = vh + vlow",
           "vlow = _fma32(q, pl, vlow)  # (q + ql)(p + pl) = vh + vlow"),
    # 2^(n-1) on the exponent bits (exact while normal); below 2^-126: 0, as XLA flushes
    "neg": ("wn = _bits(vh + vlow) + ((_bits(t) - 1) << 23)  # bits(t) << 23 = n << 23\n"
            "wn = jnp.where(wn < 0x00800000, jnp.float32(0.0), _float(wn))",
            "wn = ((vh + vlow) * _float((_bits(t) + np.int32({SCALE_BIAS})) << 23)) * {down}"
            "  # 2^(n-1): exact, or one rounding (subnormal)"),
}


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    names = ("CLAMP", "K", "FLOOR", "CENTRE", "G0_HI", "G0_LO", "SATURATION", "LOG2E", "SHIFTER",
             "LN2_HI", "NEG_LN2_LO")
    k = {name: float32_literal(globals()[name], language) for name in names}
    k.update(one=float32_literal("0x1p+0", language), half=float32_literal("0x1p-1", language),
             down=float32_literal("0x1p-64", language), SCALE_BIAS=SCALE_BIAS)
    column = 0 if language == "jax" else 1
    line = {name: pair[column].format(**k) for name, pair in _LINES.items()}
    docstring = "gelu(x) = x Phi(x) in float32 for every input, <= 1 ULP (module docstring)"
    if language == "jax":
        docstring += "; subnormal results are flushed (XLA)."
        fences = "ra = _rounded(a)  # products apart from a*a, a*K (CSE)\n"
        qfence = "rq = _rounded(q)  # products apart from q*G0_HI, q*p (CSE)\n"
    else:
        docstring += ", subnormal results included."
        fences = qfence = ""
    body = f"""a = _float(bits & {ns}.int32(0x7FFFFFFF))  # |x|, exact
a = {ns}.where(a < {k['CLAMP']}, a, {k['CLAMP']})  # inf and NaN -> 15 (selected away at the end)
{fences}h = a * a
{line['l']}
{line['den']}
{line['dl']}
q = _float(_bits(a / den) & {ns}.int32(0x7FFFFFFF))  # q >= 0: the AND is the division's one use
{qfence}{line['res']}
{line['e']}
{line['ql']}
hq = _gelu_tail({ns}.where(q > {k['FLOOR']}, q, {k['FLOOR']}) - {k['CENTRE']})  # H(q)
{line['inner']}
gh = q * {k['G0_HI']}
{line['gl']}
{line['gr1']}
{line['gr2']}
hh = h * -{k['half']}  # -a^2/2 + l/2, exact
sh = hh + gh
b = sh - hh
sl = (hh - (sh - b)) + (gh - b)  # sh + sl = hh + gh (TwoSum)
{line['t']}
nf = t - {k['SHIFTER']}  # n, exact
{line['r']}
rh = r + gr
b = rh - r
rerr = (r - (rh - b)) + (gr - b)  # rh + rerr = r + gr (TwoSum)
{line['c']}
{line['m']}
{line['h1']}
lo1 = rh - (h1 - {k['one']})  # h1 + lo1 = 1 + rh exactly
mid = lo1 + m
p = h1 + mid
{line['pl']}
vh = q * p
{line['vl']}
{line['v1']}
{line['v2']}
{line['neg']}
s = _pow2({ns}.maximum(_bits(t) - {ns}.int32(0x4B400001), {ns}.int32(-126)))  # 2^(n-1), x >= 0
wh = vh * s
wl = vlow * s
d = x - wh
e = (x - d) - wh  # d + e = x - wh (Fast2Sum: x >= 2 wh)
y = {ns}.where(x < 0, -wn, d - (wl - e))  # -0 - (0 - 0) = -0
y = {ns}.where(x < {k['SATURATION']}, y, x)  # x itself from 5.3475156 on; +inf; NaN"""
    return python_kernel(KID, language, docstring, body)


_C_KERNEL = '''
static inline float {name}(float x) {{
    if (!(x < {sat}f)) return x;  /* gelu(x) rounds to x; +inf; NaN */
    const float ax = fabsf(x);
    const float a = ax < {clamp}f ? ax : {clamp}f;
    const float h = a * a;
    const float l = fmaf(a, a, -h);  /* a^2 = h + l */
    const float den = fmaf(a, {k}f, 1.0f);
    const float dl = fmaf(a, {k}f, 1.0f - den);
    const float q = a / den;
    const float e = fmaf(-q, dl, fmaf(-q, den, a));
    const float ql = e * fmaf(-q, {k}f, 1.0f);  /* q + ql = a / (1 + Ka) */
    const float hq = {name}_tail((q > {floor}f ? q : {floor}f) - {centre}f);
    const float inner = fmaf(q, hq, {g0lo}f);
    const float gh = q * {g0hi}f;
    const float gl = fmaf(q, {g0hi}f, -gh);
    const float gr = fmaf(q, inner, fmaf(ql, {g0hi}f, gl));  /* g = gh + gr */
    const float hh = h * -0.5f;
    const float sh = hh + gh;
    float b = sh - hh;
    const float sl = (hh - (sh - b)) + (gh - b);
    const float t = fmaf(sh + gr, {log2e}f, {shifter}f);
    const float nf = t - {shifter}f;
    const float r = fmaf(-nf, {ln2_hi}f, sh);
    const float rh = r + gr;
    b = rh - r;
    const float rerr = (r - (rh - b)) + (gr - b);
    const float c = fmaf(nf, {neg_ln2_lo}f, (rerr + sl) - l * 0.5f);
    const float m = {name}_expm1(rh);
    const float h1 = 1.0f + rh;
    const float mid = (rh - (h1 - 1.0f)) + m;
    const float p = h1 + mid;
    const float pl = fmaf(c, p, mid - (p - h1));
    const float vh = q * p;
    const float vlow = fmaf(q, pl, fmaf(ql, p, fmaf(q, p, -vh)));
    if (x < 0.0f) {{
        const float wn = ((vh + vlow) * an_float((int32_t)(((uint32_t)an_bits(t) + {bias}u) << 23))) * 0x1p-64f;
        return -wn;
    }}
    const int32_t n1 = an_bits(t) - 0x4B400001;
    const float s = an_pow2(n1 > -126 ? n1 : -126);
    const float wh = vh * s, wl = vlow * s;
    const float d = x - wh;
    return d - (wl - ((x - d) - wh));  /* -0 stays -0 */
}}
'''  # noqa: E501


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the accurate gelu kernel around ``cores["tail"]`` (H(u + 2) on [-2, 0.2642])
    and ``cores["expm1"]`` (e^r - 1 - r on [-0.3466, 0.3466])."""
    used = (cores["tail"], cores["expm1"])
    jax_doc = ("Subnormal results are flushed by jitted JAX on CPU (FTZ): x < -13.146 gives -0; "
               "subnormal inputs are read as 0.")
    c_kernel = _C_KERNEL.format(name=c_name(KID), sat=SATURATION, clamp=CLAMP, k=K, floor=FLOOR,
                                centre=CENTRE, g0lo=G0_LO, g0hi=G0_HI, log2e=LOG2E,
                                shifter=SHIFTER, ln2_hi=LN2_HI, neg_ln2_lo=NEG_LN2_LO,
                                bias=SCALE_BIAS)
    return assemble_kernel(
        KID, {"tail": cores["tail"], "expm1": cores["expm1"]},
        lambda language: kernel_docstring("gelu(x) = x Phi(x)", __doc__, used, language, KID,
                                          jax_doc),
        {"jax": [_python_kernel("jax")], "numpy": [_python_kernel("numpy")], "c": [c_kernel]},
        DESCRIPTION, literal_constants=True)
