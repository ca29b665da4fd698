// Runs a large sgemm on two threads by cutting C into independent blocks (along columns, or along rows when C is tall and
// narrow, or is a batch's per-step product); each thread packs its own panels, or reads its columns' part of an op(B)
// packed beforehand. The threads themselves live in threads.cc.
#include <algorithm>

#include "gemm.h"
#include "ops.h"
#include "threads.h"

namespace charlm::CHARLM_ISA {
namespace {

struct Job {
  bool transA, transB;
  int m, n, k;
  float alpha;
  const float* a;
  long lda;
  const float* b;
  long ldb;
  float beta;
  float* c;
  long ldc;
  PackedB packed;  // packed.data is null unless op(B) was packed beforehand
  int wholeRows;   // m of the whole product, of which this job may be a part
  void run() const {
    sgemmSerial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, packed.data != nullptr ? &packed : nullptr,
                wholeRows);
  }
};

// Below this many multiply-adds the hand-off costs more than the second core gives back (S's per-step products, 2M
// multiply-adds, still gain).
constexpr double kMinParallelMacs = 1.0e6;
// A product with a few rows of A (decoding: one character, or a beam of them) streams its whole weight matrix B for little
// arithmetic, so it is bound by memory, not by multiply-adds. Split between the cores, each streams half, and since the
// halves are the same every step, each core's half of the weights stays in its own L2 cache from one character to the next.
// Generation's 1 × 1024 × 256 products (config M) gain; a beam's decoder, 9 × 65 × 256, took 4.6 µs split and 3.7 whole.
constexpr double kMinParallelMacsFewRows = 2e5;
// Products with at most this many rows are scheduled as few-row ones (kMinParallelMacsFewRows, kChunksFewRows). A
// scheduling threshold only: which arithmetic runs is gemm.cc's FEW_ROWS (12), so 13 to 16 rows take the blocked path
// but are still cut like a few-row product.
constexpr int kFewRows = 16;
// Chunks handed out one at a time: enough that a helper thread the OS has not scheduled costs little, few enough that
// each chunk keeps whole packed panels busy. A product with few rows goes in two halves: each chunk packs the rows of A
// again, and a beam search's 9 × 1024 × 256 product took 13.3 µs in halves against 14.4 in quarters.
constexpr int kChunks = 4;
constexpr int kChunksFewRows = 2;
// A per-step recurrent product of a batch of up to this many rows (config M's 32 × 1024 × 256) is cut into two halves of
// the batch, not of the columns: each thread then computes the rows whose state and gates its own cache holds, since the
// cell kernels cut the batch the same way (cells.cc; the caller takes the first chunks, the helper the last), and only the
// weights are read by both. Config M trained 12 % faster. A larger batch (config L's 64 rows of 2048 × 512) keeps the
// column cut: each thread would stream all of a 4 MB weight matrix every step.
constexpr int kMaxRowsToSplitByBatch = 32;

void run(const Job& whole) {
  const auto& [transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, packed, wholeRows] = whole;
  const int tileRows = gemmTileRows(), tileCols = gemmTileCols();
  const bool fewRows = m <= kFewRows;
  const double minMacs = fewRows ? kMinParallelMacsFewRows : kMinParallelMacs;
  const bool big = double(m) * n * k >= minMacs && k > 0 && alpha != 0.0f;
  const bool byBatch = m <= kMaxRowsToSplitByBatch && m >= 2 * tileRows;
  const bool splitCols = !byBatch && n >= 2 * tileCols && n >= m;
  const bool splitRows = !splitCols && m >= 2 * tileRows;
  if (workerThreads() < 2 || !big || !(splitCols || splitRows)) return whole.run();
  // Up to kChunks blocks of whole tiles, each of at least kMinParallelMacs multiply-adds where possible.
  struct Split {
    Job whole;
    bool cols;
    int step;  // columns or rows per chunk, a multiple of the tile
  } split{whole, splitCols, 0};
  const int tile = splitCols ? tileCols : tileRows, extent = splitCols ? n : m;
  const int tiles = (extent + tile - 1) / tile;
  const double macsPerTile = double(m) * n * k / tiles;
  int chunks = std::min(byBatch ? 2 : fewRows ? kChunksFewRows : kChunks, tiles);
  while (chunks > 2 && macsPerTile * (tiles / chunks) < minMacs) --chunks;
  split.step = (tiles + chunks - 1) / chunks * tile;
  chunks = (extent + split.step - 1) / split.step;
  runChunks([](const void* ctx, int chunk) {
    const Split& s = *static_cast<const Split*>(ctx);
    Job j = s.whole;
    const int first = chunk * s.step;
    if (s.cols) {
      j.n = std::min(s.step, s.whole.n - first);
      j.b = j.transB ? j.b + long(first) * j.ldb : j.b + first;
      j.packed.col0 += first;
      j.c += first;
    } else {
      j.m = std::min(s.step, s.whole.m - first);
      j.a = j.transA ? j.a + first : j.a + long(first) * j.lda;
      j.c += long(first) * j.ldc;
    }
    j.run();
  }, &split, chunks);
}

}  // namespace

void sgemm(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, long lda, const float* b, long ldb,
           float beta, float* c, long ldc) {
  run(Job{transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, PackedB{}, m});
}

void sgemmPacked(int m, int n, int k, float alpha, const float* a, long lda, bool transB, const float* b, long ldb,
                 const float* packed, float beta, float* c, long ldc) {
  run(Job{false, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, PackedB{packed, n, 0}, m});
}

}  // namespace charlm::CHARLM_ISA
