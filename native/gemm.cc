// Single-precision matrix multiply (BLAS sgemm semantics, row-major), blocked and register-tiled in the style of BLIS /
// GotoBLAS: panels of op(A) and op(B) are packed into aligned scratch so that the micro-kernel streams both from cache with
// unit stride whatever the transposes. Splitting the work across threads lives in gemm-threads.cc, not here.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#endif

#include "gemm.h"
#include "simd.h"

namespace charlm::CHARLM_ISA {

long paddedWidth(int n);  // below: the width of a packed op(B), whole micro-panels

namespace {

// Micro-tile MR rows × NR columns of C held in registers: 8×32 uses 16 of the 32 AVX-512 registers for accumulators,
// 6×16 uses 12 of the 16 AVX2 registers. (The CHARLM_* macros exist for tuning runs with -D; the defaults were measured
// best or equal on the Zen 5 machines charlm targets: 8×48, 6×64, 12×32 and 14×32 tiles were no faster.)
#if defined(CHARLM_MR)
constexpr int MR = CHARLM_MR, NV = CHARLM_NV;
#elif defined(__AVX512F__)
constexpr int MR = 8, NV = 2;
#elif defined(__AVX__)
constexpr int MR = 6, NV = 2;
#else
constexpr int MR = 4, NV = 2;
#endif
constexpr int NR = NV * VL;  // NV vectors per row of the tile
// KC·NR floats of packed B (one micro-panel) stay in L1 while every micro-panel of A streams past it; MC·KC floats of A stay
// in L2; KC·NC floats of B sit in L2/L3.
#ifndef CHARLM_KC
#define CHARLM_KC 256
#endif
constexpr int KC = CHARLM_KC;
constexpr int MC = MR * 16;
#ifndef CHARLM_NC
#define CHARLM_NC 2048
#endif
constexpr int NC = NR * (CHARLM_NC / NR);
// Products with at most this many rows take the few-rows path (fewRows below): no block of op(B) is packed ahead.
constexpr int FEW_ROWS = 12;
// The tallest tile of that path: its accumulators (2 vectors a row), the two vectors of op(B) and a broadcast row value
// fill AVX-512's 32 registers (12 × 2 + 3); AVX2's and SSE's 16 hold the blocked path's tile.
#if defined(__AVX512F__) && !defined(CHARLM_MR)
constexpr int FEW_ROWS_TILE = 12;
#else
constexpr int FEW_ROWS_TILE = MR;
#endif
// Panels of op(B) one row takes at once in that path (two rows take half as many): 8 independent sums, enough to hide the
// multiply-add latency (a panel at a time left one row's 2 sums waiting on each other: a row times a packed 1024 × 256
// took 10 µs on AVX-512 and 21 on AVX2, whose panels are half as wide).
constexpr int WIDE_PANELS = 4;

// A thread's scratch buffer, in pages of its own: mapped by itself, away from the heap where the product's operands live.
// In the heap, the calling thread's scratch lay a few kilobytes past the end of the output that both threads write, and
// the calling thread took 16 µs for its half of a beam search's 9 × 1024 × 256 product where the helper, whose scratch
// was elsewhere, took 12 (measured in a C++ loop with a fixed split; the next page of the same heap was no better, a
// mapping of its own gave 12 and 12). The likely cause is the other core's prefetches into the neighbourhood of the lines
// it writes. Allocation failure is std::bad_alloc: the N-API layer turns it into a JavaScript error, also when the helper
// thread hit it.
class ThreadScratch {
 public:
  ThreadScratch() = default;
  ThreadScratch(const ThreadScratch&) = delete;
  ThreadScratch& operator=(const ThreadScratch&) = delete;
  ~ThreadScratch() { release(); }
  // At least count floats (64-byte aligned), keeping the current buffer when it is large enough.
  float* atLeast(long count) {
    const size_t bytes = sizeof(float) * size_t(count > 0 ? count : 1);
    if (bytes <= bytes_) return data_;
    release();
    const size_t rounded = (bytes + kPage - 1) / kPage * kPage;
#if defined(__unix__) || defined(__APPLE__)
    void* p = mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#else
    void* p = std::aligned_alloc(kPage, rounded);
    if (p == nullptr) throw std::bad_alloc();
#endif
    data_ = static_cast<float*>(p);
    bytes_ = rounded;
    return data_;
  }

