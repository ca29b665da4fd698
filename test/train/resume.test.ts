import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainConfig } from '../../src/config/build-config.js';
import type { TrainConfig } from '../../src/config/train-config.js';
import { loadModel } from '../../src/model-file/read.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { train, type TrainOptions } from '../../src/train/trainer.js';
import { corpusOf, pseudoEnglish } from '../helpers/tiny-corpus.js';

const corpus = corpusOf(pseudoEnglish(6000));

function config(steps: number, dropout = 0.1): TrainConfig {
  return buildTrainConfig('tiny', {
    model: { hiddenSize: 24, numLayers: 2, dropout },
    bpttLength: 16, batchSize: 4, evalEvery: 5, evalChars: 400, seed: 11, budget: { steps },
  });
}

function paths(dir: string, name: string): Pick<TrainOptions, 'modelPath' | 'latestPath' | 'logPath'> {
  return { modelPath: join(dir, `${name}.json`), latestPath: join(dir, `${name}.latest.json`), logPath: join(dir, `${name}.log.jsonl`) };
}

async function weightsOf(path: string): Promise<Map<string, Float32Array>> {
  const saved = await loadModel(path);
  return new Map([...saved.weights].map(([k, t]) => [k, t.data]));
}

describe('resume', () => {
  it('an interrupted and resumed run ends with the same weights, bit for bit, as an uninterrupted run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-resume-'));
    try {
      const kernels = createReferenceKernels('f32');
      const full = await train(config(23), corpus, { kernels, ...paths(dir, 'full') });
      assert.equal(full.steps, 23);
      assert.equal(full.stopReason, 'steps');

      // Stop after step 12 (between validations), as Ctrl-C would.
      const controller = new AbortController();
      const first = await train(config(23), corpus, {
        kernels, ...paths(dir, 'cut'), signal: controller.signal,
        onEvent: (e) => { if (e.kind === 'step' && e.step === 12) controller.abort(); },
      });
      assert.equal(first.stopReason, 'interrupted');
      assert.equal(first.steps, 12);

      const saved = await loadModel(join(dir, 'cut.latest.json'));
      const second = await train(config(23), corpus, { kernels, ...paths(dir, 'cut'), resume: saved });
      assert.equal(second.steps, 23);

      const a = await weightsOf(join(dir, 'full.latest.json'));
      const b = await weightsOf(join(dir, 'cut.latest.json'));
      assert.deepEqual([...a.keys()], [...b.keys()]);
      for (const [name, data] of a) {
        assert.deepEqual(Buffer.from(b.get(name)!.buffer), Buffer.from(data.buffer), `${name} differs`);
      }
      assert.equal(second.bestValLoss, full.bestValLoss);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the log of a resumed run continues the log of the interrupted one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-resume-'));
    try {
      const kernels = createReferenceKernels('f32');
      const controller = new AbortController();
      await train(config(10, 0), corpus, {
        kernels, ...paths(dir, 'm'), signal: controller.signal,
        onEvent: (e) => { if (e.kind === 'step' && e.step === 4) controller.abort(); },
      });
      await train(config(10, 0), corpus, { kernels, ...paths(dir, 'm'), resume: await loadModel(join(dir, 'm.latest.json')) });
      const steps = readFileSync(join(dir, 'm.log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { step: number; trainLoss: number | null })
        .filter((l) => l.trainLoss !== null).map((l) => l.step);
      assert.deepEqual(steps, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
