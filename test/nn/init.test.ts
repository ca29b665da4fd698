// Initialisation (src/nn/init.ts): PyTorch's uniform bounds, the LSTM forget-gate bias, and IRNN for the ReLU RNN.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CharLM } from '../../src/model/char-lm.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';

const k = createReferenceKernels('f64');

describe('initial weights', () => {
  it('LSTM: the effective forget-gate bias b_ih_f + b_hh_f is 1; everything else lies within ±1/√H', () => {
    const H = 16;
    const m = CharLM.create({ cell: 'lstm', numLayers: 2, hiddenSize: H, dropout: 0, vocabSize: 9 }, k, Rng.fromSeed(1));
    for (const l of [0, 1]) {
      const bih = m.params.view(`lstm.bias_ih_l${l}`), bhh = m.params.view(`lstm.bias_hh_l${l}`);
      for (let j = H; j < 2 * H; j++) assert.equal(bih[j] + bhh[j], 1);
      for (const j of [0, 2 * H, 3 * H]) assert.ok(Math.abs(bih[j]) <= 0.25 && bih[j] !== 0);
    }
    const bound = 1 / Math.sqrt(H);
    for (const name of ['lstm.weight_ih_l0', 'lstm.weight_hh_l1', 'decoder.weight', 'decoder.bias']) {
      const v = m.params.view(name);
      assert.ok(v.every((x) => Math.abs(x) <= bound), name);
      assert.ok(Math.max(...v.map(Math.abs)) > 0.8 * bound, `${name} uses the whole range`);
    }
  });

  it('LSTM: the forgetBias option sets the effective forget-gate bias and leaves every other draw as it was', () => {
    const H = 8;
    const config = { cell: 'lstm', numLayers: 1, hiddenSize: H, dropout: 0, vocabSize: 5 } as const;
    const one = CharLM.create(config, k, Rng.fromSeed(3));
    const zero = CharLM.create(config, k, Rng.fromSeed(3), { forgetBias: 0 });
    const bih0 = zero.params.view('lstm.bias_ih_l0'), bhh0 = zero.params.view('lstm.bias_hh_l0');
    for (let j = H; j < 2 * H; j++) assert.equal(bih0[j] + bhh0[j], 0);
    const bih1 = one.params.view('lstm.bias_ih_l0');
    for (const j of [0, H - 1, 2 * H, 4 * H - 1]) assert.equal(bih0[j], bih1[j]);
    assert.deepEqual(zero.params.view('lstm.weight_hh_l0'), one.params.view('lstm.weight_hh_l0'));
  });

  it('rnn-relu: W_hh is the identity, the biases are zero and W_ih is small (IRNN)', () => {
    const H = 6;
    const m = CharLM.create({ cell: 'rnn-relu', numLayers: 1, hiddenSize: H, dropout: 0, vocabSize: 4 }, k, Rng.fromSeed(2));
    const whh = m.params.view('rnn.weight_hh_l0');
    for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) assert.equal(whh[i * H + j], i === j ? 1 : 0);
    assert.ok(m.params.view('rnn.bias_ih_l0').every((x) => x === 0));
    assert.ok(m.params.view('rnn.bias_hh_l0').every((x) => x === 0));
    const wih = m.params.view('rnn.weight_ih_l0');
    assert.ok(wih.every((x) => Math.abs(x) < 0.01) && wih.some((x) => x !== 0));
  });
});