 private:
  static constexpr size_t kPage = 4096;
  void release() {
    if (data_ == nullptr) return;
#if defined(__unix__) || defined(__APPLE__)
    munmap(data_, bytes_);
#else
    std::free(data_);
#endif
    data_ = nullptr;
    bytes_ = 0;
  }
  float* data_ = nullptr;
  size_t bytes_ = 0;
};

// Packs rows [0, mc) × columns [0, kc) of op(A) into MR-row micro-panels: element (i, p) of panel q at q·MR·kc + p·MR + i.
// Rows past mc are zero so that the micro-kernel never branches.
void packA(const float* a, long lda, bool transA, int mc, int kc, float* dst) {
  for (int q = 0; q < mc; q += MR) {
    const int mr = std::min(MR, mc - q);
    if (transA) {  // op(A)(i, p) = a[p·lda + i]: each p gives mr contiguous values
      for (int p = 0; p < kc; ++p) {
        const float* src = a + p * lda + q;
        for (int i = 0; i < mr; ++i) dst[p * MR + i] = src[i];
        for (int i = mr; i < MR; ++i) dst[p * MR + i] = 0.0f;
      }
    } else {  // op(A)(i, p) = a[i·lda + p]
      for (int i = 0; i < mr; ++i) {
        const float* src = a + (q + i) * lda;
        for (int p = 0; p < kc; ++p) dst[p * MR + i] = src[p];
      }
      for (int i = mr; i < MR; ++i)
        for (int p = 0; p < kc; ++p) dst[p * MR + i] = 0.0f;
    }
    dst += MR * kc;
  }
}

#if defined(__AVX512F__)
// dst[p·ldd + j] = src[j·lds + p] for a 16×16 block: the in-register transpose (unpack, then two 128-bit lane shuffles)
// costs about a quarter of a cycle per element, against a cycle for scattered scalar stores.
void transpose16(const float* src, long lds, float* dst, long ldd) {
  __m512 r[16], t[16];
  for (int j = 0; j < 16; ++j) r[j] = _mm512_loadu_ps(src + j * lds);
  for (int j = 0; j < 16; j += 2) {
    t[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
    t[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
  }
  for (int j = 0; j < 16; j += 4) {
    r[j] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[j]), _mm512_castps_pd(t[j + 2])));
    r[j + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[j]), _mm512_castps_pd(t[j + 2])));
    r[j + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[j + 1]), _mm512_castps_pd(t[j + 3])));
    r[j + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[j + 1]), _mm512_castps_pd(t[j + 3])));
  }
  for (int j = 0; j < 4; ++j) {
    t[j] = _mm512_shuffle_f32x4(r[j], r[j + 4], 0x88);
    t[j + 4] = _mm512_shuffle_f32x4(r[j], r[j + 4], 0xdd);
    t[j + 8] = _mm512_shuffle_f32x4(r[j + 8], r[j + 12], 0x88);
    t[j + 12] = _mm512_shuffle_f32x4(r[j + 8], r[j + 12], 0xdd);
  }
  for (int j = 0; j < 8; ++j) {
    _mm512_storeu_ps(dst + j * ldd, _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88));
    _mm512_storeu_ps(dst + (j + 8) * ldd, _mm512_shuffle_f32x4(t[j], t[j + 8], 0xdd));
  }
}
#endif

// Packs rows [0, kc) × columns [0, nc) of op(B) into NR-column micro-panels: element (p, j) of panel r at r·NR·kc + p·NR + j.
void packBlockB(const float* b, long ldb, bool transB, int kc, int nc, float* dst) {
  for (int r = 0; r < nc; r += NR) {
    const int nr = std::min(NR, nc - r);
    if (!transB) {  // op(B)(p, j) = b[p·ldb + j]: rows of B are contiguous
      for (int p = 0; p < kc; ++p) {
        const float* src = b + p * ldb + r;
        if (nr == NR) {
          for (int v = 0; v < NV; ++v) store(dst + p * NR + v * VL, load(src + v * VL));
        } else {
          for (int j = 0; j < nr; ++j) dst[p * NR + j] = src[j];
          for (int j = nr; j < NR; ++j) dst[p * NR + j] = 0.0f;
        }
      }
    } else {  // op(B)(p, j) = b[j·ldb + p]: a transpose, read along rows of the stored B
#if defined(__AVX512F__)
      if (nr == NR && NR % 16 == 0) {
        int p = 0;
        for (; p + 16 <= kc; p += 16)
          for (int j = 0; j < NR; j += 16) transpose16(b + (r + j) * ldb + p, ldb, dst + p * NR + j, NR);
        for (int j = 0; j < NR; ++j)
          for (int pp = p; pp < kc; ++pp) dst[pp * NR + j] = b[(r + j) * ldb + pp];
        dst += NR * kc;
        continue;
      }
#endif
      for (int j = 0; j < nr; ++j) {
        const float* src = b + (r + j) * ldb;
        for (int p = 0; p < kc; ++p) dst[p * NR + j] = src[p];
      }
      for (int j = nr; j < NR; ++j)
        for (int p = 0; p < kc; ++p) dst[p * NR + j] = 0.0f;
    }
    dst += NR * kc;
  }
}

