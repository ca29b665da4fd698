// The parameter list a config implies (src/config/model-config.ts, from the cell types): PyTorch's names, order and shapes,
// with and without the LSTM's projection, and the checks on projSize.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parameterShapes, validateModelConfig } from '../../src/config/model-config.js';
import { ConfigError } from '../../src/errors.js';

const base = { cell: 'lstm', numLayers: 2, hiddenSize: 8, dropout: 0, vocabSize: 5 } as const;
const listing = (config: Parameters<typeof validateModelConfig>[0]): string[] =>
  parameterShapes(validateModelConfig(config)).map((s) => `${s.name} [${s.shape.join(',')}]`);

describe('parameterShapes', () => {
  it('an LSTM with proj_size 3 has nn.LSTM(5, 8, 2, proj_size=3)\'s tensors in its order, then the decoder on 3 units', () => {
    assert.deepEqual(listing({ ...base, projSize: 3 }), [
      'lstm.weight_ih_l0 [32,5]', 'lstm.weight_hh_l0 [32,3]', 'lstm.bias_ih_l0 [32]', 'lstm.bias_hh_l0 [32]', 'lstm.weight_hr_l0 [3,8]',
      'lstm.weight_ih_l1 [32,3]', 'lstm.weight_hh_l1 [32,3]', 'lstm.bias_ih_l1 [32]', 'lstm.bias_hh_l1 [32]', 'lstm.weight_hr_l1 [3,8]',
      'decoder.weight [5,3]', 'decoder.bias [5]',
    ]);
  });

  it('without a projection the config has no projSize and the tensors are nn.GRU\'s', () => {
    const config = validateModelConfig({ ...base, cell: 'gru', projSize: 0 });
    assert.equal('projSize' in config, false, 'a model file of a model without projection stays as it was');
    assert.deepEqual(listing(config).slice(0, 4), ['gru.weight_ih_l0 [24,5]', 'gru.weight_hh_l0 [24,8]', 'gru.bias_ih_l0 [24]', 'gru.bias_hh_l0 [24]']);
  });

  it('refuses a projection on a cell that cannot project, and one not smaller than the hidden size', () => {
    assert.throws(() => validateModelConfig({ ...base, cell: 'gru', projSize: 3 }), ConfigError);
    assert.throws(() => validateModelConfig({ ...base, projSize: 8 }), ConfigError);
    assert.throws(() => validateModelConfig({ ...base, projSize: 2.5 }), ConfigError);
  });
});
