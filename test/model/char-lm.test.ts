// CharLM: whole-model gradient checks, the loss at initialisation, overfitting a tiny text, carried state (TBPTT), float32
// against float64, decoding steps against the teacher-forced forward, weights round trip, and misuse that must throw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gradCheck } from '../../src/check/gradcheck.js';
import { CELLS, type Cell, type ModelConfig } from '../../src/config/model-config.js';
import { CharlmError, ModelFileError } from '../../src/errors.js';
import { CharLM } from '../../src/model/char-lm.js';
import { clipGlobalNorm } from '../../src/optim/clip.js';
import { createOptimizer } from '../../src/optim/create-optimizer.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { assertGradCheckPassed, assertGradientMatches } from '../helpers/gradcheck.js';

const f64 = createReferenceKernels('f64');
const f32 = createReferenceKernels('f32');

function config(cell: Cell, numLayers = 2, hiddenSize = 5, vocabSize = 7, dropout = 0): ModelConfig {
  return { cell, numLayers, hiddenSize, vocabSize, dropout };
}

function randomIds(n: number, V: number, seed: number): Uint16Array {
  const rng = Rng.fromSeed(seed);
  return Uint16Array.from({ length: n }, () => rng.int(V));
}

describe('CharLM gradients', () => {
  for (const cell of CELLS) {
    for (const numLayers of [1, 2]) {
      for (const carriedState of [false, true]) {
        it(`${cell}, ${numLayers} layer(s), ${carriedState ? 'random carried-in' : 'zero'} state: every parameter element ` +
           'matches finite differences (W_hh is used at every step)', () => {
          const result = gradCheck({ cell, numLayers, hiddenSize: 4, vocabSize: 5, T: 4, B: 2, seed: 3, carriedState });
          assertGradCheckPassed(result);
          assert.equal(result.results.length, 4 * numLayers + 2);
          assert.ok(result.results.every((r) => r.skipped === 0), 'no element was skipped at a ReLU kink');
        });
      }
    }
  }

  for (const numLayers of [1, 2]) {
    it(`lstm projected to 2 of 4 units (proj_size), ${numLayers} layer(s): every parameter element, weight_hr included, ` +
       'matches finite differences', () => {
      const result = gradCheck({ cell: 'lstm', numLayers, hiddenSize: 4, projSize: 2, vocabSize: 5, T: 4, B: 2, seed: 4 });
      assertGradCheckPassed(result);
      assert.equal(result.results.length, 5 * numLayers + 2);
      assert.ok(result.results.some((r) => r.name === `lstm.weight_hr_l${numLayers - 1}`));
    });
  }

  it('with dropout on, backward is the gradient of the loss under the same mask', () => {
    const model = CharLM.create(config('lstm', 2, 4, 5, 0.4), f64, Rng.fromSeed(1));
    const T = 3, B = 2;
    const inputs = randomIds(T * B, 5, 1), targets = randomIds(T * B, 5, 2);
    const state = model.createState(B);
    const maskSeed = Rng.fromSeed(99).state();
    const run = () => { state.reset(); return model.forward(inputs, targets, T, B, state, { training: true, rng: Rng.fromState(maskSeed) }); };
    model.params.zeroGrads();
    model.backward(run());
    const analytic = model.params.grads.slice();
    assertGradientMatches('params', () => run().lossNats, model.params.values, analytic);
  });
});

