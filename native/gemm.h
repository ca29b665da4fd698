// Internal interface between the single-threaded sgemm (gemm.cc) and the dispatcher that may split it across threads
// (gemm-threads.cc). Callers outside the gemm use sgemm() from ops.h.
#pragma once

#include "isa.h"

namespace charlm::CHARLM_ISA {

// op(B) packed once by packB (ops.h) for many products with the same B: the packed panels, the full width they were
// packed for, and the first column of it that this product computes (a multiple of the tile's columns).
struct PackedB {
  const float* data = nullptr;
  int width = 0;
  int col0 = 0;
};

// The whole product, or the part of one that a thread computes, on the calling thread. With `packed`, op(B)'s panels are
// read from it instead of packed here. wholeRows: the rows of the whole product, which choose the arithmetic (gemm.cc:
// few rows of x·Wᵀ read in place are dot products along k), so that the threads' parts get the same as the whole.
void sgemmSerial(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, long lda, const float* b,
                 long ldb, float beta, float* c, long ldc, const PackedB* packed, int wholeRows);
// The register tile (rows × columns of C): thread splits fall on its multiples so no tile is cut in two.
int gemmTileRows();
int gemmTileCols();

}  // namespace charlm::CHARLM_ISA
