/*
 * gelu(x) = x Phi(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * gelu(x) = x Phi(x). With a = |x| and w = a Phi(-a), the kernel returns -w for x < 0 and x - w
 * for x >= 0 (w <= x/2 there). As in the fast kernel (``autonumerics/kernels/fast/gelu.py``),
 * q = a / (1 + 3a/8) and a Phi(-a) = (q/2) e^(-a^2/2 + g), g(q) = ln(2 R(a) (1 + 3a/8)) smooth and
 * small (0 at q = 0, -1.05 at a = 15), R = erfcx(a/sqrt 2)/2. Every step keeps a low part:
 *
 * * a is clamped to 15 (gelu(-15) rounds to -0). q + ql = a / (1 + 3a/8) to ~2^-46 (1 + 3a/8 =
 *   den + dl exactly, the division's residual by FMAs; the fast kernel's construction).
 * * g = q G(q), G(q) = G0 + q H(q), G0 = 3/8 - sqrt(2/pi) = G0h + G0l (two float32). g = gh + gr:
 *   gh = q G0h rounded, its error gl exactly by one FMA, gr = q (G0l + q H) + (ql G0h + gl). The
 *   "tail" core H (degree 10 in u = q - 2, fitted for the absolute error of q^2 H, which is what
 *   reaches g) errs by <= 0.11 units of 2^-24 in q^2 H as evaluated in float32 (u centred at the
 *   top of [0, 2.2642], where q^2 is largest); the roundings inside gr are <= 2^-28.
 * * The exponent z = -a^2/2 + g: a^2 = h + l (FMA), sh + sl = -h/2 + gh exactly (TwoSum),
 *   n = round((sh + gr) log2 e) (shifter FMA), r = sh - n ln2_hi exact (one FMA; |r| < 0.5 and r
 *   is a multiple of ulp(sh) or 2^-24), rh + rerr = r + gr exactly (TwoSum; |rh| <= 0.3466),
 *   c = rerr + sl - l/2 - n ln2_lo (|c| < 2^-17; its roundings are 2^-41).
 * * e^(rh) = p + pl as in ``exp_pair``: the accurate expm1 core m(r) ~ e^r - 1 - r (6.6e-9
 *   absolute, 0.16 units of 2^-24 relative at most), 1 + r split exactly, Fast2Sum; pl takes
 *   c p by one FMA (e^c = 1 + c to 2^-35).
 * * w = 2^(n-1) (q + ql)(p + pl): vh = q p, vl its exact error (FMA), vlow = q pl + (ql p + vl)
 *   by two FMAs. x < 0: -(vh + vlow) 2^(n-1), rounded once (NumPy and C scale in two steps,
 *   2^(n+63) exactly then 2^-64: subnormal results, x < -13.146, are rounded once more; JAX adds
 *   n - 1 to the exponent bits and returns 0 below 2^-126, as XLA flushes). x >= 0 (n >= -21
 *   wherever it matters): wh + wl = (vh + vlow) 2^(n-1) exactly, d + e = x - wh exactly
 *   (Fast2Sum, x >= 2 wh), the result d + (e - wl), rounded once.
 * * x >= 5.3475156 (0x1.563db2p+2, where gelu(x) rounds to x) returns x by a select (+inf, NaN
 *   too); x = -inf gives -0; +-0 give +-0 (the x >= 0 form ends d - (wl - e): -0 - 0).
 *
 * Error budget before the last rounding (relative, units of 2^-24): H in g 0.11, other roundings
 * of g and the exponent <= 0.05, the expm1 core 0.16, 1 + r and the products <= 0.02: ~0.35 at
 * worst, and the worst cases of the parts rarely meet. For x >= 0, w's error enters times
 * w / (x - w) <= 1. Measured (every float32 in the intervals, ``autonumerics verify --interval
 * ... --exhaustive``): 0.811 ULP (x = -2.7813) on [-4, -2], 0.727 on [-13.146, -12]; sampled
 * over the whole line (2^18 per part, JAX and NumPy): 0.698 ULP.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'tail' ((log(erfc((x + 2)/(1 - 0.375*(x + 2))/sqrt(2))*exp(((x + 2)/(1 - 0.375*(x + 2)))**2/2)/(1 - 0.375*(x + 2)))/(x + 2) - 0.375 + sqrt(2/pi))/(x + 2) on [-1.9999995, 0.265]): autonumerics/kernels/cores/gelu_tail.json
 *     -0.02205662429332733 + x * (0.017305314540863037 + x * (-0.0003535693685989827 + x * (-0.0016605050768703222 + x * (0.00024579346063546836 + x * (0.00021039176499471068 + x * (-6.509402737719938e-05 + x * (-4.0485389035893604e-05 + x * (8.19997330836486e-06 + x * (7.942197044030763e-06 + x * 1.313454276896664e-06)))))))))
 * Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
 *     ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_gelu(x); approx_gelu_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_GELU_H
#define AUTONUMERICS_KERNEL_GELU_H

#ifndef AUTONUMERICS_KERNELS_PRELUDE
#define AUTONUMERICS_KERNELS_PRELUDE  /* several kernel headers may share one translation unit */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* fmaf is C99's correctly rounded fused multiply-add: the kernels write it wherever jitted JAX
 * fuses a*b + c. Everything else must round once per op: compile with -ffp-contract=off (the
 * default of gcc -std=c99) and without -ffast-math. */
