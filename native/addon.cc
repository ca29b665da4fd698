// N-API entry points of one kernel variant (isa.h): unpacks JavaScript arguments (typed arrays, offsets, sizes), checks
// every access stays inside its buffer, and calls the C++ kernels. No JavaScript objects are created per call. The module's
// own entry point, which picks the variant, is dispatch.cc.
#include <node_api.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "napi-args.h"
#include "ops.h"
#include "simd.h"
#include "threads.h"

namespace charlm::CHARLM_ISA {
namespace {

// An entry point: its body runs inside a guard that turns std::bad_alloc (the gemm's scratch memory, on either thread)
// into a JavaScript error instead of terminating the process.
#define ENTRY(name)                                                                    \
  napi_value name##Body(napi_env env, napi_callback_info info);                        \
  napi_value name(napi_env env, napi_callback_info info) {                             \
    try {                                                                              \
      return name##Body(env, info);                                                    \
    } catch (const std::bad_alloc&) {                                                  \
      napi_throw_error(env, nullptr, "charlm native kernel: out of memory");           \
      return nullptr;                                                                  \
    }                                                                                  \
  }                                                                                    \
  napi_value name##Body(napi_env env, napi_callback_info info)

ENTRY(Gemm) {
  Call a(env, info);
  const bool tA = a.flag(0), tB = a.flag(1);
  const long m = a.count(2), n = a.count(3), k = a.count(4);
  const float alpha = float(a.num(5));
  const long aOff = a.count(7), lda = a.count(8), bOff = a.count(10), ldb = a.count(11);
  const float beta = float(a.num(12));
  const long cOff = a.count(14), ldc = a.count(15);
  // A leading dimension shorter than its row would overlap the rows (and let the two threads write the same elements).
  a.leadingDimension(lda, tA ? m : k);
  a.leadingDimension(ldb, tB ? k : n);
  a.leadingDimension(ldc, n);
  const float* A = a.floats(6, aOff, tA ? extent(k, m, lda) : extent(m, k, lda));
  const float* B = a.floats(9, bOff, tB ? extent(n, k, ldb) : extent(k, n, ldb));
  float* C = a.floats(13, cOff, extent(m, n, ldc));
  if (a.ok()) sgemm(tA, tB, int(m), int(n), int(k), alpha, A, lda, B, ldb, beta, C, ldc);
  return nullptr;
}

// The recurrent products of a chunk share one B (the weights W_hh, or their transpose) over all T steps: packB packs
// op(B) once into a buffer from allocPacked, and gemmPacked reads it at each step (src/tensor/kernels.ts, PackedB).

// (k, n) → a zero-filled Float32Array for packB's k×n op(B), on a 64-byte boundary, which the packed micro-panels need
ENTRY(AllocPacked) {
  Call a(env, info);
  const long k = a.count(0), n = a.count(1);
  if (!a.ok()) return nullptr;
  const long length = packedLength(int(k), int(n));
  const size_t bytes = sizeof(float) * size_t((std::max(length, 1L) + 15) / 16 * 16);
  void* data = std::aligned_alloc(64, bytes);
  if (data == nullptr) throw std::bad_alloc();
  std::memset(data, 0, bytes);
  napi_value buffer = nullptr, array = nullptr;
  const auto release = [](napi_env, void* p, void*) { std::free(p); };
  if (napi_create_external_arraybuffer(env, data, sizeof(float) * size_t(length), release, nullptr, &buffer) != napi_ok) {
    std::free(data);
    napi_throw_error(env, nullptr, "charlm native kernel: cannot create an external ArrayBuffer");
    return nullptr;
  }
  napi_create_typedarray(env, napi_float32_array, size_t(length), buffer, 0, &array);
  return array;
}

ENTRY(PackB) {  // (transB, k, n, b, bOff, ldb, packed)
  Call a(env, info);
  const bool tB = a.flag(0);
  const long k = a.count(1), n = a.count(2), bOff = a.count(4), ldb = a.count(5);
  a.leadingDimension(ldb, tB ? k : n);
  const float* B = a.floats(3, bOff, tB ? extent(n, k, ldb) : extent(k, n, ldb));
  float* packed = a.alignedFloats(6, packedLength(int(k), int(n)));
  if (a.ok() && k > 0 && n > 0) packB(tB, int(k), int(n), B, ldb, packed);
  return nullptr;
}

// (m, n, k, alpha, a, aOff, lda, transB, b, bOff, ldb, packed, beta, c, cOff, ldc): gemm's arguments with transA false,
// and the packed op(B) after the unpacked one (which the small-m paths read).
ENTRY(GemmPacked) {
  Call a(env, info);
  const long m = a.count(0), n = a.count(1), k = a.count(2);
  const float alpha = float(a.num(3));
  const long aOff = a.count(5), lda = a.count(6);
  const bool tB = a.flag(7);
  const long bOff = a.count(9), ldb = a.count(10);
  const float beta = float(a.num(12));
  const long cOff = a.count(14), ldc = a.count(15);
  a.leadingDimension(lda, k);
  a.leadingDimension(ldb, tB ? k : n);
  a.leadingDimension(ldc, n);
  const float* A = a.floats(4, aOff, extent(m, k, lda));
  const float* B = a.floats(8, bOff, tB ? extent(n, k, ldb) : extent(k, n, ldb));
  const float* packed = a.alignedFloats(11, packedLength(int(k), int(n)));
  float* C = a.floats(13, cOff, extent(m, n, ldc));
  if (a.ok()) sgemmPacked(int(m), int(n), int(k), alpha, A, lda, tB, B, ldb, packed, beta, C, ldc);
  return nullptr;
}

ENTRY(AddRowVector) {  // (x, xOff, rows, cols, v, vOff)
  Call a(env, info);
  const long xOff = a.count(1), rows = a.count(2), cols = a.count(3), vOff = a.count(5);
  float* x = a.floats(0, xOff, rows * cols);
  const float* v = a.floats(4, vOff, rows > 0 ? cols : 0);
  if (a.ok()) addRowVector(x, int(rows), int(cols), v);
  return nullptr;
}

ENTRY(SumRows) {  // (x, xOff, rows, cols, out, outOff)
  Call a(env, info);
  const long xOff = a.count(1), rows = a.count(2), cols = a.count(3), oOff = a.count(5);
  const float* x = a.floats(0, xOff, rows * cols);
  float* out = a.floats(4, oOff, cols);
  if (a.ok()) sumRows(x, int(rows), int(cols), out);
  return nullptr;
}

ENTRY(GatherColumns) {  // (w, wOff, G, V, ids, idsOff, rows, out, outOff)
  Call a(env, info);
  const long wOff = a.count(1), G = a.count(2), V = a.count(3), idsOff = a.count(5), rows = a.count(6), oOff = a.count(8);
  const float* w = a.floats(0, wOff, rows > 0 ? G * V : 0);
  const Call::Ids ids = a.ids(4, idsOff, rows, V);
  float* out = a.floats(7, oOff, rows * G);
  if (a.ok()) withIds(ids, [&](auto p) { gatherColumns(w, int(G), int(V), p, int(rows), out); });
  return nullptr;
}

ENTRY(ScatterAddColumns) {  // (dW, dWOff, G, V, ids, idsOff, rows, dOut, dOutOff): gatherColumns' order
  Call a(env, info);
  const long dwOff = a.count(1), G = a.count(2), V = a.count(3), idsOff = a.count(5), rows = a.count(6), dOff = a.count(8);
  float* dW = a.floats(0, dwOff, rows > 0 ? G * V : 0);
  const Call::Ids ids = a.ids(4, idsOff, rows, V);
  const float* dOut = a.floats(7, dOff, rows * G);
  if (a.ok()) withIds(ids, [&](auto p) { scatterAddColumns(dW, int(G), int(V), p, int(rows), dOut); });
  return nullptr;
}

// The cell kernels: src/tensor/native-kernels.ts unpacks the named arguments of Kernels (LstmCellForwardArgs, ...) into
// these positional calls, each buffer followed by its offset, then the sizes; the C++ side takes them as named structs.

ENTRY(LstmCellForward) {  // (gates, gatesOff, cPrev, cPrevOff, c, cOff, h, hOff, B, H)
  Call a(env, info);
  const long B = a.count(8), H = a.count(9);
  const LstmForwardArgs args{a.floats(0, a.count(1), B * 4 * H), a.floats(2, a.count(3), B * H), a.floats(4, a.count(5), B * H),
                             a.floats(6, a.count(7), B * H), int(B), int(H)};
  if (a.ok()) lstmCellForward(args);
  return nullptr;
}

ENTRY(LstmCellBackward) {  // (gates, gatesOff, cPrev, cPrevOff, c, cOff, dH, dHOff, dC, dCOff, dGates, dGatesOff, B, H)
  Call a(env, info);
  const long B = a.count(12), H = a.count(13);
  const LstmBackwardArgs args{a.floats(0, a.count(1), B * 4 * H), a.floats(2, a.count(3), B * H), a.floats(4, a.count(5), B * H),
                              a.floats(6, a.count(7), B * H), a.floats(8, a.count(9), B * H), a.floats(10, a.count(11), B * 4 * H),
                              int(B), int(H)};
  if (a.ok()) lstmCellBackward(args);
  return nullptr;
}

ENTRY(GruCellForward) {  // (gx, gxOff, gh, ghOff, hPrev, hPrevOff, h, hOff, B, H)
  Call a(env, info);
  const long B = a.count(8), H = a.count(9);
  const GruForwardArgs args{a.floats(0, a.count(1), B * 3 * H), a.floats(2, a.count(3), B * 3 * H), a.floats(4, a.count(5), B * H),
                            a.floats(6, a.count(7), B * H), int(B), int(H)};
  if (a.ok()) gruCellForward(args);
  return nullptr;
}

// (gx, gxOff, gh, ghOff, hPrev, hPrevOff, dH, dHOff, dGx, dGxOff, dGh, dGhOff, dHPrev, dHPrevOff, B, H)
ENTRY(GruCellBackward) {
  Call a(env, info);
  const long B = a.count(14), H = a.count(15);
  const GruBackwardArgs args{a.floats(0, a.count(1), B * 3 * H), a.floats(2, a.count(3), B * 3 * H),
                             a.floats(4, a.count(5), B * H), a.floats(6, a.count(7), B * H), a.floats(8, a.count(9), B * 3 * H),
                             a.floats(10, a.count(11), B * 3 * H), a.floats(12, a.count(13), B * H), int(B), int(H)};
  if (a.ok()) gruCellBackward(args);
  return nullptr;
}

ENTRY(ActivationForward) {  // (x, xOff, n, relu)
  Call a(env, info);
  const long n = a.count(2);
  float* x = a.floats(0, a.count(1), n);
  const bool relu = a.flag(3);
  if (a.ok()) activationForward(x, n, relu);
  return nullptr;
}

ENTRY(ActivationBackward) {  // (y, yOff, dH, dHOff, dPre, dPreOff, n, relu)
  Call a(env, info);
  const long n = a.count(6);
  const float* y = a.floats(0, a.count(1), n);
  const float* dH = a.floats(2, a.count(3), n);
  float* dPre = a.floats(4, a.count(5), n);
  const bool relu = a.flag(7);
  if (a.ok()) activationBackward(y, dH, dPre, n, relu);
  return nullptr;
}

ENTRY(SoftmaxCrossEntropy) {  // (logits, lOff, rows, V, targets, tOff, dLogits | null, dOff, gradScale) → Σ nats
  Call a(env, info);
  const long lOff = a.count(1), rows = a.count(2), V = a.count(3), tOff = a.count(5), dOff = a.count(7);
  const float gradScale = float(a.num(8));
  const float* logits = a.floats(0, lOff, rows * V);
  const Call::Ids targets = a.ids(4, tOff, rows, V);
  float* d = a.isNull(6) ? nullptr : a.floats(6, dOff, rows * V);
  if (!a.ok()) return nullptr;
  const double loss =
      withIds(targets, [&](auto p) { return softmaxCrossEntropy(logits, int(rows), int(V), p, d, gradScale); });
  return a.number(loss);
}

ENTRY(Mul) {  // (x, xOff, y, yOff, out, outOff, n)
  Call a(env, info);
  const long n = a.count(6);
  const float* x = a.floats(0, a.count(1), n);
  const float* y = a.floats(2, a.count(3), n);
  float* out = a.floats(4, a.count(5), n);
  if (a.ok()) mul(x, y, out, n);
  return nullptr;
}

ENTRY(Axpy) {  // (x, xOff, y, yOff, n, alpha): scale's order
  Call a(env, info);
  const long n = a.count(4);
  const float alpha = float(a.num(5));
  const float* x = a.floats(0, a.count(1), n);
  float* y = a.floats(2, a.count(3), n);
  if (a.ok()) axpy(x, y, n, alpha);
  return nullptr;
}

ENTRY(Scale) {  // (x, xOff, n, alpha)
  Call a(env, info);
  const long n = a.count(2);
  float* x = a.floats(0, a.count(1), n);
  const float alpha = float(a.num(3));
  if (a.ok()) scale(x, n, alpha);
  return nullptr;
}

ENTRY(SumSquares) {  // (x, xOff, n) → Σ x² in float64
  Call a(env, info);
  const long n = a.count(2);
  const float* x = a.floats(0, a.count(1), n);
  return a.ok() ? a.number(sumSquares(x, n)) : nullptr;
}

ENTRY(Adam) {  // (values, grads, m, v, n, lr, beta1, beta2, eps, l2, shrink, correction1, correction2): AdamArgs' order
  Call a(env, info);
  const long n = a.count(4);
  AdamArgs args{a.floats(0, 0, n), a.floats(1, 0, n), a.floats(2, 0, n), a.floats(3, 0, n), n,
                a.num(5), a.num(6), a.num(7), a.num(8), a.num(9), a.num(10), a.num(11), a.num(12)};
  if (a.ok()) adam(args);
  return nullptr;
}

ENTRY(SetThreads) {  // (threads) → threads in effect
  Call a(env, info);
  const long t = a.count(0);
  return a.ok() ? a.number(setGemmThreads(int(t))) : nullptr;
}

ENTRY(VectorWidth) {  // → float lanes per SIMD vector this build uses (16 = AVX-512, 8 = AVX2, 4 = SSE/NEON/portable)
  Call a(env, info);
  return a.number(VL);
}

}  // namespace

// Defines this variant's kernel functions on `exports` (dispatch.cc decides which variant).
napi_value defineKernels(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
#define FN(js, c) {js, nullptr, c, nullptr, nullptr, nullptr, napi_default, nullptr}
      FN("gemm", Gemm), FN("allocPacked", AllocPacked), FN("packB", PackB), FN("gemmPacked", GemmPacked),
      FN("addRowVector", AddRowVector), FN("sumRows", SumRows), FN("gatherColumns", GatherColumns),
      FN("scatterAddColumns", ScatterAddColumns), FN("lstmCellForward", LstmCellForward),
      FN("lstmCellBackward", LstmCellBackward), FN("gruCellForward", GruCellForward),
      FN("gruCellBackward", GruCellBackward), FN("activationForward", ActivationForward),
      FN("activationBackward", ActivationBackward), FN("softmaxCrossEntropy", SoftmaxCrossEntropy),
      FN("mul", Mul), FN("axpy", Axpy), FN("scale", Scale),
      FN("sumSquares", SumSquares), FN("adam", Adam), FN("setThreads", SetThreads), FN("vectorWidth", VectorWidth),
#undef FN
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace charlm::CHARLM_ISA
