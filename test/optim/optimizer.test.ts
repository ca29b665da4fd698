// The optimizers (src/optim/): one or two steps of each against numbers worked out by hand, and exact state restore.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ModelFileError } from '../../src/errors.js';
import { createOptimizer, type OptimizerConfig } from '../../src/optim/create-optimizer.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';

const f64 = createReferenceKernels('f64'), f32 = createReferenceKernels('f32');

function run(config: OptimizerConfig, theta: number[], gradients: number[][], lr: number): number[] {
  const opt = createOptimizer(config, theta.length, f64);
  assert.equal(opt.kind, config.kind);
  const values = Float64Array.from(theta);
  for (const g of gradients) opt.step(values, Float64Array.from(g), lr);
  assert.equal(opt.stateScalars().step, gradients.length);
  return Array.from(values);
}

function near(actual: number[], expected: number[]): void {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) < 1e-12, `[${i}] ${a} vs ${expected[i]}`));
}

describe('optimizers, one step at a time', () => {
  it('sgd with momentum 0.9: v = μv + g, θ −= lr·v', () => {
    // step 1: v = [0.5, 1] → θ = [0.95, −2.1]; step 2: v = [0.95, 1.9] → θ = [0.855, −2.29]
    near(run({ kind: 'sgd', momentum: 0.9 }, [1, -2], [[0.5, 1], [0.5, 1]], 0.1), [0.855, -2.29]);
  });

  it('sgd without momentum and with weight decay adds λθ to the gradient', () => {
    // g = 0.5 + 0.1·1 = 0.6 → θ = 1 − 0.1·0.6
    near(run({ kind: 'sgd', momentum: 0, weightDecay: 0.1 }, [1], [[0.5]], 0.1), [0.94]);
  });

  it('adam is bias-corrected: the first step moves each weight by about lr', () => {
    near(run({ kind: 'adam' }, [1, -2], [[0.5, -1]], 0.1), [0.9000000019999999, -1.900000001]);
    near(run({ kind: 'adam' }, [1, -2], [[0.5, -1], [0.25, 0.5]], 0.1), [0.8067820404774622, -1.873366297370903]);
  });

  it('adam adds weight decay to the gradient; adamw shrinks the weights apart from it', () => {
    near(run({ kind: 'adam', weightDecay: 0.01 }, [1], [[0.5]], 0.1), [0.9000000019607843]);
    near(run({ kind: 'adamw', weightDecay: 0.01 }, [1], [[0.5]], 0.1), [0.899000002]); // 1·(1 − 0.1·0.01) − 0.1
  });

  it('rmsprop divides by the root of a running mean of squares', () => {
    near(run({ kind: 'rmsprop' }, [1], [[0.5], [0.5]], 0.01), [0.8291119095494123]);
  });

  it('adagrad divides by the root of the sum of squares', () => {
    near(run({ kind: 'adagrad' }, [1], [[0.5], [0.5]], 0.1), [0.8292893248813452]);
  });
});

describe('optimizer state', () => {
  for (const kind of ['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const) {
    it(`${kind}: restoring saved state continues exactly as an uninterrupted run`, () => {
      const grads = [[0.3, -0.2, 0.1], [0.1, 0.4, -0.5], [-0.2, 0.2, 0.3]].map((g) => Float32Array.from(g));
      const straight = createOptimizer({ kind }, 3, f32);
      const a = Float32Array.of(1, 2, 3);
      for (const g of grads) straight.step(a, g, 0.05);

      const first = createOptimizer({ kind }, 3, f32);
      const b = Float32Array.of(1, 2, 3);
      first.step(b, grads[0], 0.05);
      first.step(b, grads[1], 0.05);
      const saved = new Map([...first.stateTensors()].map(([name, t]) => [name, { data: Float32Array.from(t) }]));
      assert.ok(saved.size > 0);
      const resumed = createOptimizer({ kind }, 3, f32);
      resumed.restore(saved, JSON.parse(JSON.stringify(first.stateScalars())) as Record<string, number>);
      resumed.step(b, grads[2], 0.05);
      assert.deepEqual(b, a);
    });
  }

  it('restore refuses state with a missing or wrongly sized tensor', () => {
    const opt = createOptimizer({ kind: 'adam' }, 3, f64);
    assert.throws(() => opt.restore(new Map(), { step: 1 }), ModelFileError);
    assert.throws(() => opt.restore(new Map([['adam.m', new Float64Array(3)], ['adam.v', new Float64Array(2)]]), { step: 1 }),
      /adam\.v/);
  });
});
