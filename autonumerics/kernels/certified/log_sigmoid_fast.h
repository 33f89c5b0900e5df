/*
 * log_sigmoid(x) = -log(1 + exp(-x)) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * log_sigmoid(x) = log(1 / (1 + e^-x)) = -log1p(e^-x) = min(x, 0) - log1p(E), E = e^-|x|. The body
 * is the softplus_fast kernel's (``autonumerics.kernels.fast.softplus``: E = 2^n e^r from a
 * exp kernel's core, L = log1p(E) from a core on [0, 1]), with its final select mirrored and
 * negated: -L for x >= 0, -(|x| + L) for x < 0. Negation is exact, so log_sigmoid_fast(x) =
 * -softplus_fast(-x) bit for bit, and the error at x is softplus_fast's at -x:
 *
 * * x >= 0: -L = -log1p(E), E's error (~1 ULP, from the exp core and r's rounding) plus the log1p
 *   core's (~1 ULP); relative throughout, down to the subnormal results (x > 87.34), which the
 *   JAX export flushes to -0 and NumPy and C round.
 * * x < 0: -(|x| + L) rounded once; L <= ln 2 is a correction, counting fully only near 0-; the
 *   result is exactly x from x = -14.5561 down.
 * * log_sigmoid(+inf) = -0, log_sigmoid(-inf) = -inf, NaN -> NaN.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
 *     ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
 * Core 'log1p' (log1p on [0.0, 1.0]): autonumerics/kernels/cores/softplus_fast_log1p.json
 *     ((((((0.0802217572927475 + (-0.030691254884004593 + 0.005520673468708992 * x) * x) * x + -0.13839659094810486) * x + 0.19193606078624725) * x + -0.24867169559001923) * x + 0.3332252502441406) * x + -0.49999698996543884) * (x * x) + x
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_log_sigmoid_fast(x); approx_log_sigmoid_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_LOG_SIGMOID_FAST_H
#define AUTONUMERICS_KERNEL_LOG_SIGMOID_FAST_H

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
static inline float approx_log_sigmoid_fast_exp(float x) {
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

/* log1p: 17 ops, xla, hash ab13844d561362d2 */
static inline float approx_log_sigmoid_fast_log1p(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.48969c0000000p-4f;
    const float c1 = -0x1.f6d8740000000p-6f;
    const float c2 = 0x1.69cd880000000p-8f;
    const float c3 = -0x1.1b6fac0000000p-3f;
    const float c4 = 0x1.8915c60000000p-3f;
    const float c5 = -0x1.fd47960000000p-3f;
    const float c6 = 0x1.5539000000000p-2f;
    const float c7 = -0x1.ffff360000000p-2f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c5);
    const float v5 = fmaf(v4, x, c6);
    const float v6 = fmaf(v5, x, c7);
    const float v7 = x * x;
    const float v8 = fmaf(v6, v7, x);
    return v8;
}

static inline float approx_log_sigmoid_fast(float x) {
    if (x != x) return x;
    const float a = fabsf(x);
    const float z = a < 0x1.ap+6f ? -a : -0x1.ap+6f;  /* -|x| clamped at -104 */
    const float t = fmaf(z, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(-a log2 e) in t's low bits */
    const float whole = t - 0x1.8p+23f;
    const float r1 = z - whole * 0x1.62e4p-1f;  /* exact */
    const float p = approx_log_sigmoid_fast_exp(fmaf(-whole, 0x1.7f7d1cp-20f, r1));  /* e^r, r rounded once */
    const int32_t n = an_bits(t) - 0x4B400000;
    /* E = e^r 2^n: on the exponent bits (exact) or, below 2^-125, in two steps (one rounding) */
    const float e = n < -125 ? (p * an_pow2(n + 64)) * 0x1p-64f
                             : an_float((int32_t)((uint32_t)an_bits(p) + ((uint32_t)n << 23)));
    const float l = approx_log_sigmoid_fast_log1p(e);  /* log1p(E) */
    return x < 0.0f ? -(a + l) : -l;
}

static inline void approx_log_sigmoid_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_log_sigmoid_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_LOG_SIGMOID_FAST_H */
