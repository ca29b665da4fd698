import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrainConfig } from '../../src/config/build-config.js';
import { DEFAULTS, PRESETS } from '../../src/config/presets.js';
import { ConfigError } from '../../src/errors.js';

describe('buildTrainConfig', () => {
  it('returns the defaults when nothing is given', () => {
    assert.deepEqual(buildTrainConfig(undefined), DEFAULTS);
  });

  it('applies a preset and lets flags override it', () => {
    const c = buildTrainConfig('tiny', { model: { hiddenSize: 48 }, seed: 9 });
    assert.equal(c.model.hiddenSize, 48);
    assert.equal(c.model.numLayers, PRESETS.tiny.model?.numLayers);
    assert.equal(c.bpttLength, PRESETS.tiny.bpttLength);
    assert.equal(c.seed, 9);
    assert.equal(c.model.cell, 'lstm');
  });

  it('treats undefined flags as not given', () => {
    const c = buildTrainConfig('small', { model: { hiddenSize: undefined }, learningRate: undefined });
    assert.equal(c.model.hiddenSize, PRESETS.small.model?.hiddenSize);
    assert.equal(c.learningRate, PRESETS.small.learningRate);
  });

  it('replaces the whole budget when any budget flag is given', () => {
    const c = buildTrainConfig('small', { budget: { timeSeconds: 60 } });
    assert.deepEqual(c.budget, { steps: null, epochs: null, timeSeconds: 60 });
    const d = buildTrainConfig('small', { budget: { steps: 10, epochs: 2 } });
    assert.deepEqual(d.budget, { steps: 10, epochs: 2, timeSeconds: null });
  });

  it('returns a frozen object and leaves the defaults untouched', () => {
    const c = buildTrainConfig('large');
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.model));
    assert.equal(DEFAULTS.model.hiddenSize, 256);
    assert.throws(() => { (c as { seed: number }).seed = 3; }, TypeError);
  });

  const bad: [string, Parameters<typeof buildTrainConfig>[1], RegExp][] = [
    ['zero layers', { model: { numLayers: 0 } }, /layers/],
    ['a fractional hidden size', { model: { hiddenSize: 2.5 } }, /hidden size/],
    ['dropout of 1', { model: { dropout: 1 } }, /dropout/],
    ['a negative clip', { gradClip: -1 }, /clip/],
    ['validation fraction 1', { valFrac: 1 }, /validation fraction/],
    ['an unknown optimizer', { optimizer: { kind: 'lion' as never } }, /optimizer/],
    ['a huge learning rate', { learningRate: 1e9 }, /learning rate/],
    ['a forget bias of 50', { forgetBias: 50 }, /forget bias/],
  ];
  for (const [what, overrides, message] of bad) {
    it(`rejects ${what} with a ConfigError`, () => {
      assert.throws(() => buildTrainConfig(undefined, overrides), (e: unknown) => e instanceof ConfigError && message.test(e.message));
    });
  }
});