describe('CharLM forward', () => {
  it('an untrained model scores about ln V nats per character', () => {
    const V = 50;
    const model = CharLM.create(config('lstm', 2, 32, V), f32, Rng.fromSeed(4));
    const T = 20, B = 4;
    const pass = model.forward(randomIds(T * B, V, 1), randomIds(T * B, V, 2), T, B, model.createState(B), { training: false });
    assert.ok(Math.abs(pass.lossNats - Math.log(V)) < 0.1, `loss ${pass.lossNats} vs ln V = ${Math.log(V)}`);
  });

  it('a small LSTM with Adam overfits a 200-character text to below 0.05 nats per character', () => {
    const text = "Shall I compare thee to a summer's day? Thou art more lovely and more temperate: rough winds do shake the " +
      "darling buds of May, and summer's lease hath all too short a date; sometime too hot the eye of heaven shines.";
    const chars = [...new Set(text.slice(0, 200))].sort();
    const ids = Uint16Array.from([...text.slice(0, 200)].map((c) => chars.indexOf(c)));
    const model = CharLM.create(config('lstm', 1, 32, chars.length), f32, Rng.fromSeed(1));
    const optimizer = createOptimizer({ kind: 'adam' }, model.params.count, f32);
    const T = ids.length - 1;
    const state = model.createState(1);
    let loss = Infinity;
    for (let step = 0; step < 400 && loss >= 0.05; step++) {
      state.reset();
      model.params.zeroGrads();
      const pass = model.forward(ids.subarray(0, T), ids.subarray(1), T, 1, state, { training: true });
      model.backward(pass);
      clipGlobalNorm(f32, model.params.grads, 5);
      optimizer.step(model.params.values, model.params.grads, 0.03);
      loss = pass.lossNats;
    }
    assert.ok(loss < 0.05, `loss after training: ${loss}`);
  });

  for (const cell of CELLS) {
    it(`${cell}: two chunks with carried state give the same logits and final state as one long forward`, () => {
      const model = CharLM.create(config(cell), f64, Rng.fromSeed(5));
      const T = 6, B = 3, V = 7;
      const inputs = randomIds(T * B, V, 1), targets = randomIds(T * B, V, 2);
      const whole = model.createState(B);
      const long = model.forward(inputs, targets, T, B, whole, { training: false }).logits.slice();
      const chunked = model.createState(B);
      const first = model.forward(inputs.subarray(0, 3 * B), targets.subarray(0, 3 * B), 3, B, chunked, { training: false }).logits.slice();
      const second = model.forward(inputs.subarray(3 * B), targets.subarray(3 * B), 3, B, chunked, { training: false }).logits;
      const both = [...first, ...second];
      long.forEach((x, i) => assert.ok(Math.abs(x - both[i]) < 1e-12, `logit ${i}: ${x} vs ${both[i]}`));
      whole.layers.forEach((l, i) => assert.deepEqual(Array.from(l.h), Array.from(chunked.layers[i].h)));
    });

    it(`${cell}: step() gives the same logits as the teacher-forced forward`, () => {
      const model = CharLM.create(config(cell), f64, Rng.fromSeed(6));
      const T = 5, B = 2, V = 7;
      const inputs = randomIds(T * B, V, 3);
      const pass = model.forward(inputs, inputs, T, B, model.createState(B), { training: false });
      const state = model.createState(B);
      const logits = new Float64Array(B * V);
      for (let t = 0; t < T; t++) {
        model.step(inputs.subarray(t * B, (t + 1) * B), state, logits);
        logits.forEach((x, i) => assert.ok(Math.abs(x - pass.logits[t * B * V + i]) < 1e-12, `t=${t} logit ${i}`));
      }
    });
  }

  it('float32 and float64 kernels agree on the same weights', () => {
    const m64 = CharLM.create(config('gru', 2, 16, 11), f64, Rng.fromSeed(7));
    const m32 = CharLM.fromWeights(m64.config, f32, m64.exportWeights());
    const m64b = CharLM.fromWeights(m64.config, f64, m64.exportWeights()); // the same float32-rounded weights
    const T = 8, B = 3;
    const inputs = randomIds(T * B, 11, 1), targets = randomIds(T * B, 11, 2);
    const a = m32.forward(inputs, targets, T, B, m32.createState(B), { training: false });
    const b = m64b.forward(inputs, targets, T, B, m64b.createState(B), { training: false });
    assert.ok(Math.abs(a.lossNats - b.lossNats) < 1e-5, `${a.lossNats} vs ${b.lossNats}`);
    a.logits.forEach((x, i) => assert.ok(Math.abs(x - b.logits[i]) < 1e-5, `logit ${i}`));
  });

  it('exposes gates, cells and hidden states, with slot 0 the carried-in state', () => {
    const model = CharLM.create(config('lstm', 2, 4, 5), f64, Rng.fromSeed(8));
    const state = model.createState(2);
    state.layers[0].h.fill(0.25);
    const pass = model.forward(randomIds(6, 5, 1), randomIds(6, 5, 2), 3, 2, state, { training: false });
    assert.equal(pass.layers.length, 2);
    const l0 = pass.layers[0];
    assert.equal(l0.gates!.length, 3 * 2 * 16);
    assert.ok(l0.gates!.every((g) => g > -1 && g < 1));
    assert.deepEqual(Array.from(l0.hiddens.subarray(0, 8)), new Array(8).fill(0.25));
    assert.deepEqual(Array.from(l0.hiddens.subarray(3 * 8)), Array.from(state.layers[0].h), 'the final h is the state out');
    assert.equal(pass.logits.length, 3 * 2 * 5);
  });
});

