// Stochastic gradient descent with (heavy-ball) momentum, as PyTorch's torch.optim.SGD:
//   g ← ∇ + λ·θ,   v ← μ·v + g,   θ ← θ − lr·v        (μ = 0: plain SGD, θ ← θ − lr·g)

import type { Floats } from '../tensor/floats.js';
import type { OptimizerSettings } from '../config/train-config.js';
import { restoreState, type Optimizer } from './optimizer.js';

export class Sgd implements Optimizer {
  readonly kind = 'sgd' as const;
  private readonly velocity: Floats;
  private steps = 0;

  constructor(private readonly s: OptimizerSettings, zeros: () => Floats) {
    this.velocity = zeros();
  }

  step(values: Floats, grads: Floats, lr: number): void {
    const { momentum: mu, weightDecay: wd } = this.s;
    const v = this.velocity;
    for (let i = 0; i < values.length; i++) {
      const g = grads[i] + wd * values[i];
      // PyTorch starts the velocity at the first gradient: v is zero before the first step, so μ·0 + g = g either way.
      v[i] = mu * v[i] + g;
      values[i] -= lr * (mu === 0 ? g : v[i]);
    }
    this.steps++;
  }

  stateTensors(): Map<string, Floats> {
    return new Map([['sgd.velocity', this.velocity]]);
  }

  stateScalars(): Record<string, number> {
    return { step: this.steps };
  }

  restore(tensors: ReadonlyMap<string, Floats | { data: Float32Array }>, scalars: Record<string, number>): void {
    this.steps = restoreState(this.stateTensors(), tensors, scalars);
  }
}
