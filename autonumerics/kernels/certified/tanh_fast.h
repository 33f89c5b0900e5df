/*
 * tanh(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (a = |x|; the sign bit of x is put back at the end, so tanh(-x) = -tanh(x) bit
 * for bit and tanh(-0) = -0):
 *
 * * a is clamped to 9.5 (inf too; NaN stays NaN: the comparison is false), so E stays above 2^-28.
 * * n = round(-2a log2 e) from t = fma(a, -2 log2 e, 1.5 * 2^23) (n = t - 1.5 * 2^23 exactly, and
 *   t's low bits hold n; any nearby integer works), r = fma(n, -ln2/2, -a) = -a - n ln2/2 rounded
 *   once, |r| <= ln2/4 (one constant: |n| <= 28, so ln2's float32 error moves r by < 2^-29 |n|,
 *   and that error reaches tanh through 2E / (1 - E^2), tiny wherever n is large). r = -a exactly
 *   while n = 0 (a < 0.173).
 * * P = core(r) ~ e^(2r) - 1, the evolved "poly" core on [-ln2/4, ln2/4]: E = 2^n (1 + P), with
 *   w = 2^n built on the exponent bits of 1 from t (exact).
 * * tanh = N / D with N = (1 - w) - w P and D = (1 + w) + w P: 1 - w, 1 + w and w P are exact (w is a
 *   power of 2, and w P is 0 or above 2^-53 for n < 0: r is a multiple of 2^-26 there), so each of N,
 *   D rounds once (w P has two readers, so XLA fuses it into neither; an FMA would give the same
 *   bits). While n = 0 (a < 0.173) N is -P itself: N is accurate relative to tanh ~ a (no cancellation
 *   of 1 - E), and tiny or subnormal a give N = 2a, D = 2, tanh = a exactly. For n <= -1, w P is at
 *   most 70 % of N and less as a grows: P's errors are damped. Error budget: the core's (<= ~1.5 ULP
 *   of P, relative), N's and D's roundings (<= 1 ULP each, D's at most 0.6 ULP of tanh while D ~ 2)
 *   and the division's 0.5 ULP: 2.41 ULP at most over every float32 of the worst binade, [2^-4, 2^-3]
 *   (n = 0, where P's error is not damped), 2.33 on every 127th bit pattern of the whole line.
 * * N <= D as computed (the exact N is below the exact D and rounding is monotonic), so |tanh| <= 1.
 *   The result is exactly 1 from a = 8.491054 on (N and D round to the same float32; tanh is 1.41
 *   ULP below 1 there, and rounds to 1 itself from 9.0109138 on). inf gives 1 through the clamp,
 *   NaN gives NaN (P is NaN and enters N and D through arithmetic).
 *
 * One division with one use (XLA's CPU fusion will not copy a division into several consumers: a
 * quotient read twice splits the kernel into several loops over memory). Cost: the core and 13
 * more ops; jnp.tanh (XLA's 13/6 odd rational, clamped at 7.9988) is 4.2 ULP off.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'poly' (expm1(2*x) on [-0.17328679513998632, 0.17328679513998632]): autonumerics/kernels/cores/tanh_fast_core.json
 *     ((((0.6666726469993591 + (0.26779410243034363 + 0.08888886123895645 * x) * x) * x + 1.3333219289779663) * x + 2.0) * x + 2.0) * x
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_tanh_fast(x); approx_tanh_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_TANH_FAST_H
#define AUTONUMERICS_KERNEL_TANH_FAST_H

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

/* expm1(2*x): 11 ops, xla, hash 3b19f417ced4f3fd */
static inline float approx_tanh_fast_poly(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.55561e0000000p-1f;
    const float c1 = 0x1.12389e0000000p-2f;
    const float c2 = 0x1.6c16ba0000000p-4f;
    const float c3 = 0x1.5554960000000p+0f;
    const float c4 = 0x1.0000000000000p+1f;
    const float v0 = fmaf(c2, x, c1);
    const float v1 = fmaf(v0, x, c0);
    const float v2 = fmaf(v1, x, c3);
    const float v3 = fmaf(v2, x, c4);
    const float v4 = fmaf(v3, x, c4);
    const float v5 = v4 * x;
    return v5;
}

static inline float approx_tanh_fast(float x) {
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    const float ac = a > 0x1.3p+3f ? 0x1.3p+3f : a;  /* inf -> 9.5; NaN stays NaN */
    const float t = fmaf(ac, -0x1.715476p+1f, 0x1.8p+23f);  /* n = round(-2a log2 e) in t's low bits */
    const float n = t - 0x1.8p+23f;  /* exact */
    const float p = approx_tanh_fast_poly(fmaf(n, -0x1.62e430p-2f, -ac));  /* e^(2r) - 1, r rounded once */
    const float w = an_float((int32_t)(((uint32_t)an_bits(t) << 23) + 0x3F800000u));  /* 2^n */
    const float wp = w * p;  /* exact: w is a power of 2 */
    const float y = ((1.0f - w) - wp) / ((1.0f + w) + wp);  /* (1 - E) / (1 + E) */
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}

static inline void approx_tanh_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_tanh_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_TANH_FAST_H */
