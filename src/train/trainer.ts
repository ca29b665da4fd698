// The training loop: truncated BPTT over parallel streams, validation, atomic saves, NaN roll-back, and exact resume.
// It reports through events and its result; it never prints. Stops early and saves when its AbortSignal fires.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { TrainConfig } from '../config/train-config.js';
import { validateModelConfig, type ModelConfig } from '../config/model-config.js';
import { ConfigError, DivergedError } from '../errors.js';
import { scoreIds } from '../decode/scoring.js';
import { CharLM } from '../model/char-lm.js';
import type { SavedModel, TrainingRecord } from '../model-file/format.js';
import { saveModel } from '../model-file/write.js';
import { clipGlobalNorm } from '../optim/clip.js';
import { createOptimizer } from '../optim/optimizer.js';
import { learningRateAt } from '../optim/schedule.js';
import type { Kernels } from '../tensor/kernels.js';
import { Rng } from '../tensor/rng.js';
import { BatchStreams } from '../text/batches.js';
import { checkTrainable, shuffleItems, splitTrainValidation, type Corpus } from '../text/corpus.js';
import { Vocab } from '../text/vocab.js';
import type { StopReason, TrainEvent, TrainEventListener } from './events.js';
import { RunLog } from './run-log.js';
import { fromResumeState, restoreSnapshot, takeSnapshot, toResumeState, type Snapshot, type TrainProgress } from './training-state.js';

export interface TrainOptions {
  readonly kernels: Kernels;
  /** Where the best model (by validation loss) goes. */
  readonly modelPath: string;
  /** Where the latest model goes, saved at every validation, at the end and on interrupt. */
  readonly latestPath: string;
  /** The JSON-lines log (null: none). */
  readonly logPath: string | null;
  /** A model saved by an earlier run, to continue exactly where it stopped. */
  readonly resume?: SavedModel;
  readonly signal?: AbortSignal;
  readonly onEvent?: TrainEventListener;
  /** For tests of the NaN recovery: return true to poison the loss of that step (1-based). */
  readonly injectNaN?: (step: number) => boolean;
  /** Wall clock for the dates in the training record. */
  readonly now?: () => Date;
}

export interface TrainResult {
  readonly steps: number;
  readonly epochs: number;
  readonly bestValLoss: number | null;
  readonly lastValLoss: number | null;
  readonly lastTrainLoss: number | null;
  readonly charsPerSec: number;
  readonly elapsedMs: number;
  readonly stopReason: StopReason;
  readonly nanRecoveries: number;
  readonly params: number;
  readonly vocabSize: number;
  readonly modelPath: string;
  readonly latestPath: string;
}

/** Consecutive roll-backs without getting past the snapshot before training gives up. */
const MAX_RECOVERIES = 5;
/** A time-only budget re-estimates the schedule's length from the pace of the run every this many steps. */
const SPEED_PROBE_STEPS = 20;

