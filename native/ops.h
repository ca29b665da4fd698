// Declarations of the native float32 kernels, in plain C++ with raw pointers already offset and bounds-checked by the
// N-API layer (addon.cc). The semantics are those of the TypeScript Kernels interface (src/tensor/kernels.ts).
#pragma once
#include <cstdint>

#include "isa.h"

namespace charlm::CHARLM_ISA {

// C = alpha·op(A)·op(B) + beta·C, row-major; beta = 0 overwrites C without reading it.
void sgemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, long lda, const float* b, long ldb,
           float beta, float* c, long ldc);

// The same product with op(B) already packed by packB (the recurrent weights, packed once per chunk and used at every time
// step; all the weights of a decoding step, packed once for many). transA is false; b is the unpacked B. Each element of C
// gets the arithmetic of sgemm's blocked path (gemm.cc), whatever m is, so packing changes no result, with one exception:
// x·Wᵀ with few rows, which sgemm computes from W in place by dot products along k, agrees only within rounding.
void sgemmPacked(int m, int n, int k, float alpha, const float* a, long lda, bool transB, const float* b, long ldb,
                 const float* packed, float beta, float* c, long ldc);
// Floats packB writes for a k×n op(B); `packed` must be 64-byte aligned.
long packedLength(int k, int n);
void packB(bool transB, int k, int n, const float* b, long ldb, float* packed);

void addRowVector(float* x, int rows, int cols, const float* v);
void sumRows(const float* x, int rows, int cols, float* out);
template <typename Id> void gatherColumns(const float* w, int G, int V, const Id* ids, int rows, float* out);
// The backward of gatherColumns, with its arguments in the same order: dW[:, ids[r]] += dOut[r, :].
template <typename Id> void scatterAddColumns(float* dW, int G, int V, const Id* ids, int rows, const float* dOut);

// The cell kernels take their buffers by name, as in src/tensor/kernels.ts (LstmCellForwardArgs, ...), with the
// offsets already applied: B rows of H units.
struct LstmForwardArgs { float* gates; const float* cPrev; float* c; float* h; int B, H; };
struct LstmBackwardArgs { const float *gates, *cPrev, *c, *dH; float *dC, *dGates; int B, H; };
struct GruForwardArgs { float* gx; const float *gh, *hPrev; float* h; int B, H; };
struct GruBackwardArgs { const float *gx, *gh, *hPrev, *dH; float *dGx, *dGh, *dHPrev; int B, H; };

void lstmCellForward(const LstmForwardArgs& a);
void lstmCellBackward(const LstmBackwardArgs& a);
void gruCellForward(const GruForwardArgs& a);
void gruCellBackward(const GruBackwardArgs& a);
void activationForward(float* x, long n, bool relu);
void activationBackward(const float* y, const float* dH, float* dPre, long n, bool relu);

// Targets are already checked to lie in [0, V).
template <typename Id>
double softmaxCrossEntropy(const float* logits, int rows, int V, const Id* targets, float* dLogits, float gradScale);

void mul(const float* x, const float* y, float* out, long n);
void axpy(const float* x, float* y, long n, float alpha);
void scale(float* x, long n, float alpha);
double sumSquares(const float* x, long n);

// One Adam / AdamW update of n parameters in place (src/tensor/kernels.ts, AdamArgs): computed in float64 and rounded to
// float32 where each value is stored, exactly as the reference kernel's JavaScript does, so the bits are the same.
// The fields in the order of the TypeScript AdamArgs and of the addon's arguments.
struct AdamArgs {
  float* values;
  const float* grads;
  float *m, *v;
  long n;
  double lr, beta1, beta2, eps, l2, shrink, correction1, correction2;
};
void adam(const AdamArgs& a);

}  // namespace charlm::CHARLM_ISA
