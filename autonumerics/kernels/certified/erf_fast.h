/*
 * erf(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except the cores' own float32 arithmetic), as in the accurate
 * kernel (autonumerics/kernels/erf.py):
 *
 * * a = |x| by clearing the sign bit (exact; NaN stays NaN); the sign bit of x is put back on the
 *   result at the end, so erf(-x) = -erf(x) holds bit for bit and erf(-0) = -0.
 * * a < 1: the "small" core, erf on [0, 1] as a + a*Q(a^2) with Q of degree 5 in a^2 (the accurate
 *   kernel's is degree 6). Its last op is the fused multiply-add fma(a, Q, a), whose product never
 *   rounds on its own: tiny and subnormal inputs give 2/sqrt(pi) a rounded once (NumPy, C).
 * * 1 <= a < T = 0x1.f5a88ap+1 (3.9192059, the first float32 whose erf rounds to 1): the "tail"
 *   core, erf(c + t) with t = a - c exact (a and c = 0x1.205e7ep+1 share the 2^-23 grid and
 *   |t| < 2), a polynomial of degree 12 in t (12 products, each fused with an addition; the
 *   accurate kernel's is degree 14) ending in the fused multiply-add c0 + t*H(t), c0 =
 *   float32(erf(c)) within 1e-6 ULP of erf(c). erf >= 0.84 keeps the ULP at 2^-24 on this
 *   range, so the core's absolute error is the kernel's.
 * * a >= T (and a = inf) gives exactly 1: a is capped at T before the subtraction (a min that
 *   keeps NaN: one instruction where the accurate kernel's select costs a compare and a blend),
 *   and this tail core returns exactly 1.0 at t = T - c; erf(a) is within half an ULP of 1
 *   from T on.
 * * NaN gives NaN (it takes the tail path; every op propagates it), erf(+-inf) = +-1.
 *
 * Error budget: the kernel adds no rounding of its own, so each core's float32 error on its
 * interval is the kernel's there. Lower degrees than the accurate kernel's trade approximation
 * error for ops: degree 4 in a^2 (19.5 ULP) and degree 11 in t (7.8 ULP) do not fit 3.5 ULP, so
 * these are the cheapest polynomials of this form. Over every float32 of [2^-126, 4]: 1.56 ULP at
 * most (a = 0.97077495, the small core), 1.24 on [1, 3.92] (a = 1.0005, the tail core). Saturating
 * earlier than T (1 is 3.2 ULP off from about a = 3.68 on) would shorten the tail's interval, but
 * degree 11 still measures 3.4 ULP on [1, 3.68], so T stays exact. Subnormal inputs (NumPy, C):
 * one rounding of a*Q(0) + a, within 0.88 units of 2^-149 (Q(0) is 2/sqrt(pi) - 1 to 4e-8).
 *
 * Both cores are computed for every element and the result picked by a select (no branches in
 * JAX / NumPy; C branches). Cores unfenced, constants as float32 literals, as in the accurate
 * kernel (their inputs are a bit operation and a subtraction; their results feed only selects).
 *
 * Subnormal inputs and results are computed correctly (one rounding).
 * Core 'small' (erf on [0.0, 1.0]): autonumerics/kernels/cores/erf_fast_small.json
 *     t0 = x * x; (((t0 * ((-0.000565029913559556 * t0 + 0.004922819789499044) * t0 + -0.02671649307012558) + 0.1128038614988327) * t0 + -0.3761235177516937) * t0 + 0.12837912142276764) * x + x
 * Core 'tail' (erf(x + 0x1.205e7ep+1) on [-1.2528836727142334, 1.6663222312927246]): autonumerics/kernels/cores/erf_fast_tail.json
 *     0.9985577464103699 + ((-0.015883224084973335 + ((-0.018929388374090195 + ((((((-3.208268026355654e-05 + (4.809884194401093e-05 + -9.124659300141502e-06 * x) * x) * x + -0.0003308732993900776) * x + 0.001007627695798874) * x + -0.0006886835908517241) * x + -0.002923801075667143) * x + 0.010628272779285908) * x) * x + 0.021500732749700546) * x) * x + 0.007050465326756239) * x
 * The JAX, NumPy and C versions agree bit for bit (except subnormal inputs under JAX).
 * Usage: y = approx_erf_fast(x); approx_erf_fast_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_ERF_FAST_H
#define AUTONUMERICS_KERNEL_ERF_FAST_H

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

/* erf: 13 ops, xla, hash be0019866d0218d1 */
static inline float approx_erf_fast_small(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = -0x1.283d080000000p-11f;
    const float c1 = 0x1.429f360000000p-8f;
    const float c2 = -0x1.b5b9180000000p-6f;
    const float c3 = 0x1.ce0b6c0000000p-4f;
    const float c4 = -0x1.8126860000000p-2f;
    const float c5 = 0x1.06eba20000000p-3f;
    const float v0 = x * x;
    const float v1 = fmaf(c0, v0, c1);
    const float v2 = fmaf(v1, v0, c2);
    const float v3 = fmaf(v0, v2, c3);
    const float v4 = fmaf(v3, v0, c4);
    const float v5 = fmaf(v4, v0, c5);
    const float v6 = fmaf(v5, x, x);
    return v6;
}

/* erf(x + 0x1.205e7ep+1): 24 ops, xla, hash fd04680e55b4293c */
static inline float approx_erf_fast_tail(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.ff42f60000000p-1f;
    const float c1 = -0x1.043b120000000p-6f;
    const float c2 = -0x1.36239c0000000p-6f;
    const float c3 = -0x1.0d21080000000p-15f;
    const float c4 = 0x1.937b7a0000000p-15f;
    const float c5 = -0x1.322c3a0000000p-17f;
    const float c6 = -0x1.5af2200000000p-12f;
    const float c7 = 0x1.0824c00000000p-10f;
    const float c8 = -0x1.69118c0000000p-11f;
    const float c9 = -0x1.7f3a7c0000000p-9f;
    const float c10 = 0x1.5c446a0000000p-7f;
    const float c11 = 0x1.60449c0000000p-6f;
    const float c12 = 0x1.ce0f2e0000000p-8f;
    const float v0 = fmaf(c5, x, c4);
    const float v1 = fmaf(v0, x, c3);
    const float v2 = fmaf(v1, x, c6);
    const float v3 = fmaf(v2, x, c7);
    const float v4 = fmaf(v3, x, c8);
    const float v5 = fmaf(v4, x, c9);
    const float v6 = fmaf(v5, x, c10);
    const float v7 = fmaf(v6, x, c2);
    const float v8 = fmaf(v7, x, c11);
    const float v9 = fmaf(v8, x, c1);
    const float v10 = fmaf(v9, x, c12);
    const float v11 = fmaf(v10, x, c0);
    return v11;
}

static inline float approx_erf_fast(float x) {
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    float y;
    if (a < 1.0f) {
        y = approx_erf_fast_small(a);
    } else {
        const float capped = a > 0x1.f5a88ap+1f ? 0x1.f5a88ap+1f : a;  /* NaN stays NaN */
        y = approx_erf_fast_tail(capped - 0x1.205e7ep+1f);  /* erf(c + t), t exact; exactly 1 at T */
    }
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}

static inline void approx_erf_fast_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_erf_fast(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_ERF_FAST_H */