// Σ_p a[p·ROWS + i]·b[p·NR + j] over a packed micro-panel of A (ROWS values per p) and PANELS micro-panels of op(B) (NR
// per p each, panel q at b + q·stride), into acc[q·ROWS + i]: one multiply-add per p in order of p, in registers. More
// than one panel only for one or two rows, whose few sums would otherwise each wait on the last multiply-add.
template <int ROWS, int PANELS = 1>
inline void accumulate(int kc, const float* __restrict a, const float* __restrict b, vf (*acc)[NV], long stride = 0) {
  vf sum[PANELS][ROWS][NV];
#pragma GCC unroll 4
  for (int q = 0; q < PANELS; ++q)
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) sum[q][i][v] = vf{};
  // Unrolling over p lets the compiler interleave the next step's loads with this step's multiply-adds (+15 % measured).
#pragma GCC unroll 4
  for (int p = 0; p < kc; ++p) {
#pragma GCC unroll 4
    for (int q = 0; q < PANELS; ++q) {
      vf bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) bv[v] = *reinterpret_cast<const vf*>(b + q * stride + v * VL);
#pragma GCC unroll 16
      for (int i = 0; i < ROWS; ++i) {
        const vf ai = splat(a[i]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) sum[q][i][v] += ai * bv[v];
      }
    }
    a += ROWS;
    b += NR;
  }
#pragma GCC unroll 4
  for (int q = 0; q < PANELS; ++q)
#pragma GCC unroll 16
    for (int i = 0; i < ROWS; ++i)
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[q * ROWS + i][v] = sum[q][i][v];
}

// One row of a tile: C[0, nr) = alpha·acc + beta·C (C not read when beta = 0). Every element of C ends with exactly this
// arithmetic, in a full tile or at an edge, on any path or thread; with accumulate's, a row's result never depends on
// the other rows of the product. Without contraction: allowed to fuse, the compiler chose a different multiply-add for
// alpha·acc + beta·C where this was inlined into different loops, and rows differed in their last bit.
__attribute__((optimize("fp-contract=off"))) void storeRow(const vf* acc, float* ci, int nr, float alpha, float beta) {
  const vf va = splat(alpha), vb = splat(beta);
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const int w = std::min(VL, nr - v * VL);
    if (w <= 0) return;
    float* cv = ci + v * VL;
    const vf out = beta == 0.0f ? va * acc[v] : va * acc[v] + vb * (w == VL ? load(cv) : loadPartial(cv, w));
    if (w == VL) store(cv, out);
    else storePartial(cv, out, w);
  }
}

// The blocked path's tile: MR×NR of C from MR-row micro-panels of A; rows past mr and columns past nr are not stored.
void microKernel(int kc, const float* a, const float* b, float* c, long ldc, int mr, int nr, float alpha, float beta) {
  vf acc[MR][NV];
  accumulate<MR>(kc, a, b, acc);
  for (int i = 0; i < mr; ++i) storeRow(acc[i], c + i * ldc, nr, alpha, beta);
}

// accumulate for a panel of `rows` rows (1 … FEW_ROWS_TILE).
void accumulateRows(int rows, int kc, const float* a, const float* b, vf (*acc)[NV]) {
  switch (rows) {
#define CHARLM_TILE_CASE(R) \
    case R: if constexpr (R <= FEW_ROWS_TILE) return accumulate<R>(kc, a, b, acc); break;
    CHARLM_TILE_CASE(1) CHARLM_TILE_CASE(2) CHARLM_TILE_CASE(3) CHARLM_TILE_CASE(4) CHARLM_TILE_CASE(5) CHARLM_TILE_CASE(6)
    CHARLM_TILE_CASE(7) CHARLM_TILE_CASE(8) CHARLM_TILE_CASE(9) CHARLM_TILE_CASE(10) CHARLM_TILE_CASE(11) CHARLM_TILE_CASE(12)
#undef CHARLM_TILE_CASE
  }
  std::abort();  // unreachable: fewRows cuts the rows into panels of at most FEW_ROWS_TILE
}

