// Measures how well a model trained on a synthetic long-range corpus predicts each line's closing key in context and from
// a fresh start (README, "Where a text begins"). Run after `npm run build`:
//   node scripts/start-state.mjs --cell lstm --stream-resets 0.1
// Lines are "<k>" + letters + "</k>"; the corpus comes from test/helpers/long-range.ts.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTrainConfig } from '../dist/src/config/build-config.js';
import { CharLM } from '../dist/src/model/char-lm.js';
import { loadModel } from '../dist/src/model-file/read.js';
import { createKernels } from '../dist/src/tensor/create-kernels.js';
import { train } from '../dist/src/train/trainer.js';
import { closingKeyScores, longRangeText } from '../dist/test/helpers/long-range.js';

const { values: a } = parseArgs({ options: {
  cell: { type: 'string', default: 'lstm' }, 'stream-resets': { type: 'string', default: '0.1' },
  steps: { type: 'string', default: '500' }, keys: { type: 'string', default: '4' }, letters: { type: 'string', default: '6' },
  alphabet: { type: 'string', default: '2' }, 'hidden-size': { type: 'string', default: '32' },
  'seq-length': { type: 'string', default: '32' }, 'batch-size': { type: 'string', default: '32' }, lr: { type: 'string', default: '0.03' },
} });
const shape = { keys: +a.keys, letters: +a.letters, alphabet: +a.alphabet };
const text = longRangeText({ lines: 4000, ...shape, seed: 1 });
const corpus = { name: 'long-range.txt', text, bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') };
const config = buildTrainConfig('tiny', {
  model: { cell: a.cell, hiddenSize: +a['hidden-size'], numLayers: 1, dropout: 0 }, bpttLength: +a['seq-length'],
  batchSize: +a['batch-size'], learningRate: +a.lr, evalEvery: 100_000, evalChars: 2000, seed: 1,
  budget: { steps: +a.steps }, streamResetShare: +a['stream-resets'],
});
const dir = mkdtempSync(join(tmpdir(), 'charlm-start-state-'));
try {
  const kernels = createKernels('f32');
  const paths = { modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null };
  await train(config, corpus, { kernels, ...paths });
  const saved = await loadModel(paths.latestPath);
  const s = closingKeyScores(CharLM.fromWeights(saved.config, kernels, saved.weights), saved.vocab,
    longRangeText({ lines: 200, ...shape, seed: 2 }));
  console.log(JSON.stringify({ ...a, inContext: +s.inContext.toFixed(3), perLine: +s.perLine.toFixed(3),
    lnKeys: +Math.log(shape.keys).toFixed(3) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
