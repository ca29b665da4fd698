// Builds, trains for a few dozen Adam steps, and saves a tiny CharLM for the decode and CLI tests; cached per test process.
// Not the trainer (src/train/): a bare loop, so these tests depend only on the model, the optimizer and the model file.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateModelConfig, type Cell } from '../../src/config/model-config.js';
import { CharLM } from '../../src/model/char-lm.js';
import type { SavedModel } from '../../src/model-file/format.js';
import { saveModel } from '../../src/model-file/write.js';
import { createOptimizer } from '../../src/optim/create-optimizer.js';
import { createReferenceKernels } from '../../src/tensor/reference-kernels.js';
import { Rng } from '../../src/tensor/rng.js';
import { Vocab } from '../../src/text/vocab.js';

export const TINY_TEXT = 'the cat sat on the mat.\nthe dog sat on the log.\na cat and a dog.\n'.repeat(6);

export interface TinyModelOptions {
  lineMode?: boolean;
  cell?: Cell;
  hiddenSize?: number;
  steps?: number;
  text?: string;
}

export interface TinyModel {
  model: CharLM;
  vocab: Vocab;
  /** The saved file (in a temporary directory), for the CLI. */
  path: string;
  text: string;
}

const cache = new Map<string, Promise<TinyModel>>();
let dir: string | null = null;

/** The same options give the same model (and the same file) within one test process. */
export function tinyModel(opts: TinyModelOptions = {}): Promise<TinyModel> {
  const key = JSON.stringify(opts);
  let made = cache.get(key);
  if (made === undefined) {
    made = build(opts, `tiny-${cache.size}.json`);
    cache.set(key, made);
  }
  return made;
}

async function build(opts: TinyModelOptions, fileName: string): Promise<TinyModel> {
  const text = opts.text ?? TINY_TEXT;
  const vocab = Vocab.fromText(text, { lineMode: opts.lineMode === true });
  const ids = vocab.lineMode ? vocab.encodeLines(text) : vocab.encode(text);
  const config = validateModelConfig({
    cell: opts.cell ?? 'lstm', numLayers: 1, hiddenSize: opts.hiddenSize ?? 16, dropout: 0, vocabSize: vocab.size,
  });
  const kernels = createReferenceKernels('f32');
  const model = CharLM.create(config, kernels, Rng.fromSeed(1));
  const optimizer = createOptimizer({ kind: 'adam' }, model.params.count, kernels);
  // B streams of T characters, walked in order with the state carried (truncated BPTT), then back to the start.
  const T = 16;
  const B = 4;
  const span = Math.floor((ids.length - 1) / B);
  const inputs = vocab.allocIds(T * B);
  const targets = vocab.allocIds(T * B);
  const state = model.createState(B);
  let offset = 0;
  for (let step = 0; step < (opts.steps ?? 60); step++) {
    if (offset + T > span) {
      offset = 0;
      state.reset();
    }
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        inputs[t * B + b] = ids[b * span + offset + t];
        targets[t * B + b] = ids[b * span + offset + t + 1];
      }
    }
    offset += T;
    model.params.zeroGrads();
    model.backward(model.forward(inputs, targets, T, B, state, { training: true }));
    optimizer.step(model.params.values, model.params.grads, 0.02);
  }
  dir ??= mkdtempSync(join(tmpdir(), 'charlm-tiny-'));
  const path = join(dir, fileName);
  const saved: SavedModel = { config, vocab, weights: model.exportWeights(), training: null, resume: null };
  await saveModel(path, saved);
  return { model, vocab, path, text };
}
