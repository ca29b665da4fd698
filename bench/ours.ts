// charlm's side of the benchmark: training, generation and beam-search speed of one configuration, in this process.
// It does exactly the work the trainer does per step (forward, backward, clip, Adam), without its events and saves.

import { readFileSync } from 'node:fs';
import { validateModelConfig, type ModelConfig } from '../src/config/model-config.js';
import { DEFAULTS } from '../src/config/presets.js';
import { CharLM } from '../src/model/char-lm.js';
import { clipGlobalNorm } from '../src/optim/clip.js';
import { createOptimizer } from '../src/optim/create-optimizer.js';
import type { Kernels } from '../src/tensor/kernels.js';
import { Rng } from '../src/tensor/rng.js';
import { BatchStreams } from '../src/text/batches.js';
import { splitTrainValidation } from '../src/text/corpus.js';
import { Vocab } from '../src/text/vocab.js';
import type { Ids } from '../src/tensor/floats.js';
import { TRAINING, type BenchConfig } from './configs.js';
import { timeWindows, type WindowPlan, type WindowResult } from './measure.js';
import { generateChars, beamSearchChars } from './decode-work.js';
import { scoreIds } from '../src/decode/scoring.js';

export interface Corpus { readonly vocab: Vocab; readonly ids: Ids }

export function loadCorpus(path: string): Corpus {
  const text = readFileSync(path, 'utf8');
  const vocab = Vocab.fromText(text);
  return { vocab, ids: vocab.encode(text) };
}

export function modelConfigOf(config: BenchConfig, vocabSize: number): ModelConfig {
  return validateModelConfig({ cell: config.cell, numLayers: config.numLayers, hiddenSize: config.hiddenSize, dropout: 0, vocabSize });
}

/** Training characters per second: the trainer's step (zero grads, forward, backward, clip, Adam) on the training split. */
export function measureTraining(corpus: Corpus, config: BenchConfig, kernels: Kernels, plan: WindowPlan): WindowResult & { lastLossNats: number } {
  const T = config.bpttLength;
  const B = config.batchSize;
  const rng = Rng.fromSeed(TRAINING.seed);
  const model = CharLM.create(modelConfigOf(config, corpus.vocab.size), kernels, rng);
  const optimizer = createOptimizer({ ...DEFAULTS.optimizer, kind: 'adam' }, model.params.count, kernels);
  const { train } = splitTrainValidation(corpus.ids, TRAINING.valFrac);
  const streams = new BatchStreams(train, B, T);
  const state = model.createState(B);
  // The same id type as the encoded text, as the trainer does.
  const IdArray = corpus.ids.constructor as new (n: number) => Ids;
  const inputs = new IdArray(T * B);
  const targets = new IdArray(T * B);
  let chunk = 0;
  let lastLossNats = Number.NaN;

  const step = (): void => {
    if (chunk >= streams.chunksPerEpoch) { chunk = 0; state.reset(); }
    streams.fill(chunk++, inputs, targets);
    model.params.zeroGrads();
    const pass = model.forward(inputs, targets, T, B, state, { training: true, rng });
    model.backward(pass);
    clipGlobalNorm(kernels, model.params.grads, TRAINING.gradClip);
    optimizer.step(model.params.values, model.params.grads, TRAINING.learningRate);
    lastLossNats = pass.lossNats;
  };
  const result = timeWindows(step, T * B, plan);
  return { ...result, lastLossNats };
}

/** Characters of the validation split scored per timed step: enough for the default streams to run side by side. */
const VALIDATION_CHARS = 65_536;

/**
 * Validation (and `charlm eval`) characters per second: the library's scoreIds over the validation split with `charlm
 * eval`'s defaults (parallel streams, no gradients; the trainer's validation runs the same with B streams). Speed does not
 * depend on the weights, so an untrained model serves.
 */
export function measureValidation(corpus: Corpus, config: BenchConfig, kernels: Kernels, plan: WindowPlan): WindowResult {
  const model = untrainedModel(corpus, config, kernels);
  const { validation } = splitTrainValidation(corpus.ids, TRAINING.valFrac);
  const ids = validation.subarray(0, VALIDATION_CHARS);
  return timeWindows(() => { scoreIds(model, ids); }, ids.length - 1, plan);
}

/** A freshly initialised model of this configuration, for the decoding benchmarks (their speed does not depend on training). */
export function untrainedModel(corpus: Corpus, config: BenchConfig, kernels: Kernels): CharLM {
  return CharLM.create(modelConfigOf(config, corpus.vocab.size), kernels, Rng.fromSeed(TRAINING.seed));
}

/** Generated characters per second at batch 1 (CharLM.step + sampling at temperature 1), in windows of `charsPerWindow`. */
export function measureGeneration(model: CharLM, vocab: Vocab, charsPerWindow: number, plan: WindowPlan): WindowResult {
  const run = generateChars(model, vocab, Rng.fromSeed(TRAINING.seed));
  return timeWindows(() => run(charsPerWindow), charsPerWindow, plan);
}

/** Beam search at `width`: characters of output per second, each search producing `length` characters. */
export function measureBeamSearch(model: CharLM, vocab: Vocab, width: number, length: number, plan: WindowPlan): WindowResult {
  const run = beamSearchChars(model, vocab, width, length);
  return timeWindows(run, length, plan);
}
