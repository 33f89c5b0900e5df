/*
 * tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
 * for bit and tanh(-0) = -0):
 *
 * * a < 0.5625: the "small" core, tanh on [0, 0.5625] as a + a^3*Q(a^2), ending in one fused
 *   multiply-add whose product never rounds on its own (tiny inputs give a, subnormals included).
 * * 0.5625 <= a < T = 0x1.205968p+3 (9.0109138, the first float32 whose tanh rounds to 1):
 *   tanh(a) = (1 - E) / (1 + E) = 2g - 1 with E = e^(-2a) and g = 1 / (1 + E), in float32 only but
 *   with every error term far below the final rounding:
 *   - z = -2a (exact), n = round(z / ln 2) (one FMA with a shifter), r = z - n*ln2_hi by one FMA:
 *     exact (r needs at most 24 bits); the rest of n*ln 2 becomes the factor 1 + c, c = -n*ln2_lo, |c| < 2^-23;
 *   - the "expm1" core m(r) ~ e^r - 1 - r (|m| <= 0.07), so e^r = (1 + r) + m: 1 + r is split
 *     exactly (Fast2Sum), m added to its low part, and e^z = 2^n (p + pl) kept as an unrounded pair
 *     (p + pl carries ~2^-29 relative error: the core's own ULP error is damped by |m| <= 0.07);
 *   - 1 + E as an exact pair (Fast2Sum), g = g0 + g1 by a reciprocal and one Newton step with two
 *     FMAs (the residual 1 - g0*dh is exact);
 *   - tanh = (2*g0 - 1) + 2*g1: 2*g0 - 1 is exact (Sterbenz), so the result rounds once.
 * * a >= T (and a = inf) gives exactly 1; NaN gives NaN.
 *
 * Both paths are computed for every element and selects pick the result (no branches in JAX and
 * NumPy). Measured over every float32 (the certificate): max 0.73 ULP, from the small core.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'small' (tanh on [0.0, 0.5625]): results/kernels/cores/tanh_core_small.json
 *     t0 = x * x; t0 * x * ((t0 * ((-0.006206011865288019 * t0 + 0.02102750539779663) * t0 + -0.05384277179837227) + 0.13332511484622955) * t0 + -0.33333316445350647) + x
 * Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): results/kernels/cores/tanh_core_expm1.json
 *     (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_tanh(x); approx_tanh_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_TANH_H
#define AUTONUMERICS_KERNEL_TANH_H

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

/* tanh: 12 ops, xla, hash 10691bc8e8f198c8 */
static inline float approx_tanh_small(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = -0x1.96b79a0000000p-8f;
    const float c1 = 0x1.5883c00000000p-6f;
    const float c2 = -0x1.b9147a0000000p-5f;
    const float c3 = 0x1.110cc20000000p-3f;
    const float c4 = -0x1.55554a0000000p-2f;
    const float v0 = x * x;
    const float v1 = v0 * x;
    const float v2 = fmaf(c0, v0, c1);
    const float v3 = fmaf(v2, v0, c2);
    const float v4 = fmaf(v0, v3, c3);
    const float v5 = fmaf(v4, v0, c4);
    const float v6 = fmaf(v1, v5, x);
    return v6;
}

/* expm1(x) - x: 10 ops, xla, hash 273a21660127a787 */
static inline float approx_tanh_expm1(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.5556820000000p-5f;
    const float c1 = 0x1.12006e0000000p-7f;
    const float c2 = 0x1.6b24780000000p-10f;
    const float c3 = 0x1.5554ea0000000p-3f;
    const float c4 = 0x1.0000000000000p-1f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = x * x;
    const float v5 = v3 * v4;
    return v5;
}

/* e^z = 2^n (p + pl) for z in [-120, 0]: r = z - n ln2_hi exact (FMA), e^r = (1 + r) + core(r) */
static inline int32_t approx_tanh_expm1_exp_pair(float z, float *p, float *pl) {
    const float t = fmaf(z, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(z log2 e) in t's low bits */
    const float n = t - 0x1.8p+23f;
    const float r = fmaf(-n, 0x1.62e43p-1f, z);
    const float c = n * 0x1.05c61p-29f;  /* e^(-n ln2_lo) = 1 + c */
    const float m = approx_tanh_expm1(r);
    const float h = 1.0f + r;
    const float l = r - (h - 1.0f);  /* h + l = 1 + r exactly */
    const float mid = l + m;
    const float q = h + mid;
    *pl = fmaf(c, q, mid - (q - h));  /* q + (mid - (q - h)) = h + mid exactly, then times 1 + c */
    *p = q;
    return an_bits(t) - 0x4B400000;
}

/* 1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: exact 1 + er pair, one Newton step */
static inline float approx_tanh_expm1_reciprocal_pair(float er, float el, float *g1) {
    const float dh = 1.0f + er;
    const float dl = ((1.0f - dh) + er) + el;
    const float g0 = 1.0f / dh;
    float e = fmaf(-g0, dh, 1.0f);  /* exact residual */
    e = fmaf(-g0, dl, e);
    *g1 = g0 * e;
    return g0;
}

static inline float approx_tanh(float x) {
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    float y;
    if (x != x) return x;
    if (a < 0x1.2p-1f) {
        y = approx_tanh_small(a);
    } else if (a >= 0x1.205968p+3f) {
        y = 1.0f;
    } else {
        float p, pl, g1;
        const int32_t n = approx_tanh_expm1_exp_pair(-2.0f * a, &p, &pl);
        const float s = an_pow2(n);
        const float g0 = approx_tanh_expm1_reciprocal_pair(s * p, s * pl, &g1);
        y = fmaf(g1, 2.0f, g0 * 2.0f - 1.0f);  /* 2 g0 - 1 exact: one rounding */
    }
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}

static inline void approx_tanh_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_tanh(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_TANH_H */
