// Adagrad (Duchi et al., 2011), as PyTorch's torch.optim.Adagrad (no learning-rate decay), except that ε is the default
// shared by all our optimizers (1e-8; PyTorch's Adagrad uses 1e-10):
//   g ← ∇ + λ·θ,   s ← s + g²,   θ ← θ − lr · g / (√s + ε)

import type { Floats } from '../tensor/floats.js';
import type { OptimizerSettings } from '../config/train-config.js';
import { restoreState, type Optimizer } from './optimizer.js';

export class Adagrad implements Optimizer {
  readonly kind = 'adagrad' as const;
  private readonly sum: Floats;
  private steps = 0;

  constructor(private readonly s: OptimizerSettings, zeros: () => Floats) {
    this.sum = zeros();
  }

  step(values: Floats, grads: Floats, lr: number): void {
    const { eps, weightDecay } = this.s;
    const sum = this.sum;
    for (let i = 0; i < values.length; i++) {
      const g = grads[i] + weightDecay * values[i];
      sum[i] += g * g;
      values[i] -= (lr * g) / (Math.sqrt(sum[i]) + eps);
    }
    this.steps++;
  }

  stateTensors(): Map<string, Floats> {
    return new Map([['adagrad.sum', this.sum]]);
  }

  stateScalars(): Record<string, number> {
    return { step: this.steps };
  }

  restore(tensors: ReadonlyMap<string, Floats | { data: Float32Array }>, scalars: Record<string, number>): void {
    this.steps = restoreState(this.stateTensors(), tensors, scalars);
  }
}
