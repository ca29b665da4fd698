// SIMD building blocks for the native kernel: one vector type sized to the widest unit the compiler targets, partial
// loads/stores for row tails, and vectorised exp / sigmoid / tanh accurate to a few float32 ulps. Not a general math library.
//
// The kernels are written once with GCC/Clang vector extensions; the width follows the target flags of the variant being
// compiled (isa.h): 16 lanes with AVX-512, 8 with AVX/AVX2, 4 otherwise (SSE, NEON, or scalar code the compiler splits up).
#pragma once
#include <cstdint>
#include <cstring>

#include "isa.h"

#if defined(__AVX512F__)
#include <immintrin.h>
// GCC 12 warns inside its own intrinsic headers (_mm512_undefined_* values) once they are inlined.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace charlm::CHARLM_ISA {

#if defined(__AVX512F__)
constexpr int VL = 16;
#elif defined(__AVX__)
constexpr int VL = 8;
#else
constexpr int VL = 4;
#endif

typedef float vf __attribute__((vector_size(VL * 4)));
typedef int32_t vi __attribute__((vector_size(VL * 4)));
// The same vector with 4-byte alignment, for loads and stores at any float address.
typedef float vfu __attribute__((vector_size(VL * 4), aligned(4), may_alias));

// s − (+0) is exactly s for every s (unlike s + 0 when s = −0), so the compiler may drop the subtraction.
static inline vf splat(float s) { return s - vf{}; }
static inline vf load(const float* p) { return *reinterpret_cast<const vfu*>(p); }
static inline void store(float* p, vf v) { *reinterpret_cast<vfu*>(p) = v; }

// Tails shorter than a vector go through a zero-padded copy so that they see exactly the same arithmetic as full vectors.
static inline vf loadPartial(const float* p, int count) {
  float tmp[VL] = {};
  std::memcpy(tmp, p, sizeof(float) * count);
  return load(tmp);
}
static inline void storePartial(float* p, vf v, int count) {
  float tmp[VL];
  store(tmp, v);
  std::memcpy(p, tmp, sizeof(float) * count);
}

// Clamp written so that a NaN input stays NaN (a comparison with NaN is false, so the NaN is kept): the trainer's divergence
// check relies on NaN flowing through to the loss.
static inline vf clamp(vf x, float lo, float hi) {
  x = x < splat(lo) ? splat(lo) : x;
  return x > splat(hi) ? splat(hi) : x;
}
static inline vf vmaxZero(vf x) { return x < splat(0.0f) ? splat(0.0f) : x; }  // ReLU; NaN stays NaN
static inline vf vabs(vf a) {
  vi bits = (vi)a & 0x7fffffff;
  return (vf)bits;  // a cast between vector types of one size reinterprets the bits
}

// exp(x): range reduction x = n·ln2 + r, |r| ≤ ln2/2, then Cephes' degree-6 polynomial for e^r and 2^n from the exponent bits.
// Inputs are clamped so that 2^n stays a normal float (results saturate at about 2.4e38 and 1.2e-38).
static inline vf vexp(vf x) {
  x = clamp(x, -87.33654f, 88.37626f);
  // Adding 1.5·2^23 rounds to the nearest integer in the low mantissa bits (valid for |x·log2e| < 2^22).
  const vf magic = splat(12582912.0f);
  vf n = (x * splat(1.44269504088896341f) + magic) - magic;
  vf r = x - n * splat(0.693359375f);
  r = r - n * splat(-2.12194440e-4f);
  vf y = splat(1.9875691500e-4f);
  y = y * r + splat(1.3981999507e-3f);
  y = y * r + splat(8.3334519073e-3f);
  y = y * r + splat(4.1665795894e-2f);
  y = y * r + splat(1.6666665459e-1f);
  y = y * r + splat(5.0000001201e-1f);
  y = y * (r * r) + r + splat(1.0f);
  vi e = (__builtin_convertvector(n, vi) + 127) << 23;
  return y * (vf)e;
}

// 1/d for d in [1, 2] (the only denominators below): AVX-512's 14-bit reciprocal estimate plus one Newton step gives
// about 1 ulp, at a fraction of a full division's cost; other targets divide.
static inline vf recipOneTwo(vf d) {
#if defined(__AVX512F__)
  const vf r = (vf)_mm512_rcp14_ps((__m512)d);
  return r * (splat(2.0f) - d * r);
#else
  return splat(1.0f) / d;
#endif
}

// σ(x) = 1 / (1 + e^−x), evaluated with e = exp(−|x|) ≤ 1 so that neither branch overflows: σ(x) = 1/(1+e) for x ≥ 0 and
// e/(1+e) for x < 0, which keeps full relative accuracy deep in the left tail.
static inline vf vsigmoid(vf x) {
  vf e = vexp(-vabs(x));
  vf s = recipOneTwo(splat(1.0f) + e);
  return x >= splat(0.0f) ? s : e * s;
}

// tanh: Cephes' odd polynomial near zero (where (1−e)/(1+e) would cancel), and (1−e)/(1+e) with e = exp(−2|x|) elsewhere.
static inline vf vtanh(vf x) {
  vf ax = vabs(x);
  vf z = x * x;
  vf p = splat(-5.70498872745e-3f);
  p = p * z + splat(2.06390887954e-2f);
  p = p * z + splat(-5.37397155531e-2f);
  p = p * z + splat(1.33314422036e-1f);
  p = p * z + splat(-3.33332819422e-1f);
  vf small = p * z * x + x;
  vf e = vexp(splat(-2.0f) * ax);
  vf big = (splat(1.0f) - e) * recipOneTwo(splat(1.0f) + e);
  big = x < splat(0.0f) ? -big : big;
  return ax < splat(0.625f) ? small : big;
}

static inline float hsum(vf v) {
  float s = 0.0f;
  for (int i = 0; i < VL; ++i) s += v[i];
  return s;
}
static inline float hmax(vf v) {
  float m = v[0];
  for (int i = 1; i < VL; ++i) m = v[i] > m ? v[i] : m;
  return m;
}

}  // namespace charlm::CHARLM_ISA
