/*
 * gelu(x) = x Phi(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * gelu(x) = x Phi(x), Phi the standard normal distribution function. With a = |x| and
 * Phi(-a) = e^(-a^2/2) R(a) (R = erfcx(a/sqrt 2)/2: 1/2 at 0, ~1/(a sqrt(2 pi)) far out), the
 * kernel computes w = a Phi(-a) without cancellation and returns -w for x < 0 and x - w for
 * x >= 0 (Phi(x) = 1 - Phi(-x); w <= x/2 there, so the subtraction loses nothing).
 *
 * * a is clamped to 15 (gelu(-15) < 2^-160 rounds to -0; inf and NaN become 15 here and come back
 *   through x - w). q = a / (1 + 3a/8) in [0, 2.2642] by one division, and a R(a) = (q/2) e^g
 *   with g(q) = ln(2 R(a) (1 + 3a/8)) smooth and small (0 at q = 0, -1.05 at a = 15). The
 *   "ratio" core, a degree-9 polynomial from a cost-aware search, gives G = g/q in [-0.463,
 *   -0.422] (read at max(q, 2^-40): G is 0/0 at q = 0, and q G is below 2^-41 there anyway).
 *   The kernel never rounds g itself: 2g = 2 q G enters s by one FMA, and 2 ql G by another.
 * * q is made exact as a pair: 1 + 3a/8 = den + dl (dl by one FMA: 1 - den is exact for den >= 1),
 *   the division's residual a - q den by one FMA, and ql = (a - q (den + dl)) (1 - 3q/8) gives
 *   q + ql = a / (1 + 3a/8) to ~2^-46 relative (1 - 3q/8 = 1/(1 + 3a/8)).
 * * e^(-a^2/2 + g) = 2^n e^(s/2): a^2 = h + l exactly (l by one FMA), n = round((g - h/2) log2 e)
 *   by the shifter FMA, s = (2g - h - 2n ln2_hi) - (2n ln2_lo + l): the first bracket's part
 *   -h - 2n ln2_hi is exact (ln2_hi has 15 bits, |n| <= 163), adding 2g rounds once at |s| <= ln 2
 *   and so does the last subtraction (2^-25 each, 2^-26 relative in e^(s/2)). The "exp" core
 *   gives e^(s/2) - 1 on [-ln 2, ln 2]; the 1 is never added on its own:
 *   w' = q + (q (e^(s/2) - 1) + ql e^(s/2)) = (q + ql) e^(s/2), the inner sum one FMA.
 * * w = w' 2^(n-1): NumPy and C scale in two steps, 2^(n+63) exactly then 2^-64 with one rounding
 *   (results below 2^-126, x < -13.2, are rounded once); JAX adds n - 1 to the exponent bits
 *   (exact while normal) and returns 0 below 2^-126, as XLA flushes subnormals anyway.
 * * x < 0: -w (NaN and -0 take the other branch: NaN - w = NaN, -0 - 0 = -0); x >= 0: x - w,
 *   which is x itself from x = 5.3475156 (0x1.563db2p+2) on, where gelu(x) rounds to x (+inf too).
 *
 * Error budget (relative, units of 2^-24): G's error times q (~1) is an absolute error of g and
 * so a relative one of the result, the two roundings of s <= 0.5, the exp core's absolute error
 * <= 0.6, the inner FMA <= 0.41 (its term is at most 0.41 of w'), the final sum 1 (0.5 ULP);
 * for x >= 0 the errors of w enter x - w times w / (x - w) <= 1, plus the subtraction's rounding.
 * Measured: 2.54 ULP (x = -12.63) on 12M inputs of the negative side, where it peaks; dropping the
 * 2 ql G term (one FMA) gives 3.16. jax.nn.gelu(approximate=False) is 1.66e7 ULP off near x = -13
 * and 24.7 ULP for |x| <= 6 (1 + erf cancels for x < 0).
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'ratio' (log(erfc(x/(1 - 0.375*x)/sqrt(2))*exp((x/(1 - 0.375*x))**2/2)/(1 - 0.375*x))/x on [9.094947017729282e-13, 2.265]): autonumerics/kernels/cores/gelu_fast_ratio.json
 *     (-0.04720521718263626 + ((((((-0.00029167899629101157 + (8.496810914948583e-05 + -8.517412425135262e-06 * x) * x) * x + 0.0004046484245918691) * x + -0.000545921444427222) * x + 0.0008698308374732733) * x + 0.0033247387036681175) * x + 0.005324491765350103) * x) * x + -0.4228845536708832
 * Core 'exp' (expm1(x/2) on [-0.694, 0.694]): autonumerics/kernels/cores/gelu_fast_exp.json
 *     ((((0.002604170935228467 + (0.0002615203848108649 + 2.170305378967896e-05 * x) * x) * x + 0.020833143964409828) * x + 0.1250000149011612) * x + 0.5) * x
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_gelu_fast(x); approx_gelu_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_GELU_FAST_H
#define AUTONUMERICS_KERNEL_GELU_FAST_H

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

/* log(erfc(x/(1 - 0.375*x)/sqrt(2))*exp((x/(1 - 0.375*x))**2/2)/(1 - 0.375*x))/x: 18 ops, xla, hash 37e5ac8beefc6948 */
static inline float approx_gelu_fast_ratio(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = -0x1.82b4840000000p-5f;
    const float c1 = -0x1.31d8fc0000000p-12f;
    const float c2 = 0x1.6461d00000000p-14f;
    const float c3 = -0x1.1dcc040000000p-17f;
    const float c4 = 0x1.a84dfc0000000p-12f;
    const float c5 = -0x1.1e38560000000p-11f;
    const float c6 = 0x1.c80ab80000000p-11f;
    const float c7 = 0x1.b3c7b80000000p-9f;
    const float c8 = 0x1.5cf2260000000p-8f;
    const float c9 = -0x1.b108a60000000p-2f;
    const float v0 = fmaf(c3, x, c2);
    const float v1 = fmaf(v0, x, c1);
    const float v2 = fmaf(v1, x, c4);
    const float v3 = fmaf(v2, x, c5);
    const float v4 = fmaf(v3, x, c6);
    const float v5 = fmaf(v4, x, c7);
    const float v6 = fmaf(v5, x, c8);
    const float v7 = fmaf(v6, x, c0);
    const float v8 = fmaf(v7, x, c9);
    return v8;
}

