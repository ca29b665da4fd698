// Dropout (src/nn/dropout.ts): inverted masks drawn from the Rng, applied only while training.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CharLM } from '../../src/model/char-lm.js';
import { dropoutBackward, dropoutForward } from '../../src/nn/dropout.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';

const k = createReferenceKernels('f64');

describe('dropout', () => {
  it('keeps each unit with probability 1 − p, scaled by 1/(1 − p), and backward multiplies by the same mask', () => {
    const n = 4000, p = 0.3;
    const x = new Float64Array(n).fill(2), out = new Float64Array(n), mask = new Float64Array(n);
    dropoutForward(k, p, Rng.fromSeed(1), x, 0, out, 0, n, { mask });
    const zeros = out.filter((v) => v === 0).length;
    assert.ok(Math.abs(zeros / n - p) < 0.03, `dropped fraction ${zeros / n}`);
    assert.ok(out.every((v) => v === 0 || Math.abs(v - 2 / 0.7) < 1e-12));
    const dX = new Float64Array(n);
    dropoutBackward(k, new Float64Array(n).fill(1), 0, dX, 0, n, { mask });
    dX.forEach((d, i) => assert.equal(d, out[i] / 2));
  });

  it('changes the model\'s output only when training, and the same rng state gives the same mask', () => {
    const model = CharLM.create({ cell: 'lstm', numLayers: 2, hiddenSize: 8, dropout: 0.5, vocabSize: 6 }, k, Rng.fromSeed(2));
    const ids = Uint16Array.from({ length: 12 }, (_, i) => i % 6);
    const run = (training: boolean, seed: number): number[] =>
      Array.from(model.forward(ids, ids, 4, 3, model.createState(3), { training, rng: Rng.fromSeed(seed) }).logits);
    const evalA = run(false, 1), evalB = run(false, 2);
    assert.deepEqual(evalA, evalB, 'no dropout at inference, whatever the rng');
    const trainA = run(true, 1);
    assert.notDeepEqual(trainA, evalA);
    assert.deepEqual(run(true, 1), trainA);
    assert.notDeepEqual(run(true, 2), trainA);
  });

  it('with p = 0 a training forward equals an inference forward', () => {
    const model = CharLM.create({ cell: 'gru', numLayers: 2, hiddenSize: 8, dropout: 0, vocabSize: 6 }, k, Rng.fromSeed(3));
    const ids = Uint16Array.from({ length: 12 }, (_, i) => (i * 5) % 6);
    const a = Array.from(model.forward(ids, ids, 4, 3, model.createState(3), { training: true }).logits);
    const b = Array.from(model.forward(ids, ids, 4, 3, model.createState(3), { training: false }).logits);
    assert.deepEqual(a, b);
  });
});
