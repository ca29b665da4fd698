// Size presets: tiny | small | medium | large as partial configs; flags override them (build-config.ts merges).

import type { SizePreset, TrainConfig } from './train-config.js';

/**
 * The base under a size preset or, without one, under the settings chosen from the text and the budget (auto-config.ts
 * sets CHOSEN_SETTINGS); flags override both. Its network, batch, dropout, learning rate and budget are the medium preset.
 * Measured on tinyshakespeare (README, "Measured"): Adam at 4e-3 with cosine decay and no warm-up learns much faster
 * than the usual 2e-3 held constant, and dropout 0.1 pays off for 2 × 256 once training passes a few epochs.
 */
export const DEFAULTS: TrainConfig = {
  model: { cell: 'lstm', numLayers: 2, hiddenSize: 256, dropout: 0.1, projSize: 0 },
  forgetBias: 1,
  bpttLength: 64,
  batchSize: 32,
  optimizer: { kind: 'adam', momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, alpha: 0.99 },
  learningRate: 4e-3,
  schedule: { kind: 'cosine', warmupSteps: 0, decayEvery: 1000, decayFactor: 0.5, minLrFraction: 0.1 },
  gradClip: 5,
  budget: { steps: 6000, epochs: null, timeSeconds: null },
  valFrac: 0.1,
  evalEvery: 250,
  evalChars: 200_000,
  patience: 0,
  lineMode: false,
  streamResetShare: 0.03,
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
 * tiny: seconds, for trying the tool; small: the quick start (which budgets it to one minute with --time 60);
 * medium (the values of DEFAULTS): eight to nine minutes, 1.50 nats on tinyshakespeare (README); large: under half an hour on
 * two cores for nanoGPT's character-level Shakespeare loss (README, "Quality on two cores"): a GRU, which learnt faster
 * than the LSTM in the time, with more dropout against the overfitting of 15 epochs. Small networks take a higher learning
 * rate (6e-3 measured best for small), the 512-wide one a lower one.
 */
export const PRESETS: Readonly<Record<SizePreset, PresetOverrides>> = {
  tiny: { model: { numLayers: 1, hiddenSize: 64, dropout: 0 }, bpttLength: 32, batchSize: 16, learningRate: 6e-3, budget: { steps: 300 }, evalEvery: 100 },
  small: { model: { numLayers: 2, hiddenSize: 128, dropout: 0 }, bpttLength: 64, batchSize: 32, learningRate: 6e-3, budget: { steps: 2000 }, evalEvery: 250 },
  medium: {},
  large: { model: { cell: 'gru', numLayers: 2, hiddenSize: 512, dropout: 0.3 }, bpttLength: 128, batchSize: 32, learningRate: 3e-3, budget: { steps: 3600 }, evalEvery: 400 },
};
