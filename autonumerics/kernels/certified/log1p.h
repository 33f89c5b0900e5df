/*
 * log1p(x) = log(1 + x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except the core, the division and three roundings in the tail):
 *
 * * u = 1 + x rounded once and its exact error c (Knuth's 2Sum, no ordering needed): 1 + x = u + c.
 *   For x > -1 the sum u is at least 2^-24, a normal float, so no subnormal path is needed.
 * * u = 2^e * m with m in [sqrt(2)/2, sqrt(2)) from its bit pattern (the log kernel's split), f =
 *   m - 1 exact, and the log kernel's core q(f) ~ (log(1 + f) - f) / f^2 on the same range of f.
 * * log1p(x) = log(u) + log(1 + c/u), and |c/u| <= 2^-24, so log(1 + c/u) = c/u to 2^-49: the
 *   correction is one division, rounded once and added inside the tail. It matters where log1p(x)
 *   is small: for |x| < 2^-25, u = 1 and the result is c/1 = x exactly.
 * * log1p(x) = hi + ((f * f) q + (c/u + (e LN2_LO + lo))) with hi = e LN2_HI + f and lo its exact
 *   error (Fast2Sum), as in the log kernel (LN2_HI of 15 bits, so e LN2_HI is exact); the final sum
 *   rounds once.
 * * log1p(-1) = -inf, log1p(x < -1) = NaN, log1p(+inf) = +inf, NaN -> NaN, log1p(+-0) = +-0.
 *   x == 0 selects x itself, which in jitted JAX on CPU (where subnormal x compares equal to 0)
 *   returns subnormal inputs unchanged: log1p(x) = x there, so JAX, NumPy and C agree on them too.
 *
 * JAX's own jnp.log1p is 2.4 ULP off on a sample of [-0.99, 100] (x near 0.43); this kernel is
 * within 1 ULP on every float32 (the certificate).
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'poly' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
 *     (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_log1p(x); approx_log1p_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_LOG1P_H
#define AUTONUMERICS_KERNEL_LOG1P_H

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

/* (log(1+x) - x)/x**2: 18 ops, xla, hash 5a389567ede01ba8 */
static inline float approx_log1p_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.55554e0000000p-2f;
    const float c1 = 0x1.e4b6340000000p-4f;
    const float c2 = -0x1.d641280000000p-4f;
    const float c3 = 0x1.0feb480000000p-4f;
    const float c4 = -0x1.fd6dc60000000p-4f;
    const float c5 = 0x1.2375200000000p-3f;
    const float c6 = -0x1.5553b20000000p-3f;
    const float c7 = 0x1.99a1380000000p-3f;
    const float c8 = -0x1.00001a0000000p-2f;
    const float c9 = -0x1.0000000000000p-1f;
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

static inline float approx_log1p(float x) {
    if (!(x > -1.0f)) return x == -1.0f ? -INFINITY : (x != x ? x : NAN);  /* -1, x < -1, NaN */
    if (x == INFINITY || x == 0.0f) return x;  /* +inf, +-0 */
    const float u = x + 1.0f;
    const float v = u - 1.0f;
    const float c = (1.0f - (u - v)) + (x - v);  /* 2Sum: 1 + x = u + c exactly */
    const int32_t bits = an_bits(u);  /* u >= 2^-24: normal */
    /* e = floor((bits - bits(sqrt(1/2))) / 2^23), in unsigned arithmetic (no signed shift) */
    const int32_t e = (int32_t)(((uint32_t)bits - 0x3F3504F3u + 0x40000000u) >> 23) - 128;
    const float m = an_float(bits - (int32_t)((uint32_t)e << 23));  /* in [sqrt(2)/2, sqrt(2)) */
    const float ef = (float)e;
    const float f = m - 1.0f;  /* exact */
    const float q = approx_log1p_core(f);
    const float a = ef * 0x1.62e4p-1f;  /* e * LN2_HI: exact */
    const float hi = a + f;  /* rounds once; exact when e = 0 */
    const float lo = (a - hi) + f;  /* Fast2Sum: hi + lo = e * LN2_HI + f exactly */
    const float small = fmaf(ef, 0x1.7f7d1cp-20f, lo);  /* e * LN2_LO + lo */
    const float tail = fmaf(f * f, q, c / u + small);
    return hi + tail;
}

static inline void approx_log1p_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_log1p(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_LOG1P_H */
