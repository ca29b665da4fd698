// Adagrad (Duchi et al., 2011), as PyTorch's torch.optim.Adagrad (no learning-rate decay):
//   g ← ∇ + λ·θ,   s ← s + g²,   θ ← θ − lr · g / (√s + ε)

import type { Floats } from '../tensor/floats.js';
import { restoreState, type Optimizer, type ResolvedOptimizerConfig } from './optimizer.js';

export class Adagrad implements Optimizer {
  readonly kind = 'adagrad' as const;
  private readonly sum: Floats;
  private steps = 0;

  constructor(private readonly s: ResolvedOptimizerConfig, zeros: () => Floats) {
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
