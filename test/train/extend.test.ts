// Extending a finished run: the learning-rate schedule is planned over the new budget, so from where the model stands
// it follows the schedule of a run given that budget from the start (README, "Extending a run").
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainConfig } from '../../src/config/build-config.js';
import { loadModel } from '../../src/model-file/read.js';
import { learningRateAt } from '../../src/optim/schedule.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import type { TrainEvent } from '../../src/train/events.js';
import { train } from '../../src/train/trainer.js';
import { corpusOf, pseudoEnglish } from '../helpers/tiny-corpus.js';

const corpus = corpusOf(pseudoEnglish(5000));
const config = (steps: number) => buildTrainConfig('tiny', {
  model: { hiddenSize: 16 }, bpttLength: 12, batchSize: 4, evalEvery: 4, evalChars: 200, budget: { steps },
});

describe('extending a finished run', () => {
  it('plans the cosine schedule over the new budget instead of staying at its floor', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-extend-'));
    try {
      const kernels = createReferenceKernels('f32');
      const paths = { modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null };
      const first = await train(config(8), corpus, { kernels, ...paths });
      assert.equal(first.stopReason, 'steps');
      const rates: number[] = [];
      const onEvent = (e: TrainEvent): void => { if (e.kind === 'step') rates.push(e.learningRate); };
      const extended = await train(config(16), corpus, { kernels, ...paths, resume: await loadModel(paths.latestPath), onEvent });
      assert.equal(extended.steps, 16);
      const c = config(16);
      // Steps 9 … 16 (0-based 8 … 15) at the rates of a 16-step run: well above the floor at first, the floor at the end.
      const expected = [8, 9, 10, 11, 12, 13, 14, 15].map((s) => c.learningRate * learningRateAt(1, c.schedule, s, 16));
      assert.deepEqual(rates, expected);
      assert.ok(rates[0]! > 4 * c.learningRate * c.schedule.minLrFraction);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a resumed run whose budget is spent trains and saves nothing and says so in its result', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-extend-'));
    try {
      const kernels = createReferenceKernels('f32');
      const paths = { modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null };
      await train(config(4), corpus, { kernels, ...paths });
      const events: TrainEvent[] = [];
      const again = await train(config(4), corpus, { kernels, ...paths, resume: await loadModel(paths.latestPath),
        onEvent: (e) => events.push(e) });
      assert.equal(again.stopReason, 'nothing-to-do');
      assert.equal(again.steps, 4);
      assert.deepEqual(events, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
