/*
 * erf(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except the cores' own float32 arithmetic):
 *
 * * a = |x| by clearing the sign bit (exact; NaN stays NaN); the sign bit of x is put back on the
 *   result at the end, so erf(-x) = -erf(x) holds bit for bit and erf(-0) = -0.
 * * a < 1: the "small" core, erf on [0, 1] in the form a + a*Q(a^2) (storing 2/sqrt(pi) - 1
 *   instead of 2/sqrt(pi), which float32 cannot hold, is what gets it under 1 ULP). Its last op
 *   is one fused multiply-add fma(a, Q, a), whose product never rounds on its own, so tiny and
 *   subnormal inputs come out right (a*Q cannot underflow before the addition).
 * * 1 <= a < T = 0x1.f5a88ap+1 (3.9192059, the first float32 whose erf rounds to 1): the "tail"
 *   core, erf(c + t) with t = a - c and c = 0x1.205e7ep+1 (2.2528837). t is exact: a and c are
 *   multiples of 2^-23 and |t| < 2. The core ends in c0 + t*H(t), one fused multiply-add whose
 *   constant c0 is float32(erf(c)), and erf(c) lies within 1e-6 ULP of it (c was chosen so):
 *   the result is rounded once, and erf >= 0.84 keeps its ULP fixed at 2^-24 on this range.
 * * a >= T (and a = inf) gives exactly 1: erf(a) is within half an ULP of 1 from T on.
 * * NaN gives NaN (it takes the tail path; every op propagates it), erf(+-inf) = +-1.
 *
 * Both cores are computed for every element and the result picked by selects (no branches in
 * JAX / NumPy; C branches). The error is the cores' alone: each core's exhaustive float32 error
 * on its interval is the kernel's error there.
 *
 * Subnormal inputs and results are computed correctly (one rounding).
 * Core 'small' (erf on [0.0, 1.0]): autonumerics/kernels/cores/erf_small.json
 *     t0 = x * x; x + x * (0.12837916612625122 + t0 * (-0.37612611055374146 + t0 * (0.11283455789089203 + t0 * (-0.026849253103137016 + t0 * (0.005180303007364273 + t0 * (-0.0007941267685964704 + t0 * 7.625635043950751e-05))))))
 * Core 'tail' (erf(x + 0x1.205e7ep+1) on [-1.2528836727142334, 1.6663222312927246]): autonumerics/kernels/cores/erf_tail.json
 *     ((-0.01588352955877781 + ((-0.018927233293652534 + ((-0.0029280518647283316 + ((((((-1.3345316801860463e-05 + (-3.0608425731770694e-06 + 1.0928224583039992e-06 * x) * x) * x + 6.449223292293027e-05) * x + -2.7585714633460157e-05) * x + -0.00036512722726911306) * x + 0.0010086550610139966) * x + -0.0006537429289892316) * x) * x + 0.01061062142252922) * x) * x + 0.02150462381541729) * x) * x + 0.007050215732306242) * x + 0.9985577464103699
 * The JAX, NumPy and C versions agree bit for bit (except subnormal inputs under JAX).
 * Usage: y = approx_erf(x); approx_erf_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_ERF_H
#define AUTONUMERICS_KERNEL_ERF_H

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

/* erf: 15 ops, xla, hash 8eb4985ad61ae9df */
static inline float approx_erf_small(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.3fd7a20000000p-14f;
    const float c1 = -0x1.a059e40000000p-11f;
    const float c2 = 0x1.537f100000000p-8f;
    const float c3 = -0x1.b7e5ee0000000p-6f;
    const float c4 = 0x1.ce2b9c0000000p-4f;
    const float c5 = -0x1.8127340000000p-2f;
    const float c6 = 0x1.06eba80000000p-3f;
    const float v0 = x * x;
    const float v1 = fmaf(c0, v0, c1);
    const float v2 = fmaf(v1, v0, c2);
    const float v3 = fmaf(v0, v2, c3);
    const float v4 = fmaf(v3, v0, c4);
    const float v5 = fmaf(v4, v0, c5);
    const float v6 = fmaf(v5, v0, c6);
    const float v7 = fmaf(v6, x, x);
    return v7;
}

/* erf(x + 0x1.205e7ep+1): 28 ops, xla, hash 5349408eec93662b */
static inline float approx_erf_tail(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = -0x1.043c5a0000000p-6f;
    const float c1 = -0x1.361a920000000p-6f;
    const float c2 = -0x1.7fc91e0000000p-9f;
    const float c3 = -0x1.bfcb660000000p-17f;
    const float c4 = -0x1.9ad1c00000000p-19f;
    const float c5 = 0x1.255a300000000p-20f;
    const float c6 = 0x1.0e80020000000p-14f;
    const float c7 = -0x1.cecfbe0000000p-16f;
    const float c8 = -0x1.7edd180000000p-12f;
    const float c9 = 0x1.0869b20000000p-10f;
    const float c10 = -0x1.56bfe40000000p-11f;
    const float c11 = 0x1.5bb0580000000p-7f;
    const float c12 = 0x1.6054ee0000000p-6f;
    const float c13 = 0x1.ce0afe0000000p-8f;
    const float c14 = 0x1.ff42f60000000p-1f;
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
    const float v12 = fmaf(v11, x, c13);
    const float v13 = fmaf(v12, x, c14);
    return v13;
}

static inline float approx_erf(float x) {
    const uint32_t bits = (uint32_t)an_bits(x);
    const float a = an_float((int32_t)(bits & 0x7fffffffu));  /* |x|, exact */
    float y;
    if (a < 1.0f) {
        y = approx_erf_small(a);
    } else if (a >= 0x1.f5a88ap+1f) {
        y = 1.0f;
    } else {
        y = approx_erf_tail(a - 0x1.205e7ep+1f);  /* erf(c + t), t exact; NaN lands here and stays NaN */
    }
    return an_float((int32_t)((uint32_t)an_bits(y) | (bits & 0x80000000u)));  /* the sign of x */
}

static inline void approx_erf_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_erf(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_ERF_H */
