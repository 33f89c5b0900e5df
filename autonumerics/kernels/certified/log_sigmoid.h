/*
 * log_sigmoid(x) = -log(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * log_sigmoid(x) = log(1 / (1 + e^-x)) = -log1p(e^-x). The body is the softplus kernel's
 * (``autonumerics.kernels.softplus``) run on -x, and the result negated; both negations are exact,
 * so log_sigmoid(x) = -softplus(-x) bit for bit and the error at x is softplus's at -x:
 *
 * * x <= -14.556091: x itself (softplus(-x) rounds to -x from there on); so do -inf and NaN.
 * * -14.556091 < x <= 10: e^-x as an unrounded pair, 1 + e^-x = u + c exactly but for 2^-47, the
 *   log1p kernel's reduction of u with c/u folded into the tail: one rounding at the end.
 * * x > 10: -E (1 - E/2), E = e^-x, to 2^-30 relative, rounded once; results above -2^-126
 *   (x > 87.3365) are subnormal, rounded once more in NumPy and C, flushed to -0 by the JAX
 *   export; -0 from x >= 103.97208 on, and log_sigmoid(+inf) = -0.
 *
 * JAX's own jax.nn.log_sigmoid is 2.66 ULP off (sampled over the float32 line); this kernel stays
 * within 1 ULP wherever the result is normal.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
 *     ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
 * Core 'log' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
 *     (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_log_sigmoid(x); approx_log_sigmoid_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_LOG_SIGMOID_H
#define AUTONUMERICS_KERNEL_LOG_SIGMOID_H

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

/* expm1(x) - x: 12 ops, xla, hash 7436f35ca8cc577a */
static inline float approx_log_sigmoid_expm1(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.11116c0000000p-7f;
    const float c1 = 0x1.6d36920000000p-10f;
    const float c2 = 0x1.a014820000000p-13f;
    const float c3 = 0x1.5554f40000000p-5f;
    const float c4 = 0x1.5555540000000p-3f;
    const float c5 = 0x1.0000000000000p-1f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    const float v5 = x * x;
    const float v6 = v4 * v5;
    return v6;
}

/* (log(1+x) - x)/x**2: 18 ops, xla, hash 5a389567ede01ba8 */
static inline float approx_log_sigmoid_log(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.55554e0000000p-2f;
    const float c1 = 0x1.e4b6340000000p-4f;
    const float c2 = -0x1.d641280000000p-4f;
    const float c3 = 0x1.0feb480000000p-4f;
    const float c4 = -0x1.fd6dc60000000p-4f;
    const float c5 = 0x1.2375200000000p-3f;
    const float c6 = -0x1.5553b20000000p-3f;
    const float c7 = 0x1.99a1380000000p-3f;
    const float c8 = -0x1.00001a0000000p-2f;
    const float c9 = -0x1.0000000000000p-1f;
    const float v0 = fmaf(c3, x, c2);
    const float v1 = fmaf(v0, x, c1);
    const float v2 = fmaf(v1, x, c4);
    const float v3 = fmaf(v2, x, c5);
    const float v4 = fmaf(v3, x, c6);
    const float v5 = fmaf(v4, x, c7);
    const float v6 = fmaf(v5, x, c8);
    const float v7 = fmaf(v6, x, c0);
    const float v8 = fmaf(v7, x, c9);
    return v8;
}

/* e^z = 2^n (p + pl) for z in [-120, 0]: r = z - n ln2_hi exact (FMA), e^r = (1 + r) + core(r) */
static inline int32_t approx_log_sigmoid_expm1_exp_pair(float z, float *p, float *pl) {
    const float t = fmaf(z, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(z log2 e) in t's low bits */
    const float n = t - 0x1.8p+23f;
    const float r = fmaf(-n, 0x1.62e43p-1f, z);
    const float c = n * 0x1.05c61p-29f;  /* e^(-n ln2_lo) = 1 + c */
    const float m = approx_log_sigmoid_expm1(r);
    const float h = 1.0f + r;
    const float l = r - (h - 1.0f);  /* h + l = 1 + r exactly */
    const float mid = l + m;
    const float q = h + mid;
    *pl = fmaf(c, q, mid - (q - h));  /* q + (mid - (q - h)) = h + mid exactly, then times 1 + c */
    *p = q;
    return an_bits(t) - 0x4B400000;
}

/* 1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: exact 1 + er pair, one Newton step */
static inline float approx_log_sigmoid_expm1_reciprocal_pair(float er, float el, float *g1) {
    const float dh = 1.0f + er;
    const float dl = ((1.0f - dh) + er) + el;
    const float g0 = 1.0f / dh;
    float e = fmaf(-g0, dh, 1.0f);  /* exact residual */
    e = fmaf(-g0, dl, e);
    *g1 = g0 * e;
    return g0;
}

static inline float approx_log_sigmoid_body(float x) {
    if (!(x < 0x1.d1cb8p+3f)) return x;  /* softplus(x) = x from the saturation on; +inf; NaN */
    const float z = x > -0x1.ep+6f ? x : -0x1.ep+6f;
    float p, pl;
    const int32_t n = approx_log_sigmoid_expm1_exp_pair(z, &p, &pl);  /* e^z = 2^n (p + pl) */
    const float s = an_pow2(n > -64 ? n : -64);
    const float eh = p * s;  /* exact where the log1p path is taken (n >= -15) */
    if (x < -0x1.4p+3f) {
        const int32_t half = -((-n) >> 1);
        const float far = p + fmaf(-(eh * 0.5f), p, pl);  /* (p + pl)(1 - E/2), one rounding */
        return (far * an_pow2(half)) * an_pow2(n - half);  /* exact steps; one rounding if subnormal */
    }
    const float u = eh + 1.0f;
    const float v = u - 1.0f;
    const float c = ((1.0f - (u - v)) + (eh - v)) + pl * s;  /* 1 + E = u + c */
    const int32_t bits = an_bits(u);  /* u >= 1: normal */
    const int32_t e = (int32_t)(((uint32_t)bits - 0x3F3504F3u) >> 23);  /* u >= sqrt(1/2): e >= 0 */
    const float m = an_float(bits - (int32_t)((uint32_t)e << 23));  /* in [sqrt(2)/2, sqrt(2)) */
    const float ef = (float)e;
    const float f = m - 1.0f;  /* exact */
    const float q = approx_log_sigmoid_log(f);
    const float a = ef * 0x1.62e4p-1f;  /* e * LN2_HI: exact */
    const float hi = a + f;  /* rounds once; exact when e = 0 */
    const float lo = (a - hi) + f;  /* Fast2Sum: hi + lo = e * LN2_HI + f exactly */
    const float small = fmaf(ef, 0x1.7f7d1cp-20f, lo);  /* e * LN2_LO + lo */
    return hi + fmaf(f * f, q, c / u + small);
}

static inline float approx_log_sigmoid(float x) {
    return -approx_log_sigmoid_body(-x);
}

static inline void approx_log_sigmoid_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_log_sigmoid(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_LOG_SIGMOID_H */
