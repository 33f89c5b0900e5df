/*
 * gelu_tanh(x) = x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * gelu_tanh(x) = x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3), is jax.nn.gelu's default
 * (approximate=True) formula, computed accurately as a function in its own right. jax.nn.gelu
 * itself is 2.7e6 ULP off near x = -4.72, where 1 + tanh(u) cancels. Here it is x sigmoid(z),
 * z = 2u = x (c1 + c2 x^2), c1 = 2 sqrt(2/pi), c2 = 0.044715 c1, which does not cancel; for
 * x < 0, sigmoid(z) ~ e^z with |z| up to 110, so z's absolute error is the result's relative error
 * and z is carried as z_hi + z_lo to ~2^-45 relative:
 *
 * * x >= 4.9941373 (0x1.3f9ff2p+2, the first float32 whose gelu_tanh rounds to x itself; every
 *   float32 above does too) returns x by a select, which also gives +inf and NaN. Below, x is
 *   clamped at -10.9375 (gelu_tanh rounds to -0 from -10.7709 down; z = -110.8 there) and,
 *   as a second copy for the exact products, at 8.5 (see the fast kernel: products of two copies
 *   are different expressions, so XLA does not merge a product with its FMA twin).
 * * v = c1 + c2 x^2 = v_hi + v_lo (``fast.gelu_tanh.v_pair_lines``: x^2 split by one FMA, v_hi's
 *   rounding error by one FMA, c1 and c2 as float32 pairs), z_hi = x v_hi, z_lo = x v_lo +
 *   (x v_hi - z_hi) by two FMAs.
 * * a = |z_hi| clamped to 120; E = e^-a = 2^n (p + pl) (``exp_pair.reduction_source``, the sigmoid
 *   kernel's core), then e^-|z| = E (1 -+ z_lo): pl += (-+ z_lo) p by one FMA (|z_lo| <= 2^-18,
 *   so the second-order term is below 2^-37).
 * * g = 1/(1 + e^-|z|) = g0 + g1 and the three closing forms of the silu kernel
 *   (``autonumerics/kernels/silu.py``): x >= 0: fma(x, g0, x g1); |z| < 8, x < 0:
 *   fma(x, 1 - g0, -x g1) (1 - g = E/(1 + E) to 2^-48 absolute, >= 3.3e-4 relative to it: x g1 is
 *   at most 2^-11 of the result); |z| >= 8, x < 0: fma(x, p, x (pl - w p)), w = E g0, scaled by
 *   2^n in two exact
 *   steps (subnormal results, x < -10.1, rounded once more in NumPy and C; JAX flushes them).
 *   The limit is 8, not the silu kernel's 4: w = E g0 leaves out E's low part (up to 2^-21 of E
 *   here, where pl also carries z_lo), which at |z| = 4.4 (w = 0.012) cost 0.9 ULP; from |z| = 8
 *   on w < 3.4e-4 and it is negligible.
 *   gelu_tanh(-0) = -0; -inf -> -0.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/tanh_core_expm1.json
 *     (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_gelu_tanh(x); approx_gelu_tanh_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_GELU_TANH_H
#define AUTONUMERICS_KERNEL_GELU_TANH_H

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

/* expm1(x) - x: 10 ops, xla, hash 273a21660127a787 */
static inline float approx_gelu_tanh_expm1(float x) {
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
static inline int32_t approx_gelu_tanh_expm1_exp_pair(float z, float *p, float *pl) {
    const float t = fmaf(z, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(z log2 e) in t's low bits */
    const float n = t - 0x1.8p+23f;
    const float r = fmaf(-n, 0x1.62e43p-1f, z);
    const float c = n * 0x1.05c61p-29f;  /* e^(-n ln2_lo) = 1 + c */
    const float m = approx_gelu_tanh_expm1(r);
    const float h = 1.0f + r;
    const float l = r - (h - 1.0f);  /* h + l = 1 + r exactly */
    const float mid = l + m;
    const float q = h + mid;
    *pl = fmaf(c, q, mid - (q - h));  /* q + (mid - (q - h)) = h + mid exactly, then times 1 + c */
    *p = q;
    return an_bits(t) - 0x4B400000;
}

/* 1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: exact 1 + er pair, one Newton step */
static inline float approx_gelu_tanh_expm1_reciprocal_pair(float er, float el, float *g1) {
    const float dh = 1.0f + er;
    const float dl = ((1.0f - dh) + er) + el;
    const float g0 = 1.0f / dh;
    float e = fmaf(-g0, dh, 1.0f);  /* exact residual */
    e = fmaf(-g0, dl, e);
    *g1 = g0 * e;
    return g0;
}

static inline float approx_gelu_tanh(float x) {
    if (!(x < 0x1.3f9ff2p+2f)) return x;  /* gelu_tanh(x) rounds to x; +inf; NaN */
    const float xb = x < -0x1.5ep+3f ? -0x1.5ep+3f : x;
    const float s1 = xb * xb;
    const float s_lo = fmaf(xb, xb, -s1);  /* x^2 - s1 exactly */
    const float v_hi = fmaf(s1, 0x1.2444f2p-4f, 0x1.98845p+0f);
    const float d = v_hi - 0x1.98845p+0f;  /* exact */
    const float e = fmaf(s1, 0x1.2444f2p-4f, -d);  /* v_hi's rounding error */
    const float v_lo = fmaf(s_lo, 0x1.2444f2p-4f, fmaf(s1, 0x1.49b16ap-29f, 0x1.9ea1b2p-23f)) + e;
    const float z_hi = xb * v_hi;
    const float z_lo = fmaf(xb, v_lo, fmaf(xb, v_hi, -z_hi));
    const float az = fabsf(z_hi);
    const float ac = az < 0x1.ep+6f ? az : 0x1.ep+6f;
    float p, pl, g1;
    const int32_t n = approx_gelu_tanh_expm1_exp_pair(-ac, &p, &pl);  /* e^-|z_hi| = 2^n (p + pl) */
    pl = fmaf(x < 0.0f ? z_lo : -z_lo, p, pl);  /* times 1 -+ z_lo */
    const float s = an_pow2(n > -64 ? n : -64);
    const float er = s * p;
    const float g0 = approx_gelu_tanh_expm1_reciprocal_pair(er, s * pl, &g1);
    const float q = x * g1;
    if (!(x < 0.0f)) return fmaf(x, g0, q);  /* x (g0 + g1), one rounding; -0 -> -0 */
    if (ac < 0x1p+3f) return fmaf(x, 1.0f - g0, -q);  /* x (1 - g), 1 - g0 exact */
    const float w = er * g0;  /* E / (1 + E) */
    const float t = fmaf(xb, p, xb * fmaf(-w, p, pl));  /* x (p + pl)(1 - w), one rounding */
    const int32_t half = -((-n) >> 1);
    return (t * an_pow2(half)) * an_pow2(n - half);  /* 2^n in two exact steps */
}

static inline void approx_gelu_tanh_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_gelu_tanh(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_GELU_TANH_H */
