// The Kernels interface: the inner loops of the layers' forward and backward passes go through it (the layers loop over
// nothing themselves), and Adam's update, which training runs over every parameter at every step. Other loops outside the
// layers are not here: the other optimizers' updates (src/optim/), dropout's mask (src/nn/dropout.ts) and decoding's
// log-softmax (src/decode/sampling.ts) are plain TypeScript.
// The plain TypeScript implementation (reference-kernels.ts) is the specification; faster ones (native, wasm) must match it.
//
// Conventions: all matrices are row-major; every buffer argument comes with an element offset so that callers pass slices of
// larger buffers without allocating views. B = batch rows, H = hidden size, V = vocabulary size. Gate layouts follow PyTorch:
// LSTM rows hold [i | f | g | o] (each H wide), GRU rows hold [r | z | n].

import type { DType, Floats, Ids } from './floats.js';

export interface Kernels {
  /** 'reference', 'native' or 'wasm', shown by the benchmarks; `charlm info --kernels` says which one runs. */
  readonly name: string;
  readonly dtype: DType;

  /** A zero-filled buffer of `length` elements of this kernel's dtype. Every buffer a layer computes on comes from here. */
  alloc(length: number): Floats;

  /**
   * Gives back a buffer from alloc() that neither its owner nor anyone else will use again (no view of it either). Only the
   * WebAssembly kernel, whose memory the garbage collector does not manage, does anything: it reuses the memory at once
   * instead of after the collector has found the buffer unreachable (which never happens inside one synchronous loop).
   */
  release(buffer: Floats): void;

  /**
   * C = alpha · op(A) · op(B) + beta · C, where op(A) is m×k and op(B) is k×n (BLAS sgemm semantics, row-major).
   * op(A) = A (m×k, leading dimension lda) or Aᵀ when transA (A stored k×m). Likewise for B.
   * beta = 0 must overwrite C without reading it (C may hold NaN garbage).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
       a: Floats, aOff: number, lda: number, b: Floats, bOff: number, ldb: number,
       beta: number, c: Floats, cOff: number, ldc: number): void;

  /**
   * op(B) (k×n, as gemm's B) prepared once for many products by the same B: the recurrent weights, which each of a chunk's
   * T steps multiplies by. B must not change while the result is in use. `reuse`, an earlier result for the same k and n,
   * lends its memory. Kernels that gain nothing from packing (reference, wasm) return B in place (packedInPlace).
   */
  packB(transB: boolean, k: number, n: number, b: Floats, bOff: number, ldb: number, reuse: PackedB | null): PackedB;

  /**
   * C = alpha · A · op(B) + beta · C for A m×k and op(B) from packB (or packedInPlace): gemm's result, and each row of C
   * the same bits whatever other rows share the call. Exactly gemm's bits, except where gemm reads B in place with an
   * arithmetic of its own (the native kernel's x·Wᵀ for a few rows: dot products along k), which agrees within rounding.
   */
  gemmPacked(m: number, alpha: number, a: Floats, aOff: number, lda: number, b: PackedB,
             beta: number, c: Floats, cOff: number, ldc: number): void;

  /** x[r, j] += v[j] for r < rows, j < cols (x contiguous rows of `cols`). Bias add. */
  addRowVector(x: Floats, xOff: number, rows: number, cols: number, v: Floats, vOff: number): void;

  /** out[j] += Σ_r x[r, j]. Bias gradient. */
  sumRows(x: Floats, xOff: number, rows: number, cols: number, out: Floats, outOff: number): void;

  /**
   * out[r, g] += w[g·V + ids[idsOff + r]] for r < rows, g < G, where w is G×V at wOff.
   * One-hot input times Wᵀ: multiplying a one-hot row by a matrix is a column lookup.
   */
  gatherColumns(w: Floats, wOff: number, G: number, V: number, ids: Ids, idsOff: number, rows: number,
                out: Floats, outOff: number): void;

  /**
   * dW[g·V + ids[idsOff + r]] += dOut[r, g]. The backward of gatherColumns, with its arguments in the same order (the
   * G×V matrix, the ids, the rows): a scatter-add into the looked-up columns.
   */
  scatterAddColumns(dW: Floats, dWOff: number, G: number, V: number, ids: Ids, idsOff: number, rows: number,
                    dOut: Floats, dOutOff: number): void;

