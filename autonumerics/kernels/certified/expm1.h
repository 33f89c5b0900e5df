/*
 * expm1(x) = exp(x) - 1 in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction, on the exp-pair pieces shared with sigmoid (``autonumerics.kernels.exp_pair.reduction_source``),
 * around an "expm1" core m(r) ~ e^r - 1 - r on [-ln2/2, ln2/2] of its own: near |r| = ln2/2 the core
 * is a sixth of the result, so tanh's degree-6 core (3.1 ULP of m) would give 1.08 ULP here; the
 * degree-7 core from ``search_configs/expm1_core.toml`` (1.86 ULP of m) gives 0.78 on a sample:
 *
 * * e^x = 2^n (p + pl): n = round(x / ln 2), r = x - n*ln2_hi by one FMA (exact), e^r = (1 + r) + m(r)
 *   split by Fast2Sum, the rest of n ln 2 folded in as the factor 1 + c; p + pl carries ~2^-29
 *   relative error. For n = 0 (|x| <= 0.3466) this is x + m(x) with the pair's low part holding
 *   what 1 + x rounds away, so tiny inputs come out as x itself.
 * * 2^n p is exact (added to p's exponent bits: normal for -25 <= n <= 128), 2^n pl in two exact
 *   steps (2^128 is not a float32). sp - 1 = hi + lo exactly (Knuth's 2Sum), and
 *   expm1(x) = hi + (lo + 2^n pl) rounds once. The pair's error reaches the result amplified by at
 *   most e^x / |e^x - 1| <= 3.5 (for n != 0, |x| > 0.3466), far below the final rounding.
 * * x <= -0x1.154246p+4 (-17.32868, the largest float32 whose expm1 rounds to -1) and -inf -> -1;
 *   x >= 0x1.62e430p+6 (88.722839, the first float32 whose expm1 rounds to infinity) -> +inf;
 *   NaN -> NaN; expm1(+-0) = +-0 (an x == 0 select: in jitted JAX on CPU, where subnormal x
 *   compares equal to 0, it hands back subnormal inputs unchanged, which is their expm1).
 *
 * JAX's own jnp.expm1 is 5.3 ULP off on a sample of [-17, 88] (a third of the inputs >= 1 ULP, near
 * x = 0.002); this kernel is within 1 ULP on every float32 (the certificate).
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'expm1' (expm1(x) - x on [-0.3466, 0.3466]): autonumerics/kernels/cores/expm1_core.json
 *     ((((0.008333375677466393 + (0.0013931776629760861 + 0.00019840245658997446 * x) * x) * x + 0.041666485369205475) * x + 0.1666666567325592) * x + 0.5) * (x * x)
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_expm1(x); approx_expm1_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_EXPM1_H
#define AUTONUMERICS_KERNEL_EXPM1_H

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
static inline float approx_expm1_expm1(float x) {
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

/* e^z = 2^n (p + pl) for z in [-120, 0]: r = z - n ln2_hi exact (FMA), e^r = (1 + r) + core(r) */
static inline int32_t approx_expm1_expm1_exp_pair(float z, float *p, float *pl) {
    const float t = fmaf(z, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(z log2 e) in t's low bits */
    const float n = t - 0x1.8p+23f;
    const float r = fmaf(-n, 0x1.62e43p-1f, z);
    const float c = n * 0x1.05c61p-29f;  /* e^(-n ln2_lo) = 1 + c */
    const float m = approx_expm1_expm1(r);
    const float h = 1.0f + r;
    const float l = r - (h - 1.0f);  /* h + l = 1 + r exactly */
    const float mid = l + m;
    const float q = h + mid;
    *pl = fmaf(c, q, mid - (q - h));  /* q + (mid - (q - h)) = h + mid exactly, then times 1 + c */
    *p = q;
    return an_bits(t) - 0x4B400000;
}

/* 1 / (1 + er + el) = g0 + g1 for 0 <= er <= 1: exact 1 + er pair, one Newton step */
static inline float approx_expm1_expm1_reciprocal_pair(float er, float el, float *g1) {
    const float dh = 1.0f + er;
    const float dl = ((1.0f - dh) + er) + el;
    const float g0 = 1.0f / dh;
    float e = fmaf(-g0, dh, 1.0f);  /* exact residual */
    e = fmaf(-g0, dl, e);
    *g1 = g0 * e;
    return g0;
}

static inline float approx_expm1(float x) {
    if (x != x || x == 0.0f) return x;  /* NaN, +-0 */
    if (x >= 0x1.62e430p+6f) return INFINITY;
    if (x <= -0x1.154246p+4f) return -1.0f;
    float p, pl;
    const int32_t n = approx_expm1_expm1_exp_pair(x, &p, &pl);  /* e^x = 2^n (p + pl), -25 <= n <= 128 */
    const float sp = an_float(an_bits(p) + (int32_t)((uint32_t)n << 23));  /* 2^n p, exact */
    const float spl = (pl * 2.0f) * an_pow2(n - 1);  /* 2^n pl in two exact steps */
    const float hi = sp - 1.0f;
    const float v = hi - sp;
    const float lo = (sp - (hi - v)) + (-1.0f - v);  /* 2Sum: sp - 1 = hi + lo exactly */
    return hi + (lo + spl);
}

static inline void approx_expm1_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_expm1(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_EXPM1_H */