// The distinct rows of op(A) (m ≤ FEW_ROWS): distinct[u] is the first row of the u-th distinct content, source[i] the u
// of row i. Rows are compared bit for bit (memcmp), and only when stored contiguously (transA false).
int distinctRows(bool transA, int m, int k, const float* a, long lda, int* source, int* distinct) {
  int count = 0;
  for (int i = 0; i < m; ++i) {
    int u = 0;
    if (!transA)
      while (u < count && std::memcmp(a + long(i) * lda, a + long(distinct[u]) * lda, sizeof(float) * size_t(k)) != 0) ++u;
    else
      u = count;
    if (u == count) distinct[count++] = i;
    source[i] = u;
  }
  return count;
}

// Rows which[0 … height) of op(A), columns [pc, pc + kc), as one micro-panel of that height (dst[p·height + i]).
void packRows(const float* a, long lda, bool transA, const int* which, int height, int pc, int kc, float* dst) {
  for (int i = 0; i < height; ++i) {
    if (transA)
      for (int p = 0; p < kc; ++p) dst[p * height + i] = a[long(pc + p) * lda + which[i]];
    else
      for (int p = 0; p < kc; ++p) dst[p * height + i] = a[long(which[i]) * lda + pc + p];
  }
}

// C with m ≤ FEW_ROWS rows: decoding (one character, or a beam of them) and per-step products of small batches. Packing a
// whole block of op(B) ahead, as the blocked path does, would write and read back B for few multiply-adds per element;
// here each NR-column panel of op(B) is packed just before its tiles use it (or read from `packed`), so B streams through
// L1 once. The tiles are as tall as the rows allow (a beam's 9 rows: one tile of 9, where the blocked path would pay for
// 16), and the arithmetic per element is the blocked path's, K block by K block. Equal rows of op(A) are multiplied once:
// a beam's hypotheses that extend the same parent carry the same state into the recurrent products (about a quarter of
// the rows at width 8), and a batch starts from equal (zero) states.
void fewRows(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, long lda, const float* b, long ldb,
             float beta, float* c, long ldc, const PackedB* packed) {
  thread_local ThreadScratch rowsScratch, panelScratch;
  float* const rows = rowsScratch.atLeast(long(FEW_ROWS) * KC);  // the distinct rows of op(A) for one K block, in panels
  float* const panel = panelScratch.atLeast(long(KC) * NR);      // one micro-panel of op(B)
  int source[FEW_ROWS], distinct[FEW_ROWS];
  const int count = distinctRows(transA, m, k, a, lda, source, distinct);
  // As few tiles as the registers allow, of equal heights (9 rows on AVX2: 5 + 4).
  const int tiles = (count + FEW_ROWS_TILE - 1) / FEW_ROWS_TILE;
  const int base = count / tiles, taller = count % tiles;
  vf acc[FEW_ROWS][NV];  // a panel's sums for each distinct row (or, for one or two rows, several panels')
  // One or two distinct rows from packed panels (generation) take several panels per pass (they lie side by side):
  // 8 independent sums in all.
  const int wide = packed != nullptr && count <= 2 ? (count == 1 ? WIDE_PANELS : WIDE_PANELS / 2) : 1;
  for (int pc = 0; pc < k; pc += KC) {
    const int kc = std::min(KC, k - pc);
    const float betaBlock = pc == 0 ? beta : 1.0f;  // later K blocks accumulate onto the first
    for (int t = 0, u0 = 0; t < tiles; ++t) {
      const int height = base + (t < taller ? 1 : 0);
      packRows(a, lda, transA, distinct + u0, height, pc, kc, rows + long(u0) * kc);
      u0 += height;
    }
    for (int jr = 0, panels; jr < n; jr += panels * NR) {
      panels = n - jr >= wide * NR ? wide : 1;
      const float* b0 = panel;
      if (packed != nullptr) b0 = packed->data + long(pc) * paddedWidth(packed->width) + long(packed->col0 + jr) * kc;
      else packBlockB(transB ? b + long(jr) * ldb + pc : b + long(pc) * ldb + jr, ldb, transB, kc, std::min(NR, n - jr), panel);
      if (panels > 1 && count == 1) accumulate<1, WIDE_PANELS>(kc, rows, b0, acc, long(NR) * kc);
      else if (panels > 1) accumulate<2, WIDE_PANELS / 2>(kc, rows, b0, acc, long(NR) * kc);
      else
        for (int t = 0, u0 = 0; t < tiles; ++t) {
          const int height = base + (t < taller ? 1 : 0);
          accumulateRows(height, kc, rows + long(u0) * kc, b0, acc + u0);
          u0 += height;
        }
      // Panel q's sums for distinct row u are acc[q·count + u].
      for (int q = 0; q < panels; ++q) {
        const int col = jr + q * NR;
        for (int i = 0; i < m; ++i)
          storeRow(acc[q * count + source[i]], c + long(i) * ldc + col, std::min(NR, n - col), alpha, betaBlock);
      }
    }
  }
}

