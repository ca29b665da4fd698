// --sample-every: samples while training, as events and log lines, without changing a single weight.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainConfig } from '../../src/config/build-config.js';
import { loadModel } from '../../src/model-file/read.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import type { TrainEvent } from '../../src/train/events.js';
import { train } from '../../src/train/trainer.js';
import { corpusOf, pseudoEnglish } from '../helpers/tiny-corpus.js';

const corpus = corpusOf(pseudoEnglish(5000));
const config = buildTrainConfig('tiny', {
  model: { hiddenSize: 16, numLayers: 2, dropout: 0.1 }, bpttLength: 12, batchSize: 4, evalEvery: 5, evalChars: 200,
  budget: { steps: 12 },
});

describe('samples while training', () => {
  it('come every N steps as events and log lines and leave the trained weights exactly as without them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'charlm-samples-'));
    try {
      const kernels = createReferenceKernels('f32');
      const paths = (name: string) => ({ modelPath: join(dir, `${name}.json`), latestPath: join(dir, `${name}.latest.json`),
        logPath: join(dir, `${name}.log.jsonl`) });
      await train(config, corpus, { kernels, ...paths('plain') });
      const events: TrainEvent[] = [];
      await train(config, corpus, { kernels, ...paths('sampled'), samples: { every: 4, length: 30 }, onEvent: (e) => events.push(e) });
      const samples = events.filter((e) => e.kind === 'sample');
      assert.deepEqual(samples.map((e) => e.step), [4, 8, 12]);
      assert.ok(samples.every((e) => e.kind === 'sample' && [...e.text].length <= 30 && e.text.length > 0));
      const logged = readFileSync(join(dir, 'sampled.log.jsonl'), 'utf8').trim().split('\n')
        .map((l) => JSON.parse(l) as { step: number; sample?: string }).filter((l) => l.sample !== undefined);
      assert.deepEqual(logged.map((l) => l.step), [4, 8, 12]);
      const [a, b] = [await loadModel(join(dir, 'plain.latest.json')), await loadModel(join(dir, 'sampled.latest.json'))];
      for (const [name, t] of a.weights) assert.deepEqual(b.weights.get(name)!.data, t.data, name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
