// The model's hyperparameters (what the model file stores as "config") and the parameter tensors they imply.
// Names and shapes follow PyTorch's nn.LSTM / nn.GRU / nn.RNN and nn.Linear so models can move to and from PyTorch.

import { ConfigError } from '../errors.js';

export type Cell = 'lstm' | 'gru' | 'rnn' | 'rnn-relu';
export const CELLS: readonly Cell[] = ['lstm', 'gru', 'rnn', 'rnn-relu'];

export interface ModelConfig {
  readonly cell: Cell;
  readonly numLayers: number;
  readonly hiddenSize: number;
  /** Dropout probability between stacked layers (and before the decoder), applied while training only. */
  readonly dropout: number;
  /** Symbols in the vocabulary, including line mode's reserved start and end symbols. */
  readonly vocabSize: number;
}

export const LIMITS = {
  maxLayers: 16,
  maxHiddenSize: 8192,
  maxVocabSize: 1_114_114, // every Unicode code point plus two reserved symbols
  maxParams: 1_000_000_000,
} as const;

/** Rows of the stacked gate matrices per hidden unit: LSTM i,f,g,o; GRU r,z,n; RNN one. */
export function gateCount(cell: Cell): number {
  switch (cell) {
    case 'lstm':
      return 4;
    case 'gru':
      return 3;
    case 'rnn':
    case 'rnn-relu':
      return 1;
  }
}

/** The PyTorch module name of the recurrent stack: "lstm.weight_ih_l0", "gru.…", "rnn.…". */
export function recurrentModuleName(cell: Cell): string {
  switch (cell) {
    case 'lstm':
      return 'lstm';
    case 'gru':
      return 'gru';
    case 'rnn':
    case 'rnn-relu':
      return 'rnn';
  }
}

export interface ParameterSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/**
 * Every parameter tensor, in storage order, with its PyTorch name and shape. Layer 0's input is the one-hot vector, so its
 * input size is the vocabulary size. The output layer is an nn.Linear named "decoder".
 */
export function parameterShapes(config: ModelConfig): ParameterSpec[] {
  const G = gateCount(config.cell) * config.hiddenSize;
  const H = config.hiddenSize;
  const prefix = recurrentModuleName(config.cell);
  const specs: ParameterSpec[] = [];
  for (let l = 0; l < config.numLayers; l++) {
    const D = l === 0 ? config.vocabSize : H;
    specs.push({ name: `${prefix}.weight_ih_l${l}`, shape: [G, D] });
    specs.push({ name: `${prefix}.weight_hh_l${l}`, shape: [G, H] });
    specs.push({ name: `${prefix}.bias_ih_l${l}`, shape: [G] });
    specs.push({ name: `${prefix}.bias_hh_l${l}`, shape: [G] });
  }
  specs.push({ name: 'decoder.weight', shape: [config.vocabSize, H] });
  specs.push({ name: 'decoder.bias', shape: [config.vocabSize] });
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
  const config: ModelConfig = Object.freeze({
    cell: v.cell as Cell,
    numLayers: v.numLayers,
    hiddenSize: v.hiddenSize,
    dropout: v.dropout,
    vocabSize: v.vocabSize,
  });
  const count = parameterCount(config);
  if (count > LIMITS.maxParams) {
    throw new ConfigError(`the model would have ${count} parameters, more than the limit of ${LIMITS.maxParams}`);
  }
  return config;
}
