// Parameters (src/model/parameters.ts): one flat block with named views in parameterShapes order.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parameterCount, parameterShapes, type ModelConfig } from '../../src/config/model-config.js';
import { Parameters } from '../../src/model/parameters.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';

describe('Parameters', () => {
  const config: ModelConfig = { cell: 'gru', numLayers: 2, hiddenSize: 3, dropout: 0, vocabSize: 4 };
  const p = Parameters.forConfig(config, createReferenceKernels('f32'));

  it('lays the tensors end to end in parameterShapes order, with views sharing the flat block', () => {
    assert.equal(p.count, parameterCount(config));
    assert.deepEqual(p.specs.map((s) => s.name), parameterShapes(config).map((s) => s.name));
    assert.equal(p.specs[1].offset, 9 * 4);
    p.view('gru.weight_hh_l0')[2] = 7;
    assert.equal(p.values[p.specs[1].offset + 2], 7);
    p.gradView('decoder.bias')[3] = 5;
    assert.equal(p.grads[p.count - 1], 5);
    assert.equal(p.view('decoder.weight').length, 12);
  });

  it('zeroGrads clears every gradient and leaves the values', () => {
    p.grads.fill(3);
    p.zeroGrads();
    assert.ok(p.grads.every((g) => g === 0));
    assert.equal(p.values[p.specs[1].offset + 2], 7);
  });

  it('an unknown name throws', () => {
    assert.throws(() => p.view('lstm.weight_ih_l0'), /no parameter named/);
  });
});
