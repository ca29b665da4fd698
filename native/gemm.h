// Internal interface between the single-threaded sgemm (gemm.cc) and the dispatcher that may split it across threads
// (gemm-threads.cc). Callers outside the gemm use sgemm() from ops.h.
#pragma once

#include "isa.h"

namespace charlm::CHARLM_ISA {

// The whole product on the calling thread.
void sgemmSerial(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, long lda, const float* b,
                 long ldb, float beta, float* c, long ldc);
// The register tile (rows × columns of C): thread splits fall on its multiples so no tile is cut in two.
int gemmTileRows();
int gemmTileCols();

}  // namespace charlm::CHARLM_ISA
