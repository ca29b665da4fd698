// A time budget (--time): the cosine schedule is fitted to the deadline from the run's own pace, so the learning rate
// is mid-way down at mid-time and near its floor at the end, whatever the speed of the machine. The run's clock is
// simulated (each step takes 10 ms, the first 20 steps 20 ms, like a JIT warming up), so the test does not depend on
// the machine's load.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainConfig } from '../../src/config/build-config.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { train } from '../../src/train/trainer.js';
import { corpusOf, pseudoEnglish } from '../helpers/tiny-corpus.js';

/** Trains a tiny model on the simulated clock; returns each step's time and rate, and why the run stopped. */
async function run(budget: { steps?: number; timeSeconds?: number }, baseLr: number) {
  const dir = mkdtempSync(join(tmpdir(), 'charlm-time-'));
  try {
    const config = buildTrainConfig('tiny', {
      model: { hiddenSize: 16, numLayers: 1 }, bpttLength: 12, batchSize: 4, evalEvery: 40, evalChars: 300,
      learningRate: baseLr, schedule: { kind: 'cosine', warmupSteps: 0, minLrFraction: 0.1 }, budget,
    });
    const steps: { elapsedMs: number; learningRate: number }[] = [];
    let simulatedMs = 0;
    const result = await train(config, corpusOf(pseudoEnglish(20_000)), {
      kernels: createReferenceKernels('f32'), modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'),
      logPath: null, monotonicMs: () => simulatedMs,
      onEvent: (e) => {
        if (e.kind !== 'step') return;
        steps.push(e);
        simulatedMs += e.step <= 20 ? 20 : 10;
      },
    });
    return { steps, stopReason: result.stopReason };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('time budget', () => {
  it('fits the cosine schedule to the deadline: the rate is half-way down at mid-time and near its floor at the end', async () => {
    const baseLr = 0.01;
    const { steps, stopReason } = await run({ timeSeconds: 2 }, baseLr);
    assert.equal(stopReason, 'time');
    // 20 slow steps (0.4 s) and then 160 of 10 ms: the deadline falls after step 180. A schedule sized from the first
    // 20 steps alone would plan 100 steps and be at 19 % of the base rate by mid-time (step 80).
    assert.equal(steps.length, 180);
    const end = steps[steps.length - 1]!;
    const mid = steps.reduce((a, b) => (Math.abs(b.elapsedMs - end.elapsedMs / 2) < Math.abs(a.elapsedMs - end.elapsedMs / 2) ? b : a));
    // Cosine from 1 to 0.1 of the base rate: 0.55 at mid-time, 0.1 at the deadline. The bounds leave room for a
    // machine whose pace changes during the run; a schedule sized from the first steps alone ends far too early.
    assert.ok(mid.learningRate > 0.3 * baseLr && mid.learningRate < 0.8 * baseLr, `mid-time rate ${mid.learningRate}`);
    assert.ok(end.learningRate < 0.25 * baseLr, `final rate ${end.learningRate}`);
  });

  it('with a step limit too, the schedule ends at whichever the pace says comes first', async () => {
    const baseLr = 0.01;
    // The deadline first (180 steps of 1,000): the rate still comes down by the end, as with the time alone.
    const early = await run({ steps: 1000, timeSeconds: 2 }, baseLr);
    assert.equal(early.stopReason, 'time');
    assert.ok(early.steps.at(-1)!.learningRate < 0.25 * baseLr, `final rate ${early.steps.at(-1)!.learningRate}`);
    // The steps first, with time to spare: exactly the schedule of the steps alone.
    const [spare, alone] = [await run({ steps: 100, timeSeconds: 60 }, baseLr), await run({ steps: 100 }, baseLr)];
    assert.equal(spare.stopReason, 'steps');
    assert.deepEqual(spare.steps.map((s) => s.learningRate), alone.steps.map((s) => s.learningRate));
  });
});
