/*
 * tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
 * for bit and tanh(-0) = -0):
 *
 * * a < 0.7: the "small" core, tanh on [0, 0.7] as a + a^3 Q(a^2), ending in one fused multiply-add
 *   (tiny inputs give a, subnormals included). Its rounding errors enter through the correction
 *   a^3 Q, at most 23 % of the result at a = 0.7.
 * * a >= 0.7 (tanh >= 0.60), a clamped to 9.5 first: E = e^-2a in (0, 0.25] from the exp kernel's
 *   core, then tanh = (1 - E) / (1 + E) with a single division whose error is damped:
 *   - n = round(2a log2 e) (one rounding of the product, then an exact round to even: any nearby
 *     integer works), r = n ln2 - 2a by one FMA (2a exact, ln 2 as one float32: the constant's own
 *     error, n * 2^-25 at most, is negligible beside E's weight below), so E = 2^-n e^r, e^r by the
 *     "exp" core on [-ln2/2, ln2/2] and 2^-n subtracted from its exponent bits (exact);
 *   - y0 = 1 - 2E + 2E^2 approximates tanh to 2E^3 (two FMAs); the residual
 *     res = (1 - E) - y0 (1 + E) = ((1 - y0) - E) - E y0 has 1 - y0 and (1 - y0) - E exact
 *     (Sterbenz) and rounds once in the final FMA; tanh = y0 + res / (1 + E): the division and
 *     1 + E only round a correction of at most 0.03, and the result rounds once. E's own error
 *     (the core's ~0.75 ULP) reaches tanh through 2E / (1 + E)^2 <= 0.32.
 *   The division has exactly one user: XLA's CPU fusion will not copy a division into several
 *   consumers, and a quotient read twice splits the kernel into several loops over memory.
 * * a >= T = 9.0109138 (the first float32 whose tanh rounds to 1) gives exactly 1 by itself: E is
 *   below 2^-26 there, so y0 is 1 and the correction rounds away; inf gives 1 through the clamp.
 * * NaN: the comparison a >= 0.7 is false, so the small core's NaN comes out.
 *
 * Both paths are computed for every element and a select picks (no branches in JAX and NumPy).
 * Cost: the two cores and 22 more ops, one of them a division (the first design, a double-float
 * reduction with a Newton step, took 60 ops and ran in three loops). Measured over every float32:
 * see the certificate.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'small' (tanh on [0.0, 0.7]): autonumerics/kernels/cores/tanh_core_small.json
 *     t0 = x * x; t0 * x * (t0 / ((-0.0013474748702719808 * t0 + 3.035686731338501) * t0 + 7.500000953674316) + -0.3333333432674408) + x
 * Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
 *     ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
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

/* tanh: 10 ops, xla, hash 6d2eb0008098ea1c */
static inline float approx_tanh_small(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = -0x1.613b820000000p-10f;
    const float c1 = 0x1.8491620000000p+1f;
    const float c2 = 0x1.e000040000000p+2f;
    const float c3 = -0x1.5555560000000p-2f;
    const float v0 = x * x;
    const float v1 = v0 * x;
    const float v2 = fmaf(c0, v0, c1);
    const float v3 = fmaf(v2, v0, c2);
    const float v4 = v0 / v3;
    const float v5 = v4 + c3;
    const float v6 = fmaf(v1, v5, x);
    return v6;
}

/* exp: 12 ops, xla, hash a3b9a3dae7fd9236 */
static inline float approx_tanh_exp(float x) {
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

static inline float approx_tanh(float x) {
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    float y;
    if (x != x) return x;
    if (a < 0x1.666666p-1f) {
        y = approx_tanh_small(a);
    } else {
        const float ac = a < 0x1.3p+3f ? a : 0x1.3p+3f;
        const float n = rintf(ac * 0x1.715476p+1f);  /* round half to even (the default mode), exact */
        const float r = fmaf(n, 0x1.62e430p-1f, -(ac + ac));
        const float e = an_float(an_bits(approx_tanh_exp(r)) - ((int32_t)n << 23));  /* e^-2a = 2^-n e^r */
        const float y0 = fmaf(e, fmaf(e, 2.0f, -2.0f), 1.0f);  /* 1 - 2E + 2E^2 */
        const float res = fmaf(-e, y0, (1.0f - y0) - e);  /* (1 - E) - y0 (1 + E), one rounding */
        y = y0 + res / (e + 1.0f);
    }
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}

static inline void approx_tanh_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_tanh(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_TANH_H */