  /** LSTM cell, one step for B rows (LstmCellForwardArgs says what each buffer holds). */
  lstmCellForward(a: LstmCellForwardArgs): void;

  /** Backward of lstmCellForward (LstmCellBackwardArgs). */
  lstmCellBackward(a: LstmCellBackwardArgs): void;

  /** GRU cell (PyTorch's equations), one step for B rows (GruCellForwardArgs). */
  gruCellForward(a: GruCellForwardArgs): void;

  /** Backward of gruCellForward (GruCellBackwardArgs). */
  gruCellBackward(a: GruCellBackwardArgs): void;

  /** In place: x = tanh(x) or max(x, 0) over n elements. The vanilla RNN's nonlinearity. */
  activationForward(a: ActivationForwardArgs): void;

  /** dPre = dH ⊙ act'(·), computed from the activated values y that forward left (1 − y² for tanh, [y > 0] for ReLU). */
  activationBackward(a: ActivationBackwardArgs): void;

  /**
   * Fused, stable softmax + cross-entropy over `rows` rows of V logits. Returns Σ_r −log softmax(logits_r)[targets_r]
   * (accumulated in float64). When dLogits is given it is overwritten with gradScale · (softmax(logits_r) − onehot(target_r)).
   */
  softmaxCrossEntropy(logits: Floats, lOff: number, rows: number, V: number, targets: Ids, tOff: number,
                      dLogits: Floats | null, dOff: number, gradScale: number): number;


  /** out[i] = x[i] · y[i] over n elements (dropout masks). out may be x. */
  mul(x: Floats, xOff: number, y: Floats, yOff: number, out: Floats, outOff: number, n: number): void;

  /** y[i] += alpha · x[i] over n elements. The same order as scale: the buffers, then n and alpha. */
  axpy(x: Floats, xOff: number, y: Floats, yOff: number, n: number, alpha: number): void;

  /** x[i] *= alpha over n elements. */
  scale(x: Floats, xOff: number, n: number, alpha: number): void;

  /** Σ x[i]² over n elements, accumulated in float64. Gradient norms. */
  sumSquares(x: Floats, xOff: number, n: number): number;

  /**
   * One Adam or AdamW update of all n parameters in place (AdamArgs; the equations are in src/optim/adam.ts). Computed in
   * float64 and rounded to the buffers' dtype where each value is stored, so every kernel gives the same bits.
   */
  adam(a: AdamArgs): void;
}

/** Adam's update of step t (src/optim/adam.ts) over whole vectors of n elements: values, grads, m and v. */
export interface AdamArgs {
  n: number;
  /** θ (updated) and its gradient. */
  values: Floats;
  grads: Floats;
  /** The first and second moments (updated). */
  m: Floats;
  v: Floats;
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** λ added to the gradient as λ·θ: Adam's weight decay (0 for AdamW). */
  l2: number;
  /** θ's factor before the step: 1 − lr·λ for AdamW's decoupled decay, 1 for Adam. */
  shrink: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ, the bias corrections of step t. */
  correction1: number;
  correction2: number;
}

/**
 * A gemm's op(B) (k×n) prepared by packB: B as stored (read by products too small to gain from the packed copy) and the
 * kernel's packed copy of it, or null when the product reads B in place.
 */
export interface PackedB {
  readonly transB: boolean;
  readonly k: number;
  readonly n: number;
  readonly b: Floats; readonly bOff: number; readonly ldb: number;
  readonly panels: Floats | null;
}

/** op(B) read in place by gemmPacked: what packB gives where packing gains nothing, and for a single product. */
export function packedInPlace(transB: boolean, k: number, n: number, b: Floats, bOff: number, ldb: number): PackedB {
  return { transB, k, n, b, bOff, ldb, panels: null };
}

/** gemmPacked for a B read in place: the plain gemm. */
export function gemmInPlace(gemm: Kernels['gemm'], m: number, alpha: number, a: Floats, aOff: number, lda: number,
                            p: PackedB, beta: number, c: Floats, cOff: number, ldc: number): void {
  gemm(false, p.transB, m, p.n, p.k, alpha, a, aOff, lda, p.b, p.bOff, p.ldb, beta, c, cOff, ldc);
}

