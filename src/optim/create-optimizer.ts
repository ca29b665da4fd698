// The optimizer factory: settings not given come from the one table of defaults (config/presets.ts).

import { DEFAULTS } from '../config/presets.js';
import type { OptimizerSettings } from '../config/train-config.js';
import type { Floats } from '../tensor/floats.js';
import { allocFloats } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import type { Optimizer } from './optimizer.js';
import { RmsProp } from './rmsprop.js';
import { Sgd } from './sgd.js';

/** The optimizer's kind, and any settings that differ from DEFAULTS.optimizer. */
export type OptimizerConfig = Partial<OptimizerSettings> & Pick<OptimizerSettings, 'kind'>;

/** `kernels` run Adam's update; every optimizer's state has their dtype. */
export function createOptimizer(config: OptimizerConfig, paramCount: number, kernels: Pick<Kernels, 'adam' | 'dtype'>): Optimizer {
  const given = Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
  const s: OptimizerSettings = { ...DEFAULTS.optimizer, ...given };
  const zeros = (): Floats => allocFloats(kernels.dtype, paramCount);
  switch (s.kind) {
    case 'sgd':
      return new Sgd(s, zeros);
    case 'adam':
    case 'adamw':
      return new Adam(s, zeros, kernels);
    case 'rmsprop':
      return new RmsProp(s, zeros);
    case 'adagrad':
      return new Adagrad(s, zeros);
  }
}