#if defined(__FAST_MATH__)
#error "autonumerics kernels need IEEE float32 arithmetic: compile without -ffast-math"
#endif
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Bit casts (memcpy is the defined way in C99; compilers turn it into a move). */
static inline int32_t an_bits(float x) { int32_t b; memcpy(&b, &x, sizeof b); return b; }
static inline float an_float(int32_t b) { float x; memcpy(&x, &b, sizeof x); return x; }
/* 2.0f**n for n in [-126, 127], from its exponent bits (exact). */
static inline float an_pow2(int32_t n) { return an_float((int32_t)((uint32_t)(n + 127) << 23)); }
#endif

/* (log(erfc((x + 2)/(1 - 0.375*(x + 2))/sqrt(2))*exp(((x + 2)/(1 - 0.375*(x + 2)))**2/2)/(1 - 0.375*(x + 2)))/(x + 2) - 0.375 + sqrt(2/pi))/(x + 2): 20 ops, xla, hash c94db6931cb4f500 */
static inline float approx_gelu_tail(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = -0x1.6960300000000p-6f;
    const float c1 = -0x1.72be8e0000000p-12f;
    const float c2 = 0x1.13253c0000000p-17f;
    const float c3 = 0x1.0a7ef40000000p-17f;
    const float c4 = 0x1.6093e40000000p-20f;
    const float c5 = -0x1.539db60000000p-15f;
    const float c6 = -0x1.11062e0000000p-14f;
    const float c7 = 0x1.b939380000000p-13f;
    const float c8 = 0x1.01bbae0000000p-12f;
    const float c9 = -0x1.b34a9c0000000p-10f;
    const float c10 = 0x1.1b87c00000000p-6f;
    const float v0 = fmaf(c4, x, c3);
    const float v1 = fmaf(v0, x, c2);
    const float v2 = fmaf(v1, x, c5);
    const float v3 = fmaf(v2, x, c6);
    const float v4 = fmaf(v3, x, c7);
    const float v5 = fmaf(v4, x, c8);
    const float v6 = fmaf(v5, x, c9);
    const float v7 = fmaf(v6, x, c1);
    const float v8 = fmaf(v7, x, c10);
    const float v9 = fmaf(v8, x, c0);
    return v9;
}

/* expm1(x) - x: 12 ops, xla, hash 7436f35ca8cc577a */
static inline float approx_gelu_expm1(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.11116c0000000p-7f;
    const float c1 = 0x1.6d36920000000p-10f;
    const float c2 = 0x1.a014820000000p-13f;
    const float c3 = 0x1.5554f40000000p-5f;
    const float c4 = 0x1.5555540000000p-3f;
    const float c5 = 0x1.0000000000000p-1f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    const float v5 = x * x;
    const float v6 = v4 * v5;
    return v6;
}

static inline float approx_gelu(float x) {
    if (!(x < 0x1.563db2p+2f)) return x;  /* gelu(x) rounds to x; +inf; NaN */
    const float ax = fabsf(x);
    const float a = ax < 0x1.ep+3f ? ax : 0x1.ep+3f;
    const float h = a * a;
    const float l = fmaf(a, a, -h);  /* a^2 = h + l */
    const float den = fmaf(a, 0x1.8p-2f, 1.0f);
    const float dl = fmaf(a, 0x1.8p-2f, 1.0f - den);
    const float q = a / den;
    const float e = fmaf(-q, dl, fmaf(-q, den, a));
    const float ql = e * fmaf(-q, 0x1.8p-2f, 1.0f);  /* q + ql = a / (1 + Ka) */
    const float hq = approx_gelu_tail((q > 0x1p-21f ? q : 0x1p-21f) - 0x1p+1f);
    const float inner = fmaf(q, hq, -0x1.ea1b28p-28f);
    const float gh = q * -0x1.b108a6p-2f;
    const float gl = fmaf(q, -0x1.b108a6p-2f, -gh);
    const float gr = fmaf(q, inner, fmaf(ql, -0x1.b108a6p-2f, gl));  /* g = gh + gr */
    const float hh = h * -0.5f;
    const float sh = hh + gh;
    float b = sh - hh;
    const float sl = (hh - (sh - b)) + (gh - b);
    const float t = fmaf(sh + gr, 0x1.715476p+0f, 0x1.8p+23f);
    const float nf = t - 0x1.8p+23f;
    const float r = fmaf(-nf, 0x1.62e43p-1f, sh);
    const float rh = r + gr;
    b = rh - r;
    const float rerr = (r - (rh - b)) + (gr - b);
    const float c = fmaf(nf, 0x1.05c61p-29f, (rerr + sl) - l * 0.5f);
    const float m = approx_gelu_expm1(rh);
    const float h1 = 1.0f + rh;
    const float mid = (rh - (h1 - 1.0f)) + m;
    const float p = h1 + mid;
    const float pl = fmaf(c, p, mid - (p - h1));
    const float vh = q * p;
    const float vlow = fmaf(q, pl, fmaf(ql, p, fmaf(q, p, -vh)));
    if (x < 0.0f) {
        const float wn = ((vh + vlow) * an_float((int32_t)(((uint32_t)an_bits(t) + 190u) << 23))) * 0x1p-64f;
        return -wn;
    }
    const int32_t n1 = an_bits(t) - 0x4B400001;
    const float s = an_pow2(n1 > -126 ? n1 : -126);
    const float wh = vh * s, wl = vlow * s;
    const float d = x - wh;
    return d - (wl - ((x - d) - wh));  /* -0 stays -0 */
}

static inline void approx_gelu_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_gelu(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_GELU_H */