/* expm1(x/2): 11 ops, xla, hash 0d017e3ab765b9b0 */
static inline float approx_gelu_fast_exp(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.55557a0000000p-9f;
    const float c1 = 0x1.1239580000000p-12f;
    const float c2 = 0x1.6c1de80000000p-16f;
    const float c3 = 0x1.55548a0000000p-6f;
    const float c4 = 0x1.0000020000000p-3f;
    const float c5 = 0x1.0000000000000p-1f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    const float v5 = v4 * x;
    return v5;
}

static inline float approx_gelu_fast(float x) {
    const float ax = fabsf(x);
    const float a = ax < 0x1.ep+3f ? ax : 0x1.ep+3f;  /* inf and NaN -> 15 (NaN returns via x - w) */
    const float h = a * a;
    const float l = fmaf(a, a, -h);  /* a^2 = h + l exactly */
    const float den = fmaf(a, 0x1.8p-2f, 1.0f);
    const float dl = fmaf(a, 0x1.8p-2f, 1.0f - den);  /* 1 + Ka = den + dl exactly */
    const float q = a / den;
    const float e = fmaf(-q, dl, fmaf(-q, den, a));
    const float ql = e * fmaf(-q, 0x1.8p-2f, 1.0f);  /* q + ql = a / (1 + Ka) */
    const float gq = approx_gelu_fast_ratio(q > 0x1p-40f ? q : 0x1p-40f);  /* G = g/q */
    const float g2 = gq + gq;
    const float t = fmaf(fmaf(q, gq, -(h * 0.5f)), 0x1.715476p+0f, 0x1.8p+23f);  /* n in t's bits */
    const float nf = t - 0x1.8p+23f;
    const float s1 = fmaf(ql, g2, -(nf * 0x1.62e4p+0f) - h);  /* exact, then + 2 ql G */
    const float s = fmaf(q, g2, s1) - fmaf(nf, 0x1.7f7d1cp-19f, l);
    const float em1 = approx_gelu_fast_exp(s);  /* e^(s/2) - 1 */
    const float w = q + fmaf(q, em1, ql * (em1 + 1.0f));  /* (q + ql) e^(s/2) */
    const float scaled = (w * an_float((int32_t)(((uint32_t)an_bits(t) + 190u) << 23))) * 0x1p-64f;
    return x < 0.0f ? -scaled : x - scaled;
}

static inline void approx_gelu_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_gelu_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_GELU_FAST_H */
