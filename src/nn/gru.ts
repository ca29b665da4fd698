// The GRU layer (PyTorch's nn.GRU equations): forward over T steps and its backward (truncated BPTT).
//
//   gx_t = x_t·W_ihᵀ + b_ih,  gh_t = h_{t-1}·W_hhᵀ + b_hh          (B, 3H) each, order r, z, n
//   r = σ(gx_r + gh_r),  z = σ(gx_z + gh_z),  n = tanh(gx_n + r ⊙ gh_n)
//   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
//
// B = batch, T = steps, D = input size, H = hidden size. The two biases stay apart because r multiplies only gh_n.

import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import { gateWeightParams, type CellType, type GateWeightKey, type LayerTensors } from './cell-type.js';
import {
  copyFloats, projectInput, projectInputBackward, RecurrentPacks, type LayerInput, type LayerPacks, type LayerState,
} from './layer-io.js';
import { LayerResets } from './row-resets.js';

/** The GRU as a cell type, with PyTorch's uniform initialisation throughout. */
export const GRU_CELL: CellType<GateWeightKey> = {
  module: 'gru',
  gates: ['r', 'z', 'n'],
  kinked: false,
  projects: false,
  params: ({ input: D, hidden: H }) => gateWeightParams(3 * H, D, H),
  state: ({ hidden: H }) => ({ h: H, c: null }),
  outputWidth: ({ hidden: H }) => H,
  createLayer(k, w, grads, T, B, { hidden: H }) {
    const cache = allocGruCache(k, T, B, H);
    let scratch: GruScratch | null = null; // backward buffers only once a backward happens (not for decoding)
    let resets: LayerResets | null = null;  // the last forward's, for its backward
    return {
      activations: { gates: cache.gx, cells: null, hiddens: cache.hiddens },
      forward: (input, state, rows, packed = null) => {
        resets = rows === null ? null : new LayerResets(rows, [{ buf: cache.hiddens, width: H }], B);
        gruForward(k, w, input, state, cache, resets, T, B, H, packed);
      },
      backward: (input, dHiddens, dX) =>
        gruBackward(k, w, input, cache, dHiddens, grads, dX, scratch ??= allocGruScratch(k, T, B, H), resets, T, B, H),
    };
  },
};

export type GruWeights = LayerTensors<GateWeightKey>; // (3H,D) (3H,H) (3H) (3H)
/** gx holds the activations [r z n] after forward; gh keeps the pre-activations; hiddens slot 0 is the carried-in h. */
export interface GruCache { gx: Floats; gh: Floats; hiddens: Floats; packs: RecurrentPacks } // (T,B,3H) (T,B,3H) (T+1,B,H)
export interface GruScratch { dGx: Floats; dGh: Floats; dHPrev: Floats }               // (T,B,3H) (T,B,3H) (B,H)

export function allocGruCache(k: Kernels, T: number, B: number, H: number): GruCache {
  return { gx: k.alloc(T * B * 3 * H), gh: k.alloc(T * B * 3 * H), hiddens: k.alloc((T + 1) * B * H), packs: new RecurrentPacks() };
}

export function allocGruScratch(k: Kernels, T: number, B: number, H: number): GruScratch {
  return { dGx: k.alloc(T * B * 3 * H), dGh: k.alloc(T * B * 3 * H), dHPrev: k.alloc(B * H) };
}

/** Runs T steps from `state` and leaves the final h in `state`. `packed`: as lstmForward's. */
export function gruForward(k: Kernels, w: GruWeights, input: LayerInput, state: LayerState, cache: GruCache,
                           resets: LayerResets | null, T: number, B: number, H: number,
                           packed: LayerPacks | null = null): void {
  const G = 3 * H;
  const { gx, gh, hiddens } = cache;
  copyFloats(state.h, 0, hiddens, 0, B * H);
  projectInput(k, w.weightIh, input, T * B, G, gx, 0, packed);
  k.addRowVector(gx, 0, T * B, G, w.biasIh, 0);
  const weightHhT = packed?.recurrent ?? cache.packs.forward(k, w.weightHh, G, H, T);
  for (let t = 0; t < T; t++) {
    resets?.swap(t);
    k.gemmPacked(B, 1, hiddens, t * B * H, H, weightHhT, 0, gh, t * B * G, G);
    k.addRowVector(gh, t * B * G, B, G, w.biasHh, 0);
    k.gruCellForward({ B, H, gx, gxOff: t * B * G, gh, ghOff: t * B * G, hPrev: hiddens, hPrevOff: t * B * H,
      h: hiddens, hOff: (t + 1) * B * H });
    resets?.swap(t);
  }
  copyFloats(hiddens, T * B * H, state.h, 0, B * H);
}

/** As lstmBackward: dHiddens (T,B,H) is the gradient from above and workspace; adds into grads; writes dX if given. */
export function gruBackward(k: Kernels, w: GruWeights, input: LayerInput, cache: GruCache, dHiddens: Floats,
                            grads: GruWeights, dX: Floats | null, scratch: GruScratch, resets: LayerResets | null,
                            T: number, B: number, H: number): void {
  const G = 3 * H;
  const { gx, gh, hiddens } = cache;
  const { dGx, dGh, dHPrev } = scratch;
  const weightHh = cache.packs.backward(k, w.weightHh, G, H, T);
  for (let t = T - 1; t >= 0; t--) {
    resets?.swap(t);
    k.gruCellBackward({ B, H, gx, gxOff: t * B * G, gh, ghOff: t * B * G, hPrev: hiddens, hPrevOff: t * B * H,
      dH: dHiddens, dHOff: t * B * H, dGx, dGxOff: t * B * G, dGh, dGhOff: t * B * G, dHPrev, dHPrevOff: 0 });
    const addRecurrent = (): void => {
      if (t === 0) return;
      // dh_{t-1} += z ⊙ dh_t (direct path) + dGh_t · W_hh. Skipped at t = 0: truncated BPTT.
      k.axpy(dHPrev, 0, dHiddens, (t - 1) * B * H, B * H, 1);
      k.gemmPacked(B, 1, dGh, t * B * G, G, weightHh, 1, dHiddens, (t - 1) * B * H, H);
    };
    if (resets === null) addRecurrent();
    else resets.cutGradient(t, dHiddens, H, [], addRecurrent);
    resets?.swap(t);
  }
  resets?.swapAll(T);
  k.gemm(true, false, G, H, T * B, 1, dGh, 0, G, hiddens, 0, H, 1, grads.weightHh, 0, H);
  resets?.swapAll(T);
  projectInputBackward(k, w.weightIh, input, dGx, T * B, G, grads.weightIh, dX);
  k.sumRows(dGx, 0, T * B, G, grads.biasIh, 0);
  k.sumRows(dGh, 0, T * B, G, grads.biasHh, 0);
}
