// RMSprop (Hinton's lecture 6e), as PyTorch's torch.optim.RMSprop without momentum:
//   g ← ∇ + λ·θ,   s ← α·s + (1 − α)·g²,   θ ← θ − lr · g / (√s + ε)

import type { Floats } from '../tensor/floats.js';
import type { OptimizerSettings } from '../config/train-config.js';
import { restoreState, type Optimizer } from './optimizer.js';

export class RmsProp implements Optimizer {
  readonly kind = 'rmsprop' as const;
  private readonly square: Floats;
  private steps = 0;

  constructor(private readonly s: OptimizerSettings, zeros: () => Floats) {
    this.square = zeros();
  }

  step(values: Floats, grads: Floats, lr: number): void {
    const { alpha, eps, weightDecay } = this.s;
    const sq = this.square;
    for (let i = 0; i < values.length; i++) {
      const g = grads[i] + weightDecay * values[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * g * g;
      values[i] -= (lr * g) / (Math.sqrt(sq[i]) + eps);
    }
    this.steps++;
  }

  stateTensors(): Map<string, Floats> {
    return new Map([['rmsprop.square', this.square]]);
  }

  stateScalars(): Record<string, number> {
    return { step: this.steps };
  }

  restore(tensors: ReadonlyMap<string, Floats | { data: Float32Array }>, scalars: Record<string, number>): void {
    this.steps = restoreState(this.stateTensors(), tensors, scalars);
  }
}
