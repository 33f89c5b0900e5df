/*
 * expm1(x) = exp(x) - 1 in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * The accurate kernel carries e^x as an unrounded pair and subtracts 1 by an exact 2Sum (48 ops);
 * at 3.5 ULP one FMA does, because the error of m reaches the result amplified by at most
 * 2^n |m| / |e^x - 1| <= 1.41 (n = 1, r = -ln2/2; 0.71 for n = -1, less elsewhere):
 *
 * * x is clamped to [-17.5, 88.72283935546875], a max and a min that keep NaN: expm1 rounds to -1
 *   for x <= -17.32868 (and -inf), and to +inf from 88.72283935546875 on.
 * * n = round(x log2 e), half to even, from t = fma(x, log2 e, 1.5 * 2^23 + 127), whose low bits
 *   hold n + 127 (exp2.SHIFTER), read through an optimization barrier (XLA would fold
 *   (v + S) - S to v); t is capped at n = 127 (a min), so that 2^n = float(bits(t) << 23) is a
 *   normal float32 for every n in [-25, 127].
 * * r = x - n ln 2 in two FMAs, as in the exp_fast kernel: ln2_hi = ln 2 rounded down to 24 bits
 *   (x - n ln2_hi is exact: for n != 0, x and n ln2_hi are multiples of 2^-25 and |r| < 1/2, or,
 *   under the cap, multiples of 2^-24 and r < 1), then r = fma(-n, ln2_lo, r1) rounds once (for
 *   n = 0, r = x exactly). Both constants are below
 *   ln 2, so for x = -0 (n = +0) both products are -0 and r stays -0. |r| <= 0.34658 except under
 *   the cap (x >= 127.5 ln 2 = 88.376), where r reaches ln 2 + 2.4e-7.
 * * m = core(r) ~ e^r - 1 on [-0.3466, 0.6932], relatively accurate down to r = 0 and ending in a
 *   product by r, so that m(-0) = -0 and m(x) = x for tiny x.
 * * y = fma(m, 2^n, -(1 - 2^n)), rounded once. n = 0: y = m (1 - 1 = +0, and -0 - +0 = -0 keeps
 *   expm1(-0) = -0). 1 - 2^n is exact for -24 <= n <= 24; for n >= 25 it rounds to -2^n, an error
 *   of 1 in a result >= 2^24 (<= 0.5 ULP), and for n = -25 to 1, an error of 2^-25 in a result
 *   near -1 (<= 0.71 ULP, there where the result is -1 or -1 + 2^-24). n = 127 and r near ln 2 give
 *   2^127 (1 + m), which rounds to +inf exactly when e^x does: x = 88.72283935546875 (r = ln 2 +
 *   2.4e-7, m > 1) gives +inf, the float32 below it 2^128 (1 - 7.6e-6).
 * * NaN -> NaN, -inf -> -1, +inf -> +inf, +-0 -> +-0: no select. Subnormal x (NumPy, C): r = x,
 *   m = x P(x) = x, y = x. Jitted JAX on CPU reads subnormal x as 0 and returns 0 (DAZ).
 *
 * Error: the core's (<= ~1 ULP of m) times the amplification, plus r's rounding for n != 0 (at
 * most 0.35 ULP of m at |r| = 0.35) and the final rounding. Cost: 3 clamps, 2 FMAs and a
 * subtraction for n and r, the core, a shift, a subtraction and one FMA.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'expm1' (expm1 on [-0.3466, 0.6932]): autonumerics/kernels/cores/expm1_fast_core.json
 *     (((((0.008327087387442589 + (0.0013853427954018116 + 0.00023079797392711043 * x) * x) * x + 0.041667696088552475) * x + 0.16666698455810547) * x + 0.4999999701976776) * x + 1.0) * x
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_expm1_fast(x); approx_expm1_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_EXPM1_FAST_H
#define AUTONUMERICS_KERNEL_EXPM1_FAST_H

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

/* expm1: 13 ops, xla, hash 6a1e38b10d435ede */
static inline float approx_expm1_fast_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.10dcac0000000p-7f;
    const float c1 = 0x1.6b28c80000000p-10f;
    const float c2 = 0x1.e404b80000000p-13f;
    const float c3 = 0x1.55577e0000000p-5f;
    const float c4 = 0x1.5555800000000p-3f;
    const float c5 = 0x1.fffffe0000000p-2f;
    const float c6 = 0x1.0000000000000p+0f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    const float v5 = fmaf(v4, x, c6);
    const float v6 = v5 * x;
    return v6;
}

static inline float approx_expm1_fast(float x) {
    if (x != x) return x;
    const float clamped = x < -17.5f ? -17.5f : (x > 0x1.62e430p+6f ? 0x1.62e430p+6f : x);
    float t = fmaf(clamped, 0x1.715476p+0f, 0x1.8000fep+23f);  /* n = round(x log2 e), n + 127 in t's low bits */
    if (t > 0x1.8001fcp+23f) t = 0x1.8001fcp+23f;  /* n <= 127 */
    const float whole = t - 0x1.8000fep+23f;  /* n, exactly */
    const float r1 = fmaf(-whole, 0x1.62e42ep-1f, clamped);  /* exact */
    const float r = fmaf(-whole, 0x1.efa39ep-25f, r1);
    const float m = approx_expm1_fast_core(r);  /* e^r - 1 */
    const float scale = an_pow2((int32_t)whole);  /* 2^n */
    return fmaf(m, scale, -(1.0f - scale));  /* one rounding */
}

static inline void approx_expm1_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_expm1_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_EXPM1_FAST_H */
