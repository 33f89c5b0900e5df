/*
 * softplus(x) = log(1 + exp(x)) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * softplus(x) = log(1 + e^x) = max(x, 0) + log1p(E) with E = e^-a, a = |x|, E in (0, 1]: no
 * cancellation anywhere (log1p's relative condition E / ((1 + E) log1p E) is at most 1 on (0, 1]).
 * The log_sigmoid_fast kernel (``autonumerics.kernels.fast.log_sigmoid``) runs the same body and
 * negates: log_sigmoid(x) = -softplus(-x) bit for bit, so its error is the same at mirrored inputs.
 *
 * * a is clamped to 104 (inf and NaN too; NaN is put back at the end): e^-104 < 2^-150 rounds to 0.
 * * E = 2^n e^r as in the exp kernel: n = round(-a log2 e) from t = fma(-a, log2 e, 1.5 * 2^23),
 *   r = -a - n ln2 by Cody-Waite (n ln2_hi exact, then one FMA with ln2_lo: r rounded once, at
 *   most 2^-26), e^r by the "exp" core, the exp kernel's degree-6 polynomial on [-ln2/2, ln2/2]
 *   (0.69 ULP; with r's rounding about 1 ULP of E), and 2^n added to its exponent bits (exact for
 *   normal E). The exp search's cheaper degree-5 member (1.8 ULP) left the kernel at 3.18 ULP,
 *   above jax.nn.softplus's 2.81 and jax.nn.log_sigmoid's 2.66: one FMA more buys ~1 ULP.
 *   Below 2^-126 the JAX export flushes E to 0 (as XLA does); NumPy and C scale in two steps, one
 *   rounding, so subnormal results (x < -87.34) are E correctly rounded but for the core's error.
 * * L = log1p(E) by the "log1p" core on [0, 1], E + E^2 P(E) ending in one FMA: no range split
 *   (on [0, 1] a polynomial converges as fast as on the log kernel's [sqrt(1/2) - 1, sqrt(2) - 1]:
 *   the singularity at -1 lies as far, in units of the interval). Its error adds to E's: about
 *   1 ULP at most (at E near 1, where E^2 P is 44 % of the result), and nothing where E^2 P is below
 *   half an ULP of E (x < -17: L = E, E's error only).
 * * x <= 0: softplus = L. x > 0: softplus = a + L, rounded once: L <= ln 2 <= the result, so L's
 *   error counts at most fully (near x = 0+) and shrinks with L / (a + L) beyond; from
 *   x = 14.5561 on, L is below half an ULP of a and the sum gives a, as it should.
 * * softplus(+inf) = +inf (a + L), softplus(-inf) = +0 (E = 0), NaN -> NaN (the x > 0 side's
 *   a + L, which is NaN: the comparison x <= 0 is false for NaN).
 *
 * Both sides are computed for every element and one select picks; no division.
 *
 * Subnormal inputs and results are computed correctly.
 * Core 'exp' (exp on [-0.34657359027997264, 0.34657359027997264]): autonumerics/kernels/cores/exp_core.json
 *     ((((0.04166897013783455 + (0.008374828845262527 + 0.0013804469490423799 * x) * x) * x + 0.1666644811630249) * x + 0.49999985098838806) * x + 1.0) * x + 1.0
 * Core 'log1p' (log1p on [0.0, 1.0]): autonumerics/kernels/cores/softplus_fast_log1p.json
 *     ((((((0.0802217572927475 + (-0.030691254884004593 + 0.005520673468708992 * x) * x) * x + -0.13839659094810486) * x + 0.19193606078624725) * x + -0.24867169559001923) * x + 0.3332252502441406) * x + -0.49999698996543884) * (x * x) + x
 * The JAX, NumPy and C versions agree bit for bit (except where JAX flushes subnormals).
 * Usage: y = approx_softplus_fast(x); approx_softplus_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_SOFTPLUS_FAST_H
#define AUTONUMERICS_KERNEL_SOFTPLUS_FAST_H

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
static inline float approx_softplus_fast_exp(float x) {
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
static inline float approx_softplus_fast_log1p(float x) {
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

static inline float approx_softplus_fast(float x) {
    if (x != x) return x;
    const float a = fabsf(x);
    const float z = a < 0x1.ap+6f ? -a : -0x1.ap+6f;  /* -|x| clamped at -104 */
    const float t = fmaf(z, 0x1.715476p+0f, 0x1.8p+23f);  /* n = round(-a log2 e) in t's low bits */
    const float whole = t - 0x1.8p+23f;
    const float r1 = z - whole * 0x1.62e4p-1f;  /* exact */
    const float p = approx_softplus_fast_exp(fmaf(-whole, 0x1.7f7d1cp-20f, r1));  /* e^r, r rounded once */
    const int32_t n = an_bits(t) - 0x4B400000;
    /* E = e^r 2^n: on the exponent bits (exact) or, below 2^-125, in two steps (one rounding) */
    const float e = n < -125 ? (p * an_pow2(n + 64)) * 0x1p-64f
                             : an_float((int32_t)((uint32_t)an_bits(p) + ((uint32_t)n << 23)));
    const float l = approx_softplus_fast_log1p(e);  /* log1p(E) */
    return x > 0.0f ? a + l : l;
}

static inline void approx_softplus_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_softplus_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_SOFTPLUS_FAST_H */
