// Binds one layer's weights, gradients and (T, B)-sized buffers to its cell's forward and backward, so that the model can
// run LSTM, GRU and RNN stacks alike. The arithmetic itself is in src/nn/.

import type { Cell } from '../config/model-config.js';
import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import { allocGruCache, allocGruScratch, gruBackward, gruForward, type GruScratch } from '../nn/gru.js';
import type { LayerInput, LayerState } from '../nn/layer-io.js';
import { allocLstmCache, allocLstmScratch, lstmBackward, lstmForward, type LstmScratch } from '../nn/lstm.js';
import { allocRnnCache, allocRnnScratch, rnnBackward, rnnForward, type RnnScratch } from '../nn/rnn.js';

/** The four tensors of one layer (the same names for every cell; gate rows G = gates × H). */
export interface RecurrentWeights { weightIh: Floats; weightHh: Floats; biasIh: Floats; biasHh: Floats } // (G,D) (G,H) (G) (G)

/** What one layer computed in the last forward, for inspection. Readable until the next forward. */
export interface LayerActivations {
  readonly cell: Cell;
  /** LSTM [i f g o] or GRU [r z n] after their nonlinearities, (T, B, G); null for the vanilla RNN. */
  readonly gates: Floats | null;
  /** LSTM cell states c_0 … c_T, (T+1, B, H), slot 0 carried in; null for other cells. */
  readonly cells: Floats | null;
  /** Hidden states h_0 … h_T, (T+1, B, H), slot 0 carried in. The layer's output is slots 1 … T. */
  readonly hiddens: Floats;
}

export interface RecurrentLayer {
  readonly activations: LayerActivations;
  forward(input: LayerInput, state: LayerState): void;
  /** dHiddens (T,B,H) in (and used as workspace); adds into the layer's grads; dX (T,B,D) out when given. */
  backward(input: LayerInput, dHiddens: Floats, dX: Floats | null): void;
}

export function createRecurrentLayer(cell: Cell, k: Kernels, w: RecurrentWeights, grads: RecurrentWeights,
                                     T: number, B: number, H: number): RecurrentLayer {
  switch (cell) {
    case 'lstm': {
      const cache = allocLstmCache(k, T, B, H);
      let scratch: LstmScratch | null = null; // backward buffers only once a backward happens (not for decoding)
      return {
        activations: { cell, gates: cache.gates, cells: cache.cells, hiddens: cache.hiddens },
        forward: (input, state) => lstmForward(k, w, input, state, cache, T, B, H),
        backward: (input, dHiddens, dX) =>
          lstmBackward(k, w, input, cache, dHiddens, grads, dX, scratch ??= allocLstmScratch(k, T, B, H), T, B, H),
      };
    }
    case 'gru': {
      const cache = allocGruCache(k, T, B, H);
      let scratch: GruScratch | null = null;
      return {
        activations: { cell, gates: cache.gx, cells: null, hiddens: cache.hiddens },
        forward: (input, state) => gruForward(k, w, input, state, cache, T, B, H),
        backward: (input, dHiddens, dX) =>
          gruBackward(k, w, input, cache, dHiddens, grads, dX, scratch ??= allocGruScratch(k, T, B, H), T, B, H),
      };
    }
    case 'rnn':
    case 'rnn-relu': {
      const activation = cell === 'rnn' ? 'tanh' : 'relu';
      const cache = allocRnnCache(k, T, B, H);
      let scratch: RnnScratch | null = null;
      return {
        activations: { cell, gates: null, cells: null, hiddens: cache.hiddens },
        forward: (input, state) => rnnForward(k, w, input, state, cache, activation, T, B, H),
        backward: (input, dHiddens, dX) => rnnBackward(k, w, input, cache, dHiddens, grads, dX,
          scratch ??= allocRnnScratch(k, T, B, H), activation, T, B, H),
      };
    }
  }
}