// Rows of A that share each load of B in the dot-product path: 4 × 4 accumulators fill half of AVX-512's 32 registers and
// make the loop bound by multiply-adds rather than loads; AVX2 and SSE have 16 registers, room for 2 × 4. DOT_ROWS_MAX:
// the tallest tile that still fits (5 × 4 accumulators, the four rows of B and a row of A: 25 of 32), so that a beam
// search's 9 rows go as 5 + 4 instead of 4 + 4 + 1, whose lone row reads four rows of B for every four multiply-adds.
#if defined(__AVX512F__)
constexpr int DOT_ROWS = 4, DOT_ROWS_MAX = 5;
#else
constexpr int DOT_ROWS = 2, DOT_ROWS_MAX = 2;
#endif

// The height of the next tile with `left` rows still to do: all of them when they fit one tile, a tallest tile when that
// leaves a multiple of DOT_ROWS (9 = 5 + 4), else DOT_ROWS.
constexpr int dotTileRows(int left) {
  if (left <= DOT_ROWS_MAX) return left;
  if ((left - DOT_ROWS_MAX) % DOT_ROWS == 0) return DOT_ROWS_MAX;
  return DOT_ROWS;
}

// R rows of A (k contiguous floats each, `a`) dotted with four rows of the stored B from b0: per lane in order of p, then
// across lanes by hsum4. Every element gets the same arithmetic whatever R is, so a row's result does not depend on how
// many rows share the call. emit(r, sums) receives row r's four results.
template <int R, class Emit>
inline void dotTile(const float* a, int k, const float* b0, long ldb, Emit&& emit) {
  vf acc[R][4];
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) acc[r][c] = vf{};
  auto accumulate = [&](int p, auto&& ld) {
    vf w[4];
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) w[c] = ld(b0 + c * ldb + p);
#pragma GCC unroll 4
    for (int r = 0; r < R; ++r) {
      const vf x = ld(a + long(r) * k + p);
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) acc[r][c] += x * w[c];
    }
  };
  int p = 0;
  for (; p + VL <= k; p += VL) accumulate(p, [](const float* q) { return load(q); });
  if (p < k) accumulate(p, [w = k - p](const float* q) { return loadPartial(q, w); });
#pragma GCC unroll 4
  for (int r = 0; r < R; ++r) emit(r, hsum4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]));
}

