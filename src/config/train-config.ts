// Training hyperparameters: one typed, frozen object that flows from the CLI flags to the trainer and into the model file.

import type { Cell } from './model-config.js';

export type OptimizerKind = 'sgd' | 'adam' | 'adamw' | 'rmsprop' | 'adagrad';
export const OPTIMIZERS: readonly OptimizerKind[] = ['adam', 'adamw', 'sgd', 'rmsprop', 'adagrad'];

export type ScheduleKind = 'constant' | 'step' | 'cosine';
export const SCHEDULES: readonly ScheduleKind[] = ['constant', 'step', 'cosine'];

export type SizePreset = 'tiny' | 'small' | 'medium' | 'large';
export const SIZE_PRESETS: readonly SizePreset[] = ['tiny', 'small', 'medium', 'large'];

/** The model's shape as chosen for training; the vocabulary size comes from the corpus. */
export interface ModelShape {
  readonly cell: Cell;
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly dropout: number;
  /** LSTM: project h to this many units (PyTorch's proj_size); absent or 0 for none. */
  readonly projSize?: number;
}

export interface OptimizerSettings {
  readonly kind: OptimizerKind;
  /** SGD momentum. */
  readonly momentum: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Decoupled for AdamW, an L2 term added to the gradient for the others. */
  readonly weightDecay: number;
  /** RMSprop's smoothing constant. */
  readonly alpha: number;
}

export interface ScheduleSettings {
  readonly kind: ScheduleKind;
  readonly warmupSteps: number;
  /** Step decay: multiply the rate by decayFactor every decayEvery steps. */
  readonly decayEvery: number;
  readonly decayFactor: number;
  /** Cosine decay ends at this fraction of the base rate. */
  readonly minLrFraction: number;
}

/** When training stops: whichever budget runs out first. At least one of steps, epochs, timeSeconds is set. */
export interface Budget {
  /** Total optimisation steps of the model's life (a resumed run with the same value ends where an uninterrupted one would). */
  readonly steps: number | null;
  readonly epochs: number | null;
  readonly timeSeconds: number | null;
}

export interface TrainConfig {
  readonly model: ModelShape;
  /** LSTM only: the forget gate's initial bias b_ih_f + b_hh_f (the other weights start as PyTorch's do). */
  readonly forgetBias: number;
  readonly bpttLength: number;
  /** Parallel streams: the text is cut into this many contiguous pieces, one per batch row. */
  readonly batchSize: number;
  readonly optimizer: OptimizerSettings;
  readonly learningRate: number;
  readonly schedule: ScheduleSettings;
  /** Maximum global gradient norm; 0 turns clipping off. */
  readonly gradClip: number;
  readonly budget: Budget;
  /** The last fraction of the text held out for validation. */
  readonly valFrac: number;
  /** Validate (and save) every this many steps. */
  readonly evalEvery: number;
  /** Validation uses at most this many characters of the held-out tail (0 = all of it). */
  readonly evalChars: number;
  /** Stop after this many validations without improvement (0 = never stop early). */
  readonly patience: number;
  readonly lineMode: boolean;
  /**
   * Each stream goes back to the start state before a step with this probability (src/train/stream-resets.ts). Absent
   * in runs saved before it existed, which trained without: 0.
   */
  readonly streamResetShare?: number;
  readonly seed: number;
}
