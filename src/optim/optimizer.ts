// The Optimizer interface, its settings, and the factory. An optimizer updates the flat parameter vector from the flat
// gradient vector; its state is plain named tensors and scalars, so it can be saved in the model file and restored exactly.

import type { OptimizerKind } from '../config/train-config.js';
import { ModelFileError } from '../errors.js';
import type { DType, Floats } from '../tensor/floats.js';
import { allocFloats } from '../tensor/floats.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { RmsProp } from './rmsprop.js';
import { Sgd } from './sgd.js';

export type { OptimizerKind } from '../config/train-config.js';

export interface OptimizerConfig {
  readonly kind: OptimizerKind;
  /** SGD momentum (default 0.9; 0 = plain SGD). */
  readonly momentum?: number;
  /** Adam's decay rates of the first and second moment estimates (defaults 0.9 and 0.999). */
  readonly beta1?: number;
  readonly beta2?: number;
  /** Added to the denominator's square root (default 1e-8). */
  readonly eps?: number;
  /** Decoupled (θ ← θ − lr·λ·θ) for AdamW; an L2 term λ·θ added to the gradient for the others. Default 0. */
  readonly weightDecay?: number;
  /** RMSprop's smoothing constant (default 0.99). */
  readonly alpha?: number;
}

/** OptimizerConfig with every default filled in. */
export type ResolvedOptimizerConfig = Required<OptimizerConfig>;

export function optimizerDefaults(config: OptimizerConfig): ResolvedOptimizerConfig {
  return {
    kind: config.kind, momentum: config.momentum ?? 0.9, beta1: config.beta1 ?? 0.9, beta2: config.beta2 ?? 0.999,
    eps: config.eps ?? 1e-8, weightDecay: config.weightDecay ?? 0, alpha: config.alpha ?? 0.99,
  };
}

export interface Optimizer {
  readonly kind: OptimizerKind;
  /** One update of `values` in place from `grads` (both the flat vectors of Parameters) at learning rate lr. */
  step(values: Floats, grads: Floats, lr: number): void;
  /** The per-parameter state by name ("adam.m", "adam.v", ...): the live buffers, not copies. */
  stateTensors(): Map<string, Floats>;
  /** The scalar state, e.g. { step: 12 } (steps taken, for Adam's bias correction). */
  stateScalars(): Record<string, number>;
  /** Puts saved state back; every tensor of stateTensors() must be present with the same length. */
  restore(tensors: ReadonlyMap<string, Floats | { data: Float32Array }>, scalars: Record<string, number>): void;
}

export function createOptimizer(config: OptimizerConfig, paramCount: number, dtype: DType): Optimizer {
  const s = optimizerDefaults(config);
  const zeros = (): Floats => allocFloats(dtype, paramCount);
  switch (s.kind) {
    case 'sgd':
      return new Sgd(s, zeros);
    case 'adam':
    case 'adamw':
      return new Adam(s, zeros);
    case 'rmsprop':
      return new RmsProp(s, zeros);
    case 'adagrad':
      return new Adagrad(s, zeros);
  }
}

/** Shared by the optimizers: copies saved tensors and the step counter back, checking names and lengths. */
export function restoreState(own: Map<string, Floats>, tensors: ReadonlyMap<string, Floats | { data: Float32Array }>,
                             scalars: Record<string, number>): number {
  for (const [name, buffer] of own) {
    const saved = tensors.get(name);
    const data = saved === undefined ? undefined : 'data' in saved ? saved.data : saved;
    if (data === undefined || data.length !== buffer.length) {
      throw new ModelFileError(`the optimizer state "${name}" is missing or has the wrong size`);
    }
    buffer.set(data);
  }
  const step = scalars.step ?? 0;
  if (!Number.isInteger(step) || step < 0) throw new ModelFileError(`the optimizer's step counter is not valid (${step})`);
  return step;
}
