/*
 * sigmoid(x) = 1/(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except the core, two Cody-Waite roundings, one FMA and the
 * division):
 *
 * * x is clamped to [-104, 40] (NaN stays NaN: both comparisons are false). sigmoid rounds to 0
 *   for x <= -103.972084 (below 2^-150) and to 1 from x = 17.3286800 on, so nothing is lost; the
 *   clamp keeps 2^(n - 64) normal and the reduction finite.
 * * n = round(-x log2 e) from t = fma(x, -log2 e, 1.5 * 2^23 - 64): n = t - (1.5 * 2^23 - 64)
 *   exactly, and t's low bits hold n - 64 (bits(t) << 23 = (n - 64) << 23, the offset folded into
 *   the shifter); any nearby integer works.
 * * r = -x - n ln2 in two steps (Cody-Waite, the exp kernel's constants): -x - n ln2_hi is exact
 *   (ln2_hi has 15 significant bits, |n| <= 151), then r = fma(-n, ln2_lo, r1) rounds once, |r| <=
 *   ln2/2. Two constants keep e^-x within the core's error out to x = -104, where sigmoid ~ e^x
 *   inherits e^-x's relative error in full.
 * * p = core(r) ~ e^r (the exp kernel's evolved core on [-ln2/2, ln2/2]); w = 2^(n - 64) built on
 *   the exponent bits of 1 from t (n - 64 stays in [-122, 87]).
 * * sigmoid = s / fma(w, p, s) with s = 2^-64: 1/(1 + e^-x) scaled so that e^-x up to e^104 fits.
 *   w p = 2^-64 e^-x is exact inside the FMA, which rounds s + w p once; then one division. p
 *   enters through arithmetic, not through its bits, so a NaN of any payload gives NaN.
 * * Error: for x >= 0, e^-x <= 1 and its error is damped by E/(1 + E) <= 1/2; for x < 0 the
 *   result's relative error is e^-x's (the core's <= 0.7 ULP and r's rounding) plus the FMA's and
 *   the division's roundings: 2.48 ULP at most over every float32 of the worst binade,
 *   [-32, -16], 2.17 on every 1009th bit pattern of the whole line. Results below 2^-126
 *   (x < -87.3365) come out of the division rounded once (NumPy, C; jitted JAX on CPU flushes
 *   them to 0), exactly 0 from -103.972084 down (as rounded exactly). The result is exactly 1 from
 *   x = 16.635532 on (1 ULP off there; the exact sigmoid rounds to 1 from 17.3286800 on).
 *
 * sigmoid(-x) = 1 - sigmoid(x) is never used: for x < 0 the quotient is small by itself, with no
 * cancellation. JAX's own jax.nn.sigmoid is 4.7e6 ULP off in its far negative tail.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'poly' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
 *     ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_sigmoid_fast(x); approx_sigmoid_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_SIGMOID_FAST_H
#define AUTONUMERICS_KERNEL_SIGMOID_FAST_H

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

/* exp: 12 ops, xla, hash a3b9a3dae7fd9236 */
static inline float approx_sigmoid_fast_poly(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.555a2a0000000p-5f;
    const float c1 = 0x1.126d280000000p-7f;
    const float c2 = 0x1.69e03a0000000p-10f;
    const float c3 = 0x1.5554300000000p-3f;
    const float c4 = 0x1.fffff60000000p-2f;
    const float c5 = 0x1.0000000000000p+0f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    const float v5 = fmaf(v4, x, c5);
    return v5;
}

static inline float approx_sigmoid_fast(float x) {
    const float lowered = x < -0x1.ap+6f ? -0x1.ap+6f : x;  /* NaN stays NaN */
    const float xc = lowered > 0x1.4p+5f ? 0x1.4p+5f : lowered;
    const float t = fmaf(xc, -0x1.715476p+0f, 0x1.7fff8p+23f);  /* n - 64 in t's low bits */
    const float n = t - 0x1.7fff8p+23f;  /* exact */
    const float r1 = n * -0x1.62e4p-1f - xc;  /* -x - n ln2_hi, exact */
    const float p = approx_sigmoid_fast_poly(fmaf(-n, 0x1.7f7d1cp-20f, r1));  /* e^r, r rounded once */
    const float w = an_float((int32_t)(((uint32_t)an_bits(t) << 23) + 0x3F800000u));  /* 2^(n - 64) */
    return 0x1p-64f / fmaf(w, p, 0x1p-64f);  /* 1/(1 + e^-x) */
}

static inline void approx_sigmoid_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_sigmoid_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_SIGMOID_FAST_H */
