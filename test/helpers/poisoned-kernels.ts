// Kernels that make chosen training steps diverge: the gradient of the n-th backward pass (1-based) becomes NaN.
// Only training runs a backward pass (the loss kernel's gradient output is given), so validation is left alone.

import type { Kernels } from '../../src/tensor/kernels.js';

export function poisonTrainingGradient(base: Kernels, poison: (backward: number) => boolean): Kernels {
  let backwards = 0;
  return new Proxy(base, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== 'softmaxCrossEntropy' || typeof value !== 'function') return value;
      return (...args: Parameters<Kernels['softmaxCrossEntropy']>): number => {
        const result = (value as Kernels['softmaxCrossEntropy']).apply(target, args);
        const [, , rows, V, , , dLogits, dOff] = args;
        if (dLogits !== null && poison(++backwards)) dLogits.fill(Number.NaN, dOff, dOff + rows * V);
        return result;
      };
    },
  });
}
