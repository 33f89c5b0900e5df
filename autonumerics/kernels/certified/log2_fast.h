/*
 * log2(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except the core and the one rounding at the end):
 *
 * * e = (bits - bits(0.70710677)) >> 23 and m = bits - (e << 23): m in [0.70710677, 1.4142134],
 *   f = m - 1 in [-0.2929, 0.4142] exact (Sterbenz), e exact as a float32.
 * * The core p(f) ~ P(f) = log2(1 + f) / f (P in [1.21, 1.71]), searched on the float32 range of f.
 * * log2(x) = fma(f, p, e), rounded once. Near x = 1 (e = 0) this is f p rounded once: the
 *   result keeps its relative accuracy however small it is. For e != 0, |f p| = |log2 m| <= 1/2 <=
 *   |log2 x|, so no cancellation amplifies p's error. Error: 0.5 ULP (the rounding) plus p's error
 *   in relative terms, which reaches at most ~1.7 ULP of the result per ULP of p (where P = 1.21 and
 *   the result lies just above a power of two). Powers of two give e exactly.
 * * Specials by selects: x > 0 keeps the result, else -inf (+-0); bits >= bits(+inf) give x (+inf,
 *   +NaN); every other negative bit pattern (x < 0, -inf, -NaN; not -0) gives NaN.
 * * Subnormal inputs: jitted JAX on CPU reads them as 0 (DAZ), so x > 0 is false and the JAX export
 *   gives -inf (NaN for negative ones, read from the sign bit), as jnp.log2 does. NumPy and C, which
 *   see them, first scale them by 2^23 (exact) and take 23 from e.
 *
 * Subnormal inputs are scaled by 2^23 (exactly) and computed correctly; no result is subnormal.
 * Core 'poly' (log2(1+x)/x on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log2_fast_core.json
 *     (-0.7213473320007324 + ((((((-0.19061262905597687 + (0.1878267526626587 + -0.11297498643398285 * x) * x) * x + 0.20429600775241852) * x + -0.2396365851163864) * x + 0.28858479857444763) * x + -0.3606967628002167) * x + 0.4808981716632843) * x) * x + 1.4426950216293335
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_log2_fast(x); approx_log2_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_LOG2_FAST_H
#define AUTONUMERICS_KERNEL_LOG2_FAST_H

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

/* log2(1+x)/x: 18 ops, xla, hash e805eadac9746fae */
static inline float approx_log2_fast_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = -0x1.7154700000000p-1f;
    const float c1 = -0x1.865fea0000000p-3f;
    const float c2 = 0x1.80ab500000000p-3f;
    const float c3 = -0x1.cebedc0000000p-4f;
    const float c4 = 0x1.a265f20000000p-3f;
    const float c5 = -0x1.eac6960000000p-3f;
    const float c6 = 0x1.2782c60000000p-2f;
    const float c7 = -0x1.715a7e0000000p-2f;
    const float c8 = 0x1.ec70920000000p-2f;
    const float c9 = 0x1.7154760000000p+0f;
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

static inline float approx_log2_fast(float x) {
    if (!(x > 0.0f)) return x == 0.0f ? -INFINITY : NAN;  /* +-0, x < 0, NaN */
    if (x == INFINITY) return x;
    int32_t offset = 0;
    if (x < 0x1p-126f) {  /* subnormal: scaled by 2^23, exactly */
        x *= 0x1p23f;
        offset = 23;
    }
    const int32_t bits = an_bits(x);
    /* e = floor((bits - bits(sqrt(1/2))) / 2^23), in unsigned arithmetic (no signed shift) */
    const int32_t e = (int32_t)(((uint32_t)bits - 0x3F3504F3u + 0x40000000u) >> 23) - 128;
    const float f = an_float(bits - (int32_t)((uint32_t)e << 23)) - 1.0f;  /* m - 1, exact */
    const float ef = (float)(e - offset);
    const float q = approx_log2_fast_core(f);
    return fmaf(f, q, ef);  /* log2 x rounded once */
}

static inline void approx_log2_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_log2_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_LOG2_FAST_H */
