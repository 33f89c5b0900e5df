/*
 * 2**x in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except r for x in (-1, 0), the core and the final product for
 * subnormal results):
 *
 * * x is clamped to [-127, 128] (JAX; NumPy and C clamp at -151 to compute subnormal results), a
 *   max and a min that keep NaN: 2^x rounds to +inf from x = 128 on and every result below 2^-126
 *   is flushed to 0 by jitted JAX on CPU anyway, so nothing is lost.
 * * n = floor(x) (one rounding instruction), r = x - n in [0, 1]: exact for |x| >= 1 and x >= 0
 *   (a multiple of x's unit in the last place, not above |x|); for x in (-1, 0), r = 1 + x rounds
 *   once (<= 2^-25, at most 0.35 ULP of the result).
 * * p = fma(r, q(r), 1) ~ 2^r in [1, 2], rounded once, q(r) ~ (2^r - 1)/r in [0.69, 1] the core:
 *   p = 1 exactly at r = 0 (integer x give exact powers of two) and p >= 1 for every r >= 0
 *   (x = -126 + r is a normal result, which must not fall below 2^-126), whatever q's constants.
 *   q's error reaches p damped: u ULP of q (an ULP of 2^-24) move p (an ULP of 2^-23) by at most
 *   r u / 2 ULP, most near r = 1.
 * * 2^n = float((n + 127) << 23) from t = n + (1.5 * 2^23 + 127), whose low bits hold n + 127
 *   (exp2.SHIFTER): for n in [-126, 127] a normal power of two, so p * 2^n is exact while the result
 *   is normal, and rounds to a subnormal that jitted JAX flushes to 0 (FTZ); n = -127 (x < -126
 *   after the clamp) gives the bits 0, so 0 * p = 0; n = 128 (x = 128 after the clamp) gives the
 *   bits of +inf, so inf * p(0) = inf. A NaN input stays NaN through every step (NaN * anything).
 *   No select is needed: the round-to-nearest reduction of the accurate kernel puts p in
 *   [0.70, 1.42] and so needs 2^n for n in [-126, 128], one exponent more than a float32 has.
 * * NumPy and C compute results below 2^-126 (n <= -127) in two steps, p * 2^(n+64) exactly, then
 *   times 2^-64 with one rounding, as the accurate kernel does.
 * * exp2(-inf) = 0, exp2(+inf) = inf, exp2(NaN) = NaN.
 *
 * Error: p's error on [0, 1] (q's, damped, plus p's rounding: 0.96 ULP at most, near r = 1)
 * carries over unchanged through the exact scaling, plus r's rounding for x in (-1, 0): 1.31 ULP at
 * most on every float32 of [-0.25, -0.0001] (near x = -0.001), 0.96 on [1, 2]. Cost: 2 clamps,
 * floor, add, subtract, 6 FMAs (5 in q), a shift and a multiply per element.
 *
 * Subnormal results are computed correctly (one rounding).
 * Core 'poly' ((2**x - 1)/x on [-9.5367431640625e-07, 1.0]): autonumerics/kernels/cores/exp2_fast_core.json
 *     (((0.009652688167989254 + (0.001268653548322618 + 0.00020840471552219242 * x) * x) * x + 0.05549585074186325) * x + 0.24022720754146576) * x + 0.6931471824645996
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_exp2_fast(x); approx_exp2_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_EXP2_FAST_H
#define AUTONUMERICS_KERNEL_EXP2_FAST_H

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

/* (2**x - 1)/x: 10 ops, xla, hash f30e1adc94afbb44 */
static inline float approx_exp2_fast_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.3c4c9e0000000p-7f;
    const float c1 = 0x1.4c91e60000000p-10f;
    const float c2 = 0x1.b50e6e0000000p-13f;
    const float c3 = 0x1.c69f3c0000000p-5f;
    const float c4 = 0x1.ebfc3e0000000p-3f;
    const float c5 = 0x1.62e4300000000p-1f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    return v4;
}

static inline float approx_exp2_fast(float x) {
    if (x != x) return x;
    const float clamped = x < -151.0f ? -151.0f : (x > 128.0f ? 128.0f : x);
    const float whole = floorf(clamped);  /* n */
    const float r = clamped - whole;  /* in [0, 1] */
    const float p = fmaf(r, approx_exp2_fast_core(r), 1.0f);  /* 2^r, rounded once */
    const int32_t n = (int32_t)whole;
    if (n < -126) {
        /* p * 2^(n+64) is exact and normal, the product by 2^-64 rounds once (subnormal results) */
        return (p * an_pow2(n + 64)) * 0x1p-64f;
    }
    /* times 2^n from its exponent bits: exact; +inf for n = 128 */
    return p * an_float((int32_t)((uint32_t)(n + 127) << 23));
}

static inline void approx_exp2_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_exp2_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_EXP2_FAST_H */
