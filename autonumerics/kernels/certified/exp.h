/*
 * e**x in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction:
 *
 * * x is clamped to [-104, 89] (NaN stays NaN): e^x rounds to 0 for x <= -103.972077 (below
 *   2^-150) and to +inf from x = 88.72283935546875 on (the first float32 whose e^x is past
 *   2^128 - 2^103), so nothing is lost.
 * * n = round(x * log2(e)), half to even, from t = fma(x, log2(e), 1.5 * 2^23) (n = t - 1.5 * 2^23
 *   exactly, and t's low bits hold n: see exp2.SHIFTER); any nearby integer works, r only has to
 *   stay near [-ln2/2, ln2/2].
 * * r = x - n ln2 in two steps (Cody-Waite): ln2_hi = 0x1.62e4p-1 has 15 significant bits, so
 *   n * ln2_hi is exact for |n| <= 151 and x - n * ln2_hi is exact (a multiple of x's unit in the
 *   last place, smaller than x); then r = fma(-n, ln2_lo, r1) with ln2_lo = float32(ln2 - ln2_hi),
 *   rounded once (jitted JAX fuses ``r1 - n * ln2_lo`` into exactly this FMA; NumPy and C write it).
 *   r carries one rounding (<= 2^-26 at |r| ~ 0.35) and ln2_lo's own error (< 2^-44 per unit of n).
 * * p = core(r) ~ e^r in [0.70, 1.42] (exactly 1 at r = 0).
 * * p * 2^n as in the exp2 kernel: exactly on the exponent bits while the result is normal, in two
 *   steps (2^(n+64), then 2^-64: one rounding) for subnormal results, which jitted JAX on CPU
 *   flushes to zero.
 * * x >= 88.72283935546875 gives +inf, NaN gives NaN; exp(-inf) = 0, exp(+inf) = inf.
 *
 * Subnormal results are computed correctly (one rounding).
 * Core 'poly' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
 *     ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_exp(x); approx_exp_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_EXP_H
#define AUTONUMERICS_KERNEL_EXP_H

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
static inline float approx_exp_core(float x) {
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

static inline float approx_exp(float x) {
    if (x != x) return x;
    if (x >= 0x1.62e430p+6f) return INFINITY;
    const float clamped = x < -104.0f ? -104.0f : x;
    const float t = fmaf(clamped, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(x log2 e) in t's low bits */
    const float whole = t - 0x1.8p+23f;
    const float r1 = clamped - whole * 0x1.62e4p-1f;  /* exact */
    const float p = approx_exp_core(fmaf(-whole, 0x1.7f7d1cp-20f, r1));  /* e^r, r rounded once */
    const int32_t n = an_bits(t) - 0x4B400000;
    if (n < -125) {
        /* p * 2^(n+64) is exact and normal, the product by 2^-64 rounds once (subnormal results) */
        return (p * an_pow2(n + 64)) * 0x1p-64f;
    }
    /* p * 2^n on the exponent bits (exact); unsigned arithmetic, as n may be negative */
    return an_float((int32_t)((uint32_t)an_bits(p) + ((uint32_t)n << 23)));
}

static inline void approx_exp_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_exp(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_EXP_H */
