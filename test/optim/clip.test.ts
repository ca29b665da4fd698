// Global-norm clipping (src/optim/clip.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clipGlobalNorm } from '../../src/optim/clip.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';

const k = createReferenceKernels('f64');

describe('clipGlobalNorm', () => {
  it('returns the norm before clipping and rescales the whole vector to maxNorm', () => {
    const g = Float64Array.of(3, 4);
    assert.equal(clipGlobalNorm(k, g, 1), 5);
    assert.ok(Math.abs(g[0] - 0.6) < 1e-15 && Math.abs(g[1] - 0.8) < 1e-15);
  });

  it('leaves gradients under the limit, and any gradient when maxNorm is 0 or Infinity', () => {
    for (const maxNorm of [10, 0, Number.POSITIVE_INFINITY]) {
      const g = Float64Array.of(3, 4);
      assert.equal(clipGlobalNorm(k, g, maxNorm), 5);
      assert.deepEqual(Array.from(g), [3, 4]);
    }
  });

  it('reports a NaN norm without touching the gradients', () => {
    const g = Float64Array.of(Number.NaN, 4);
    assert.ok(Number.isNaN(clipGlobalNorm(k, g, 1)));
    assert.equal(g[1], 4);
  });
});
