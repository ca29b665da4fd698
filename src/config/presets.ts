// Size presets: tiny | small | medium | large as partial configs; flags override them (build-config.ts merges).

import type { SizePreset, TrainConfig } from './train-config.js';

/** Everything not set by a preset or a flag. Chosen to give a good model on a typical corpus without tuning. */
export const DEFAULTS: TrainConfig = {
  model: { cell: 'lstm', numLayers: 2, hiddenSize: 256, dropout: 0 },
  bpttLength: 64,
  batchSize: 32,
  optimizer: { kind: 'adam', momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, alpha: 0.99 },
  learningRate: 2e-3,
  schedule: { kind: 'cosine', warmupSteps: 50, decayEvery: 1000, decayFactor: 0.5, minLrFraction: 0.1 },
  gradClip: 5,
  budget: { steps: 3000, epochs: null, timeSeconds: null },
  valFrac: 0.1,
  evalEvery: 200,
  evalChars: 200_000,
  patience: 0,
  lineMode: false,
  seed: 1,
};

export interface PresetOverrides {
  readonly model?: Partial<TrainConfig['model']>;
  readonly bpttLength?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly budget?: Partial<TrainConfig['budget']>;
  readonly evalEvery?: number;
}

/**
 * tiny: seconds, for trying the tool; small: about a minute on a 2-core machine (the quick start);
 * medium: the configuration that reaches 1.60 nats on tinyshakespeare (see README); large: for long runs.
 */
export const PRESETS: Readonly<Record<SizePreset, PresetOverrides>> = {
  tiny: { model: { numLayers: 1, hiddenSize: 64 }, bpttLength: 32, batchSize: 16, learningRate: 3e-3, budget: { steps: 300 }, evalEvery: 100 },
  small: { model: { numLayers: 2, hiddenSize: 128 }, bpttLength: 64, batchSize: 32, learningRate: 3e-3, budget: { steps: 1000 }, evalEvery: 200 },
  medium: { model: { numLayers: 2, hiddenSize: 256 }, bpttLength: 64, batchSize: 32, learningRate: 2e-3, budget: { steps: 5000 }, evalEvery: 250 },
  large: { model: { numLayers: 2, hiddenSize: 512, dropout: 0.2 }, bpttLength: 128, batchSize: 64, learningRate: 2e-3, budget: { steps: 10000 }, evalEvery: 500 },
};
