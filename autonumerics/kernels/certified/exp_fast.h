/*
 * e**x in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction:
 *
 * * x is clamped to [-88, 88.72283935546875] (JAX; NumPy and C clamp at -104 to compute subnormal
 *   results), a max and a min that keep NaN: e^x rounds to +inf from 88.72283935546875 on (the
 *   first float32 whose e^x is past 2^128 - 2^103), and every result below 2^-126 (x below
 *   -87.3365) is flushed to 0 by jitted JAX on CPU anyway.
 * * n = floor(float32(x log2 e)) (a multiply and one rounding instruction). The product's rounding
 *   can put n one off floor(x log2 e) where x log2 e is within ~6e-6 of an integer; then r below
 *   leaves [0, ln 2] by at most 4e-6, which the core's interval covers, and the result is the same.
 *   At the two ends that matter this does not happen: the first x with e^x >= 2^-126
 *   (-87.33654022216797) gets n = -126 and the last x below overflow (88.72283172607422) n = 127.
 * * r = x - n ln 2 in two FMAs: ln2_hi = 0x1.62e42ep-1 (ln 2 rounded down to 24 bits, a multiple
 *   of 2^-24) makes x - n ln2_hi exact for |x| >= 1/2 (a multiple of 2^-24 below 1) and for n = 0,
 *   and rounds it once for x in [-1/2, 0) (n = -1); then r = fma(-n, ln2_lo, r1), ln2_lo =
 *   0x1.efa39ep-25 (ln 2 - ln2_hi to 2^-49), rounds once more. r is off by at most 2^-24 (x in
 *   [-1/2, 0)), else 2^-25: at most 1 ULP, else 0.5 ULP, of the result.
 * * p = fma(r, q(r), 1) ~ e^r in [1, 2], rounded once, q(r) ~ (e^r - 1)/r in [1, 1.45] the core:
 *   p = 1 exactly at r = 0 and p >= 1 for r >= 0 (so x = -126 ln 2 + r, a normal result, stays
 *   normal), whatever q's constants. u ULP of q (an ULP of 2^-23) move p by at most r u ULP.
 *   p's error on [0, ln 2] is 1.09 ULP at most (near r = ln 2).
 * * y = p * 2^n with 2^n = float((n + 127) << 23) from t = n + (1.5 * 2^23 + 127), exactly as in
 *   the exp2_fast kernel: exact while the result is normal, flushed to 0 by jitted JAX below 2^-126
 *   (and 0 * p = 0 for n = -127, x <= -88), +inf * p for n = 128 (x = 88.72283935546875 after the
 *   clamp: r = 2.4e-7, p >= 1). NumPy and C scale n <= -127 in two steps (one rounding).
 * * exp(-inf) = 0, exp(+inf) = inf, exp(NaN) = NaN: no select.
 *
 * Error: p's plus r's rounding: 1.56 ULP at most on every float32 of [-0.25, -0.0001] (near
 * x = -0.0006), 1.53 on [-20, -2], 1.48 on [64, 88.72]. Cost: 2 clamps, a multiply, floor, add,
 * 2 FMAs for r, 6 FMAs (5 in q), a shift and a multiply.
 *
 * Subnormal results are computed correctly (one rounding).
 * Core 'poly' (expm1(x)/x on [-1.52587890625e-05, 0.6931610107421875]): autonumerics/kernels/cores/exp_fast_core.json
 *     (((0.041810788214206696 + (0.007937006652355194 + 0.0018748915754258633 * x) * x) * x + 0.16664348542690277) * x + 0.5000013113021851) * x + 1.0
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_exp_fast(x); approx_exp_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_EXP_FAST_H
#define AUTONUMERICS_KERNEL_EXP_FAST_H

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

/* expm1(x)/x: 10 ops, xla, hash fbe088754f1e9a89 */
static inline float approx_exp_fast_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.5683940000000p-5f;
    const float c1 = 0x1.0414700000000p-7f;
    const float c2 = 0x1.eb7dd80000000p-10f;
    const float c3 = 0x1.55492e0000000p-3f;
    const float c4 = 0x1.00002c0000000p-1f;
    const float c5 = 0x1.0000000000000p+0f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    return v4;
}

static inline float approx_exp_fast(float x) {
    if (x != x) return x;
    const float clamped = x < -104.0f ? -104.0f : (x > 0x1.62e430p+6f ? 0x1.62e430p+6f : x);
    const float whole = floorf(clamped * 0x1.715476p+0f);  /* n */
    const float r1 = fmaf(-whole, 0x1.62e42ep-1f, clamped);
    const float r = fmaf(-whole, 0x1.efa39ep-25f, r1);
    const float p = fmaf(r, approx_exp_fast_core(r), 1.0f);  /* e^r, rounded once */
    const int32_t n = (int32_t)whole;
    if (n < -126) {
        /* p * 2^(n+64) is exact and normal, the product by 2^-64 rounds once (subnormal results) */
        return (p * an_pow2(n + 64)) * 0x1p-64f;
    }
    /* times 2^n from its exponent bits: exact; +inf for n = 128 */
    return p * an_float((int32_t)((uint32_t)(n + 127) << 23));
}

static inline void approx_exp_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_exp_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_EXP_FAST_H */
