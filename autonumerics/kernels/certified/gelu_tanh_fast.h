/*
 * gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3) (jax.nn.gelu's default
 * formula, which loses everything to 1 + tanh(u) cancelling for x < 0) is x sigmoid(z) =
 * x / (1 + e^-z) with z = 2u = x (c1 + c2 x^2), c1 = 2 sqrt(2/pi), c2 = 0.044715 c1: no
 * cancellation. For x < 0 the result is ~ x e^z with |z| up to 110, so z's absolute error becomes
 * the result's relative error: z is carried to ~2^-45 relative.
 *
 * * x is clamped three ways (a select each): xn = max(x, -10.9375) for the numerator (gelu_tanh
 *   rounds to -0 from x = -10.7709 down), xb = clamp(x, -10.9375, 8.5) for z (z in [-110.8, 57.4]:
 *   e^-z stays in the scaled range below; gelu_tanh(x) rounds to x from 4.994 up, e^-57 < 2^-80),
 *   and xa = min(x, 8.5), equal to xb where it matters: products of xa and of xb are different
 *   expressions, so XLA does not merge a product with its FMA twin (the error of a product by
 *   one FMA needs the product a second time). Below -10.9375 only xa differs, and its garbage
 *   drives e^-z to +inf, where the quotient is -0 as it should be.
 * * v = c1 + c2 x^2 = v_hi + v_lo: s = x^2 = s1 + s_lo (one FMA), v_hi = fma(c2h, s1, c1h),
 *   d = v_hi - c1h exact (c1h has 21 bits, v_hi in [1.6, 10.2]), the rounding error of v_hi
 *   fma(c2h, s2, -d) (s2 = xa xb = s1), v_lo = that + c2h s_lo + (c2l s1 + c1l): the float32 pairs
 *   c1h + c1l, c2h + c2l carry the constants to 2^-48. z = x v_hi + x v_lo.
 * * e^-z = 2^n p: n = round(-z log2 e) from the shifter FMA on xb (v_hi (-log2e)) (any nearby n
 *   works: r stays within 2^-20 of [-ln2/2, ln2/2]); r = -x v_hi - n ln2_hi by one FMA (n ln2_hi
 *   exact: 15 bits), then - n ln2_lo and - x v_lo by one FMA each: r to ~3 * 2^-26 absolute. The
 *   exp kernel's core p(r) ~ e^r.
 * * The closing forms are silu_fast's (``autonumerics/kernels/fast/silu.py``): x >= 0:
 *   x / fma(p, 2^n, 1); x < 0: (x 2^(64-n)) / fma(p, 2^64, 2^(64-n)) with an exact numerator;
 *   one division with one user; subnormal results rounded once by it (NumPy, C); NaN -> NaN;
 *   gelu_tanh(-0) = -0; +inf -> +inf; -inf -> -0.
 *
 * Error budget: silu_fast's (the core, 1 + e^-z and the quotient: 2.4 ULP at most on every
 * float32 of [-91.8, 32] there) plus r's roundings (<= 0.2 ULP); 2.46 ULP at most on every
 * float32 of [-10.1, 6] (x = -5.0002).
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
 *     ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_gelu_tanh_fast(x); approx_gelu_tanh_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_GELU_TANH_FAST_H
#define AUTONUMERICS_KERNEL_GELU_TANH_FAST_H

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
static inline float approx_gelu_tanh_fast_exp(float x) {
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

static inline float approx_gelu_tanh_fast(float x) {
    const float xn = x < -0x1.5ep+3f ? -0x1.5ep+3f : x;  /* NaN stays NaN */
    const float xa = x < 0x1.1p+3f ? x : 0x1.1p+3f;
    const float xb = xa < -0x1.5ep+3f ? -0x1.5ep+3f : xa;
    const float s1 = xb * xb;
    const float s_lo = fmaf(xa, xa, -s1);  /* x^2 - s1 exactly */
    const float v_hi = fmaf(s1, 0x1.2444f2p-4f, 0x1.98845p+0f);
    const float d = v_hi - 0x1.98845p+0f;  /* exact */
    const float e = fmaf(xa * xb, 0x1.2444f2p-4f, -d);  /* v_hi's rounding error */
    const float v_lo = fmaf(s_lo, 0x1.2444f2p-4f, fmaf(s1, 0x1.49b16ap-29f, 0x1.9ea1b2p-23f)) + e;
    const float t = fmaf(xb, v_hi * -0x1.715476p+0f, 0x1.8p+23f);  /* n = round(-z log2 e) */
    const float nf = t - 0x1.8p+23f;
    float r = fmaf(-xa, v_hi, -(nf * 0x1.62e4p-1f));
    r = fmaf(-nf, 0x1.7f7d1cp-20f, r);
    r = fmaf(-xa, v_lo, r);
    const float p = approx_gelu_tanh_fast_exp(r);  /* e^-z = 2^n p */
    const uint32_t k = (uint32_t)an_bits(t);
    if (x < 0.0f) {
        const float s = an_float((int32_t)((191u - k) << 23));  /* 2^(64 - n) */
        return (xn * s) / fmaf(p, 0x1p+64f, s);
    }
    return xn / fmaf(p, an_float((int32_t)((k + 127u) << 23)), 1.0f);  /* NaN stays NaN */
}

static inline void approx_gelu_tanh_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_gelu_tanh_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_GELU_TANH_FAST_H */
