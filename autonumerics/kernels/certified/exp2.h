/*
 * 2**x in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except the core and, for subnormal results, one final rounding):
 *
 * * x is clamped to [-151, 128] (NaN stays NaN): 2^x rounds to +inf from x = 128 on (2^128 is past
 *   the largest float32; 2^(128 - 2^-17) is not) and to 0 at x <= -150, so nothing is lost.
 * * n = round(x) (half to even, by adding 1.5 * 2^23: see SHIFTER), r = x - n in [-1/2, 1/2]:
 *   exact (|r| <= |x| and r is a multiple of x's unit in the last place). n = floor(x) would not
 *   do: r = 1 + x rounds for x in (-1, 0).
 * * p = core(r) ~ 2^r in [0.70, 1.42] (exactly 1 at r = 0, so 2^n is exact for integer x).
 * * p * 2^n is formed by adding n to p's exponent bits (exact) while the result is normal. NumPy
 *   and C scale results that may be subnormal (n <= -126) in two steps, by 2^(n+64) (exact, a
 *   normal number) and by 2^-64, which rounds once (no subnormal intermediate). Jitted JAX on CPU
 *   flushes subnormal results to zero, so the JAX kernel returns 0 for every result below 2^-126
 *   (and XLA reads subnormal inputs as 0, where 2^x rounds to 1 anyway).
 * * x >= 128 gives +inf, NaN gives NaN; exp2(-inf) = 0, exp2(+inf) = inf.
 *
 * The error is the core's alone: its ULP error on [-1/2, 1/2] carries over unchanged through the
 * exact scaling (subnormal results add the final rounding's half unit in the last place).
 *
 * Subnormal results are computed correctly (one rounding).
 * Core 'poly' (exp2 on [-0.5, 0.5]): autonumerics/kernels/cores/exp2_core.json
 *     ((((0.009618700481951237 + (0.0013399928575381637 + 0.00015309904119931161 * x) * x) * x + 0.05550336465239525) * x + 0.24022641777992249) * x + 0.6931471824645996) * x + 1.0
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_exp2(x); approx_exp2_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_EXP2_H
#define AUTONUMERICS_KERNEL_EXP2_H

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

/* exp2: 12 ops, xla, hash 6c710c6a7fc72544 */
static inline float approx_exp2_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.3b2f820000000p-7f;
    const float c1 = 0x1.5f45660000000p-10f;
    const float c2 = 0x1.41126c0000000p-13f;
    const float c3 = 0x1.c6aefe0000000p-5f;
    const float c4 = 0x1.ebfbd40000000p-3f;
    const float c5 = 0x1.62e4300000000p-1f;
    const float c6 = 0x1.0000000000000p+0f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    const float v5 = fmaf(v4, x, c6);
    return v5;
}

static inline float approx_exp2(float x) {
    if (x != x) return x;
    if (x >= 128.0f) return INFINITY;
    const float clamped = x < -151.0f ? -151.0f : x;
    const float t = clamped + 0x1.8p+23f;  /* n = round(x), half to even, in t's low bits */
    const float p = approx_exp2_core(clamped - (t - 0x1.8p+23f));  /* 2^r, r = x - n exact */
    const int32_t n = an_bits(t) - 0x4B400000;
    if (n < -125) {
        /* p * 2^(n+64) is exact and normal, the product by 2^-64 rounds once (subnormal results) */
        return (p * an_pow2(n + 64)) * 0x1p-64f;
    }
    /* p * 2^n on the exponent bits (exact); unsigned arithmetic, as n may be negative */
    return an_float((int32_t)((uint32_t)an_bits(p) + ((uint32_t)n << 23)));
}

static inline void approx_exp2_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_exp2(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_EXP2_H */
