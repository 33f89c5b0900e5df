"""An exact-pair e^z and reciprocal in float32 only, shared by the sigmoid and expm1 kernels.

``reduction_source`` writes ``_exp_pair(z)`` (e^z = 2^n (p + pl) as an unrounded pair: exact
Cody-Waite reduction by one FMA, an evolved core m(r) ~ e^r - 1 - r, Fast2Sum) and
``_reciprocal_pair(er, el)`` (1 / (1 + er + el) = g0 + g1 by an exact split of 1 + er and one
Newton step) in JAX, NumPy or C; ``exp_pair_kernel`` assembles a kernel around them. The tanh
kernel used them until it moved to a cheaper design (autonumerics/kernels/tanh.py).
"""

from __future__ import annotations

from collections.abc import Callable

from autonumerics.errors import AutonumericsError
from autonumerics.export.c import c_name
from autonumerics.kernels.assemble import assemble_kernel, float32_literal, kernel_docstring
from autonumerics.kernels.base import Core, CoreRole, KernelSource

EXPM1_TARGET = "expm1(x) - x"  # what the "expm1" core approximates
EXPM1_ROLE = CoreRole(EXPM1_TARGET, (-0.34657359027997264, 0.34657359027997264))  # |r| <= ln2/2

# Cody-Waite constants: ln2_hi = float32(ln 2) (n*ln2_hi is exact inside the FMA), ln2_lo the
# float32 nearest to ln 2 - ln2_hi (so n*ln 2 = n*(ln2_hi + ln2_lo) to 2^-50 relative).
LOG2E = "0x1.715476p+0"
LN2_HI = "0x1.62e43p-1"
NEG_LN2_LO = "0x1.05c61p-29"  # -(ln 2 - ln2_hi): ln2_hi is above ln 2
# Rounding by the "shifter": t = z log2e + 1.5 * 2^23 (one FMA) holds n = round(z log2e), half
# to even, in its low bits: bits(t) = 0x4B400000 + n and t - SHIFTER = n exactly (|n| < 2^22).
# One FMA instead of round + a saturating float -> int conversion.
SHIFTER = "0x1.8p+23"


# How the JAX functions keep XLA and LLVM off (see reduction_source).
FENCES = ("select", "live", "barrier")