describe('CharLM buffers and misuse', () => {
  it('backward throws for a stale pass and works for the latest one; step() does not make a pass stale', () => {
    const model = CharLM.create(config('rnn'), f64, Rng.fromSeed(9));
    const ids = randomIds(6, 7, 1);
    const state = model.createState(2);
    const first = model.forward(ids, ids, 3, 2, state, { training: true });
    const second = model.forward(ids, ids, 3, 2, state, { training: true });
    assert.throws(() => model.backward(first), CharlmError);
    model.step(ids.subarray(0, 2), model.createState(2), new Float64Array(14));
    assert.doesNotThrow(() => model.backward(second));
    assert.ok(model.params.grads.some((g) => g !== 0));
  });

  it('reuses its buffers for the same chunk size', () => {
    const model = CharLM.create(config('lstm'), f32, Rng.fromSeed(10));
    const ids = randomIds(8, 7, 1);
    const a = model.forward(ids, ids, 4, 2, model.createState(2), { training: false });
    const b = model.forward(ids, ids, 4, 2, model.createState(2), { training: false });
    assert.equal(a.logits, b.logits);
    assert.equal(a.layers[1].hiddens, b.layers[1].hiddens);
  });

  it('rejects ids outside the vocabulary, a state of the wrong size, and dropout training without an rng', () => {
    const model = CharLM.create(config('gru', 1, 4, 5, 0.5), f64, Rng.fromSeed(11));
    const ids = randomIds(4, 5, 1);
    assert.throws(() => model.forward(Uint16Array.of(0, 5, 1, 2), ids, 2, 2, model.createState(2), { training: false }), /outside the vocabulary/);
    assert.throws(() => model.forward(ids, ids, 2, 2, model.createState(3), { training: false }), CharlmError);
    assert.throws(() => model.forward(ids, ids, 2, 2, model.createState(2), { training: true }), /needs an rng/);
  });
});

describe('CharLM weights', () => {
  it('the same seed gives the same weights and another seed different ones', () => {
    const a = CharLM.create(config('lstm'), f32, Rng.fromSeed(12));
    const b = CharLM.create(config('lstm'), f32, Rng.fromSeed(12));
    const c = CharLM.create(config('lstm'), f32, Rng.fromSeed(13));
    assert.deepEqual(a.params.values, b.params.values);
    assert.notDeepEqual(a.params.values, c.params.values);
  });

  it('fromWeights(exportWeights()) round-trips every tensor in parameterShapes order', () => {
    const a = CharLM.create(config('rnn-relu'), f32, Rng.fromSeed(14));
    const exported = a.exportWeights();
    assert.deepEqual([...exported.keys()], a.params.specs.map((s) => s.name));
    assert.deepEqual(exported.get('rnn.weight_ih_l0')!.shape, [5, 7]);
    const b = CharLM.fromWeights(a.config, f32, exported);
    assert.deepEqual(b.params.values, a.params.values);
  });

  it('fromWeights refuses a missing tensor, a wrong shape and an unexpected name', () => {
    const a = CharLM.create(config('lstm', 1), f32, Rng.fromSeed(15));
    const missing = a.exportWeights();
    missing.delete('decoder.bias');
    assert.throws(() => CharLM.fromWeights(a.config, f32, missing), (e) => e instanceof ModelFileError && /decoder\.bias/.test(e.message));
    const wrong = a.exportWeights();
    wrong.set('lstm.weight_hh_l0', { shape: [5, 20], data: new Float32Array(100) });
    assert.throws(() => CharLM.fromWeights(a.config, f32, wrong), /shape \[5, 20\]/);
    const extra = a.exportWeights();
    extra.set('lstm.weight_ih_l1', { shape: [1], data: new Float32Array(1) });
    assert.throws(() => CharLM.fromWeights(a.config, f32, extra), ModelFileError);
  });
});
