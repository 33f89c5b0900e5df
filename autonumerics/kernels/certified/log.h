/*
 * log(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction: the log2 kernel's (``autonumerics.kernels.log2``): subnormal inputs normalised on
 * the integer side, m in [sqrt(2)/2, sqrt(2)), f = m - 1 exact. Unlike log2, f^2 is rounded once
 * (log2 carries it exactly as fh^2 + fl (f + fh)): here the tail f^2 q is at most a fifth of the
 * result and the leading part f enters hi exactly, so the rounding reaches the result damped enough
 * (max 0.84 ULP against 0.75 with the exact square, for 5 ops fewer). Then:
 *
 * * The core q(f) ~ Q(f) = (log(1 + f) - f) / f^2, searched on the float32 range of f.
 * * ln2 = LN2_HI + LN2_LO (Cody-Waite) with LN2_HI = 0x1.62e4p-1 of 15 significant bits, so
 *   e * LN2_HI is exact for |e| <= 149. hi = e LN2_HI + f rounds once and lo = (e LN2_HI - hi) + f
 *   is its exact error (Fast2Sum: |e LN2_HI| >= 0.69 > |f| when e != 0; hi = f when e = 0).
 * * log(x) = hi + ((f * f) q + (e LN2_LO + lo)), the products by q and by LN2_LO fused into the
 *   additions (jitted JAX on CPU fuses them; NumPy and C write the FMAs). The tail
 *   is at most a fifth of the result (near |f| = 0.41), so q's error reaches the result damped at
 *   least four times; the final sum rounds once.
 * * log(+-0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, log(1) = +0, NaN -> NaN.
 *
 * Subnormal inputs are normalised with integer operations, so every language computes them
 * correctly (jitted JAX on CPU included, which reads subnormal floats as 0); no result is subnormal.
 * Core 'poly' ((log(1+x) - x)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log_core.json
 *     (0.33333322405815125 + ((((((0.11833782494068146 + (-0.11480823159217834 + 0.06638649106025696 * x) * x) * x + -0.12437226623296738) * x + 0.14231324195861816) * x + -0.1666635423898697) * x + 0.20001453161239624) * x + -0.25000038743019104) * x) * x + -0.5
 * The JAX, NumPy and C versions agree bit for bit.
 * Usage: y = approx_log(x); approx_log_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_LOG_H
#define AUTONUMERICS_KERNEL_LOG_H

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

/* (log(1+x) - x)/x**2: 18 ops, xla, hash 5a389567ede01ba8 */
static inline float approx_log_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.55554e0000000p-2f;
    const float c1 = 0x1.e4b6340000000p-4f;
    const float c2 = -0x1.d641280000000p-4f;
    const float c3 = 0x1.0feb480000000p-4f;
    const float c4 = -0x1.fd6dc60000000p-4f;
    const float c5 = 0x1.2375200000000p-3f;
    const float c6 = -0x1.5553b20000000p-3f;
    const float c7 = 0x1.99a1380000000p-3f;
    const float c8 = -0x1.00001a0000000p-2f;
    const float c9 = -0x1.0000000000000p-1f;
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

static inline float approx_log(float x) {
    if (!(x > 0.0f)) return x == 0.0f ? -INFINITY : NAN;  /* +-0, x < 0, NaN */
    if (x == INFINITY) return x;
    int32_t nbits = an_bits(x);
    int32_t offset = 0;
    if (nbits < 0x00800000) {  /* subnormal: k * 2^-149 with float(k) exact and normal */
        nbits = an_bits((float)nbits);
        offset = 149;
    }
    /* e = floor((nbits - bits(sqrt(1/2))) / 2^23), in unsigned arithmetic (no signed shift) */
    const int32_t e = (int32_t)(((uint32_t)nbits - 0x3F3504F3u + 0x40000000u) >> 23) - 128;
    const float m = an_float(nbits - (int32_t)((uint32_t)e << 23));  /* in [sqrt(2)/2, sqrt(2)) */
    const float ef = (float)(e - offset);
    const float f = m - 1.0f;  /* exact */
    const float q = approx_log_core(f);
    const float a = ef * 0x1.62e4p-1f;  /* e * LN2_HI: exact (|e| <= 149) */
    const float hi = a + f;  /* rounds once; exact when e = 0 */
    const float lo = (a - hi) + f;  /* Fast2Sum: hi + lo = e * LN2_HI + f exactly */
    const float small = fmaf(ef, 0x1.7f7d1cp-20f, lo);  /* e * LN2_LO + lo */
    const float tail = fmaf(f * f, q, small);  /* f^2 rounded once */
    return hi + tail;
}

static inline void approx_log_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_log(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_LOG_H */
