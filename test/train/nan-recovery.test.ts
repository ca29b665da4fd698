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
import { poisonTrainingGradient } from '../helpers/poisoned-kernels.js';
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
        kernels: poisonTrainingGradient(createReferenceKernels('f32'), (backward) => {
          if (backward === 7 && !poisoned) { poisoned = true; return true; }
          return false;
        }),
        modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null,
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
        kernels: poisonTrainingGradient(createReferenceKernels('f32'), (backward) => backward >= 6),
        modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null,
      }), (e: unknown) => e instanceof DivergedError && /diverged/.test(e.message) && e.message.includes(join(dir, 'm.latest.json')));
      assert.ok(existsSync(join(dir, 'm.latest.json')));
      const saved = await loadModel(join(dir, 'm.latest.json'));
      assert.equal(saved.training?.steps, 4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never accepts a NaN or infinite validation loss as the best: it rolls back instead', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-nan-'));
    try {
      // Plain ReLU RNN, SGD at rate 99, no clipping: the weights blow up within a step or two (issue 10, item 3).
      const wild = buildTrainConfig('tiny', {
        model: { cell: 'rnn-relu', hiddenSize: 16 }, bpttLength: 12, batchSize: 4, evalEvery: 1, evalChars: 200,
        optimizer: { kind: 'sgd' }, learningRate: 99, gradClip: 0, budget: { steps: 30 },
      });
      const events: TrainEvent[] = [];
      const result = await train(wild, corpus, {
        kernels: createReferenceKernels('f32'), modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'),
        logPath: null, onEvent: (e) => events.push(e),
      }).catch((e: unknown) => e);
      const evals = events.filter((e) => e.kind === 'eval');
      assert.ok(evals.every((e) => e.kind === 'eval' && Number.isFinite(e.valLoss) && Number.isFinite(e.bestValLoss)));
      assert.ok(events.some((e) => e.kind === 'recovered' && /validation loss|weights/.test(e.reason)), 'a bad validation rolled back');
      if (!(result instanceof DivergedError)) {
        assert.ok(Number.isFinite((result as { bestValLoss: number }).bestValLoss));
        const best = await loadModel(join(dir, 'm.json'));
        assert.ok(Number.isFinite(best.training?.bestValLoss ?? NaN), 'the saved best has a finite validation loss');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rolls back when the weights are infinite at a save step, instead of failing to save', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-nan-'));
    try {
      // AdamW's decoupled decay with lr·λ = 30 multiplies the weights by −29 a step: they overflow float32 within 30 steps.
      const shrinking = buildTrainConfig('tiny', {
        model: { hiddenSize: 16 }, bpttLength: 12, batchSize: 4, evalEvery: 1, evalChars: 200,
        optimizer: { kind: 'adamw', weightDecay: 30 }, learningRate: 1, gradClip: 0, budget: { steps: 40 },
      });
      const events: TrainEvent[] = [];
      const result = await train(shrinking, corpus, {
        kernels: createReferenceKernels('f32'), modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'),
        logPath: null, onEvent: (e) => events.push(e),
      });
      assert.equal(result.steps, 40);
      assert.ok(result.nanRecoveries > 0);
      assert.ok(events.some((e) => e.kind === 'recovered'));
      const latest = await loadModel(join(dir, 'm.latest.json'));
      assert.equal(latest.training?.steps, 40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a run that diverges before its first save says that no model was saved, naming no missing file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-nan-'));
    try {
      const error = await train(config, corpus, {
        kernels: poisonTrainingGradient(createReferenceKernels('f32'), (backward) => backward >= 2),
        modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null,
      }).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof DivergedError, String(error));
      assert.match(error.message, /no model was saved/);
      assert.ok(!existsSync(join(dir, 'm.latest.json')) && !existsSync(join(dir, 'm.json')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
