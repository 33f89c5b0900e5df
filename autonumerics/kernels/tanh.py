"""The full-range float32 tanh kernel: odd symmetry, a small-argument core, an exact-pair e^-2a beyond.

Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
for bit and tanh(-0) = -0):

* a < 0.5625: the "small" core, tanh on [0, 0.5625] as a + a^3*Q(a^2), ending in one fused
  multiply-add whose product never rounds on its own (tiny inputs give a, subnormals included).
* 0.5625 <= a < T = 0x1.205968p+3 (9.0109138, the first float32 whose tanh rounds to 1):
  tanh(a) = (1 - E) / (1 + E) = 2g - 1 with E = e^(-2a) and g = 1 / (1 + E), in float32 only but
  with every error term far below the final rounding:
  - z = -2a (exact), n = round(z / ln 2) (one FMA with a shifter), r = z - n*ln2_hi by one FMA:
    exact (r needs at most 24 bits); the rest of n*ln 2 becomes the factor 1 + c, c = -n*ln2_lo, |c| < 2^-23;
  - the "expm1" core m(r) ~ e^r - 1 - r (|m| <= 0.07), so e^r = (1 + r) + m: 1 + r is split
    exactly (Fast2Sum), m added to its low part, and e^z = 2^n (p + pl) kept as an unrounded pair
    (p + pl carries ~2^-29 relative error: the core's own ULP error is damped by |m| <= 0.07);
  - 1 + E as an exact pair (Fast2Sum), g = g0 + g1 by a reciprocal and one Newton step with two
    FMAs (the residual 1 - g0*dh is exact);
  - tanh = (2*g0 - 1) + 2*g1: 2*g0 - 1 is exact (Sterbenz), so the result rounds once.
* a >= T (and a = inf) gives exactly 1; NaN gives NaN.

Both paths are computed for every element and selects pick the result (no branches in JAX and
NumPy). Measured over every float32 (the certificate): max 0.73 ULP, from the small core.
"""

from __future__ import annotations

from collections.abc import Callable

from autonumerics.errors import AutonumericsError
from autonumerics.kernels.base import (
    Core,
    KernelSource,
    c_header,
    c_name,
    core_function,
    core_ops,
    jax_prelude,
    numpy_prelude,
    python_module,
)

DEFAULT_CORES = {"small": "results/kernels/cores/tanh_core_small.json",
                 "expm1": "results/kernels/cores/tanh_core_expm1.json"}

SMALL_LIMIT = "0x1.2p-1"  # 0.5625: the small core below, the exp pair from here on (tanh >= 0.51)
SATURATION = "0x1.205968p+3"  # T = 9.0109138: tanh rounds to 1 for every float32 >= T, not below
CLAMP = "0x1.3p+3"  # 9.5: a is clamped so the exp path stays finite for inf and NaN
SMALL_TARGET = "tanh"
EXPM1_TARGET = "expm1(x) - x"  # what the "expm1" core approximates, on [-0.3466, 0.3466]

# Cody-Waite constants: ln2_hi = float32(ln 2) (n*ln2_hi is exact inside the FMA), ln2_lo the
# float32 nearest to ln 2 - ln2_hi (so n*ln 2 = n*(ln2_hi + ln2_lo) to 2^-50 relative).
LOG2E = "0x1.715476p+0"
LN2_HI = "0x1.62e43p-1"
NEG_LN2_LO = "0x1.05c61p-29"  # -(ln 2 - ln2_hi): ln2_hi is above ln 2
# Rounding by the "shifter": t = z log2e + 1.5 * 2^23 (one FMA) holds n = round(z log2e), half
# to even, in its low bits: bits(t) = 0x4B400000 + n and t - SHIFTER = n exactly (|n| < 2^22).
# One FMA instead of round + a saturating float -> int conversion.
SHIFTER = "0x1.8p+23"

