import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildTrainConfig } from '../../src/config/build-config.js';
import { scoreText } from '../../src/decode/scoring.js';
import { CharLM } from '../../src/model/char-lm.js';
import { loadModel } from '../../src/model-file/read.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { train } from '../../src/train/trainer.js';
import { corpusOf, pseudoEnglish } from '../helpers/tiny-corpus.js';
import { tmpDir } from '../helpers/tmp.js';

describe('validation', () => {
  it('equals eval of the held-out text as one stream, within 1e-4 nats/char', async (t) => {
    const dir = await tmpDir(t);
    const text = pseudoEnglish(12_000);
    const config = buildTrainConfig('tiny', {
      model: { hiddenSize: 24, numLayers: 1, dropout: 0 }, bpttLength: 16, batchSize: 16, valFrac: 0.25, evalChars: 0,
      evalEvery: 30, seed: 3, budget: { steps: 30 },
    });
    const kernels = createReferenceKernels('f32');
    const result = await train(config, corpusOf(text), {
      kernels, modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null,
    });
    const saved = await loadModel(join(dir, 'm.latest.json'));
    const model = CharLM.fromWeights(saved.config, kernels, saved.weights);
    const heldOut = text.slice(text.length - Math.floor(text.length * 0.25));
    const exact = scoreText(model, saved.vocab, heldOut, { streams: 1 });
    assert.ok(Math.abs(result.lastValLoss! - exact.natsPerChar) < 1e-4, `${result.lastValLoss} vs ${exact.natsPerChar}`);
  });
});
