import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CHOSEN_SETTINGS, MAX_EPOCHS, chooseTrainSettings, describeChoice, dropoutFor, learningRateFor, roundNice, secondsPerChar, type AutoInput,
} from '../../src/config/auto-config.js';
import { buildTrainConfig, overrideTrainConfig } from '../../src/config/build-config.js';
import { DEFAULTS } from '../../src/config/presets.js';
import type { Budget } from '../../src/config/train-config.js';

const NO_BUDGET: Budget = { steps: null, epochs: null, timeSeconds: null };
const seconds = (s: number): Budget => ({ ...NO_BUDGET, timeSeconds: s });

function input(symbols: number, vocabSize: number, budget: Budget = seconds(180), fixed = {}): AutoInput {
  return { text: { symbols, vocabSize }, cell: 'lstm', valFrac: 0.1, evalChars: 200_000, budget, fixed };
}

const chosen = (i: AutoInput) => overrideTrainConfig(DEFAULTS, chooseTrainSettings(i).overrides);
const weights = (c: { model: { numLayers: number; hiddenSize: number } }) => c.model.numLayers * c.model.hiddenSize ** 2;

describe('chooseTrainSettings', () => {
  it('is deterministic: the same text and budget give the same settings', () => {
    assert.deepEqual(chooseTrainSettings(input(1_115_394, 65)), chooseTrainSettings(input(1_115_394, 65)));
  });

  it('gives a longer budget a network at least as large, and never less dropout', () => {
    let last = chosen(input(1_115_394, 65, seconds(10)));
    for (const s of [30, 60, 180, 600, 1800, 7200, 36_000]) {
      const c = chosen(input(1_115_394, 65, seconds(s)));
      assert.ok(weights(c) >= weights(last), `${s} s: ${c.model.numLayers} × ${c.model.hiddenSize}`);
      assert.ok(c.model.dropout >= last.model.dropout, `${s} s: dropout ${c.model.dropout}`);
      last = c;
    }
    assert.ok(weights(last) > weights(chosen(input(1_115_394, 65, seconds(10)))), 'ten hours buy a larger network than ten seconds');
  });

  it('gives a small text a small network with strong dropout, and batches that leave many steps an epoch', () => {
    const small = chosen(input(10_000, 1_600));
    assert.ok(weights(chosen(input(10_000, 1_600, seconds(3600)))) < weights(chosen(input(1_000_000, 1_600, seconds(3600)))),
      'an hour buys a larger network for a larger text');
    assert.ok(small.model.dropout >= 0.3, `dropout ${small.model.dropout}`);
    assert.ok(small.batchSize * small.bpttLength * 16 <= 9_000);
    assert.ok(small.model.hiddenSize ** 2 * 4 <= 8 * 9_000, 'at most 8 recurrent weights per training character');
  });

  it('counts the cost of a large vocabulary: the same budget buys a network no larger for 3,000 symbols than for 65', () => {
    assert.ok(secondsPerChar('lstm', 1, 256, 3000, 2048) > 3 * secondsPerChar('lstm', 1, 256, 65, 2048));
    assert.ok(secondsPerChar('lstm', 1, 128, 1600, 512) > secondsPerChar('lstm', 1, 128, 1600, 2048), 'small steps cost more a character');
    for (const s of [60, 180, 1800]) {
      assert.ok(weights(chosen(input(2_000_000, 3000, seconds(s)))) <= weights(chosen(input(2_000_000, 65, seconds(s)))));
    }
  });

  it('keeps every value the flags fix, and chooses the rest around them', () => {
    const c = chosen(input(1_115_394, 65, seconds(180), { hiddenSize: 512, batchSize: 8, bpttLength: 100 }));
    assert.equal(c.model.hiddenSize, 512);
    assert.equal(c.batchSize, 8);
    assert.equal(c.bpttLength, 100);
    assert.equal(c.learningRate, learningRateFor(512));
    const layers = chosen(input(1_115_394, 65, seconds(36_000), { numLayers: 1 }));
    assert.equal(layers.model.numLayers, 1);
    assert.ok(chosen(input(1_115_394, 65, seconds(180), { projSize: 300 })).model.hiddenSize > 300);
  });

  it('sets exactly the settings it lists in CHOSEN_SETTINGS (the help text marks those as chosen)', () => {
    const paths = (o: object, at = ''): string[] => Object.entries(o).flatMap(([k, v]) =>
      typeof v === 'object' && v !== null ? paths(v as object, `${at}${k}.`) : [`${at}${k}`]);
    assert.deepEqual(paths(chooseTrainSettings(input(1_115_394, 65, NO_BUDGET)).overrides).sort(), [...CHOSEN_SETTINGS].sort());
  });

  it('sets a budget in steps only when none is given, so a run without one is reproducible', () => {
    const none = chooseTrainSettings(input(1_115_394, 65, NO_BUDGET));
    assert.ok((none.overrides.budget?.steps ?? 0) > 0);
    assert.match(none.reason, /steps \(about \d+ epochs, about 10 min at nominal speed\)$/);
    assert.equal(chooseTrainSettings(input(1_115_394, 65)).overrides.budget?.steps, null);  // a time budget: its epoch cap only
    assert.equal(chooseTrainSettings(input(1_115_394, 65, { ...NO_BUDGET, steps: 300 })).overrides.budget, undefined);
  });

  it('plans epochs and steps budgets from the text and the batch: one epoch needs no dropout', () => {
    const one = chosen(input(1_000_000, 65, { ...NO_BUDGET, epochs: 1 }));
    assert.equal(one.model.dropout, 0);
    assert.equal(chooseTrainSettings(input(1_000_000, 65, { ...NO_BUDGET, epochs: 1 })).plannedEpochs, 1);
    const steps = chosen(input(1_000_000, 65, { ...NO_BUDGET, steps: 100 }));
    assert.ok(steps.evalEvery <= 100 / 5 && steps.evalEvery >= 1);
  });

  it('validates between 5 and 50 times in the budget', () => {
    for (const [symbols, vocab, s] of [[10_000, 1600, 180], [1_115_394, 65, 180], [1_115_394, 65, 36_000], [2e8, 200, 60]]) {
      const choice = chooseTrainSettings(input(symbols!, vocab!, seconds(s!)));
      const validations = choice.plannedSteps / choice.overrides.evalEvery!;
      assert.ok(validations >= 5 / 1.5 && validations <= 50 * 1.5, `${choice.plannedSteps} steps, every ${choice.overrides.evalEvery}`);
    }
  });

  it('makes a trainable config for a text of a few hundred characters', () => {
    const c = chosen(input(300, 20, seconds(5)));
    assert.ok(c.batchSize * c.bpttLength + 1 <= 270, `${c.batchSize} × ${c.bpttLength}`);
  });

  it('says what it chose in one line, with the values the run will use', () => {
    const i = input(1_115_394, 65);
    const config = overrideTrainConfig(buildTrainConfig(undefined, chooseTrainSettings(i).overrides), { model: { dropout: 0.3 } });
    const line = describeChoice(config, chooseTrainSettings(i));
    assert.doesNotMatch(line, /\n/);
    assert.match(line, /^chose \d × \d+ LSTM, batch \d+ × \d+, dropout 0\.3, lr [\d.]+e-\d, validation every \d+ steps for 1\.1 M characters, 65 symbols, 180 s \(about [\d.]+ epochs at nominal speed, at most 30\)$/);
  });
});

