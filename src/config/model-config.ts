// The model's hyperparameters (what the model file stores as "config") and the parameter tensors they imply.
// Names and shapes follow PyTorch's nn.LSTM / nn.GRU / nn.RNN and nn.Linear so models can move to and from PyTorch.

import { ConfigError } from '../errors.js';
import { UNIFORM, type LayerDims } from '../nn/cell-type.js';
import { CELLS, cellType, type Cell } from '../nn/cells.js';
import type { InitSpec } from '../nn/init.js';

export { CELLS, type Cell } from '../nn/cells.js';

export interface ModelConfig {
  readonly cell: Cell;
  readonly numLayers: number;
  readonly hiddenSize: number;
  /** Dropout probability between stacked layers (and before the decoder), applied while training only. */
  readonly dropout: number;
  /** Symbols in the vocabulary, including line mode's reserved start and end symbols. */
  readonly vocabSize: number;
  /**
   * LSTM with a projection (PyTorch's proj_size): h has this many units (fewer than hiddenSize), c keeps hiddenSize.
   * Absent (or 0) for no projection; a model file stores it only when set.
   */
  readonly projSize?: number;
}

export const LIMITS = {
  maxLayers: 16,
  maxHiddenSize: 8192,
  maxVocabSize: 1_114_114, // every Unicode code point plus two reserved symbols
  maxParams: 1_000_000_000,
} as const;

/** Rows of the stacked gate matrices per hidden unit: LSTM i,f,g,o; GRU r,z,n; RNN one. */
export function gateCount(cell: Cell): number {
  return cellType(cell).gates.length;
}

/** The PyTorch module name of the recurrent stack: "lstm.weight_ih_l0", "gru.…", "rnn.…". */
export function recurrentModuleName(cell: Cell): string {
  return cellType(cell).module;
}

/** The sizes of layer l's tensors: layer 0 reads the one-hot vocabulary, layer l > 0 the output of layer l − 1. */
export function layerDims(config: ModelConfig, l: number): LayerDims {
  const hidden = config.hiddenSize;
  const proj = config.projSize ?? 0;
  const input = l === 0 ? config.vocabSize : cellType(config.cell).outputWidth(layerDims(config, l - 1));
  return { input, hidden, proj };
}

/** The width of what the recurrent stack hands the decoder. */
export function outputWidth(config: ModelConfig): number {
  return cellType(config.cell).outputWidth(layerDims(config, config.numLayers - 1));
}

export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: InitSpec;
}

/**
 * Every parameter tensor, in storage order, with its PyTorch name, shape and initialisation: each layer's tensors as its
 * cell type lists them (uniform bound 1/√H, as PyTorch's recurrent modules), then the output layer, an nn.Linear named
 * "decoder" (bound 1/√fan-in, as PyTorch's nn.Linear).
 */
export function parameterShapes(config: ModelConfig): ParameterSpec[] {
  const type = cellType(config.cell);
  const H = config.hiddenSize;
  const specs: ParameterSpec[] = [];
  for (let l = 0; l < config.numLayers; l++) {
    for (const p of type.params(layerDims(config, l))) {
      specs.push({ name: `${type.module}.${p.torchName}_l${l}`, shape: p.shape,
        init: { rule: p.init, bound: 1 / Math.sqrt(H), gateWidth: H } });
    }
  }
  const O = outputWidth(config);
  const decoderInit: InitSpec = { rule: UNIFORM, bound: 1 / Math.sqrt(O), gateWidth: O };
  specs.push({ name: 'decoder.weight', shape: [config.vocabSize, O], init: decoderInit });
  specs.push({ name: 'decoder.bias', shape: [config.vocabSize], init: decoderInit });
  return specs;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function parameterCount(config: ModelConfig): number {
  return parameterShapes(config).reduce((n, s) => n + sizeOf(s.shape), 0);
}

function isInt(x: unknown, min: number, max: number): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;
}

/** Checks an untrusted value (a flag merge or a model file's "config") and returns it as a frozen ModelConfig. */
export function validateModelConfig(value: unknown): ModelConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError('model config must be an object');
  }
  const v = value as Record<string, unknown>;
  if (typeof v.cell !== 'string' || !(CELLS as readonly string[]).includes(v.cell)) {
    throw new ConfigError(`cell must be one of ${CELLS.join(', ')} (got ${JSON.stringify(v.cell)})`);
  }
  if (!isInt(v.numLayers, 1, LIMITS.maxLayers)) {
    throw new ConfigError(`numLayers must be an integer from 1 to ${LIMITS.maxLayers} (got ${JSON.stringify(v.numLayers)})`);
  }
  if (!isInt(v.hiddenSize, 1, LIMITS.maxHiddenSize)) {
    throw new ConfigError(`hiddenSize must be an integer from 1 to ${LIMITS.maxHiddenSize} (got ${JSON.stringify(v.hiddenSize)})`);
  }
  if (typeof v.dropout !== 'number' || !(v.dropout >= 0 && v.dropout < 1)) {
    throw new ConfigError(`dropout must be a number in [0, 1) (got ${JSON.stringify(v.dropout)})`);
  }
  if (!isInt(v.vocabSize, 2, LIMITS.maxVocabSize)) {
    throw new ConfigError(`vocabSize must be an integer from 2 to ${LIMITS.maxVocabSize} (got ${JSON.stringify(v.vocabSize)})`);
  }
  const projSize = v.projSize ?? 0;
  if (!isInt(projSize, 0, v.hiddenSize - 1)) {
    throw new ConfigError(`projSize must be an integer from 1 to hiddenSize − 1 = ${v.hiddenSize - 1}, or 0 for none ` +
      `(got ${JSON.stringify(v.projSize)})`);
  }
  if (projSize > 0 && !cellType(v.cell as Cell).projects) {
    throw new ConfigError(`a ${v.cell} cannot project its output (projSize is for the lstm)`);
  }
  const config: ModelConfig = Object.freeze({
    cell: v.cell as Cell,
    numLayers: v.numLayers,
    hiddenSize: v.hiddenSize,
    dropout: v.dropout,
    vocabSize: v.vocabSize,
    ...(projSize > 0 ? { projSize } : {}),
  });
  const count = parameterCount(config);
  if (count > LIMITS.maxParams) {
    throw new ConfigError(`the model would have ${count} parameters, more than the limit of ${LIMITS.maxParams}`);
  }
  return config;
}
