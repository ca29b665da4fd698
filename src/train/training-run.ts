// One training run's working set, and one optimisation step on it: the data (vocabulary, training streams, validation
// text), the model, its optimizer and carried state, the random generator and the counters that make a resume exact.

import type { TrainConfig } from '../config/train-config.js';
import { validateModelConfig, type ModelConfig } from '../config/model-config.js';
import { ConfigError } from '../errors.js';
import { CharLM } from '../model/char-lm.js';
import type { RecurrentState } from '../model/recurrent-state.js';
import type { SavedModel, TrainingRecord } from '../model-file/format.js';
import { clipGlobalNorm } from '../optim/clip.js';
import { createOptimizer } from '../optim/create-optimizer.js';
import type { Optimizer } from '../optim/optimizer.js';
import { learningRateAt } from '../optim/schedule.js';
import type { Ids } from '../tensor/floats.js';
import type { Kernels } from '../tensor/kernels.js';
import { Rng } from '../tensor/rng.js';
import { BatchStreams } from '../text/batches.js';
import { checkTrainable, shuffleItems, splitTrainValidation, type Corpus } from '../text/corpus.js';
import { Vocab } from '../text/vocab.js';
import { fineTuningModel, fineTuningVocab, type InitFrom } from './init-from.js';
import { plannedRestarts } from './stream-resets.js';
import { fromResumeState, type TrainProgress } from './training-state.js';

export interface TrainingRun {
  readonly config: TrainConfig;
  readonly kernels: Kernels;
  readonly vocab: Vocab;
  readonly modelConfig: ModelConfig;
  readonly model: CharLM;
  readonly optimizer: Optimizer;
  /** The hidden state carried from chunk to chunk of each stream (truncated BPTT). */
  readonly state: RecurrentState;
  readonly streams: BatchStreams;
  readonly trainChars: number;
  readonly valIds: Ids;
  readonly corpus: TrainingRecord['corpus'];
  /** Replaced whole when a divergence is rolled back. */
  progress: TrainProgress;
  rng: Rng;
  readonly inputs: Ids;
  readonly targets: Ids;
}

/** Where a run starts: a fresh model (neither), a saved run to continue exactly (resume), or a model's weights (init). */
export interface RunStart {
  readonly resume?: SavedModel;
  readonly init?: InitFrom;
}

/** Builds the run: a fresh model from the config, the saved model and its training state, or a model to fine-tune. */
export function openRun(config: TrainConfig, corpus: Corpus, kernels: Kernels, start: RunStart, now: () => Date): TrainingRun {
  const { resume, init } = start;
  const T = config.bpttLength;
  const B = config.batchSize;
  // The vocabulary covers the whole text, so validation never meets an unknown character.
  const vocab = resume?.vocab ?? (init === undefined
    ? Vocab.fromText(corpus.text, { lineMode: config.lineMode })
    : fineTuningVocab(init, corpus.text));
  if (vocab.lineMode !== config.lineMode) {
    throw new ConfigError(`the model was trained ${vocab.lineMode ? 'with' : 'without'} --line-mode; train it the same way`);
  }
  const ids = vocab.lineMode
    ? shuffleItems(vocab.encodeLines(corpus.text), vocab.bos!, Rng.fromSeed(`${config.seed}:items`))
    : vocab.encode(corpus.text);
  const split = splitTrainValidation(ids, config.valFrac);
  checkTrainable(split.train, vocab, B, T);
  const valIds = config.evalChars > 0 ? split.validation.subarray(0, config.evalChars) : split.validation;

  // Dropout is a training setting a resumed run may change; the rest of the shape is the saved model's.
  const saved = resume ?? init?.model;
  const modelConfig: ModelConfig = saved !== undefined
    ? validateModelConfig({ ...saved.config, dropout: config.model.dropout, vocabSize: vocab.size })
    : validateModelConfig({ ...config.model, vocabSize: vocab.size });
  let rng = Rng.fromSeed(config.seed);
  const model = resume !== undefined ? CharLM.fromWeights(modelConfig, kernels, resume.weights)
    : init !== undefined ? fineTuningModel(init, vocab, modelConfig, kernels, rng, config.forgetBias)
    : CharLM.create(modelConfig, kernels, rng, { forgetBias: config.forgetBias });
  const optimizer = createOptimizer(config.optimizer, model.params.count, kernels);
  const state = model.createState(B);
  let progress: TrainProgress;
  if (resume?.resume != null) {
    progress = fromResumeState(resume.resume, optimizer, state);
    rng = Rng.fromState(progress.rng);
  } else {
    progress = {
      step: 0, epoch: 0, chunk: 0, lrScale: 1, scheduleTotalSteps: null, charsSeen: 0, elapsedMs: 0,
      bestValLoss: null, lastValLoss: null, lastTrainLoss: null, evalsWithoutImprovement: 0, nanRecoveries: 0,
      startedAt: now().toISOString(), rng: rng.state(), optimizer: optimizer.stateScalars(),
    };
  }
  const IdArray = ids.constructor as new (n: number) => Ids;
  return {
    config, kernels, vocab, modelConfig, model, optimizer, state, valIds, progress, rng, trainChars: split.train.length,
    streams: new BatchStreams(split.train, B, T),
    corpus: { name: corpus.name, sha256: corpus.sha256, chars: ids.length },
    inputs: new IdArray(T * B),
    targets: new IdArray(T * B),
  };
}

