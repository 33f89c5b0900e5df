/*
 * silu(x) = x sigmoid(x) = x/(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction as in the sigmoid kernel (``autonumerics/kernels/sigmoid.py``), on the exp-pair
 * pieces (``autonumerics.kernels.exp_pair.reduction_source``) and its "expm1" core:
 *
 * * a = |x| clamped to 120; E = e^-a = 2^n (p + pl) as an unrounded pair (exact Cody-Waite by one
 *   FMA, the core m(r) ~ e^r - 1 - r, Fast2Sum), accurate to ~2^-29 relative.
 * * g = 1/(1 + E) = g0 + g1 (1 + E split exactly, 2^n clamped at 2^-64; one Newton step), to
 *   ~2^-48.
 * * x >= 0: silu = x (g0 + g1) = fma(x, g0, x g1): x g1 is ~2^-24 of the result, so its rounding
 *   is negligible and the result rounds once.
 * * -4 < x < 0: silu = x (1 - g) = fma(x, 1 - g0, -x g1): 1 - g0 is exact (g0 in [1/2, 1],
 *   Sterbenz) and at least sigmoid(-4) = 0.018, so x g1 is at most 2^-18 of the result: one
 *   rounding. x g1 is shared with the x >= 0 form (a product with two readers: XLA never fuses it).
 * * x <= -4: silu = x E g = x 2^n (p + pl)(1 - w), w = E g0 (|w| < 0.02): x (p + (pl - w p)) as
 *   fma(x, p, x (pl - w p)), the inner term one FMA, rounded once, then scaled by 2^n in two exact
 *   steps of at most 2^-87 each: results below 2^-126 (x < -91.9) are subnormal and rounded once
 *   more in NumPy and C (within 1 unit of 2^-149), and -0 from x <= -108.7 on. x is -a there
 *   (clamped: x <= -120 gives -0).
 * * x >= 16.676973 (0x1.0ad4e2p+4, the first float32 whose silu rounds to x itself; above it
 *   every float32 does) returns x by a select, which also gives +inf and NaN; silu(-0) = -0
 *   (the x >= 0 form: -0 g0 + (-0 g1) = -0).
 *
 * JAX's own jax.nn.silu (x * sigmoid(x)) is 1.67e7 ULP off near x = -90, where sigmoid's tail
 * is; this kernel stays within 1 ULP wherever the result is normal. Every path is computed for
 * every element and selects pick the result.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/tanh_core_expm1.json
 *     (((0.04166722670197487 + (0.008361867628991604 + 0.0013852785341441631 * x) * x) * x + 0.16666586697101593) * x + 0.5) * (x * x)
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_silu(x); approx_silu_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_SILU_H
#define AUTONUMERICS_KERNEL_SILU_H

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
static inline float approx_silu_expm1(float x) {
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
static inline int32_t approx_silu_expm1_exp_pair(float z, float *p, float *pl) {
    const float t = fmaf(z, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(z log2 e) in t's low bits */
    const float n = t - 0x1.8p+23f;
    const float r = fmaf(-n, 0x1.62e43p-1f, z);
    const float c = n * 0x1.05c61p-29f;  /* e^(-n ln2_lo) = 1 + c */
    const float m = approx_silu_expm1(r);
    const float h = 1.0f + r;
    const float l = r - (h - 1.0f);  /* h + l = 1 + r exactly */
    const float mid = l + m;
    const float q = h + mid;
    *pl = fmaf(c, q, mid - (q - h));  /* q + (mid - (q - h)) = h + mid exactly, then times 1 + c */
    *p = q;
    return an_bits(t) - 0x4B400000;
}

/* 1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: exact 1 + er pair, one Newton step */
static inline float approx_silu_expm1_reciprocal_pair(float er, float el, float *g1) {
    const float dh = 1.0f + er;
    const float dl = ((1.0f - dh) + er) + el;
    const float g0 = 1.0f / dh;
    float e = fmaf(-g0, dh, 1.0f);  /* exact residual */
    e = fmaf(-g0, dl, e);
    *g1 = g0 * e;
    return g0;
}

static inline float approx_silu(float x) {
    if (!(x < 0x1.0ad4e2p+4f)) return x;  /* silu(x) rounds to x; +inf; NaN */
    const float a = fabsf(x);
    const float ac = a < 0x1.ep+6f ? a : 0x1.ep+6f;
    float p, pl, g1;
    const int32_t n = approx_silu_expm1_exp_pair(-ac, &p, &pl);  /* e^-a = 2^n (p + pl) */
    const float s = an_pow2(n > -64 ? n : -64);
    const float er = s * p;
    const float g0 = approx_silu_expm1_reciprocal_pair(er, s * pl, &g1);
    const float q = x * g1;
    if (!(x < 0.0f)) return fmaf(x, g0, q);  /* x (g0 + g1), one rounding; -0 -> -0 */
    if (a < 0x1p+2f) return fmaf(x, 1.0f - g0, -q);  /* x (1 - g), 1 - g0 exact */
    const float w = er * g0;  /* E / (1 + E) */
    const float t = fmaf(-ac, p, -ac * fmaf(-w, p, pl));  /* x (p + pl)(1 - w), one rounding */
    const int32_t half = -((-n) >> 1);
    return (t * an_pow2(half)) * an_pow2(n - half);  /* 2^n in two exact steps */
}

static inline void approx_silu_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_silu(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_SILU_H */
