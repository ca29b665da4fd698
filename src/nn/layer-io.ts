// What a recurrent layer reads and keeps besides its weights: its input (one-hot characters or the dense outputs of the
// layer below), its carried state, and buffer copies. Shared by lstm.ts, gru.ts and rnn.ts.

import type { Floats, Ids } from '../tensor/floats.js';
import { packedInPlace, type Kernels, type PackedB } from '../tensor/kernels.js';
import { embeddingBackward, embeddingForward } from './embedding.js';
import { linearBackward, linearForward } from './linear.js';

/** Layer 0 reads one-hot characters (T·B ids); layer l > 0 reads (T, B, D) floats at xOff. */
export type LayerInput =
  | { readonly kind: 'one-hot'; readonly ids: Ids; readonly vocabSize: number }
  | { readonly kind: 'dense'; readonly x: Floats; readonly xOff: number; readonly size: number };

/** The state one layer carries between chunks: h, and c for a cell with a cell state (widths: its CellType's state()). */
export interface LayerState { h: Floats; c: Floats | null }

export function inputSize(input: LayerInput): number {
  return input.kind === 'one-hot' ? input.vocabSize : input.size;
}

/**
 * W_hh (G×R: G gate rows, R the width of h) as the right-hand side of a chunk's per-step recurrent products: forward's
 * h_{t-1}·W_hhᵀ and backward's dGates_t·W_hh. Packed once for the T steps instead of by every step's gemm (which repacked
 * the same weights T times); one step (decoding) reads W_hh in place. The packed memory serves the next chunk too.
 */
export class RecurrentPacks {
  private forwardPack: PackedB | null = null;
  private backwardPack: PackedB | null = null;
  private projectionPack: PackedB | null = null;
  // The in-place view for one step, kept so that decoding allocates nothing per character (W_hh is the layer's own buffer).
  private forwardInPlace: PackedB | null = null;

  /** W_hhᵀ, op(B) of forward's h_{t-1}·W_hhᵀ (k = R, n = G), for T steps of the current weights. */
  forward(k: Kernels, weightHh: Floats, G: number, R: number, T: number): PackedB {
    if (T < 2) {
      if (this.forwardInPlace?.b !== weightHh) this.forwardInPlace = packedInPlace(true, R, G, weightHh, 0, R);
      return this.forwardInPlace;
    }
    return this.forwardPack = k.packB(true, R, G, weightHh, 0, R, this.forwardPack);
  }

  /**
   * A projecting LSTM's W_hrᵀ (P×H stored), op(B) of h_t = m_t·W_hrᵀ at each of the T steps (k = H, n = P); one step reads
   * it in place. Packed like W_hh, so that a chunk's products give the bits of decoding with packed weights.
   */
  projection(k: Kernels, weightHr: Floats, P: number, H: number, T: number): PackedB {
    if (T < 2) return packedInPlace(true, H, P, weightHr, 0, H);
    return this.projectionPack = k.packB(true, H, P, weightHr, 0, H, this.projectionPack);
  }

  /** W_hh, op(B) of backward's dGates_t·W_hh (k = G, n = R). Single steps are decoding's, which has no backward. */
  backward(k: Kernels, weightHh: Floats, G: number, R: number, T: number): PackedB {
    if (T < 2) return packedInPlace(false, G, R, weightHh, 0, R);
    return this.backwardPack = k.packB(false, G, R, weightHh, 0, R, this.backwardPack);
  }
}

/**
 * A layer's weights packed once for many decoding steps (CharLM.packWeights), in the form each product of a step reads
 * fastest: the input's x·W_ihᵀ (`input` for dense input; `embedding` for one-hot input, W_ihᵀ stored by symbol so that a
 * lookup reads one contiguous row instead of a column), the recurrent h·W_hhᵀ, and a projecting LSTM's m·W_hrᵀ.
 */
export interface LayerPacks {
  readonly input: PackedB | null;
  /** (V, G): row v is column v of W_ih, as 0 + w (what the lookup into zeros gives, so −0 reads as +0 in both). */
  readonly embedding: Floats | null;
  readonly recurrent: PackedB;
  readonly projection: PackedB | null;
}

/**
 * pre (rows, G) = x · W_ihᵀ for all T·B rows at once (overwritten), reading W_ihᵀ from `packed` when given (decoding).
 * The biases are the caller's.
 */
export function projectInput(k: Kernels, weightIh: Floats, input: LayerInput, rows: number, G: number,
                             pre: Floats, preOff: number, packed: LayerPacks | null = null): void {
  if (input.kind === 'dense') {
    linearForward(k, { weight: weightIh, bias: null }, input.x, input.xOff, rows, input.size, G, pre, preOff, packed?.input);
  } else if (packed?.embedding != null) {
    for (let r = 0; r < rows; r++) copyFloats(packed.embedding, input.ids[r] * G, pre, preOff + r * G, G);
  } else {
    embeddingForward(k, weightIh, G, input.vocabSize, input.ids, rows, pre, preOff);
  }
}

/** W_ih (G, V) stored by symbol, (V, G), as LayerPacks.embedding; `reuse` (the same size) lends its memory. */
export function embeddingTable(k: Kernels, weightIh: Floats, G: number, V: number, reuse: Floats | null): Floats {
  const table = reuse ?? k.alloc(V * G);
  // Row by row of the table: its writes stay contiguous (in the other order they cost six times as much).
  for (let v = 0; v < V; v++) {
    for (let g = 0, i = v; g < G; g++, i += V) table[v * G + g] = 0 + weightIh[i];
  }
  return table;
}

/** dW_ih += dPreᵀ · x, and dX (rows, D) = dPre · W_ih when dX is given (dense input only). */
export function projectInputBackward(k: Kernels, weightIh: Floats, input: LayerInput, dPre: Floats, rows: number, G: number,
                                     dWeightIh: Floats, dX: Floats | null): void {
  if (input.kind === 'one-hot') {
    embeddingBackward(k, dPre, 0, rows, G, input.ids, dWeightIh, input.vocabSize);
  } else {
    linearBackward(k, { weight: weightIh, bias: null }, input.x, input.xOff, dPre, 0, rows, input.size, G,
      { weight: dWeightIh, bias: null }, dX, 0);
  }
}

/** Below this many elements copyFloats loops; from it on, the subarray set() needs (an object allocated) costs less. */
const COPY_BY_SET = 256;

/**
 * dst[dstOff ..] = src[srcOff ..] for n elements. Decoding copies each layer's state in and out every character: with a
 * beam's 9 rows of 256 units the loop (whose element accesses see both float types) took a sixth of the step, a memcpy
 * next to nothing.
 */
export function copyFloats(src: Floats, srcOff: number, dst: Floats, dstOff: number, n: number): void {
  if (n >= COPY_BY_SET && src.constructor === dst.constructor) dst.set(src.subarray(srcOff, srcOff + n), dstOff);
  else for (let i = 0; i < n; i++) dst[dstOff + i] = src[srcOff + i];
}