DESCRIPTION = (
    "a = |x| (sign bit put back: exact odd symmetry); a < 0.5625: evolved core a + a^3 Q(a^2) ending "
    "in one FMA; 0.5625 <= a < 9.0109138: tanh = 2g - 1, g = 1/(1 + e^-2a), with e^-2a = 2^n (p + pl) "
    "an unrounded pair from an exact Cody-Waite reduction (one FMA), the evolved core m(r) ~ e^r - 1 - r "
    "and Fast2Sum, 1 + E split exactly, g = g0 + g1 by one Newton step (FMAs), so the result rounds "
    "once; a >= 9.0109138 -> 1 exactly; NaN -> NaN. Both paths run on every element, selects pick."
)


def float32_literal(value: str, language: str) -> str:
    """A float32 constant written exactly in ``language``."""
    if language == "c":
        return f"{value}f"
    module = "jnp" if language == "jax" else "np"
    return f'{module}.float32(float.fromhex("{value}"))'


def reduction_source(language: str, core: str, live_fence: bool = False) -> str:
    """``_exp_pair(z)`` and ``_reciprocal_pair(er, el)`` in ``language`` ("jax", "numpy", "c"),
    calling the expm1 core function ``core``; shared by the tanh, sigmoid and expm1 kernels.

    ``_exp_pair(z)`` for float32 z in [-120, 89]: (n, p, pl) with e^z = 2^n (p + pl), p in
    [0.70, 1.42], |pl| <= 2^-22. ``_reciprocal_pair(er, el)`` for 0 <= er <= 1, |el| <= 2^-24 er:
    (g0, g1) with g0 + g1 = 1/(1 + er + el) to ~2^-48. Where JAX fuses a*b + c, NumPy calls
    ``_fma32`` and C ``fmaf``; every other op rounds once in all three. In C the pairs are returned
    through pointers.

    JAX fences the values XLA must not fuse or reassociate through selects. By default each fence
    is ``_rounded(v)`` (compare v with itself, select v or v + v: 3 ops, self-contained). With
    ``live_fence`` the JAX functions take one more argument, ``live`` (the kernel's ``x == x``,
    computed once), and each fence is ``_kept(v, live)``: one select of v or NaN. The core then
    gets its fences at the call site (emit it unfenced). The kernel's JAX-vs-C check over all
    2^32 inputs must show that the bits did not change: for sigmoid they did, so it keeps
    ``_rounded``.
    """
    log2e, hi, lo, shifter = (float32_literal(v, language) for v in (LOG2E, LN2_HI, NEG_LN2_LO, SHIFTER))
    if language == "c":
        return f'''
/* e^z = 2^n (p + pl) for z in [-120, 0]: r = z - n ln2_hi exact (FMA), e^r = (1 + r) + core(r) */
static inline int32_t {core}_exp_pair(float z, float *p, float *pl) {{
    const float t = fmaf(z, {log2e}, {shifter});  /* n = round(z log2 e) in t's low bits */
    const float n = t - {shifter};
    const float r = fmaf(-n, {hi}, z);
    const float c = n * {lo};  /* e^(-n ln2_lo) = 1 + c */
    const float m = {core}(r);
    const float h = 1.0f + r;
    const float l = r - (h - 1.0f);  /* h + l = 1 + r exactly */
    const float mid = l + m;
    const float q = h + mid;
    *pl = fmaf(c, q, mid - (q - h));  /* q + (mid - (q - h)) = h + mid exactly, then times 1 + c */
    *p = q;
    return an_bits(t) - 0x4B400000;
}}

/* 1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: exact 1 + er pair, one Newton step */
static inline float {core}_reciprocal_pair(float er, float el, float *g1) {{
    const float dh = 1.0f + er;
    const float dl = ((1.0f - dh) + er) + el;
    const float g0 = 1.0f / dh;
    float e = fmaf(-g0, dh, 1.0f);  /* exact residual */
    e = fmaf(-g0, dl, e);
    *g1 = g0 * e;
    return g0;
}}
'''
    ns = "jnp" if language == "jax" else "np"
    fma = (lambda a, b, c: f"{c} + {a} * {b}") if language == "jax" else (lambda a, b, c: f"_fma32({a}, {b}, {c})")
    neg_fma = (lambda a, b, c: f"{c} - {a} * {b}") if language == "jax" else (lambda a, b, c: f"_fma32(-{a}, {b}, {c})")
    # JAX: XLA reassociates constant chains ((1 + r) - 1 -> r, 1 - (1 + er) -> -er), which would
    # lose the exact low parts: h and dh are read through a select it cannot see through.
    live = language == "jax" and live_fence
    if language != "jax":
        fence = lambda value: f"({value})"  # noqa: E731 - no fences outside JAX
    elif live:
        fence = lambda value: f"_kept({value}, live)"  # noqa: E731 - a one-line template helper
    else:
        fence = lambda value: f"_rounded({value})"  # noqa: E731
    extra = ", live" if live else ""
    call = fence(f"{core}({fence('r')})") if live else f"{core}(r)"  # the core's fences, at the call
    one = float32_literal("0x1p+0", language)
    kept = ('''
def _kept(value, live):
    """value where the kernel's input is a number (live), else NaN: a select XLA and LLVM cannot
    fuse or rewrite through, one op (NaN inputs are selected away at the end of the kernel)."""
    return jnp.where(live, value, jnp.float32(jnp.nan))

''' if live else "")
    return f'''{kept}
def _exp_pair(z{extra}):
    """e^z = 2^n (p + pl) for float32 z in [-120, 89]: Cody-Waite with r exact, then the core."""
    t = {fence(fma("z", log2e, shifter))}  # n = round(z log2 e) in t's low bits (one FMA)
    n = t - {shifter}
    r = {neg_fma("n", hi, "z")}  # one FMA: exact
    c = n * {lo}  # e^(-n ln2_lo) = 1 + c
    m = {call}  # e^r - 1 - r
    h = {fence(f"{one} + r")}
    lo = r - (h - {one})  # h + lo = 1 + r exactly (Fast2Sum)
    mid = lo + m
    p = h + mid
    pl = {fma("c", "p", "(mid - (p - h))")}  # p + pl = h + mid exactly, then times 1 + c (one FMA)
    return _bits(t) - {ns}.int32(0x4B400000), p, pl


def _reciprocal_pair(er, el{extra}):
    """1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: 1 + er split exactly, one Newton step."""
    dh = {fence(f"{one} + er")}
    dl = (({one} - dh) + er) + el
    g0 = {one} / dh
    e = {neg_fma("g0", "dh", one)}  # exact residual (one FMA)
    e = {neg_fma("g0", "dl", "e")}
    return g0, {fence("g0 * e")}
'''


