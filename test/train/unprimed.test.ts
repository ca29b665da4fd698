import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildTrainConfig } from '../../src/config/build-config.js';
import { sample } from '../../src/decode/sampling.js';
import { CharLM } from '../../src/model/char-lm.js';
import { loadModel } from '../../src/model-file/read.js';
import { createKernels } from '../../src/tensor/create-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { train } from '../../src/train/trainer.js';
import { corpusOf, pseudoEnglish } from '../helpers/tiny-corpus.js';
import { tmpDir } from '../helpers/tmp.js';

describe('unprimed generation', () => {
  it('the first 200 characters of a sample are no less likely than characters 1,000–1,200 (within 10 %)', async (t) => {
    const dir = await tmpDir(t);
    const config = buildTrainConfig('tiny', {
      model: { hiddenSize: 48, numLayers: 1, dropout: 0 }, bpttLength: 32, batchSize: 16, evalEvery: 1000, seed: 2,
      budget: { steps: 300 },
    });
    const kernels = createKernels('f32');
    const paths = { modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null };
    await train(config, corpusOf(pseudoEnglish(30_000)), { kernels, ...paths });
    const saved = await loadModel(paths.latestPath);
    const model = CharLM.fromWeights(saved.config, kernels, saved.weights);
    let first = 0;
    let later = 0;
    for (let seed = 0; seed < 24; seed++) {
      const chars = [...sample(model, saved.vocab, { length: 1200 }, Rng.fromSeed(seed))];
      assert.equal(chars.length, 1200);
      for (let i = 0; i < 200; i++) first -= chars[i].logProb;
      for (let i = 1000; i < 1200; i++) later -= chars[i].logProb;
    }
    assert.ok(first <= 1.1 * later, `first 200: ${first / 4800} nats/char, 1,000–1,200: ${later / 4800}`);
  });
});
