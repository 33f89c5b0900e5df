/*
 * log2(x) in float32 for every input: a full-range kernel exported by autonumerics (c).
 *
 * Range reduction (every step exact except the core, three small roundings and the final sum):
 *
 * * Subnormal inputs are normalised on the integer side: their bit pattern k (< 2^23) converts
 *   exactly to the float32 k, a normal number, and x = k * 2^-149. Integer and bit operations are
 *   exact everywhere, so even jitted JAX on CPU (which reads subnormal floats as 0) gets them right.
 * * e = (bits - bits(0.70710677)) >> 23 and m = bits - (e << 23): m in [0.70710677, 1.4142134],
 *   e in [-149, 128]; f = m - 1 in [-0.2929, 0.4142] is exact (Sterbenz).
 * * f = fh + fl with fh the top 12 significant bits of f (a mask on its bit pattern), so
 *   fh * fh is exact and f^2 = fh^2 + fl * (f + fh), the second part 2^-11 times smaller.
 * * The core q(f) ~ Q(f) = (log2(1 + f) - f / ln2) / f^2, searched on the float32 range of f.
 * * 1/ln2 = L_HI + L_LO with L_HI of 12 significant bits: fh * L_HI and fl * L_HI are exact.
 *   hi = e + fh * L_HI rounds once and lo = (e - hi) + fh * L_HI is its exact error (Fast2Sum:
 *   |e| >= 1 > |fh * L_HI| when e != 0, and hi is exact when e = 0).
 * * log2(x) = hi + (fh^2 q + (fl (f + fh) q + (fl L_HI + (f L_LO + lo)))), the products by q and
 *   by L_LO fused into the additions (jitted JAX on CPU fuses them; NumPy and C write the FMAs).
 *   The tail is at most a fifth of the result near |f| = 0.41 and much less elsewhere, so q's
 *   error reaches the result damped at least four times; the final sum rounds once.
 * * log2(+-0) = -inf, log2(x < 0) = NaN, log2(+inf) = +inf, NaN -> NaN (selects on the bits).
 *
 * Subnormal inputs are normalised with integer operations, so every language computes them
 * correctly (jitted JAX on CPU included, which reads subnormal floats as 0); no result is subnormal.
 * Core 'poly' ((log2(1+x) - x/ln2)/x**2 on [-0.2928932309150696, 0.4142134189605713]): autonumerics/kernels/cores/log2_core.json
 *     (0.4808982014656067 + ((((((0.16969703137874603 + (-0.1695670485496521 + 0.10271172225475311 * x) * x) * x + -0.178676038980484) * x + 0.2053551822900772) * x + -0.24049179255962372) * x + 0.28855976462364197) * x + -0.3606734573841095) * x) * x + -0.7213475108146667
 * The JAX, NumPy and C versions agree bit for bit.
 * Usage: y = approx_log2(x); approx_log2_loop(in, out, n)
 * Compile with -std=c99 -ffp-contract=off (no -ffast-math); link with -lm.
 */
#ifndef AUTONUMERICS_KERNEL_LOG2_H
#define AUTONUMERICS_KERNEL_LOG2_H

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

/* (log2(1+x) - x/ln2)/x**2: 18 ops, xla, hash 033dd0e0d434b619 */
static inline float approx_log2_core(float x) {
    (void)x;  /* a constant program does not read it */
    const float c0 = 0x1.ec70940000000p-2f;
    const float c1 = 0x1.5b8a1e0000000p-3f;
    const float c2 = -0x1.5b45f80000000p-3f;
    const float c3 = 0x1.a4b50c0000000p-4f;
    const float c4 = -0x1.6dedb40000000p-3f;
    const float c5 = 0x1.a491420000000p-3f;
    const float c6 = -0x1.ec86f60000000p-3f;
    const float c7 = 0x1.277c360000000p-2f;
    const float c8 = -0x1.7154620000000p-2f;
    const float c9 = -0x1.7154760000000p-1f;
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

static inline float approx_log2(float x) {
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
    const float fh = an_float(an_bits(f) & -4096);  /* top 12 significant bits of f */
    const float fl = f - fh;  /* exact */
    const float q = approx_log2_core(f);
    const float p = fh * 0x1.716p+0f;  /* fh * L_HI: exact (12 x 12 bits) */
    const float hi = ef + p;  /* rounds once; exact when e = 0 */
    const float lo = (ef - hi) + p;  /* Fast2Sum: hi + lo = e + p exactly */
    const float small = fl * 0x1.716p+0f + fmaf(f, -0x1.7135a8p-13f, lo);
    const float tail = fmaf(fh * fh, q, fmaf(fl * (f + fh), q, small));
    return hi + tail;
}

static inline void approx_log2_loop(const float *in, float *out, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        out[i] = approx_log2(in[i]);
    }
}

#endif /* AUTONUMERICS_KERNEL_LOG2_H */
