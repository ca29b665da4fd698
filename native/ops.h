// Declarations of the native float32 kernels, in plain C++ with raw pointers already offset and bounds-checked by the
// N-API layer (addon.cc). The semantics are those of the TypeScript Kernels interface (src/tensor/kernels.ts).
#pragma once
#include <cstdint>

#include "isa.h"

namespace charlm::CHARLM_ISA {

// C = alpha·op(A)·op(B) + beta·C, row-major; beta = 0 overwrites C without reading it.
void sgemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, long lda, const float* b, long ldb,
           float beta, float* c, long ldc);

void addRowVector(float* x, int rows, int cols, const float* v);
void sumRows(const float* x, int rows, int cols, float* out);
template <typename Id> void gatherColumns(const float* w, int G, int V, const Id* ids, int rows, float* out);
template <typename Id> void scatterAddColumns(const float* dOut, int rows, int G, const Id* ids, float* dW, int V);

void lstmCellForward(float* gates, const float* cPrev, float* c, float* h, int B, int H);
void lstmCellBackward(const float* gates, const float* cPrev, const float* c, const float* dH, float* dC, float* dGates,
                      int B, int H);
void gruCellForward(float* gx, const float* gh, const float* hPrev, float* h, int B, int H);
void gruCellBackward(const float* gx, const float* gh, const float* hPrev, const float* dH, float* dGx, float* dGh,
                     float* dHPrev, int B, int H);
void activationForward(float* x, long n, bool relu);
void activationBackward(const float* y, const float* dH, float* dPre, long n, bool relu);

// Targets are already checked to lie in [0, V).
template <typename Id>
double softmaxCrossEntropy(const float* logits, int rows, int V, const Id* targets, float* dLogits, float gradScale);

void mul(const float* x, const float* y, float* out, long n);
void axpy(long n, float alpha, const float* x, float* y);
void scale(float* x, long n, float alpha);
double sumSquares(const float* x, long n);

}  // namespace charlm::CHARLM_ISA
