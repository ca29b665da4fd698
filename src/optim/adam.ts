// Adam (Kingma & Ba, 2015) with bias correction, and AdamW (Loshchilov & Hutter, 2019), as PyTorch's torch.optim.Adam/AdamW:
//   adam:  g ← ∇ + λ·θ              adamw: θ ← θ − lr·λ·θ (decoupled), g ← ∇
//   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²,   t ← t + 1
//   θ ← θ − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)

import type { Floats } from '../tensor/floats.js';
import type { OptimizerSettings } from '../config/train-config.js';
import { restoreState, type Optimizer } from './optimizer.js';

export class Adam implements Optimizer {
  readonly kind: 'adam' | 'adamw';
  private readonly m: Floats;
  private readonly v: Floats;
  private t = 0;

  constructor(private readonly s: OptimizerSettings, zeros: () => Floats) {
    this.kind = s.kind === 'adamw' ? 'adamw' : 'adam';
    this.m = zeros();
    this.v = zeros();
  }

  step(values: Floats, grads: Floats, lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.s;
    const decoupled = this.kind === 'adamw';
    const l2 = decoupled ? 0 : weightDecay;
    const shrink = decoupled ? 1 - lr * weightDecay : 1;
    this.t++;
    const correction1 = 1 - beta1 ** this.t;
    const correction2 = 1 - beta2 ** this.t;
    const { m, v } = this;
    for (let i = 0; i < values.length; i++) {
      const g = grads[i] + l2 * values[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      values[i] = values[i] * shrink - lr * (m[i] / correction1) / (Math.sqrt(v[i] / correction2) + eps);
    }
  }

  stateTensors(): Map<string, Floats> {
    return new Map([['adam.m', this.m], ['adam.v', this.v]]);
  }

  stateScalars(): Record<string, number> {
    return { step: this.t };
  }

  restore(tensors: ReadonlyMap<string, Floats | { data: Float32Array }>, scalars: Record<string, number>): void {
    this.t = restoreState(this.stateTensors(), tensors, scalars);
  }
}