export async function train(config: TrainConfig, corpus: Corpus, options: TrainOptions): Promise<TrainResult> {
  const { kernels, resume } = options;
  const emit = (e: TrainEvent): void => options.onEvent?.(e);
  const now = options.now ?? (() => new Date());
  const T = config.bpttLength;
  const B = config.batchSize;

  // The vocabulary covers the whole text, so validation never meets an unknown character.
  const vocab = resume?.vocab ?? Vocab.fromText(corpus.text, { lineMode: config.lineMode });
  if (resume !== undefined && vocab.lineMode !== config.lineMode) {
    throw new ConfigError(`the model was trained ${vocab.lineMode ? 'with' : 'without'} --line-mode; resume it the same way`);
  }
  const ids = vocab.lineMode
    ? shuffleItems(vocab.encodeLines(corpus.text), vocab.bos!, Rng.fromSeed(`${config.seed}:items`))
    : vocab.encode(corpus.text);
  const split = splitTrainValidation(ids, config.valFrac);
  checkTrainable(split.train, vocab, B, T);
  const valIds = config.evalChars > 0 ? split.validation.subarray(0, config.evalChars) : split.validation;
  const hasValidation = valIds.length >= 2;

  const modelConfig: ModelConfig = resume?.config ?? validateModelConfig({ ...config.model, vocabSize: vocab.size });
  let rng = Rng.fromSeed(config.seed);
  const model = resume !== undefined
    ? CharLM.fromWeights(resume.config, kernels, resume.weights)
    : CharLM.create(modelConfig, kernels, rng, { forgetBias: config.forgetBias });
  const optimizer = createOptimizer({ ...config.optimizer }, model.params.count, kernels.dtype);
  const streams = new BatchStreams(split.train, B, T);
  const state = model.createState(B);
  const inputs = new (ids.constructor as { new (n: number): typeof ids })(T * B);
  const targets = new (ids.constructor as { new (n: number): typeof ids })(T * B);

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

  const budget = config.budget;
  const epochSteps = budget.epochs === null ? null : Math.ceil(budget.epochs * streams.chunksPerEpoch);
  const stepBudget = budget.steps === null ? epochSteps : epochSteps === null ? budget.steps : Math.min(budget.steps, epochSteps);
  const budgetReason: StopReason = budget.steps !== null && (epochSteps === null || budget.steps <= epochSteps) ? 'steps' : 'epochs';
  if (progress.scheduleTotalSteps === null && stepBudget !== null) progress.scheduleTotalSteps = stepBudget;

  const log = new RunLog(options.logPath);
  const runStart = performance.now();
  const elapsedBefore = progress.elapsedMs;
  const elapsed = (): number => elapsedBefore + (performance.now() - runStart);
  const runMs = (): number => performance.now() - runStart;

  emit({
    kind: 'start', startStep: progress.step, totalSteps: stepBudget, chunksPerEpoch: streams.chunksPerEpoch,
    params: model.params.count, vocabSize: vocab.size, trainChars: split.train.length, valChars: valIds.length,
    resumed: resume !== undefined,
  });

  const record = (): TrainingRecord => ({
    steps: progress.step,
    charsSeen: progress.charsSeen,
    epochs: progress.epoch + progress.chunk / streams.chunksPerEpoch,
    bestValLoss: progress.bestValLoss,
    lastTrainLoss: progress.lastTrainLoss,
    lastValLoss: progress.lastValLoss,
    seed: config.seed,
    startedAt: progress.startedAt,
    updatedAt: now().toISOString(),
    elapsedMs: Math.round(progress.elapsedMs),
    corpus: { name: corpus.name, sha256: corpus.sha256, chars: ids.length },
    trainConfig: JSON.parse(JSON.stringify(config)) as Record<string, unknown>,
  });

  const save = async (which: 'best' | 'latest'): Promise<void> => {
    progress.elapsedMs = elapsed();
    progress.rng = rng.state();
    progress.optimizer = optimizer.stateScalars();
    const saved: SavedModel = {
      config: modelConfig, vocab, weights: model.exportWeights(), training: record(),
      resume: toResumeState(progress, optimizer, state),
    };
    const path = which === 'best' ? options.modelPath : options.latestPath;
    log.flush();
    await saveModel(path, saved);
    emit({ kind: 'saved', step: progress.step, path, which });
  };

  /** Validates, saves the best and the latest model, and says whether training should stop early. */
  const validateAndSave = async (): Promise<boolean> => {
    let improved = true;
    if (hasValidation) {
      // B parallel streams, each warmed up on the text before it (equal to one pass); the training state is not touched.
      const scored = scoreIds(model, valIds, { streams: Math.min(B, valIds.length - 1), chunkLength: T });
      const valLoss = scored.nats / scored.chars;
      improved = progress.bestValLoss === null || valLoss < progress.bestValLoss;
      progress.lastValLoss = valLoss;
      if (improved) progress.bestValLoss = valLoss;
      progress.evalsWithoutImprovement = improved ? 0 : progress.evalsWithoutImprovement + 1;
      emit({ kind: 'eval', step: progress.step, valLoss, bestValLoss: progress.bestValLoss ?? valLoss, improved });
      log.write({ step: progress.step, epoch: progress.epoch, trainLoss: null, valLoss, gradNorm: null, learningRate: null,
        charsPerSec: null, elapsedMs: Math.round(elapsed()) });
    }
    if (improved) await save('best');
    await save('latest');
    return config.patience > 0 && progress.evalsWithoutImprovement >= config.patience;
  };

  const finiteValues = (): boolean => Number.isFinite(kernels.sumSquares(model.params.values, 0, model.params.count));
  const snapshotEvery = Math.min(config.evalEvery, 100);
  progress.rng = rng.state();
  progress.optimizer = optimizer.stateScalars();
  let snapshot: Snapshot = takeSnapshot(progress, model, optimizer, state);
  let failuresSinceSnapshot = 0;
  let lastEvalStep = -1;
  // A time-only budget gives the schedule no length: it is estimated from this run's pace so far (validations and saves
  // included), again every SPEED_PROBE_STEPS steps, so that cosine decay ends at the deadline.
  const timeOnly = stepBudget === null && budget.timeSeconds !== null;
  const runStartStep = progress.step;
  const fitScheduleToDeadline = (): void => {
    const msPerStep = runMs() / Math.max(1, progress.step - runStartStep);
    const stepsLeft = Math.floor((budget.timeSeconds! * 1000 - runMs()) / msPerStep);
    progress.scheduleTotalSteps = progress.step + Math.max(1, stepsLeft);
  };
  let stopReason: StopReason;
  let speedStart = performance.now();
  let speedSteps = 0;
  let charsPerSec = 0;

  for (;;) {
    if (stepBudget !== null && progress.step >= stepBudget) { stopReason = budgetReason; break; }
    if (budget.timeSeconds !== null && runMs() >= budget.timeSeconds * 1000) { stopReason = 'time'; break; }
    if (options.signal?.aborted === true) { stopReason = 'interrupted'; break; }

    if (progress.chunk >= streams.chunksPerEpoch) {
      // A new epoch starts from a zero state: the streams jump back to the start of their text.
      progress.epoch++;
      progress.chunk = 0;
      state.reset();
    }
    streams.fill(progress.chunk, inputs, targets);
    model.params.zeroGrads();
    const pass = model.forward(inputs, targets, T, B, state, { training: true, rng });
    model.backward(pass);
    const loss = options.injectNaN?.(progress.step + 1) === true ? Number.NaN : pass.lossNats;
    const gradNorm = clipGlobalNorm(kernels, model.params.grads, config.gradClip);

    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      failuresSinceSnapshot++;
      if (failuresSinceSnapshot > MAX_RECOVERIES) {
        log.flush();
        throw new DivergedError(
          `training diverged: the loss became NaN or infinite ${MAX_RECOVERIES + 1} times at step ${progress.step + 1}; ` +
          `the last good model is in ${options.latestPath}`, { hint: 'try a lower --lr or a smaller --clip' });
      }
      const failedAt = progress.step + 1;
      progress = restoreSnapshot(snapshot, model, optimizer, state);
      rng = Rng.fromState(progress.rng);
      progress.lrScale = snapshot.progress.lrScale * 0.5 ** failuresSinceSnapshot;
      progress.nanRecoveries = snapshot.progress.nanRecoveries + failuresSinceSnapshot;
      emit({ kind: 'recovered', step: failedAt, rolledBackTo: progress.step, reason: 'loss or gradient not finite',
        lrScale: progress.lrScale });
      continue;
    }

    const lr = config.learningRate * progress.lrScale *
      learningRateAt(1, config.schedule, progress.step, progress.scheduleTotalSteps ?? Number.POSITIVE_INFINITY);
    optimizer.step(model.params.values, model.params.grads, lr);
    progress.step++;
    progress.chunk++;
    progress.charsSeen += T * B;
    progress.lastTrainLoss = loss;

    speedSteps++;
    const speedMs = performance.now() - speedStart;
    if (speedMs > 0) charsPerSec = (speedSteps * T * B * 1000) / speedMs;
    if (timeOnly && (progress.step - runStartStep) % SPEED_PROBE_STEPS === 0) fitScheduleToDeadline();
    if (speedMs > 20_000) { speedStart = performance.now(); speedSteps = 0; }

    const progressFraction = Math.max(
      stepBudget === null ? 0 : progress.step / stepBudget,
      budget.timeSeconds === null ? 0 : runMs() / (budget.timeSeconds * 1000));
    emit({ kind: 'step', step: progress.step, epoch: progress.epoch + progress.chunk / streams.chunksPerEpoch, trainLoss: loss,
      gradNorm, learningRate: lr, charsPerSec, elapsedMs: elapsed(), progress: Math.min(1, progressFraction) });
    log.write({ step: progress.step, epoch: progress.epoch, trainLoss: loss, valLoss: null, gradNorm, learningRate: lr,
      charsPerSec: Math.round(charsPerSec), elapsedMs: Math.round(elapsed()) });

    if (progress.step % config.evalEvery === 0) {
      lastEvalStep = progress.step;
      if (await validateAndSave()) { stopReason = 'early-stop'; break; }
    }
    if (progress.step % snapshotEvery === 0 && finiteValues()) {
      progress.rng = rng.state();
      progress.optimizer = optimizer.stateScalars();
      snapshot = takeSnapshot(progress, model, optimizer, state);
      failuresSinceSnapshot = 0;
    }
    // Let signal handlers run: Ctrl-C lands between steps.
    await yieldToEventLoop();
  }

  if (stopReason === 'interrupted') {
    await save('latest');
  } else if (lastEvalStep !== progress.step) {
    await validateAndSave();
  }
  log.flush();
  emit({ kind: 'stop', step: progress.step, reason: stopReason });
  return {
    steps: progress.step,
    epochs: progress.epoch + progress.chunk / streams.chunksPerEpoch,
    bestValLoss: progress.bestValLoss,
    lastValLoss: progress.lastValLoss,
    lastTrainLoss: progress.lastTrainLoss,
    charsPerSec,
    elapsedMs: elapsed(),
    stopReason,
    nanRecoveries: progress.nanRecoveries,
    params: model.params.count,
    vocabSize: vocab.size,
    modelPath: options.modelPath,
    latestPath: options.latestPath,
  };
}
