/*
 * log(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction: the log2_fast kernel's (``autonumerics.kernels.fast.log2``): m in
 * [sqrt(2)/2, sqrt(2)) from the bits, f = m - 1 exact, subnormal inputs scaled by 2^23 in NumPy and
 * C (jitted JAX on CPU reads them as 0). Then:
 *
 * * The core t(f) ~ log(1 + f) itself, searched on the float32 range of f: its leading term f is
 *   exact and its last op an addition, so its error is what its own ULP measures.
 * * log(x) = fma(e, LN2, t) with LN2 = float32(ln 2) (off by 2.7e-9 relatively), rounded once.
 *   Near x = 1 (e = 0) this is t itself: the result keeps its relative accuracy however small. For
 *   e != 0, |t| = |log m| <= ln2/2 <= |log x|, so an ULP of t is at most an ULP of the result: the
 *   error is at most 0.5 ULP (the rounding) + t's error + ~0.05 ULP (LN2). log(1) = +0.
 * * Specials by selects: x > 0 keeps the result, else -inf (+-0); bits >= bits(+inf) give x (+inf,
 *   +NaN); every other negative bit pattern (x < 0, -inf, -NaN; not -0) gives NaN.
 *
 * Subnormal inputs are scaled by 2^23 (exactly) and computed correctly; no result is subnormal.
 * Core 'poly' (log(1+x) on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_fast_core.json
 *     x * x * (((((-0.17221705615520477 + (0.16131028532981873 + -0.1007852703332901 * x) * x) * x + 0.19911770522594452) * x + -0.24973757565021515) * x + 0.33334648609161377) * x + -0.5000026226043701) + x
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_log_fast(x); approx_log_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_LOG_FAST_H
#define AUTONUMERICS_KERNEL_LOG_FAST_H

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

/* log(1+x): 15 ops, xla, hash 34e102255c3826f2 */
static inline float approx_log_fast_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = -0x1.60b3560000000p-3f;
    const float c1 = 0x1.4a5d0c0000000p-3f;
    const float c2 = -0x1.9cd1040000000p-4f;
    const float c3 = 0x1.97cb060000000p-3f;
    const float c4 = -0x1.ff766a0000000p-3f;
    const float c5 = 0x1.5558c80000000p-2f;
    const float c6 = -0x1.0000580000000p-1f;
    const float v0 = x * x;
    const float v1 = fmaf(c2, x, c1);
    const float v2 = fmaf(v1, x, c0);
    const float v3 = fmaf(v2, x, c3);
    const float v4 = fmaf(v3, x, c4);
    const float v5 = fmaf(v4, x, c5);
    const float v6 = fmaf(v5, x, c6);
    const float v7 = fmaf(v0, v6, x);
    return v7;
}

static inline float approx_log_fast(float x) {
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
    const float q = approx_log_fast_core(f);
    return fmaf(ef, 0x1.62e43p-1f, q);  /* e LN2 + t, rounded once */
}

static inline void approx_log_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_log_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_LOG_FAST_H */
