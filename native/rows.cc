// Row-wise and element-wise native kernels: bias add and its gradient, one-hot column gather / scatter-add, fused softmax
// cross-entropy, the small vector operations (mul, axpy, scale, sum of squares), and Adam's update.
#include <algorithm>
#include <cmath>
#include <vector>

#include "ops.h"
#include "simd.h"
#include "threads.h"

namespace charlm::CHARLM_ISA {
namespace {

inline vf ld(const float* p, long w) { return w >= VL ? load(p) : loadPartial(p, int(w)); }
inline void st(float* p, vf v, long w) {
  if (w >= VL) store(p, v);
  else storePartial(p, v, int(w));
}
// Lanes at or past `w` of a partial vector set to `fill` (so they do not count in a max or a sum).
inline vf maskTail(vf v, long w, float fill) {
  if (w >= VL) return v;
  for (int l = int(w); l < VL; ++l) v[l] = fill;
  return v;
}

// Per-thread scratch for the transposed weights of gather / scatter; grows, never shrinks.
std::vector<float>& scratch(size_t size) {
  thread_local std::vector<float> buf;
  if (buf.size() < size) buf.resize(size);
  return buf;
}
// Below this many rows the lookups straight from w (gather) or the adds straight into dW (scatter) are cheaper than
// transposing the whole G×V matrix first.
constexpr int kGatherTransposeRows = 64;
constexpr int kScatterTransposeRows = 8;

}  // namespace

void addRowVector(float* x, int rows, int cols, const float* v) {
  for (int r = 0; r < rows; ++r) {
    float* xr = x + long(r) * cols;
    for (long j = 0; j < cols; j += VL) st(xr + j, ld(xr + j, cols - j) + ld(v + j, cols - j), cols - j);
  }
}

// Column blocks of 8 vectors are summed in registers while walking down the rows, so each row is read once, in order.
void sumRows(const float* x, int rows, int cols, float* out) {
  constexpr int kBlock = 8 * VL;
  for (long j0 = 0; j0 < cols; j0 += kBlock) {
    const long width = cols - j0 < kBlock ? cols - j0 : kBlock;
    vf acc[8] = {};
    for (int r = 0; r < rows; ++r) {
      const float* xr = x + long(r) * cols + j0;
      if (width == kBlock) {
#pragma GCC unroll 8
        for (int v = 0; v < 8; ++v) acc[v] += load(xr + v * VL);
      } else {
        for (long j = 0; j < width; j += VL) acc[j / VL] += ld(xr + j, width - j);
      }
    }
    for (long j = 0; j < width; j += VL) st(out + j0 + j, ld(out + j0 + j, width - j) + acc[j / VL], width - j);
  }
}

// out[r, g] += w[g·V + ids[r]]: row ids[r] of wᵀ, read contiguously from a transposed copy when there are enough rows.
template <typename Id>
void gatherColumns(const float* w, int G, int V, const Id* ids, int rows, float* out) {
  if (rows < kGatherTransposeRows) {
    // Row g of w once for all rows: w is read in order, and the few output rows stay in L1.
    for (int g = 0; g < G; ++g) {
      const float* wg = w + long(g) * V;
      for (int r = 0; r < rows; ++r) out[long(r) * G + g] += wg[ids[r]];
    }
    return;
  }
  std::vector<float>& wt = scratch(size_t(G) * V);  // wᵀ (V, G)
  for (int g = 0; g < G; ++g)
    for (int v = 0; v < V; ++v) wt[size_t(v) * G + g] = w[long(g) * V + v];
  for (int r = 0; r < rows; ++r) {
    const float* src = wt.data() + size_t(ids[r]) * G;
    float* dst = out + long(r) * G;
    for (long j = 0; j < G; j += VL) st(dst + j, ld(dst + j, G - j) + ld(src + j, G - j), G - j);
  }
}

// dW[g·V + ids[r]] += dOut[r, g]: rows are summed per id into a transposed accumulator, then added into dW's columns.
template <typename Id>
void scatterAddColumns(float* dW, int G, int V, const Id* ids, int rows, const float* dOut) {
  if (rows < kScatterTransposeRows) {
    for (int r = 0; r < rows; ++r)
      for (int g = 0; g < G; ++g) dW[long(g) * V + ids[r]] += dOut[long(r) * G + g];
    return;
  }
  std::vector<float>& acc = scratch(size_t(G) * V);  // (V, G)
  std::vector<char> used(V, 0);
  for (int r = 0; r < rows; ++r) {
    const size_t id = ids[r];
    float* dst = acc.data() + id * G;
    const float* src = dOut + long(r) * G;
    if (!used[id]) {
      used[id] = 1;
      for (int g = 0; g < G; ++g) dst[g] = src[g];
    } else {
      for (long j = 0; j < G; j += VL) st(dst + j, ld(dst + j, G - j) + ld(src + j, G - j), G - j);
    }
  }
  for (int g = 0; g < G; ++g)
    for (int v = 0; v < V; ++v)
      if (used[v]) dW[long(g) * V + v] += acc[size_t(v) * G + g];
}

// Σ_r −log softmax(logits_r)[t_r] = Σ_r (max + log Σ_j e^{x_j − max}) − x_t, in float64; dLogits = scale·(softmax − onehot).
template <typename Id>
double softmaxCrossEntropy(const float* logits, int rows, int V, const Id* targets, float* dLogits, float gradScale) {
  double loss = 0.0;
  for (int r = 0; r < rows; ++r) {
    const float* x = logits + long(r) * V;
    const long t = long(targets[r]);
    const float xt = x[t];  // read before dLogits (which may be the same buffer) is written
    vf vmx = splat(-__builtin_inff());
    for (long j = 0; j < V; j += VL) {
      const vf xv = maskTail(ld(x + j, V - j), V - j, -__builtin_inff());
      vmx = vmx > xv ? vmx : xv;
    }
    const float mx = hmax(vmx);
    vf vsum{};
    for (long j = 0; j < V; j += VL) {
      const vf e = maskTail(vexp(ld(x + j, V - j) - splat(mx)), V - j, 0.0f);
      vsum += e;
      if (dLogits != nullptr) st(dLogits + long(r) * V + j, e, V - j);
    }
    const float sum = hsum(vsum);
    loss += double(mx) + __builtin_log(double(sum)) - double(xt);
    if (dLogits != nullptr) {
      float* d = dLogits + long(r) * V;
      const vf k = splat(gradScale / sum);
      for (long j = 0; j < V; j += VL) st(d + j, ld(d + j, V - j) * k, V - j);
      d[t] -= gradScale;
    }
  }
  return loss;
}

void mul(const float* x, const float* y, float* out, long n) {
  for (long i = 0; i < n; i += VL) st(out + i, ld(x + i, n - i) * ld(y + i, n - i), n - i);
}

void axpy(const float* x, float* y, long n, float alpha) {
  const vf a = splat(alpha);
  for (long i = 0; i < n; i += VL) st(y + i, ld(y + i, n - i) + a * ld(x + i, n - i), n - i);
}

void scale(float* x, long n, float alpha) {
  const vf a = splat(alpha);
  for (long i = 0; i < n; i += VL) st(x + i, ld(x + i, n - i) * a, n - i);
}

double sumSquares(const float* x, long n) {
  typedef double vd __attribute__((vector_size(VL * 8)));
  vd acc{};
  for (long i = 0; i < n; i += VL) {
    const vd d = __builtin_convertvector(ld(x + i, n - i), vd);
    acc += d * d;
  }
  double s = 0.0;
  for (int l = 0; l < VL; ++l) s += acc[l];
  return s;
}

namespace {

// The reference kernel's arithmetic, in the same order and in float64, for parameters [begin, end). GCC must not fuse a
// product and a sum into one FMA here (that rounds once where JavaScript rounds twice), hence fp-contract=off: with it,
// the update is bit for bit the reference kernel's, and a run's numbers do not depend on the kernel that trained it.
__attribute__((optimize("fp-contract=off"))) void adamRange(const AdamArgs& a, long begin, long end) {
  const double beta1 = a.beta1, beta2 = a.beta2, keep1 = 1 - a.beta1, keep2 = 1 - a.beta2;
  for (long i = begin; i < end; ++i) {
    const double g = double(a.grads[i]) + a.l2 * double(a.values[i]);
    a.m[i] = float(beta1 * double(a.m[i]) + keep1 * g);
    a.v[i] = float(beta2 * double(a.v[i]) + keep2 * g * g);
    a.values[i] = float(double(a.values[i]) * a.shrink -
                        a.lr * (double(a.m[i]) / a.correction1) / (std::sqrt(double(a.v[i]) / a.correction2) + a.eps));
  }
}
// Adam streams four vectors of the parameters' size; the two cores share it above this many parameters.
constexpr long kMinParallelAdam = 1 << 15;

}  // namespace

void adam(const AdamArgs& a) {
  // Two halves split at a multiple of 64 floats, so that the threads share no cache line; one part for few parameters.
  struct Halves {
    const AdamArgs& args;
    long split;
  } halves{a, a.n >= kMinParallelAdam ? std::min(a.n, (a.n / 2 + 63) / 64 * 64) : a.n};
  runChunks([](const void* ctx, int half) {
    const Halves& h = *static_cast<const Halves*>(ctx);
    if (half == 0) adamRange(h.args, 0, h.split);
    else adamRange(h.args, h.split, h.args.n);
  }, &halves, halves.split < a.n ? 2 : 1);
}

#define CHARLM_INSTANTIATE(Id)                                                                           \
  template void gatherColumns<Id>(const float*, int, int, const Id*, int, float*);                       \
  template void scatterAddColumns<Id>(float*, int, int, const Id*, int, const float*);                   \
  template double softmaxCrossEntropy<Id>(const float*, int, int, const Id*, float*, float);
CHARLM_INSTANTIATE(uint16_t)
CHARLM_INSTANTIATE(uint32_t)
CHARLM_INSTANTIATE(int32_t)

}  // namespace charlm::CHARLM_ISA
