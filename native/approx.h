// The one definition of charlm's vectorised exp, sigmoid and tanh: their constants, shared by the native kernel (simd.h)
// and the WebAssembly kernel (src/tensor/wasm/math.wat, whose (splat NAME) forms scripts/build-wasm.mjs fills in from the
// `constexpr float NAME = value;` lines below, so keep them in that form). Both kernels compute the same steps with them:
//   exp(x):  x clamped to [EXP_LO, EXP_HI] (2^n stays a normal float; NaN stays NaN), x = n·ln2 + r with n = round(x·log2e)
//            and r = x − n·LN2_HI − n·LN2_LO (ln2 in two parts so n·LN2_HI is exact), e^r ≈ 1 + r + r²·P(r) with Cephes'
//            degree-5 P = EXP_P0..EXP_P5, then · 2^n built in the exponent bits. About 1e-7 relative.
//   sigmoid: e = exp(−|x|) ≤ 1, s = 1/(1 + e); σ(x) = s for x ≥ 0 and e·s below (full relative accuracy in the left tail,
//            and no overflow on either side).
//   tanh:    below |x| = TANH_SMALL an odd polynomial x + x³·Q(x²), Q = TANH_Q0..TANH_Q4 (Cephes' tanhf), where the
//            formula would cancel; above, (1 − e)/(1 + e) with e = exp(−2|x|) and the sign of x.
// The reference kernels (reference-kernels.ts) use Math.exp and Math.tanh; test/tensor/approx-edges.test.ts checks that all
// three agree at the edges (±88, ±1e-8, NaN, ±Infinity) and across the range.
#pragma once

namespace charlm::approx {

constexpr float EXP_LO = -87.33654f;
constexpr float EXP_HI = 88.37626f;
constexpr float LOG2E = 1.44269504088896341f;
constexpr float LN2_HI = 0.693359375f;
constexpr float LN2_LO = -2.12194440e-4f;
constexpr float EXP_P0 = 1.9875691500e-4f;
constexpr float EXP_P1 = 1.3981999507e-3f;
constexpr float EXP_P2 = 8.3334519073e-3f;
constexpr float EXP_P3 = 4.1665795894e-2f;
constexpr float EXP_P4 = 1.6666665459e-1f;
constexpr float EXP_P5 = 5.0000001201e-1f;
constexpr float TANH_SMALL = 0.625f;
constexpr float TANH_Q0 = -5.70498872745e-3f;
constexpr float TANH_Q1 = 2.06390887954e-2f;
constexpr float TANH_Q2 = -5.37397155531e-2f;
constexpr float TANH_Q3 = 1.33314422036e-1f;
constexpr float TANH_Q4 = -3.33332819422e-1f;

}  // namespace charlm::approx
