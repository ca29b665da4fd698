// Fused recurrent cells (LSTM, GRU) and the vanilla RNN's activations, forward and backward, vectorised along the hidden
// units of each row. The equations are those of src/tensor/kernels.ts; the matrix products around them are not here.
#include "ops.h"
#include "simd.h"
#include "threads.h"

namespace charlm::CHARLM_ISA {
namespace {

// Calls body(j, width) over [0, H) in vector steps; the last step may be narrower than a vector.
template <typename Body>
inline void forLanes(int H, Body body) {
  int j = 0;
  for (; j + VL <= H; j += VL) body(j, VL);
  if (j < H) body(j, H - j);
}
inline vf ld(const float* p, int w) { return w == VL ? load(p) : loadPartial(p, w); }
inline void st(float* p, vf v, int w) {
  if (w == VL) store(p, v);
  else storePartial(p, v, w);
}

// gates (B, 4H) [i f g o]: pre-activations in, activations out. c = f ⊙ cPrev + i ⊙ g, h = o ⊙ tanh(c).
void lstmForwardRows(const LstmForwardArgs& a) {
  float* gates = a.gates;
  const float* cPrev = a.cPrev;
  float *c = a.c, *h = a.h;
  const int B = a.B, H = a.H;
  for (int r = 0; r < B; ++r) {
    float* gi = gates + long(r) * 4 * H;
    float *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
    const float* cp = cPrev + long(r) * H;
    float* cr = c + long(r) * H;
    float* hr = h + long(r) * H;
    forLanes(H, [&](int j, int w) {
      const vf i = vsigmoid(ld(gi + j, w)), f = vsigmoid(ld(gf + j, w));
      const vf g = vtanh(ld(gg + j, w)), o = vsigmoid(ld(go + j, w));
      const vf cNew = f * ld(cp + j, w) + i * g;
      st(gi + j, i, w);
      st(gf + j, f, w);
      st(gg + j, g, w);
      st(go + j, o, w);
      st(cr + j, cNew, w);
      st(hr + j, o * vtanh(cNew), w);
    });
  }
}

// dC in: gradient into c_t from step t+1; out: gradient into c_{t−1}. dGates (B, 4H) overwritten with pre-activation grads.
void lstmBackwardRows(const LstmBackwardArgs& a) {
  const float *gates = a.gates, *cPrev = a.cPrev, *c = a.c, *dH = a.dH;
  float *dC = a.dC, *dGates = a.dGates;
  const int B = a.B, H = a.H;
  const vf one = splat(1.0f);
  for (int r = 0; r < B; ++r) {
    const long g4 = long(r) * 4 * H, rh = long(r) * H;
    const float *gi = gates + g4, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
    float *di = dGates + g4, *df = di + H, *dg = di + 2 * H, *dout = di + 3 * H;
    forLanes(H, [&](int j, int w) {
      const vf i = ld(gi + j, w), f = ld(gf + j, w), g = ld(gg + j, w), o = ld(go + j, w);
      const vf dh = ld(dH + rh + j, w);
      const vf tc = vtanh(ld(c + rh + j, w));
      const vf dc = ld(dC + rh + j, w) + dh * o * (one - tc * tc);  // total gradient into c_t
      const vf dO = dh * tc;
      const vf dI = dc * g, dG = dc * i, dF = dc * ld(cPrev + rh + j, w);
      st(dC + rh + j, dc * f, w);
      st(di + j, dI * i * (one - i), w);
      st(df + j, dF * f * (one - f), w);
      st(dg + j, dG * (one - g * g), w);
      st(dout + j, dO * o * (one - o), w);
    });
  }
}

// PyTorch's GRU: r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n), h = (1 − z) ⊙ n + z ⊙ hPrev.
// gx (B, 3H) receives the activations [r z n]; gh is left as it was.
void gruForwardRows(const GruForwardArgs& a) {
  float* gx = a.gx;
  const float *gh = a.gh, *hPrev = a.hPrev;
  float* h = a.h;
  const int B = a.B, H = a.H;
  const vf one = splat(1.0f);
  for (int row = 0; row < B; ++row) {
    const long g3 = long(row) * 3 * H, rh = long(row) * H;
    float *xr = gx + g3, *xz = xr + H, *xn = xr + 2 * H;
    const float *hr = gh + g3, *hz = hr + H, *hn = hr + 2 * H;
    forLanes(H, [&](int j, int w) {
      const vf r = vsigmoid(ld(xr + j, w) + ld(hr + j, w));
      const vf z = vsigmoid(ld(xz + j, w) + ld(hz + j, w));
      const vf n = vtanh(ld(xn + j, w) + r * ld(hn + j, w));
      st(xr + j, r, w);
      st(xz + j, z, w);
      st(xn + j, n, w);
      st(h + rh + j, (one - z) * n + z * ld(hPrev + rh + j, w), w);
    });
  }
}

// dGx and dGh (B, 3H) are overwritten; dHPrev (B, H) gets only the direct path z ⊙ dH (the caller adds dGh·W_hh).
void gruBackwardRows(const GruBackwardArgs& a) {
  const float *gx = a.gx, *gh = a.gh, *hPrev = a.hPrev, *dH = a.dH;
  float *dGx = a.dGx, *dGh = a.dGh, *dHPrev = a.dHPrev;
  const int B = a.B, H = a.H;
  const vf one = splat(1.0f);
  for (int row = 0; row < B; ++row) {
    const long g3 = long(row) * 3 * H, rh = long(row) * H;
    const float *ar = gx + g3, *az = ar + H, *an = ar + 2 * H, *hn = gh + g3 + 2 * H;
    float *dxr = dGx + g3, *dxz = dxr + H, *dxn = dxr + 2 * H;
    float *dhr = dGh + g3, *dhz = dhr + H, *dhn = dhr + 2 * H;
    forLanes(H, [&](int j, int w) {
      const vf r = ld(ar + j, w), z = ld(az + j, w), n = ld(an + j, w), ghn = ld(hn + j, w);
      const vf dh = ld(dH + rh + j, w);
      const vf dz = dh * (ld(hPrev + rh + j, w) - n);
      const vf dnPre = dh * (one - z) * (one - n * n);
      const vf drPre = dnPre * ghn * r * (one - r);
      const vf dzPre = dz * z * (one - z);
      st(dxr + j, drPre, w);
      st(dxz + j, dzPre, w);
      st(dxn + j, dnPre, w);
      st(dhr + j, drPre, w);
      st(dhz + j, dzPre, w);
      st(dhn + j, dnPre * r, w);
      st(dHPrev + rh + j, dh * z, w);
    });
  }
}

// Below this many elements per call the second thread's hand-off costs more than it saves. A beam search's 9 rows of 256
// units are split (an LSTM cell took about 5 µs of a 9-row step on one thread), config S's 32 × 128 too (S trained about
// a fifth faster with this and the LSTM's argument literal), and M's 32 × 256, which also keeps each half of the batch on
// the thread that computes its rows of the per-step products (gemm-threads.cc).
constexpr long kMinParallelElements = 2048;
inline bool worthSplitting(int B, int H) { return B >= 2 && long(B) * H >= kMinParallelElements; }
// Rows are handed out in chunks of at most kChunkRows, of equal sizes (independent: each row of a batch is its own
// sequence); a beam's 9 rows go as 5 + 4, a batch of 32 as four chunks of 8.
constexpr int kChunkRows = 8;
inline int chunksOf(int B, int H) { return worthSplitting(B, H) ? (B + kChunkRows - 1) / kChunkRows : 1; }
// Rows [first, end) of chunk `part` (all B rows when the call was not split).
inline void partRows(int B, int H, int part, int& first, int& end) {
  const int chunks = chunksOf(B, H), per = (B + chunks - 1) / chunks;
  first = part * per;
  end = first + per < B ? first + per : B;
}

// Rows [first, first + count) of a step: the same arguments with every buffer advanced by `first` rows (the LSTM's gates
// have 4 values per unit and row, the GRU's 3, h and c one).
LstmForwardArgs rowsOf(const LstmForwardArgs& a, int first, int count) {
  const long o = long(first) * a.H;
  return {a.gates + 4 * o, a.cPrev + o, a.c + o, a.h + o, count, a.H};
}
LstmBackwardArgs rowsOf(const LstmBackwardArgs& a, int first, int count) {
  const long o = long(first) * a.H;
  return {a.gates + 4 * o, a.cPrev + o, a.c + o, a.dH + o, a.dC + o, a.dGates + 4 * o, count, a.H};
}
GruForwardArgs rowsOf(const GruForwardArgs& a, int first, int count) {
  const long o = long(first) * a.H;
  return {a.gx + 3 * o, a.gh + 3 * o, a.hPrev + o, a.h + o, count, a.H};
}
GruBackwardArgs rowsOf(const GruBackwardArgs& a, int first, int count) {
  const long o = long(first) * a.H;
  return {a.gx + 3 * o, a.gh + 3 * o, a.hPrev + o, a.dH + o, a.dGx + 3 * o, a.dGh + 3 * o, a.dHPrev + o, count, a.H};
}

// Runs rows(args) over all B rows, handed out in chunks to the two threads (threads.h) when the step is large enough.
template <typename Args, void (*rows)(const Args&)>
void inChunks(const Args& args) {
  runChunks([](const void* ctx, int part) {
    const Args& a = *static_cast<const Args*>(ctx);
    int r0, r1;
    partRows(a.B, a.H, part, r0, r1);
    rows(rowsOf(a, r0, r1 - r0));
  }, &args, chunksOf(args.B, args.H));
}

}  // namespace

void lstmCellForward(const LstmForwardArgs& a) { inChunks<LstmForwardArgs, lstmForwardRows>(a); }
void lstmCellBackward(const LstmBackwardArgs& a) { inChunks<LstmBackwardArgs, lstmBackwardRows>(a); }
void gruCellForward(const GruForwardArgs& a) { inChunks<GruForwardArgs, gruForwardRows>(a); }
void gruCellBackward(const GruBackwardArgs& a) { inChunks<GruBackwardArgs, gruBackwardRows>(a); }

void activationForward(float* x, long n, bool relu) {
  long i = 0;
  for (; i + VL <= n; i += VL) store(x + i, relu ? vmaxZero(load(x + i)) : vtanh(load(x + i)));
  if (i < n) storePartial(x + i, relu ? vmaxZero(loadPartial(x + i, n - i)) : vtanh(loadPartial(x + i, n - i)), n - i);
}

// From the activated values y: tanh' = 1 − y², ReLU' = [y > 0].
void activationBackward(const float* y, const float* dH, float* dPre, long n, bool relu) {
  const vf one = splat(1.0f), zero = splat(0.0f);
  auto grad = [&](vf yv, vf dh) { return relu ? (yv > zero ? dh : zero) : dh * (one - yv * yv); };
  long i = 0;
  for (; i + VL <= n; i += VL) store(dPre + i, grad(load(y + i), load(dH + i)));
  if (i < n) storePartial(dPre + i, grad(loadPartial(y + i, n - i), loadPartial(dH + i, n - i)), n - i);
}

}  // namespace charlm::CHARLM_ISA
