// Learning-rate schedules (src/optim/schedule.ts): pure functions of the step.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULTS } from '../../src/config/presets.js';
import { learningRateAt } from '../../src/optim/schedule.js';

const near = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

describe('learningRateAt', () => {
  it('warms up linearly to the base rate, then stays constant', () => {
    const s = { ...DEFAULTS.schedule, kind: 'constant' as const, warmupSteps: 4 };
    assert.deepEqual([0, 1, 2, 3, 4, 1000].map((t) => learningRateAt(2, s, t, 100)), [0.5, 1, 1.5, 2, 2, 2]);
  });

  it('step decay multiplies by decayFactor every decayEvery steps', () => {
    const s = { ...DEFAULTS.schedule, kind: 'step' as const, warmupSteps: 0, decayEvery: 10, decayFactor: 0.5 };
    assert.deepEqual([0, 9, 10, 25].map((t) => learningRateAt(1, s, t, 100)), [1, 1, 0.5, 0.25]);
  });

  it('cosine decays from the base rate after warm-up to minLrFraction of it at the last step', () => {
    const s = { ...DEFAULTS.schedule, kind: 'cosine' as const, warmupSteps: 10, minLrFraction: 0.1 };
    near(learningRateAt(1, s, 10, 110), 1);
    near(learningRateAt(1, s, 60, 110), 0.55);
    near(learningRateAt(1, s, 110, 110), 0.1);
    near(learningRateAt(1, s, 500, 110), 0.1);
    near(learningRateAt(1, s, 60, Number.POSITIVE_INFINITY), 1);
  });

  it('is a pure function: the same step gives the same rate in any order', () => {
    const s = { ...DEFAULTS.schedule, kind: 'cosine' as const, warmupSteps: 3, minLrFraction: 0 };
    const forward = [0, 1, 2, 3, 4, 5, 6].map((t) => learningRateAt(0.01, s, t, 7));
    const backward = [6, 5, 4, 3, 2, 1, 0].map((t) => learningRateAt(0.01, s, t, 7)).reverse();
    assert.deepEqual(forward, backward);
    assert.ok(forward.every((lr, i) => i === 0 || lr !== forward[i - 1] || i === 3));
  });
});