def exp_pair_kernel(name: str, summary: str, module_doc: str, jax_subnormals: str, cores: dict[str, Core],
                    python_kernel: Callable[[str], str], c_kernel: str, ops: int, description: str,
                    live_fence: bool = False) -> KernelSource:
    """A kernel built on ``reduction_source`` around one "expm1" core (sigmoid, expm1): the core's
    function, ``_exp_pair`` / ``_reciprocal_pair``, then ``python_kernel(language)`` ("jax" or
    "numpy") or ``c_kernel`` (C source, calling ``c_name(name)_expm1_exp_pair`` and friends).
    ``live_fence``: see ``reduction_source`` (the JAX kernel then defines ``live = x == x``).

    Raises:
        AutonumericsError: the core is missing or approximates another function.
    """
    if "expm1" not in cores:
        raise AutonumericsError(f"the {name} kernel needs an 'expm1' core")
    core = check_core(cores["expm1"], EXPM1_TARGET, name)
    used = (core,)
    docs = {language: kernel_docstring(summary, module_doc, used, language, name, jax_subnormals)
            for language in ("jax", "numpy", "c")}
    function = f"_{name}_expm1"
    jax_source = python_module(docs["jax"], jax_prelude(), [
        core_function(core, "jax", function, fenced=not live_fence, inline_constants=True),
        reduction_source("jax", function, live_fence), python_kernel("jax")], name, name, used)
    numpy_source = python_module(docs["numpy"], numpy_prelude(), [
        core_function(core, "numpy", function), reduction_source("numpy", function), python_kernel("numpy")],
        name, name, used)
    c_function = f"{c_name(name)}_expm1"
    c_source = c_header(docs["c"], name, [core_function(core, "c", c_function), reduction_source("c", c_function),
                                          c_kernel])
    return KernelSource(name=name, target=name, cores=used, jax=jax_source, numpy=numpy_source, c=c_source,
                        ops_per_element=ops, description=description)


