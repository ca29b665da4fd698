// SIMD building blocks for the native kernel: one vector type sized to the widest unit the compiler targets, partial
// loads/stores for row tails, and vectorised exp / sigmoid / tanh (approx.h) accurate to a few float32 ulps. Not a general
// math library.
//
// The kernels are written once with GCC/Clang vector extensions; the width follows the target flags of the variant being
// compiled (isa.h): 16 lanes with AVX-512, 8 with AVX/AVX2, 4 otherwise (SSE, NEON, or scalar code the compiler splits up).
#pragma once
#include <cstdint>
#include <cstring>

#include "approx.h"
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

// Tails shorter than a vector are read zero-padded (a masked load on AVX-512, a copy elsewhere), so that they see exactly
// the same arithmetic as full vectors.
static inline vf loadPartial(const float* p, int count) {
#if defined(__AVX512F__)  // a masked load: the lanes past count read as zero and are never touched in memory
  return (vf)_mm512_maskz_loadu_ps(__mmask16((1u << count) - 1), p);
#else
  float tmp[VL] = {};
  std::memcpy(tmp, p, sizeof(float) * count);
  return load(tmp);
#endif
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

// exp, sigmoid and tanh as approx.h defines them (the WebAssembly kernel computes the same steps with the same constants).
static inline vf vexp(vf x) {
  using namespace approx;
  x = clamp(x, EXP_LO, EXP_HI);
  // Adding 1.5·2^23 rounds to the nearest integer in the low mantissa bits (valid for |x·log2e| < 2^22).
  const vf magic = splat(12582912.0f);
  vf n = (x * splat(LOG2E) + magic) - magic;
  vf r = x - n * splat(LN2_HI);
  r = r - n * splat(LN2_LO);
  vf y = splat(EXP_P0);
  y = y * r + splat(EXP_P1);
  y = y * r + splat(EXP_P2);
  y = y * r + splat(EXP_P3);
  y = y * r + splat(EXP_P4);
  y = y * r + splat(EXP_P5);
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

static inline vf vsigmoid(vf x) {
  vf e = vexp(-vabs(x));
  vf s = recipOneTwo(splat(1.0f) + e);
  return x >= splat(0.0f) ? s : e * s;
}

static inline vf vtanh(vf x) {
  using namespace approx;
  vf ax = vabs(x);
  vf z = x * x;
  vf p = splat(TANH_Q0);
  p = p * z + splat(TANH_Q1);
  p = p * z + splat(TANH_Q2);
  p = p * z + splat(TANH_Q3);
  p = p * z + splat(TANH_Q4);
  vf small = p * z * x + x;
  vf e = vexp(splat(-2.0f) * ax);
  vf big = (splat(1.0f) - e) * recipOneTwo(splat(1.0f) + e);
  big = x < splat(0.0f) ? -big : big;
  return ax < splat(TANH_SMALL) ? small : big;
}

typedef float v4 __attribute__((vector_size(16)));

// The lanes of v folded to four by adding halves (the first steps of hsum and hsum4).
static inline v4 foldToFour(vf v) {
#if defined(__AVX512F__)  // VL = 16
  typedef float v8 __attribute__((vector_size(32)));
  const v8 h8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  return __builtin_shufflevector(h8, h8, 0, 1, 2, 3) + __builtin_shufflevector(h8, h8, 4, 5, 6, 7);
#elif defined(__AVX__)  // VL = 8
  return __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
#else
  return v;
#endif
}

// Σ of the lanes as a tree (halves added until one lane is left): log2(VL) vector adds instead of VL − 1 dependent scalar
// ones. The decoding products (gemm.cc's dot-product path) end every output element with one, so at 16 lanes a serial sum
// cost as many instructions as the dot product itself. The order is fixed, so results do not depend on thread counts.
static inline float hsum(vf v) {
  const v4 h4 = foldToFour(v);
  const v4 h2 = h4 + __builtin_shufflevector(h4, h4, 2, 3, 0, 1);
  return h2[0] + h2[1];
}

// {hsum(a), hsum(b), hsum(c), hsum(d)}, bit for bit (the same adds in the same order), with the last two levels of the
// tree shared by the four sums.
static inline v4 hsum4(vf a, vf b, vf c, vf d) {
  const v4 ha = foldToFour(a), hb = foldToFour(b), hc = foldToFour(c), hd = foldToFour(d);
  // {x0 + x2, x1 + x3} for x = a, b and then c, d
  const v4 ab = __builtin_shufflevector(ha, hb, 0, 1, 4, 5) + __builtin_shufflevector(ha, hb, 2, 3, 6, 7);
  const v4 cd = __builtin_shufflevector(hc, hd, 0, 1, 4, 5) + __builtin_shufflevector(hc, hd, 2, 3, 6, 7);
  return __builtin_shufflevector(ab, cd, 0, 2, 4, 6) + __builtin_shufflevector(ab, cd, 1, 3, 5, 7);
}
static inline float hmax(vf v) {
  float m = v[0];
  for (int i = 1; i < VL; ++i) m = v[i] > m ? v[i] : m;
  return m;
}

}  // namespace charlm::CHARLM_ISA
