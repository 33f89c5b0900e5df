/*
 * log1p(x) = log(1 + x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except the sum giving f, the core and the final rounding):
 *
 * * u = 1 + x rounded; for x > -1, u >= 2^-24 is normal. e = (bits(u) - bits(0.70710677)) >> 23,
 *   so that u 2^-e is in [sqrt(2)/2, sqrt(2)). The rounding of u only moves e near a boundary of
 *   that range, where f then lands a few ULPs past its end (the core is searched on the float32
 *   range of m - 1 and continues smoothly there).
 * * f = (1 + x) 2^-e - 1 = x 2^-e - (1 - 2^-e), without the rounding of u: x 2^-e is exact, made by
 *   subtracting e << 23 from x's bits (x 2^-e is a normal number whenever e != 0, and e = 0 leaves
 *   the bits as they are, subnormal x included); 2^-e from its exponent bits (e <= 126; past it,
 *   the bits max(0x3F800000 - (e << 23), 0) give 0 and 1 - 2^-e = 1, its correctly rounded value);
 *   1 - 2^-e is exact for e <= 24. The subtraction rounds once, and only where e >= 1 (x >= 0.41):
 *   for e = 0, f = x exactly (so log1p keeps its relative accuracy however small x is); for e < 0
 *   (x < -0.29), f is exact too (a multiple of 2^-e ulp(x), below 1/2 in magnitude). For e >= 1
 *   the rounding moves the result by at most ~0.7 ULP (f < 1/2 moves by < 2^-26, the result
 *   |log1p x| >= 0.34 has an ULP >= 2^-25).
 * * The log_fast kernel's core form t(f) ~ log(1 + f), and log1p(x) = fma(e, LN2, t), rounded once:
 *   for e = 0 the result is t; otherwise an ULP of t is at most one of the result (the log_fast
 *   kernel's argument). Error: t's own + 0.5 + ~0.05 (LN2) + the rounding of f for e >= 1.
 * * Specials by selects: x > -1 keeps the result, else -inf (x = -1) or NaN (x < -1, NaN); +inf ->
 *   +inf; x == 0 gives x itself (+-0 keep their sign; in jitted JAX on CPU, which reads subnormal x
 *   as 0, subnormal inputs give themselves, as NumPy and C compute them: log1p(x) = x there).
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'poly' (log(1+x) on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log1p_fast_core.json
 *     ((((((0.14882445335388184 + (-0.1432069092988968 + 0.0884004458785057 * x) * x) * x + -0.1656574159860611) * x + 0.1996522843837738) * x + -0.2500211000442505) * x + 0.33333879709243774) * x + -0.49999985098838806) * (x * x) + x
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_log1p_fast(x); approx_log1p_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_LOG1P_FAST_H
#define AUTONUMERICS_KERNEL_LOG1P_FAST_H

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

/* log(1+x): 17 ops, xla, hash a1737112b4bc4214 */
static inline float approx_log1p_fast_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.30cae00000000p-3f;
    const float c1 = -0x1.2549aa0000000p-3f;
    const float c2 = 0x1.6a16960000000p-4f;
    const float c3 = -0x1.5344320000000p-3f;
    const float c4 = 0x1.98e34c0000000p-3f;
    const float c5 = -0x1.0005880000000p-2f;
    const float c6 = 0x1.5556c40000000p-2f;
    const float c7 = -0x1.fffff60000000p-2f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    const float v5 = fmaf(v4, x, c6);
    const float v6 = fmaf(v5, x, c7);
    const float v7 = x * x;
    const float v8 = fmaf(v6, v7, x);
    return v8;
}

static inline float approx_log1p_fast(float x) {
    if (!(x > -1.0f)) return x == -1.0f ? -INFINITY : (x != x ? x : NAN);  /* -1, x < -1, NaN */
    if (x == INFINITY || x == 0.0f) return x;  /* +inf, +-0 */
    const int32_t ubits = an_bits(x + 1.0f);  /* u = 1 + x rounded: >= 2^-24, normal */
    /* e = floor((ubits - bits(sqrt(1/2))) / 2^23), in unsigned arithmetic (no signed shift) */
    const int32_t e = (int32_t)(((uint32_t)ubits - 0x3F3504F3u + 0x40000000u) >> 23) - 128;
    const int32_t k = (int32_t)((uint32_t)e << 23);
    const float xs = an_float(an_bits(x) - k);  /* x 2^-e, exact */
    const int32_t sbits = 0x3F800000 - k;
    const float s = an_float(sbits > 0 ? sbits : 0);  /* 2^-e (0 past e = 126) */
    const float f = xs - (1.0f - s);  /* (1 + x) 2^-e - 1, rounded once */
    const float q = approx_log1p_fast_core(f);
    return fmaf((float)e, 0x1.62e43p-1f, q);
}

static inline void approx_log1p_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_log1p_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_LOG1P_FAST_H */