def reduction_source(language: str, core: str, fences: str = "select",
                     quotient_uses: int = 0) -> str:
    """``_exp_pair(z)`` and ``_reciprocal_pair(er, el)`` in ``language`` ("jax", "numpy", "c"),
    calling the expm1 core function ``core``; shared by the sigmoid and expm1 kernels.

    ``_exp_pair(z)`` for float32 z in [-120, 89]: (n, p, pl) with e^z = 2^n (p + pl), p in
    [0.70, 1.42], |pl| <= 2^-22. ``_reciprocal_pair(er, el)`` for 0 <= er <= 1, |el| <= 2^-24 er:
    (g0, g1) with g0 + g1 = 1/(1 + er + el) to ~2^-48. Where JAX fuses a*b + c, NumPy calls
    ``_fma32`` and C ``fmaf``; every other op rounds once in all three. In C the pairs are returned
    through pointers.

    JAX fences the values XLA must not fuse or reassociate. Two kinds of guard are needed: t, h
    and dh only against XLA's algebraic simplifier ((1 + r) - 1 -> r, (t - 1.5 * 2^23) of
    t = z log2e + 1.5 * 2^23 -> z log2e), the core's result against LLVM fusing its last product
    into the addition that reads it. ``fences`` (JAX):

    * "select" (default): every fence is ``_rounded(v)`` (compare v with itself, select v or
      v + v: 2 instructions, self-contained), g1 too; the core is emitted fenced.
    * "live": the JAX functions take one more argument, ``live`` (the kernel's ``x == x``,
      computed once), and each fence is ``_kept(v, live)``: one select of v or NaN; the core gets
      its fences at the call site (emit it unfenced).
    * "barrier": t, h and dh go behind ``lax.optimization_barrier``, which stops the simplifier
      and costs nothing (XLA drops it before code generation); the core, emitted unfenced, gets
      one ``_rounded`` on its result; g1 = g0 e has two readers, and a product with two readers
      is never fused (``contraction.py``, rule 2), so it needs none.

    Every mode computes the same bits if XLA and LLVM keep to these rules; the kernel's JAX-vs-C
    check over all 2^32 inputs must show it. sigmoid uses "barrier" (86 -> 71 instructions per
    8 results), expm1 "live".

    ``quotient_uses`` (JAX): XLA's CPU fusion pass never copies a division into several consumer
    loops, so a quotient read in several places splits the kernel into several loops with arrays
    in memory between them (sigmoid: five loops, 2.4x slower). With ``quotient_uses = k`` the JAX
    ``_reciprocal_pair`` divides once per use instead: each of its own three uses and each of the
    k copies of g0 it returns (``(g0, ..., g0), g1``) is 1 / dh read through a select of its own
    (dh, or a different constant where dh would be NaN, which it never is), so CSE keeps them
    apart and every division has one user: k + 2 more divisions and k + 3 selects (the compare
    is shared). The quotients are equal, so are the bits.
    """
    if fences not in FENCES:
        raise AutonumericsError(f"fences must be one of {', '.join(FENCES)}, not {fences!r}")
    log2e, hi, lo, shifter = (float32_literal(v, language)
                              for v in (LOG2E, LN2_HI, NEG_LN2_LO, SHIFTER))
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
    fma = ((lambda a, b, c: f"{c} + {a} * {b}") if language == "jax"  # XLA fuses a*b + c
           else (lambda a, b, c: f"_fma32({a}, {b}, {c})"))
    neg_fma = ((lambda a, b, c: f"{c} - {a} * {b}") if language == "jax"
               else (lambda a, b, c: f"_fma32(-{a}, {b}, {c})"))
    # JAX: XLA reassociates constant chains ((1 + r) - 1 -> r, 1 - (1 + er) -> -er), which would
    # lose the exact low parts: t, h and dh are read through a fence it cannot see through.
    live = language == "jax" and fences == "live"
    barrier = language == "jax" and fences == "barrier"

    def fence(value: str) -> str:
        if language != "jax":
            return f"({value})"
        return f"_kept({value}, live)" if live else f"_rounded({value})"

    hlo_fence = (lambda value: f"jax.lax.optimization_barrier({value})") if barrier else fence
    extra = ", live" if live else ""
    if live:
        call = fence(f"{core}({fence('r')})")  # the core's fences, at the call
    elif barrier:
        call = f"_rounded({core}(r))"  # only its last product must not fuse into mid = lo + m
    else:
        call = f"{core}(r)"
    one = float32_literal("0x1p+0", language)
    per_use = language == "jax" and quotient_uses > 0
    if per_use:  # one division per use, each through a select of its own (see the docstring)
        quotients = (f"    g0 = [{one} / jnp.where(dh == dh, dh, jnp.float32(k)) for k in range(2, "
                     f"{quotient_uses + 5})]"
                     "  # equal quotients, one use each\n")
        g0 = ("g0[0]", "g0[1]", "g0[2]")
        returned = "tuple(g0[3:])"
    else:
        quotients, g0, returned = f"    g0 = {one} / dh\n", ("g0", "g0", "g0"), "g0"
    kept = ('''
def _kept(value, live):
    """value where the kernel's input is a number (live), else NaN: a select XLA and LLVM cannot
    fuse or rewrite through, one op (NaN inputs are selected away at the end of the kernel)."""
    return jnp.where(live, value, jnp.float32(jnp.nan))

''' if live else "")
    return f'''{kept}
def _exp_pair(z{extra}):
    """e^z = 2^n (p + pl) for float32 z in [-120, 89]: Cody-Waite with r exact, then the core."""
    t = {hlo_fence(fma("z", log2e, shifter))}  # n = round(z log2 e) in t's low bits (one FMA)
    n = t - {shifter}
    r = {neg_fma("n", hi, "z")}  # one FMA: exact
    c = n * {lo}  # e^(-n ln2_lo) = 1 + c
    m = {call}  # e^r - 1 - r
    h = {hlo_fence(f"{one} + r")}
    lo = r - (h - {one})  # h + lo = 1 + r exactly (Fast2Sum)
    mid = lo + m
    p = h + mid
    pl = {fma("c", "p", "(mid - (p - h))")}  # p + pl = h + mid exactly, then times 1 + c (one FMA)
    return _bits(t) - {ns}.int32(0x4B400000), p, pl


def _reciprocal_pair(er, el{extra}):
    """1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: 1 + er split exactly, one Newton step."""
    dh = {hlo_fence(f"{one} + er")}
    dl = (({one} - dh) + er) + el
{quotients}    e = {neg_fma(g0[0], "dh", one)}  # exact residual (one FMA)
    e = {neg_fma(g0[1], "dl", "e")}
    return {returned}, {f"{g0[2]} * e" if barrier else fence(f"{g0[2]} * e")}
'''


def exp_pair_kernel(name: str, summary: str, module_doc: str, jax_subnormals: str,
                    cores: dict[str, Core], python_kernel: Callable[[str], str], c_kernel: str,
                    description: str, fences: str = "select",
                    quotient_uses: int = 0) -> KernelSource:
    """A kernel built on ``reduction_source`` around one "expm1" core (sigmoid, expm1): the core's
    function, ``_exp_pair`` / ``_reciprocal_pair``, then ``python_kernel(language)`` ("jax" or
    "numpy") or ``c_kernel`` (C source, calling ``c_name(name)_expm1_exp_pair`` and friends).
    ``fences``: see ``reduction_source`` ("live": the JAX kernel then defines ``live = x == x``);
    ``quotient_uses``: see ``reduction_source`` (the JAX kernel then unpacks that many g0).

    Raises:
        AutonumericsError: the core is missing.
    """
    if "expm1" not in cores:
        raise AutonumericsError(f"the {name} kernel needs an 'expm1' core")
    core = cores["expm1"]
    bodies = {"jax": [reduction_source("jax", f"_{name}_expm1", fences, quotient_uses),
                      python_kernel("jax")],
              "numpy": [reduction_source("numpy", f"_{name}_expm1"), python_kernel("numpy")],
              "c": [reduction_source("c", f"{c_name(name)}_expm1"), c_kernel]}
    return assemble_kernel(
        name, {"expm1": core},
        lambda language: kernel_docstring(summary, module_doc, (core,), language, name,
                                          jax_subnormals),
        bodies, description, fenced=fences == "select", literal_constants=True)
