// What describes a recurrent cell type (a CellType): its gates in row order, the state it carries, its parameters per
// layer (PyTorch names, shapes, initialisation) and the layer that runs its forward and backward on the kernels. Each
// cell file (lstm.ts, gru.ts, rnn.ts) defines its own beside its equations; cells.ts lists them.

import type { Floats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import type { LayerInput, LayerPacks, LayerState } from './layer-io.js';
import type { RowResets } from './row-resets.js';

/** The sizes one layer's tensors depend on. */
export interface LayerDims {
  /** D: the input width (the vocabulary size for layer 0, else the output width of the layer below). */
  readonly input: number;
  /** H: hidden units, the width of each gate. */
  readonly hidden: number;
  /** P: the width h is projected to (PyTorch's proj_size), for a cell type that projects; 0 = no projection. */
  readonly proj: number;
}

/**
 * How a parameter tensor is initialised (src/nn/init.ts). Every tensor first receives uniform(−bound, bound) draws, so
 * that the random stream, and with it every later tensor, does not depend on the rules; the rule then overwrites:
 * - 'uniform': nothing (PyTorch's default for nn.LSTM/GRU/RNN and nn.Linear);
 * - 'gate-constant': the rows of one gate (index `gate` in the cell's gate order) with the forget bias or 0;
 * - 'identity': a square matrix with the identity; 'normal': everything with normal(0, std) draws; 'zero': with zeros.
 */
export type InitRule =
  | { readonly kind: 'uniform' }
  | { readonly kind: 'gate-constant'; readonly gate: number; readonly value: 'forget-bias' | 0 }
  | { readonly kind: 'identity' }
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'zero' };

/** One parameter tensor of a layer: its key in the layer's weights, its PyTorch name without "_l{k}", shape and init. */
export interface LayerParam<K extends string = string> {
  readonly key: K;
  readonly torchName: string;
  readonly shape: readonly number[];
  readonly init: InitRule;
}

/** Widths per row of the state a layer carries from chunk to chunk: h always, c for cells with a cell state. */
export interface StateWidths { readonly h: number; readonly c: number | null }

/** What one layer computed in the last forward, for inspection. Readable until the next forward. */
export interface CellActivations {
  /** The gates after their nonlinearities, (T, B, gates·H), in the cell's gate order; null for a cell without gates. */
  readonly gates: Floats | null;
  /** Cell states c_0 … c_T, (T+1, B, H), slot 0 carried in; null for cells without a cell state. */
  readonly cells: Floats | null;
  /** Hidden states h_0 … h_T, (T+1, B, output width), slot 0 carried in. The layer's output is slots 1 … T. */
  readonly hiddens: Floats;
}

/** One layer bound to its weights, gradients and (T, B)-sized buffers. */
export interface RecurrentLayer {
  readonly activations: CellActivations;
  /**
   * Runs T steps from `state` and leaves the final state in it; rows in `resets` restart from the start state. `packed`:
   * the layer's weights packed for decoding (CharLM.packWeights), read instead of the weights themselves.
   */
  forward(input: LayerInput, state: LayerState, resets: RowResets | null, packed?: LayerPacks | null): void;
  /**
   * dHiddens (T,B,output width) in (and used as workspace); adds into the layer's grads; dX (T,B,D) out when given. The
   * last forward's resets apply: no gradient flows past a restart.
   */
  backward(input: LayerInput, dHiddens: Floats, dX: Floats | null): void;
}

/** A layer's tensors by key (values or gradients); the keys are those of its cell's params(). */
export type LayerTensors<K extends string = string> = Readonly<Record<K, Floats>>;

export interface CellType<K extends string = string> {
  /** The PyTorch module the parameters are named after: "lstm.weight_ih_l0", "gru.…", "rnn.…". */
  readonly module: 'lstm' | 'gru' | 'rnn';
  /** Gate names in the row order of the stacked gate matrices (PyTorch's); ['h'] for the gateless vanilla RNN. */
  readonly gates: readonly string[];
  /** Whether an activation has a kink (ReLU at 0), where finite differences measure the kink, not the derivative. */
  readonly kinked: boolean;
  /** Whether it can project h to fewer units (LayerDims.proj > 0; --proj-size). */
  readonly projects: boolean;
  /** The layer's parameters in PyTorch's order. */
  params(d: LayerDims): readonly LayerParam<K>[];
  /** Widths of the state carried between chunks. */
  state(d: LayerDims): StateWidths;
  /** Width of the layer's output h (what the layer above and the decoder read). */
  outputWidth(d: LayerDims): number;
  /** Binds weights, gradients and buffers for chunks of T steps × B rows. Backward buffers come on first use. */
  createLayer(k: Kernels, w: LayerTensors<K>, grads: LayerTensors<K>, T: number, B: number, d: LayerDims): RecurrentLayer;
}

/** PyTorch's default initialisation, uniform(−1/√H, 1/√H). */
export const UNIFORM: InitRule = Object.freeze({ kind: 'uniform' });

export type GateWeightKey = 'weightIh' | 'weightHh' | 'biasIh' | 'biasHh';

/**
 * The four tensors every PyTorch recurrent layer has, for G = gates·H rows: weight_ih (G, D), weight_hh (G, R) where R
 * is the width of the h fed back, bias_ih (G), bias_hh (G), with their initialisation rules (uniform unless given).
 */
export function gateWeightParams(G: number, D: number, R: number,
                                 init: Partial<Record<GateWeightKey, InitRule>> = {}): LayerParam<GateWeightKey>[] {
  return [
    { key: 'weightIh', torchName: 'weight_ih', shape: [G, D], init: init.weightIh ?? UNIFORM },
    { key: 'weightHh', torchName: 'weight_hh', shape: [G, R], init: init.weightHh ?? UNIFORM },
    { key: 'biasIh', torchName: 'bias_ih', shape: [G], init: init.biasIh ?? UNIFORM },
    { key: 'biasHh', torchName: 'bias_hh', shape: [G], init: init.biasHh ?? UNIFORM },
  ];
}
