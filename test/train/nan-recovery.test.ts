import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainConfig } from '../../src/config/build-config.js';
import { DivergedError } from '../../src/errors.js';
import { loadModel } from '../../src/model-file/read.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import type { TrainEvent } from '../../src/train/events.js';
import { train } from '../../src/train/trainer.js';
import { corpusOf, pseudoEnglish } from '../helpers/tiny-corpus.js';

const corpus = corpusOf(pseudoEnglish(4000));
const config = buildTrainConfig('tiny', {
  model: { hiddenSize: 16 }, bpttLength: 12, batchSize: 4, evalEvery: 4, evalChars: 200, budget: { steps: 12 },
});

describe('NaN recovery', () => {
  it('rolls back to the last good state, halves the learning rate and finishes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-nan-'));
    try {
      const events: TrainEvent[] = [];
      let poisoned = false;
      const result = await train(config, corpus, {
        kernels: createReferenceKernels('f32'), modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null,
        injectNaN: (step) => { if (step === 7 && !poisoned) { poisoned = true; return true; } return false; },
        onEvent: (e) => events.push(e),
      });
      assert.equal(result.steps, 12);
      assert.equal(result.nanRecoveries, 1);
      const recovered = events.filter((e) => e.kind === 'recovered');
      assert.equal(recovered.length, 1);
      assert.equal(recovered[0]!.kind === 'recovered' && recovered[0]!.rolledBackTo, 4);
      assert.equal(recovered[0]!.kind === 'recovered' && recovered[0]!.lrScale, 0.5);
      assert.ok(Number.isFinite(result.lastTrainLoss ?? NaN));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with a DivergedError after repeated failures and keeps the last good model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-nan-'));
    try {
      await assert.rejects(train(config, corpus, {
        kernels: createReferenceKernels('f32'), modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null,
        injectNaN: (step) => step >= 6,
      }), (e: unknown) => e instanceof DivergedError && /diverged/.test(e.message));
      assert.ok(existsSync(join(dir, 'm.latest.json')));
      const saved = await loadModel(join(dir, 'm.latest.json'));
      assert.equal(saved.training?.steps, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