def check_core(core: Core, expected: str, kernel: str) -> Core:
    """The core, if it approximates ``expected`` (what the range reduction feeds it).

    Raises:
        AutonumericsError: it approximates something else.
    """
    found = (core.program_file.target or "").replace(" ", "")
    if found != expected.replace(" ", ""):
        raise AutonumericsError(f"{kernel} core {core.role!r} ({core.path}) approximates "
                                f"{core.program_file.target!r}; the kernel feeds it for {expected!r}")
    return core


def kernel_docstring(summary: str, module_doc: str, cores: tuple[Core, ...], language: str, name: str,
                     subnormals_jax: str) -> str:
    """The docstring (or C comment) of an exported tanh / sigmoid kernel in ``language``."""
    subnormals = subnormals_jax if language == "jax" else "Subnormal inputs and results are computed correctly."
    usage = (f"Usage: y = {c_name(name)}(x); {c_name(name)}_loop(in, out, n)\n"
             "Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm."
             if language == "c" else f"Usage: y = {name}(x)  # any shape, float32")
    lines = [f"{summary} in float32 for every input: a full-range kernel exported by autonumerics ({language}).",
             "", module_doc.split("\n\n", 1)[1].strip(), "", subnormals]
    for core in cores:
        interval = core.program_file.interval
        where = f"{core.program_file.target} on {list(interval) if interval else '?'}"
        lines += [f"Core {core.role!r} ({where}): {core.path}", f"    {core.program_file.program.to_infix()}"]
    lines += ["The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).", usage]
    return "\n".join(lines)


def _python_kernel(language: str) -> str:
    ns = "jnp" if language == "jax" else "np"
    k = {v: float32_literal(globals()[v], language) for v in ("SMALL_LIMIT", "SATURATION", "CLAMP")}
    two, one = float32_literal("0x1p+1", language), float32_literal("0x1p+0", language)
    z = f"_kept(ac * {float32_literal('-0x1p+1', language)}, live)" if language == "jax" else f"ac * {float32_literal('-0x1p+1', language)}"
    live = ", live" if language == "jax" else ""  # JAX's fences select on x == x (reduction_source)
    head = ("@jax.jit\ndef tanh(x):\n    \"\"\"tanh(x) in float32 for every input (see the module docstring); "
            "subnormal inputs read as 0 (XLA).\"\"\"" if language == "jax" else
            "def tanh(x):\n    \"\"\"tanh(x) in float32 for every input (see the module docstring), subnormals included.\"\"\"")
    body = f"""a = _float(bits & {ns}.int32(0x7FFFFFFF))  # |x|, exact
{"live = x == x  # the fences' predicate" + chr(10) if language == "jax" else ""}small = _tanh_small(a)
ac = {ns}.where(a < {k["CLAMP"]}, a, {k["CLAMP"]})  # NaN -> 9.5 too (selected away at the end)
z = {z}  # -2a, exact{" (the select keeps it out of the reduction's FMA)" if language == "jax" else ""}
n, p, pl = _exp_pair(z{live})
s = _pow2(n)
g0, g1 = _reciprocal_pair(s * p, s * pl{live})
big = (g0 * {two} - {one}) + g1 * {two}  # 2 g0 - 1 exact: one rounding
y = {ns}.where(a < {k["SMALL_LIMIT"]}, small, big)
y = {ns}.where(a >= {k["SATURATION"]}, {one}, y)
y = _float(_bits(y) | (bits & {ns}.int32(-0x80000000)))  # the sign of x
y = {ns}.where(x == x, y, x)"""
    return wrap_body(head, ns, body)


def wrap_body(head: str, ns: str, body: str) -> str:
    """A kernel function: ``head`` (decorator, def, docstring), x as float32 array and its bits,
    ``body`` (ending in y), inside ``np.errstate(all="ignore")`` for NumPy (inf and NaN pass
    through the paths that are selected away)."""
    if ns == "np":
        lines = "\n".join(f"        {line}" for line in body.splitlines())
        return (f"\n{head}\n    x = np.asarray(x, np.float32)\n    bits = _bits(x)\n"
                f"    with np.errstate(all=\"ignore\"):\n{lines}\n    return np.asarray(y, np.float32)\n")
    lines = "\n".join(f"    {line}" for line in body.splitlines())
    return f"\n{head}\n    x = jnp.asarray(x, jnp.float32)\n    bits = _bits(x)\n{lines}\n    return y\n"