/** Copies the random generator's and the optimizer's counters into progress, as saves and snapshots store them. */
export function syncProgress(run: TrainingRun): void {
  run.progress.rng = run.rng.state();
  run.progress.optimizer = run.optimizer.stateScalars();
}

export function weightsFinite(run: TrainingRun): boolean {
  const { values, count } = run.model.params;
  return Number.isFinite(run.kernels.sumSquares(values, 0, count));
}

/** The model's epochs so far, counting the part of this one. */
export function epochsDone(run: TrainingRun): number {
  return run.progress.epoch + run.progress.chunk / run.streams.chunksPerEpoch;
}

export interface StepResult {
  readonly loss: number;
  /** The global gradient norm before clipping. */
  readonly gradNorm: number;
  readonly learningRate: number;
}

/**
 * One step of truncated BPTT on the next chunk: forward, backward, clip, update. Returns null, leaving the weights
 * untouched, when the loss or the gradient is not finite (the caller rolls back).
 */
export function trainStep(run: TrainingRun, scheduleTotalSteps: number): StepResult | null {
  const { config, model, streams, state, progress } = run;
  const T = config.bpttLength;
  const B = config.batchSize;
  if (progress.chunk >= streams.chunksPerEpoch) {
    // A new epoch starts from a zero state: the streams jump back to the start of their text.
    progress.epoch++;
    progress.chunk = 0;
    state.reset();
  }
  streams.fill(progress.chunk, run.inputs, run.targets);
  model.params.zeroGrads();
  const { vocab } = run;
  const restarts = plannedRestarts(run.inputs, T, B, {
    share: config.streamResetShare ?? 0, seed: config.seed, step: progress.step,
    lineStart: vocab.bos ?? vocab.idOf('\n') ?? null, everyItemAt: vocab.bos,
  });
  const pass = model.forward(run.inputs, run.targets, T, B, state, { training: true, rng: run.rng, restarts });
  model.backward(pass);
  const loss = pass.lossNats;
  const gradNorm = clipGlobalNorm(run.kernels, model.params.grads, config.gradClip);
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) return null;

  const learningRate = config.learningRate * progress.lrScale *
    learningRateAt(1, config.schedule, progress.step, scheduleTotalSteps);
  run.optimizer.step(model.params.values, model.params.grads, learningRate);
  progress.step++;
  progress.chunk++;
  progress.charsSeen += T * B;
  progress.lastTrainLoss = loss;
  return { loss, gradNorm, learningRate };
}
