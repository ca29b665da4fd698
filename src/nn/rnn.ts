// The vanilla (Elman) RNN layer with tanh or ReLU: forward over T steps and its backward (truncated BPTT).
//
//   h_t = act(x_t·W_ihᵀ + b_ih + h_{t-1}·W_hhᵀ + b_hh)            (B, H), act = tanh or ReLU (as PyTorch's nn.RNN)
//
// B = batch, T = steps, D = input size, H = hidden size.

import type { Floats } from '../tensor/floats.js';
import type { Activation, Kernels } from '../tensor/kernels.js';
import { gateWeightParams, type CellType, type GateWeightKey, type InitRule, type LayerTensors } from './cell-type.js';
import {
  copyFloats, projectInput, projectInputBackward, RecurrentPacks, type LayerInput, type LayerPacks, type LayerState,
} from './layer-io.js';
import { LayerResets } from './row-resets.js';

export type RnnWeights = LayerTensors<GateWeightKey>; // (H,D) (H,H) (H) (H)

/** The standard deviation of the input weights of a ReLU RNN (Le et al., 2015, "A Simple Way to Initialize RNNs…"). */
const IRNN_INPUT_STD = 0.001;
const ZERO: InitRule = { kind: 'zero' };

function rnnCell(activation: Activation, init: Parameters<typeof gateWeightParams>[3]): CellType<GateWeightKey> {
  return {
    module: 'rnn',
    gates: ['h'],
    kinked: activation === 'relu',
    projects: false,
    params: ({ input: D, hidden: H }) => gateWeightParams(H, D, H, init),
    state: ({ hidden: H }) => ({ h: H, c: null }),
    outputWidth: ({ hidden: H }) => H,
    createLayer(k, w, grads, T, B, { hidden: H }) {
      const cache = allocRnnCache(k, T, B, H);
      let scratch: RnnScratch | null = null; // backward buffers only once a backward happens (not for decoding)
      let resets: LayerResets | null = null;  // the last forward's, for its backward
      return {
        activations: { gates: null, cells: null, hiddens: cache.hiddens },
        forward: (input, state, rows, packed = null) => {
          resets = rows === null ? null : new LayerResets(rows, [{ buf: cache.hiddens, width: H }], B);
          rnnForward(k, w, input, state, cache, activation, resets, T, B, H, packed);
        },
        backward: (input, dHiddens, dX) => rnnBackward(k, w, input, cache, dHiddens, grads, dX,
          scratch ??= allocRnnScratch(k, T, B, H), activation, resets, T, B, H),
      };
    },
  };
}

/** The tanh RNN (nn.RNN's default), with PyTorch's uniform initialisation. */
export const RNN_TANH_CELL = rnnCell('tanh', {});

/** The ReLU RNN, initialised as IRNN (Le et al., 2015): W_hh = identity, zero biases and small normal W_ih, so h is
 * carried unchanged at first. */
export const RNN_RELU_CELL = rnnCell('relu', {
  weightIh: { kind: 'normal', std: IRNN_INPUT_STD }, weightHh: { kind: 'identity' }, biasIh: ZERO, biasHh: ZERO,
});
/** Slot 0 of hiddens is the carried-in state; slots 1..T are the activated h_t (forward computes them in place). */
export interface RnnCache { hiddens: Floats; packs: RecurrentPacks }                    // (T+1,B,H)
export interface RnnScratch { dPre: Floats }                                             // (T,B,H)

export function allocRnnCache(k: Kernels, T: number, B: number, H: number): RnnCache {
  return { hiddens: k.alloc((T + 1) * B * H), packs: new RecurrentPacks() };
}

export function allocRnnScratch(k: Kernels, T: number, B: number, H: number): RnnScratch {
  return { dPre: k.alloc(T * B * H) };
}

/** Runs T steps from `state` and leaves the final h in `state`. `packed`: as lstmForward's. */
export function rnnForward(k: Kernels, w: RnnWeights, input: LayerInput, state: LayerState, cache: RnnCache,
                           activation: Activation, resets: LayerResets | null, T: number, B: number, H: number,
                           packed: LayerPacks | null = null): void {
  const { hiddens } = cache;
  copyFloats(state.h, 0, hiddens, 0, B * H);
  // Slots 1..T first receive the input half of the pre-activation for all steps at once.
  projectInput(k, w.weightIh, input, T * B, H, hiddens, B * H, packed);
  k.addRowVector(hiddens, B * H, T * B, H, w.biasIh, 0);
  k.addRowVector(hiddens, B * H, T * B, H, w.biasHh, 0);
  const weightHhT = packed?.recurrent ?? cache.packs.forward(k, w.weightHh, H, H, T);
  for (let t = 0; t < T; t++) {
    resets?.swap(t);
    k.gemmPacked(B, 1, hiddens, t * B * H, H, weightHhT, 1, hiddens, (t + 1) * B * H, H);
    resets?.swap(t);
    k.activationForward({ kind: activation, n: B * H, x: hiddens, xOff: (t + 1) * B * H });
  }
  copyFloats(hiddens, T * B * H, state.h, 0, B * H);
}

/** As lstmBackward: dHiddens (T,B,H) is the gradient from above and workspace; adds into grads; writes dX if given. */
export function rnnBackward(k: Kernels, w: RnnWeights, input: LayerInput, cache: RnnCache, dHiddens: Floats,
                            grads: RnnWeights, dX: Floats | null, scratch: RnnScratch, activation: Activation,
                            resets: LayerResets | null, T: number, B: number, H: number): void {
  const { hiddens } = cache;
  const { dPre } = scratch;
  const weightHh = cache.packs.backward(k, w.weightHh, H, H, T);
  for (let t = T - 1; t >= 0; t--) {
    k.activationBackward({ kind: activation, n: B * H, y: hiddens, yOff: (t + 1) * B * H, dH: dHiddens, dHOff: t * B * H,
      dPre, dPreOff: t * B * H });
    const addRecurrent = (): void => {
      if (t > 0) k.gemmPacked(B, 1, dPre, t * B * H, H, weightHh, 1, dHiddens, (t - 1) * B * H, H);
    };
    if (resets === null) addRecurrent();
    else resets.cutGradient(t, dHiddens, H, [], addRecurrent);
  }
  resets?.swapAll(T);
  k.gemm(true, false, H, H, T * B, 1, dPre, 0, H, hiddens, 0, H, 1, grads.weightHh, 0, H);
  resets?.swapAll(T);
  projectInputBackward(k, w.weightIh, input, dPre, T * B, H, grads.weightIh, dX);
  k.sumRows(dPre, 0, T * B, H, grads.biasIh, 0);
  k.sumRows(dPre, 0, T * B, H, grads.biasHh, 0);
}