_C_KERNEL = '''
static inline float {name}(float x) {{
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    float y;
    if (x != x) return x;
    if (a < {small_limit}f) {{
        y = {name}_small(a);
    }} else if (a >= {saturation}f) {{
        y = 1.0f;
    }} else {{
        float p, pl, g1;
        const int32_t n = {name}_expm1_exp_pair(-2.0f * a, &p, &pl);
        const float s = an_pow2(n);
        const float g0 = {name}_expm1_reciprocal_pair(s * p, s * pl, &g1);
        y = fmaf(g1, 2.0f, g0 * 2.0f - 1.0f);  /* 2 g0 - 1 exact: one rounding */
    }}
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}}
'''


def ops_per_element(cores: dict[str, Core]) -> int:
    """Ops per element of the JAX kernel, bit casts free, an FMA one op, a fence one select on the
    shared x == x (1): both cores and the expm1 core's two fences (2); sign clear and set (3);
    clamp (2); -2a and its fence (2); the exp pair (15: shifter FMA and fence, sub, FMA, mul,
    add and fence, 2 subs, 2 adds, 2 subs, FMA, int sub); 2^n (2) and the two scalings (2); the
    reciprocal pair (10: add and fence, sub, 2 adds, div, 2 FMAs, mul and fence); the result
    (2 FMAs); 2 compares and 2 selects; the NaN compare and select (2)."""
    return (core_ops(cores["small"]) + core_ops(cores["expm1"]) + 1 + 2 + 3 + 2 + 2 + 15 + 4 + 10 + 2 + 4
            + 2)


def build(cores: dict[str, Core]) -> KernelSource:
    """Assemble the tanh kernel around ``cores["small"]`` (tanh on [0, 0.5625]) and
    ``cores["expm1"]`` (e^r - 1 - r on [-0.3466, 0.3466]).

    Raises:
        AutonumericsError: a core is missing or approximates another function than the range
            reduction feeds it.
    """
    missing = sorted({"small", "expm1"} - set(cores))
    if missing:
        raise AutonumericsError(f"the tanh kernel needs a {missing[0]!r} core")
    small = check_core(cores["small"], SMALL_TARGET, "tanh")
    expm1 = check_core(cores["expm1"], EXPM1_TARGET, "tanh")
    used = (small, expm1)
    jax_doc = ("Subnormal inputs are read as 0 and give +-0: jitted JAX on CPU flushes them (DAZ/FTZ);\n"
               "every other input, tiny ones included, gets the certified result.")
    docs = {language: kernel_docstring("tanh(x)", __doc__, used, language, "tanh", jax_doc)
            for language in ("jax", "numpy", "c")}
    jax_source = python_module(docs["jax"], jax_prelude(), [
        core_function(small, "jax", "_tanh_small", fenced=False, inline_constants=True),
        core_function(expm1, "jax", "_tanh_expm1", fenced=False, inline_constants=True),
        reduction_source("jax", "_tanh_expm1", live_fence=True), _python_kernel("jax")], "tanh", "tanh", used)
    numpy_source = python_module(docs["numpy"], numpy_prelude(), [
        core_function(small, "numpy", "_tanh_small"), core_function(expm1, "numpy", "_tanh_expm1"),
        reduction_source("numpy", "_tanh_expm1"), _python_kernel("numpy")], "tanh", "tanh", used)
    name = c_name("tanh")
    c_source = c_header(docs["c"], "tanh", [
        core_function(small, "c", f"{name}_small"), core_function(expm1, "c", f"{name}_expm1"),
        reduction_source("c", f"{name}_expm1"),
        _C_KERNEL.format(name=name, small_limit=SMALL_LIMIT, saturation=SATURATION)])
    return KernelSource(name="tanh", target="tanh", cores=used, jax=jax_source, numpy=numpy_source, c=c_source,
                        ops_per_element=ops_per_element(cores), description=DESCRIPTION)
