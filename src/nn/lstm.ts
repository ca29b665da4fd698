// The LSTM layer, with PyTorch's optional projection (nn.LSTM(proj_size=P)): forward over T steps and its backward
// (truncated BPTT). Knows nothing of vocabularies or optimizers.
//
//   gates_t = x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh            (B, 4H), order i, f, g, o (as PyTorch's nn.LSTM)
//   i, f, o = σ(·),  g = tanh(·)
//   c_t = f ⊙ c_{t-1} + i ⊙ g,   m_t = o ⊙ tanh(c_t)
//   h_t = m_t                    without a projection            (B, H)
//   h_t = m_t·W_hrᵀ              with a projection to P < H units (B, P)
//
// B = batch, T = steps, D = input size, H = hidden size, R = the width of h (P with a projection, else H).
// Buffers are time-major: step t of a (T, B, ·) buffer starts at t·B·(·).

import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import { gateWeightParams, UNIFORM, type CellType, type GateWeightKey, type LayerParam } from './cell-type.js';
import {
  copyFloats, projectInput, projectInputBackward, RecurrentPacks, type LayerInput, type LayerPacks, type LayerState,
} from './layer-io.js';
import { LayerResets } from './row-resets.js';

const GATES = ['i', 'f', 'g', 'o'] as const;
const FORGET = GATES.indexOf('f');

type LstmKey = GateWeightKey | 'weightHr';

/**
 * The LSTM as a cell type. Its parameters are nn.LSTM's, weight_hr (P, H) included when it projects. Initialisation:
 * PyTorch's uniform, except the forget gate's biases: b_ih_f = the forget bias (1 unless --forget-bias says otherwise)
 * and b_hh_f = 0. The usual 1 keeps the cell's memory at first, so early gradients flow through it (Jozefowicz et al., 2015).
 */
export const LSTM_CELL: CellType<LstmKey> = {
  module: 'lstm',
  gates: GATES,
  kinked: false,
  projects: true,
  params: ({ input: D, hidden: H, proj: P }): LayerParam<LstmKey>[] => [
    ...gateWeightParams(4 * H, D, P || H, {
      biasIh: { kind: 'gate-constant', gate: FORGET, value: 'forget-bias' },
      biasHh: { kind: 'gate-constant', gate: FORGET, value: 0 },
    }),
    ...(P > 0 ? [{ key: 'weightHr', torchName: 'weight_hr', shape: [P, H], init: UNIFORM } as const] : []),
  ],
  state: ({ hidden: H, proj: P }) => ({ h: P || H, c: H }),
  outputWidth: ({ hidden: H, proj: P }) => P || H,
  createLayer(k, w, grads, T, B, { hidden: H, proj: P }) {
    const weights: LstmWeights = { ...w, weightHr: P > 0 ? w.weightHr : null };
    const gradients: LstmWeights = { ...grads, weightHr: P > 0 ? grads.weightHr : null };
    const cache = allocLstmCache(k, T, B, H, P);
    let scratch: LstmScratch | null = null; // backward buffers only once a backward happens (not for decoding)
    let resets: LayerResets | null = null;  // the last forward's, for its backward
    return {
      activations: { gates: cache.gates, cells: cache.cells, hiddens: cache.hiddens },
      forward: (input, state, rows, packed = null) => {
        resets = rows === null ? null
          : new LayerResets(rows, [{ buf: cache.hiddens, width: P || H }, { buf: cache.cells, width: H }], B);
        lstmForward(k, weights, input, state, cache, resets, T, B, H, packed);
      },
      backward: (input, dHiddens, dX) => lstmBackward(k, weights, input, cache, dHiddens, gradients, dX,
        scratch ??= allocLstmScratch(k, T, B, H, P), resets, T, B, H),
    };
  },
};

/** (4H,D) (4H,R) (4H) (4H), and the projection (P,H) or null. */
export interface LstmWeights { weightIh: Floats; weightHh: Floats; biasIh: Floats; biasHh: Floats; weightHr: Floats | null }
/**
 * gates hold the activations [i f g o] after forward; slot 0 of cells and hiddens is the carried-in state. With a
 * projection, outputs holds m_1 … m_T (the cell's output before W_hr); without one, m_t is h_t and outputs is null.
 */
export interface LstmCache { gates: Floats; cells: Floats; hiddens: Floats; outputs: Floats | null; packs: RecurrentPacks }
                                                          // (T,B,4H) (T+1,B,H) (T+1,B,R) (T,B,H)
/** dM (B, H): the gradient into m_t, with a projection only. */
export interface LstmScratch { dGates: Floats; dC: Floats; dM: Floats | null }           // (T,B,4H) (B,H) (B,H)

export function allocLstmCache(k: Kernels, T: number, B: number, H: number, P = 0): LstmCache {
  return {
    gates: k.alloc(T * B * 4 * H), cells: k.alloc((T + 1) * B * H), hiddens: k.alloc((T + 1) * B * (P || H)),
    outputs: P > 0 ? k.alloc(T * B * H) : null, packs: new RecurrentPacks(),
  };
}

export function allocLstmScratch(k: Kernels, T: number, B: number, H: number, P = 0): LstmScratch {
  return { dGates: k.alloc(T * B * 4 * H), dC: k.alloc(B * H), dM: P > 0 ? k.alloc(B * H) : null };
}

/**
 * Runs T steps from `state` and leaves the final h and c in `state`. Rows in `resets` restart from the start state.
 * `packed`: the weights packed for decoding, read instead of w's.
 */