/** packB and gemmPacked for kernels whose gemm gains nothing from B packed ahead (reference, wasm): B is read in place. */
export function packingInPlace(gemm: Kernels['gemm']): Pick<Kernels, 'packB' | 'gemmPacked'> {
  return {
    packB: (transB, k, n, b, bOff, ldb) => packedInPlace(transB, k, n, b, bOff, ldb),
    gemmPacked: (m, alpha, a, aOff, lda, p, beta, c, cOff, ldc) => gemmInPlace(gemm, m, alpha, a, aOff, lda, p, beta, c, cOff, ldc),
  };
}

// The cell kernels take their arguments by name: a dozen buffers and offsets in a row could be swapped and still
// type-check. Each buffer comes with its element offset (…Off). B = rows, H = hidden units.

/**
 * LSTM cell forward: c = f ⊙ cPrev + i ⊙ g and h = o ⊙ tanh(c). gates (B, 4H) holds the pre-activations [i f g o] and is
 * overwritten with the activations [σ(i) σ(f) tanh(g) σ(o)] (kept for backward); cPrev, c and h are (B, H).
 */
export interface LstmCellForwardArgs {
  readonly B: number;
  readonly H: number;
  readonly gates: Floats; readonly gatesOff: number;
  readonly cPrev: Floats; readonly cPrevOff: number;
  readonly c: Floats; readonly cOff: number;
  readonly h: Floats; readonly hOff: number;
}

/**
 * LSTM cell backward. gates, cPrev and c are what forward left. dH (B, H) is the whole gradient into h_t. dC (B, H): in,
 * the gradient into c_t from step t+1 (zeros at the last step); out, the gradient into c_{t-1}. dGates (B, 4H) is
 * overwritten with the gradient with respect to the pre-activations.
 */
export interface LstmCellBackwardArgs {
  readonly B: number;
  readonly H: number;
  readonly gates: Floats; readonly gatesOff: number;
  readonly cPrev: Floats; readonly cPrevOff: number;
  readonly c: Floats; readonly cOff: number;
  readonly dH: Floats; readonly dHOff: number;
  readonly dC: Floats; readonly dCOff: number;
  readonly dGates: Floats; readonly dGatesOff: number;
}

/**
 * GRU cell forward. gx (B, 3H) = x·W_ihᵀ + b_ih and gh (B, 3H) = hPrev·W_hhᵀ + b_hh, both pre-activations [r z n].
 * r = σ(gx_r + gh_r), z = σ(gx_z + gh_z), n = tanh(gx_n + r ⊙ gh_n), h = (1 − z) ⊙ n + z ⊙ hPrev (hPrev, h: (B, H)).
 * Out: gx holds the activations [r z n]; gh is left unchanged (backward needs gh_n).
 */
export interface GruCellForwardArgs {
  readonly B: number;
  readonly H: number;
  readonly gx: Floats; readonly gxOff: number;
  readonly gh: Floats; readonly ghOff: number;
  readonly hPrev: Floats; readonly hPrevOff: number;
  readonly h: Floats; readonly hOff: number;
}

/**
 * GRU cell backward. gx, gh and hPrev are what forward left; dH (B, H) is the whole gradient into h_t. Overwrites
 * dGx (B, 3H) and dGh (B, 3H) with the gradients with respect to the two pre-activations, and dHPrev (B, H) with the
 * direct path z ⊙ dH (the caller adds dGh · W_hh by gemm).
 */
export interface GruCellBackwardArgs {
  readonly B: number;
  readonly H: number;
  readonly gx: Floats; readonly gxOff: number;
  readonly gh: Floats; readonly ghOff: number;
  readonly hPrev: Floats; readonly hPrevOff: number;
  readonly dH: Floats; readonly dHOff: number;
  readonly dGx: Floats; readonly dGxOff: number;
  readonly dGh: Floats; readonly dGhOff: number;
  readonly dHPrev: Floats; readonly dHPrevOff: number;
}

export type Activation = 'tanh' | 'relu';

/** x = act(x) in place over n elements. */
export interface ActivationForwardArgs {
  readonly kind: Activation;
  readonly n: number;
  readonly x: Floats; readonly xOff: number;
}

/** dPre = dH ⊙ act'(·) over n elements, from the activated values y that forward left. */
export interface ActivationBackwardArgs {
  readonly kind: Activation;
  readonly n: number;
  readonly y: Floats; readonly yOff: number;
  readonly dH: Floats; readonly dHOff: number;
  readonly dPre: Floats; readonly dPreOff: number;
}