// C = A·Bᵀ for m ≤ FEW_ROWS rows with the stored B read in place (the products of CharLM.step without packed weights): dot
// products along k, which need no transposed copy of B, the cost that makes the few-rows path twice as slow for one row
// when it must pack B itself. Its own arithmetic (lanes along k, then a tree sum), but the same for every element whatever
// m is, so a row's result does not depend on how many other rows share the call.
void dotRows(bool transA, int m, int n, int k, float alpha, const float* a, long lda, const float* b, long ldb, float beta,
             float* c, long ldc) {
  thread_local ThreadScratch rowsScratch;
  float* const rows = rowsScratch.atLeast(long(FEW_ROWS) * k);
  for (int i = 0; i < m; ++i)
    for (int p = 0; p < k; ++p) rows[long(i) * k + p] = transA ? a[p * lda + i] : a[i * lda + p];
  auto put = [&](int i, int j, float sum) {
    float* cij = c + i * ldc + j;
    *cij = beta == 0.0f ? alpha * sum : alpha * sum + beta * *cij;
  };
  auto put4 = [&](int i, int j, v4 sums) {
    for (int jj = 0; jj < 4; ++jj) put(i, j + jj, sums[jj]);
  };
  // C[i, j] = A[i, :] · Bstored[j, :], dot products along k, four columns of C at a time; DOT_ROWS rows of A share
  // each load of the four rows of the stored B (which stay in L1 while the rows of A pass).
  int j = 0;
  for (; j + 4 <= n; j += 4) {
    const float* b0 = b + j * ldb;
    for (int i = 0; i < m;) {
      const int height = dotTileRows(m - i);
      const float* ai = rows + long(i) * k;
      auto emit = [&](int r, v4 sums) { put4(i + r, j, sums); };
      switch (height) {
        case 1: dotTile<1>(ai, k, b0, ldb, emit); break;
        case 2: dotTile<2>(ai, k, b0, ldb, emit); break;
#if defined(__AVX512F__)
        case 3: dotTile<3>(ai, k, b0, ldb, emit); break;
        case 4: dotTile<4>(ai, k, b0, ldb, emit); break;
        case 5: dotTile<5>(ai, k, b0, ldb, emit); break;
#endif
      }
      i += height;
    }
  }
  for (; j < n; ++j) {
    const float* bj = b + j * ldb;
    for (int i = 0; i < m; ++i) {
      const float* ai = rows + long(i) * k;
      vf s{};
      int p = 0;
      for (; p + VL <= k; p += VL) s += load(ai + p) * load(bj + p);
      if (p < k) s += loadPartial(ai + p, k - p) * loadPartial(bj + p, k - p);
      put(i, j, hsum(s));
    }
  }
}

}  // namespace

long paddedWidth(int n) { return (long(n) + NR - 1) / NR * NR; }

long packedLength(int k, int n) { return paddedWidth(n) * k; }

// The whole of op(B) in the layout the loop below reads: K block pc (KC rows; the last may be shorter) starts at
// pc·paddedWidth and holds every NR-column micro-panel of its rows, the panel of column j at j·kc within the block.
void packB(bool transB, int k, int n, const float* b, long ldb, float* packed) {
  for (int pc = 0; pc < k; pc += KC) {
    const int kc = std::min(KC, k - pc);
    packBlockB(transB ? b + pc : b + long(pc) * ldb, ldb, transB, kc, n, packed + long(pc) * paddedWidth(n));
  }
}

void sgemmSerial(bool transA, bool transB, int m, int n, int k, float alpha, const float* a, long lda, const float* b,
                 long ldb, float beta, float* c, long ldc, const PackedB* packed, int wholeRows) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0 || alpha == 0.0f) {  // BLAS: A and B are not read; C = beta·C
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  if (m <= FEW_ROWS) {
    if (transB && packed == nullptr && wholeRows <= FEW_ROWS) return dotRows(transA, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return fewRows(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, packed);
  }
  thread_local ThreadScratch packedA, packedB;
  float* const scratchA = packedA.atLeast(long(MC) * KC);
  float* const scratchB = packedB.atLeast(long(KC) * NC);
  for (int jc = 0; jc < n; jc += NC) {
    const int nc = std::min(NC, n - jc);
    for (int pc = 0; pc < k; pc += KC) {
      const int kc = std::min(KC, k - pc);
      const float betaBlock = pc == 0 ? beta : 1.0f;  // later K blocks accumulate onto the first
      const float* panels = scratchB;
      if (packed != nullptr) panels = packed->data + long(pc) * paddedWidth(packed->width) + long(packed->col0 + jc) * kc;
      else packBlockB(transB ? b + long(jc) * ldb + pc : b + long(pc) * ldb + jc, ldb, transB, kc, nc, scratchB);
      for (int ic = 0; ic < m; ic += MC) {
        const int mc = std::min(MC, m - ic);
        packA(transA ? a + long(pc) * lda + ic : a + long(ic) * lda + pc, lda, transA, mc, kc, scratchA);
        for (int jr = 0; jr < nc; jr += NR) {
          const int nr = std::min(NR, nc - jr);
          for (int ir = 0; ir < mc; ir += MR) {
            const int mr = std::min(MR, mc - ir);
            microKernel(kc, scratchA + long(ir) * kc, panels + long(jr) * kc, c + long(ic + ir) * ldc + jc + jr, ldc,
                        mr, nr, alpha, betaBlock);
          }
        }
      }
    }
  }
}

int gemmTileRows() { return MR; }
int gemmTileCols() { return NR; }

}  // namespace charlm::CHARLM_ISA
