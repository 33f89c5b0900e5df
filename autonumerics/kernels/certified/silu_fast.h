/*
 * silu(x) = x sigmoid(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * silu(x) = x sigmoid(x) = x / (1 + e^-x) for every x: one division whose numerator is exact, so
 * the result carries the core's error, one rounding of 1 + e^-x and the quotient's rounding.
 *
 * * e^-x = 2^n p: x is clamped to [-112, 87] for the reduction (silu rounds to -0 from -112 down
 *   and to x from 87 up: e^-87 < 2^-125), n = round(-x log2 e) from the shifter FMA
 *   t = -x log2e + 1.5 * 2^23 (n in t's low bits), Cody-Waite r = -x - n ln2_hi (exact: ln2_hi
 *   has 15 bits) then r - n ln2_lo by one FMA (one rounding, <= 2^-26 at |r| ~ 0.35), and the
 *   exp kernel's core p(r) ~ e^r on [-ln2/2, ln2/2] (its degree-6 polynomial; the degree-5 front
 *   member gives 4.9 ULP here: its relative error reaches 3.6 * 2^-24).
 * * x >= 0 (n in [-126, 0]): silu = x / fma(p, 2^n, 1): 1 + E rounded once; x >= 17.33 gives x
 *   itself, +inf gives +inf, NaN stays NaN, silu(-0) = -0 / 2 = -0.
 * * x < 0 (n in [0, 162]): e^-x overflows from x = -88.7 on, so numerator and denominator are
 *   scaled by s = 2^(64 - n) (normal for every n here): silu = (x s) / fma(p, 2^64, s). x s is
 *   exact (a power of 2, no overflow or underflow, subnormal x included), the denominator is the
 *   same rounded 1 + e^-x times s, and the quotient rounds once, also where it is subnormal
 *   (x < -87.3; NumPy and C), and to -0 for x <= -108.7.
 * * 2^n or 2^(64 - n) from t's bits by one select, numerator and denominator by one FMA with
 *   selected operands: the division has one user (one XLA loop).
 *
 * Error budget (relative, units of 2^-24): the core's error (<= 1.4 for the degree-6 core; p's
 * ULP is 2^-23 above 1) reaches silu times e^-x / (1 + e^-x) < 1, r's rounding <= 0.25, 1 + e^-x
 * rounds once (<= 1), the quotient once (0.5 ULP): <= 3.2 * 2^-24 + 0.5 ULP in the worst case,
 * 2.9 ULP at most if the result's significand is near 2; 2.40 ULP at most on every float32 of
 * [-91.8, 32] (x = -16.6997), where every result that is not x, -0 or subnormal lies.
 * jax.nn.silu computes x * sigmoid(x) and is 1.67e7 ULP off near x = -90 (sigmoid's tail).
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
 *     ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_silu_fast(x); approx_silu_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_SILU_FAST_H
#define AUTONUMERICS_KERNEL_SILU_FAST_H

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
static inline float approx_silu_fast_exp(float x) {
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

static inline float approx_silu_fast(float x) {
    const float xn = x < -0x1.cp+6f ? -0x1.cp+6f : x;  /* NaN stays NaN */
    const float v = -(xn < 0x1.5cp+6f ? xn : 0x1.5cp+6f);
    const float t = fmaf(v, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(-x log2 e) in t's low bits */
    const float nf = t - 0x1.8p+23f;
    const float r = v - nf * 0x1.62e4p-1f;  /* exact */
    const float p = approx_silu_fast_exp(fmaf(-nf, 0x1.7f7d1cp-20f, r));  /* e^r */
    const uint32_t k = (uint32_t)an_bits(t);
    if (x < 0.0f) {
        const float s = an_float((int32_t)((191u - k) << 23));  /* 2^(64 - n) */
        return (xn * s) / fmaf(p, 0x1p+64f, s);  /* x / (1 + e^-x), both scaled by s */
    }
    return xn / fmaf(p, an_float((int32_t)((k + 127u) << 23)), 1.0f);  /* 2^n; NaN stays NaN */
}

static inline void approx_silu_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_silu_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_SILU_FAST_H */