describe('the rules behind the choice', () => {
  it('dropout: none for one pass, growing with the passes and with the weights per character, at most 0.5', () => {
    assert.equal(dropoutFor(0.3, 10), 0);
    assert.equal(dropoutFor(1, 10), 0);
    assert.equal(dropoutFor(4, 10), 0.2);
    assert.equal(dropoutFor(1e6, 10), 0.5);
    assert.equal(dropoutFor(1e6, 0.1), 0.1);
    for (let e = 1; e < 1e5; e *= 1.7) assert.ok(dropoutFor(e * 1.7, 1) >= dropoutFor(e, 1));
    for (let w = 0.01; w < 100; w *= 1.7) assert.ok(dropoutFor(30, w * 1.7) >= dropoutFor(30, w));
  });

  it(`a time budget trains a small text for at most ${MAX_EPOCHS} epochs, schedule and all; a steps budget as given`, () => {
    const choice = chooseTrainSettings(input(10_000, 1_600, seconds(180)));
    assert.deepEqual(choice.overrides.budget, { steps: null, epochs: MAX_EPOCHS, timeSeconds: 180 });
    assert.match(choice.reason, new RegExp(`180 s \\(of which ${MAX_EPOCHS} epochs, about \\d+ s at nominal speed, are worth training\\)$`));
    assert.equal(chooseTrainSettings(input(10_000, 1_600, { ...NO_BUDGET, steps: 100_000 })).overrides.budget, undefined);
    assert.equal(chooseTrainSettings(input(10_000, 1_600, NO_BUDGET)).plannedEpochs, MAX_EPOCHS);
    // A large text is capped too, though the nominal speed does not reach the cap: a faster machine might.
    assert.deepEqual(chooseTrainSettings(input(1_115_394, 65, seconds(180))).overrides.budget,
      { steps: null, epochs: MAX_EPOCHS, timeSeconds: 180 });
  });

  it('learning rate: 6e-3 up to 128 units, 4e-3 at 256, 2e-3 at 512, never below 1e-3', () => {
    assert.equal(learningRateFor(64), 6e-3);
    assert.equal(learningRateFor(128), 6e-3);
    assert.equal(learningRateFor(256), 4e-3);
    assert.equal(learningRateFor(512), 2e-3);
    assert.equal(learningRateFor(8192), 1e-3);
  });

  it('intervals round to the nearest of 1, 2, 2.5 or 5 times a power of ten', () => {
    assert.deepEqual([0.3, 1, 3, 7, 24, 140, 175, 260, 999].map(roundNice), [1, 1, 2, 5, 25, 100, 200, 250, 1000]);
  });
});