export function lstmForward(k: Kernels, w: LstmWeights, input: LayerInput, state: LayerState, cache: LstmCache,
                            resets: LayerResets | null, T: number, B: number, H: number,
                            packed: LayerPacks | null = null): void {
  const G = 4 * H;
  const R = w.weightHh.length / G;
  const { gates, cells, hiddens, outputs } = cache;
  const { weightHr } = w;
  copyFloats(state.h, 0, hiddens, 0, B * R);
  copyFloats(state.c!, 0, cells, 0, B * H);
  // The input half of every step in one product: gates = x·W_ihᵀ + b_ih + b_hh for all T·B rows.
  projectInput(k, w.weightIh, input, T * B, G, gates, 0, packed);
  k.addRowVector(gates, 0, T * B, G, w.biasIh, 0);
  k.addRowVector(gates, 0, T * B, G, w.biasHh, 0);
  const weightHhT = packed?.recurrent ?? cache.packs.forward(k, w.weightHh, G, R, T);
  // With a projection, m_t goes to `outputs` and h_t = m_t·W_hrᵀ (W_hrᵀ packed like W_hh); without, m_t is h_t.
  const projection = outputs !== null && weightHr !== null
    ? { m: outputs, weightT: packed?.projection ?? cache.packs.projection(k, weightHr, R, H, T) } : null;
  for (let t = 0; t < T; t++) {
    // gates_t += h_{t-1}·W_hhᵀ, then the cell turns them into c_t and m_t. (Its arguments as one literal: an object
    // spread here cost microseconds per step.)
    resets?.swap(t);
    k.gemmPacked(B, 1, hiddens, t * B * R, R, weightHhT, 1, gates, t * B * G, G);
    k.lstmCellForward({ B, H, gates, gatesOff: t * B * G, cPrev: cells, cPrevOff: t * B * H, c: cells, cOff: (t + 1) * B * H,
      h: projection?.m ?? hiddens, hOff: projection !== null ? t * B * H : (t + 1) * B * H });
    if (projection !== null) k.gemmPacked(B, 1, projection.m, t * B * H, H, projection.weightT, 0, hiddens, (t + 1) * B * R, R);
    resets?.swap(t);
  }
  copyFloats(hiddens, T * B * R, state.h, 0, B * R);
  copyFloats(cells, T * B * H, state.c!, 0, B * H);
}

/**
 * dHiddens (T,B,R) holds dLoss/dh_t from above for t = 1..T; it is used as workspace (the recurrent gradient is added into
 * it). Adds the weight gradients into `grads`, and writes dX (T,B,D) for the layer below when it is given. No gradient
 * flows into the carried-in state (truncated BPTT).
 */
export function lstmBackward(k: Kernels, w: LstmWeights, input: LayerInput, cache: LstmCache, dHiddens: Floats,
                             grads: LstmWeights, dX: Floats | null, scratch: LstmScratch, resets: LayerResets | null,
                             T: number, B: number, H: number): void {
  const G = 4 * H;
  const R = w.weightHh.length / G;
  const { gates, cells, hiddens, outputs } = cache;
  const { dGates, dC, dM } = scratch;
  const { weightHr } = w;
  dC.fill(0); // nothing flows back from beyond the chunk
  const weightHh = cache.packs.backward(k, w.weightHh, G, R, T);
  const projected = dM !== null && weightHr !== null;
  for (let t = T - 1; t >= 0; t--) {
    resets?.swap(t);
    // dm_t = dh_t · W_hr with a projection: dh_t is complete here (step t+1 added its part in the previous iteration).
    if (projected) k.gemm(false, false, B, H, R, 1, dHiddens, t * B * R, R, weightHr, 0, H, 0, dM, 0, H);
    k.lstmCellBackward({ B, H, gates, gatesOff: t * B * G, cPrev: cells, cPrevOff: t * B * H, c: cells, cOff: (t + 1) * B * H,
      dC, dCOff: 0, dGates, dGatesOff: t * B * G, dH: projected ? dM : dHiddens, dHOff: projected ? 0 : t * B * H });
    // dh_{t-1} += dGates_t · W_hh. At t = 0 this would go into the carried-in state, which the truncation stops.
    const addRecurrent = (): void => {
      if (t > 0) k.gemmPacked(B, 1, dGates, t * B * G, G, weightHh, 1, dHiddens, (t - 1) * B * R, R);
    };
    if (resets === null) addRecurrent();
    else resets.cutGradient(t, dHiddens, R, [{ buf: dC, width: H }], addRecurrent);
    resets?.swap(t);
  }
  // One product each over all T·B rows: dW_hh += dGatesᵀ · [h_0 … h_{T-1}], dW_ih += dGatesᵀ · x, dW_hr += dHᵀ · [m_1 … m_T].
  resets?.swapAll(T);
  k.gemm(true, false, G, R, T * B, 1, dGates, 0, G, hiddens, 0, R, 1, grads.weightHh, 0, R);
  resets?.swapAll(T);
  if (outputs !== null && grads.weightHr !== null) {
    k.gemm(true, false, R, H, T * B, 1, dHiddens, 0, R, outputs, 0, H, 1, grads.weightHr, 0, H);
  }
  projectInputBackward(k, w.weightIh, input, dGates, T * B, G, grads.weightIh, dX);
  k.sumRows(dGates, 0, T * B, G, grads.biasIh, 0);
  k.sumRows(dGates, 0, T * B, G, grads.biasHh, 0);
}
