// The LSTM layer: forward over T steps and its backward (truncated BPTT). Knows nothing of vocabularies or optimizers.
//
//   gates_t = x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh            (B, 4H), order i, f, g, o (as PyTorch's nn.LSTM)
//   i, f, o = σ(·),  g = tanh(·)
//   c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
//
// B = batch, T = steps, D = input size, H = hidden size. Buffers are time-major: step t of a (T, B, ·) buffer starts at t·B·(·).

import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import { gateWeightParams, type CellType, type GateWeightKey, type LayerTensors } from './cell-type.js';
import { copyFloats, projectInput, projectInputBackward, type LayerInput, type LayerState } from './layer-io.js';

const GATES = ['i', 'f', 'g', 'o'] as const;
const FORGET = GATES.indexOf('f');

/**
 * The LSTM as a cell type. Initialisation: PyTorch's uniform, except the forget gate's biases: b_ih_f = the forget bias
 * (1 unless --forget-bias says otherwise) and b_hh_f = 0. The usual 1 keeps the cell's memory at first, so early
 * gradients flow through it (Jozefowicz et al., 2015).
 */
export const LSTM_CELL: CellType<GateWeightKey> = {
  module: 'lstm',
  gates: GATES,
  kinked: false,
  params: ({ input: D, hidden: H }) => gateWeightParams(4 * H, D, H, {
    biasIh: { kind: 'gate-constant', gate: FORGET, value: 'forget-bias' },
    biasHh: { kind: 'gate-constant', gate: FORGET, value: 0 },
  }),
  state: ({ hidden: H }) => ({ h: H, c: H }),
  outputWidth: ({ hidden: H }) => H,
  createLayer(k, w, grads, T, B, { hidden: H }) {
    const cache = allocLstmCache(k, T, B, H);
    let scratch: LstmScratch | null = null; // backward buffers only once a backward happens (not for decoding)
    return {
      activations: { gates: cache.gates, cells: cache.cells, hiddens: cache.hiddens },
      forward: (input, state) => lstmForward(k, w, input, state, cache, T, B, H),
      backward: (input, dHiddens, dX) =>
        lstmBackward(k, w, input, cache, dHiddens, grads, dX, scratch ??= allocLstmScratch(k, T, B, H), T, B, H),
    };
  },
};

export type LstmWeights = LayerTensors<GateWeightKey>; // (4H,D) (4H,H) (4H) (4H)
/** gates hold the activations [i f g o] after forward; slot 0 of cells and hiddens is the carried-in state. */
export interface LstmCache { gates: Floats; cells: Floats; hiddens: Floats }          // (T,B,4H) (T+1,B,H) (T+1,B,H)
export interface LstmScratch { dGates: Floats; dC: Floats }                              // (T,B,4H) (B,H)

export function allocLstmCache(k: Kernels, T: number, B: number, H: number): LstmCache {
  return { gates: k.alloc(T * B * 4 * H), cells: k.alloc((T + 1) * B * H), hiddens: k.alloc((T + 1) * B * H) };
}

export function allocLstmScratch(k: Kernels, T: number, B: number, H: number): LstmScratch {
  return { dGates: k.alloc(T * B * 4 * H), dC: k.alloc(B * H) };
}

/** Runs T steps from `state` and leaves the final h and c in `state`. */
export function lstmForward(k: Kernels, w: LstmWeights, input: LayerInput, state: LayerState, cache: LstmCache,
                            T: number, B: number, H: number): void {
  const G = 4 * H;
  const { gates, cells, hiddens } = cache;
  copyFloats(state.h, 0, hiddens, 0, B * H);
  copyFloats(state.c!, 0, cells, 0, B * H);
  // The input half of every step in one product: gates = x·W_ihᵀ + b_ih + b_hh for all T·B rows.
  projectInput(k, w.weightIh, input, T * B, G, gates, 0);
  k.addRowVector(gates, 0, T * B, G, w.biasIh, 0);
  k.addRowVector(gates, 0, T * B, G, w.biasHh, 0);
  for (let t = 0; t < T; t++) {
    // gates_t += h_{t-1}·W_hhᵀ, then the cell turns them into c_t and h_t.
    k.gemm(false, true, B, G, H, 1, hiddens, t * B * H, H, w.weightHh, 0, H, 1, gates, t * B * G, G);
    k.lstmCellForward(gates, t * B * G, cells, t * B * H, cells, (t + 1) * B * H, hiddens, (t + 1) * B * H, B, H);
  }
  copyFloats(hiddens, T * B * H, state.h, 0, B * H);
  copyFloats(cells, T * B * H, state.c!, 0, B * H);
}

/**
 * dHiddens (T,B,H) holds dLoss/dh_t from above for t = 1..T; it is used as workspace (the recurrent gradient is added into
 * it). Adds the weight gradients into `grads`, and writes dX (T,B,D) for the layer below when it is given. No gradient
 * flows into the carried-in state (truncated BPTT).
 */
export function lstmBackward(k: Kernels, w: LstmWeights, input: LayerInput, cache: LstmCache, dHiddens: Floats,
                             grads: LstmWeights, dX: Floats | null, scratch: LstmScratch,
                             T: number, B: number, H: number): void {
  const G = 4 * H;
  const { gates, cells, hiddens } = cache;
  const { dGates, dC } = scratch;
  dC.fill(0); // nothing flows back from beyond the chunk
  for (let t = T - 1; t >= 0; t--) {
    k.lstmCellBackward(gates, t * B * G, cells, t * B * H, cells, (t + 1) * B * H, dHiddens, t * B * H, dC, 0,
      dGates, t * B * G, B, H);
    // dh_{t-1} += dGates_t · W_hh. At t = 0 this would go into the carried-in state, which the truncation stops.
    if (t > 0) k.gemm(false, false, B, H, G, 1, dGates, t * B * G, G, w.weightHh, 0, H, 1, dHiddens, (t - 1) * B * H, H);
  }
  // One product each over all T·B rows: dW_hh += dGatesᵀ · [h_0 … h_{T-1}], dW_ih += dGatesᵀ · x.
  k.gemm(true, false, G, H, T * B, 1, dGates, 0, G, hiddens, 0, H, 1, grads.weightHh, 0, H);
  projectInputBackward(k, w.weightIh, input, dGates, T * B, G, grads.weightIh, dX);
  k.sumRows(dGates, 0, T * B, G, grads.biasIh, 0);
  k.sumRows(dGates, 0, T * B, G, grads.biasHh, 0);
}
