// The Optimizer interface and the state-restoring step the optimizers share. An optimizer updates the flat parameter
// vector from the flat gradient vector; its state is plain named tensors and scalars, so it can be saved in the model file
// and restored exactly. The factory is in create-optimizer.ts, so that the optimizers never import what imports them.

import type { OptimizerKind } from '../config/train-config.js';
import { ModelFileError } from '../errors.js';
import type { Floats } from '../tensor/floats.js';

export type { OptimizerKind } from '../config/train-config.js';

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
