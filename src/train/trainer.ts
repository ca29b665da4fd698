// The training loop: truncated BPTT over parallel streams, validation, atomic saves, roll-back on divergence, exact resume.
// It reports through events and its result; it never prints. Stops early and saves when its AbortSignal fires.
// The pieces it calls: training-run.ts (the working set and one step), validation.ts, divergence.ts, checkpoints.ts,
// budget.ts (when to stop, how long the schedule runs).

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { TrainConfig } from '../config/train-config.js';
import type { SavedModel } from '../model-file/format.js';
import { sample } from '../decode/sampling.js';
import type { Kernels } from '../tensor/kernels.js';
import { Rng } from '../tensor/rng.js';
import type { Corpus } from '../text/corpus.js';
import { RunBudget, RunClock } from './budget.js';
import { ConfigError } from '../errors.js';
import { Checkpoints } from './checkpoints.js';
import { DivergenceGuard } from './divergence.js';
import type { StopReason, TrainEvent, TrainEventListener } from './events.js';
import type { InitFrom } from './init-from.js';
import { RunLog } from './run-log.js';
import { epochsDone, openRun, trainStep, weightsFinite, type StepResult, type TrainingRun } from './training-run.js';
import { validate } from './validation.js';

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
  /** A trained model to start a new run from (fine-tuning); not with resume. */
  readonly initFrom?: InitFrom;
  readonly signal?: AbortSignal;
  readonly onEvent?: TrainEventListener;
  /** Called after each validation's saves, with the latest model on disk (e.g. to keep a checkpoint of it). */
  readonly afterValidation?: (step: number) => void;
  /** Wall clock for the dates in the training record. */
  readonly now?: () => Date;
  /** Monotonic milliseconds that --time is counted in (default performance.now), e.g. a clock of your own in a simulation. */
  readonly monotonicMs?: () => number;
  /** A short sample every `every` steps, as a 'sample' event and a log line; it never changes the training. */
  readonly samples?: { readonly every: number; readonly length: number };
}

export interface TrainResult {
  readonly steps: number;
  readonly epochs: number;
  readonly bestValLoss: number | null;
  readonly lastValLoss: number | null;
  readonly lastTrainLoss: number | null;
  readonly charsPerSec: number;
  readonly elapsedMs: number;
  /** 'nothing-to-do': the model had already used the budget in steps; nothing was trained or saved. */
  readonly stopReason: StopReason;
  readonly nanRecoveries: number;
  readonly params: number;
  readonly vocabSize: number;
  readonly modelPath: string;
  readonly latestPath: string;
}

/** Samples while training are drawn a little cooler than the model's own distribution, as the closing sample is. */
const SAMPLE_TEMPERATURE = 0.8;

/** What the loop works with: the run and the helpers around it. */
interface Loop {
  readonly run: TrainingRun;
  readonly budget: RunBudget;
  readonly clock: RunClock;
  readonly checkpoints: Checkpoints;
  readonly guard: DivergenceGuard;
  readonly log: RunLog;
  readonly speed: SpeedMeter;
  readonly emit: (e: TrainEvent) => void;
  readonly signal: AbortSignal | undefined;
  readonly samples: TrainOptions['samples'];
  readonly afterValidation: ((step: number) => void) | undefined;
}

export async function train(config: TrainConfig, corpus: Corpus, options: TrainOptions): Promise<TrainResult> {
  const now = options.now ?? (() => new Date());
  const emit = (e: TrainEvent): void => options.onEvent?.(e);
  if (options.resume !== undefined && options.initFrom !== undefined) {
    throw new ConfigError('a run either resumes a model or starts from one, not both');
  }
  const run = openRun(config, corpus, options.kernels, { resume: options.resume, init: options.initFrom }, now);
  const clock = new RunClock(run.progress.elapsedMs, options.monotonicMs);
  const budget = new RunBudget(config.budget, run.streams.chunksPerEpoch, run.progress, clock);
  if (budget.spent(run.progress.step)) return resultOf(run, options, 'nothing-to-do', 0, clock.elapsedMs());

  const log = new RunLog(options.logPath);
  const checkpoints = new Checkpoints(run, options, log, clock, emit, now);
  const guard = new DivergenceGuard(run, () => checkpoints.describeLastSave());
  emit({
    kind: 'start', startStep: run.progress.step, totalSteps: budget.stepLimit, chunksPerEpoch: run.streams.chunksPerEpoch,
    params: run.model.params.count, vocabSize: run.vocab.size, trainChars: run.trainChars,
    valChars: run.valIds.length, resumed: options.resume !== undefined,
  });
  const loop: Loop = { run, budget, clock, checkpoints, guard, log, speed: new SpeedMeter(), emit, signal: options.signal,
    samples: options.samples, afterValidation: options.afterValidation };
  let stopReason: StopReason;
  try {
    stopReason = await trainUntilStopped(loop);
  } finally {
    log.flush();
  }
  emit({ kind: 'stop', step: run.progress.step, reason: stopReason });
  return resultOf(run, options, stopReason, loop.speed.charsPerSec, clock.elapsedMs());
}

/** Steps, validates every evalEvery steps, and saves, until the budget, patience or the signal ends the run. */
async function trainUntilStopped(loop: Loop): Promise<StopReason> {
  const { run, budget, guard } = loop;
  let lastEvalStep = -1;
  for (;;) {
    const stop = loop.signal?.aborted === true ? 'interrupted' : budget.stopReason(run.progress.step);
    if (stop === 'interrupted') {
      if (!weightsFinite(run)) loop.emit(guard.rollBack(run.progress.step, 'the weights became NaN or infinite'));
      await loop.checkpoints.save('latest');
      return stop;
    }
    if (stop !== null && lastEvalStep === run.progress.step) return stop;
    if (stop === null) {
      const result = trainStep(run, run.progress.scheduleTotalSteps ?? Number.POSITIVE_INFINITY);
      if (result === null) {
        loop.emit(guard.rollBack(run.progress.step + 1, 'the loss or gradient became NaN or infinite'));
        continue;
      }
      budget.fitScheduleToDeadline(run.progress);
      reportStep(loop, result);
    }
    if (stop !== null || run.progress.step % run.config.evalEvery === 0) {
      lastEvalStep = run.progress.step;
      const outcome = await validateAndSave(loop);
      if (outcome === 'diverged') continue;
      if (stop !== null) return stop;
      if (outcome === 'patience-used-up') return 'early-stop';
    }
    if (loop.samples !== undefined && run.progress.step % loop.samples.every === 0) reportSample(loop, loop.samples.length);
    guard.snapshotIfDue();
    // Let signal handlers run: Ctrl-C lands between steps.
    await yieldToEventLoop();
  }
}

/** Validates, saves the best and the latest model, or rolls back when the model has diverged. */
async function validateAndSave(loop: Loop): Promise<'saved' | 'patience-used-up' | 'diverged'> {
  const { run, emit } = loop;
  const v = validate(run);
  if (v.kind === 'diverged') {
    emit(loop.guard.rollBack(run.progress.step, v.reason));
    return 'diverged';
  }
  if (v.kind === 'scored') {
    const p = run.progress;
    emit({ kind: 'eval', step: p.step, valLoss: v.valLoss, bestValLoss: p.bestValLoss ?? v.valLoss, improved: v.improved });
    loop.log.write({ step: p.step, epoch: p.epoch, trainLoss: null, valLoss: v.valLoss, gradNorm: null, learningRate: null,
      charsPerSec: null, elapsedMs: Math.round(loop.clock.elapsedMs()) });
  }
  // The latest first: a kill between the two saves then leaves a latest model that is never older than the best.
  await loop.checkpoints.save('latest');
  if (v.kind === 'none' || v.improved) await loop.checkpoints.save('best');
  loop.afterValidation?.(run.progress.step);
  return v.patienceUsedUp ? 'patience-used-up' : 'saved';
}

function reportStep(loop: Loop, s: StepResult): void {
  const { run } = loop;
  const p = run.progress;
  const charsPerSec = loop.speed.record(run.config.bpttLength * run.config.batchSize);
  const elapsedMs = loop.clock.elapsedMs();
  loop.emit({ kind: 'step', step: p.step, epoch: epochsDone(run), trainLoss: s.loss, gradNorm: s.gradNorm,
    learningRate: s.learningRate, charsPerSec, elapsedMs, progress: loop.budget.fractionUsed(p.step) });
  loop.log.write({ step: p.step, epoch: p.epoch, trainLoss: s.loss, valLoss: null, gradNorm: s.gradNorm,
    learningRate: s.learningRate, charsPerSec: Math.round(charsPerSec), elapsedMs: Math.round(elapsedMs) });
}

/** A sample from the model as it is now, from its own random generator, so the training numbers stay the same. */
function reportSample(loop: Loop, length: number): void {
  const { run } = loop;
  const rng = Rng.fromSeed(`${run.config.seed}:sample:${run.progress.step}`);
  let text = '';
  for (const c of sample(run.model, run.vocab, { length, temperature: SAMPLE_TEMPERATURE }, rng)) text += c.char;
  loop.emit({ kind: 'sample', step: run.progress.step, text });
  loop.log.write({ step: run.progress.step, epoch: run.progress.epoch, trainLoss: null, valLoss: null, gradNorm: null,
    learningRate: null, charsPerSec: null, elapsedMs: Math.round(loop.clock.elapsedMs()), sample: text });
}

/** Training speed over a window of up to about 20 s, so it follows changes in load. */
class SpeedMeter {
  charsPerSec = 0;
  private start = performance.now();
  private chars = 0;

  record(chars: number): number {
    this.chars += chars;
    const ms = performance.now() - this.start;
    if (ms > 0) this.charsPerSec = (this.chars * 1000) / ms;
    if (ms > 20_000) {
      this.start = performance.now();
      this.chars = 0;
    }
    return this.charsPerSec;
  }
}

function resultOf(run: TrainingRun, options: TrainOptions, stopReason: StopReason, charsPerSec: number,
                  elapsedMs: number): TrainResult {
  const p = run.progress;
  return {
    steps: p.step, epochs: epochsDone(run), bestValLoss: p.bestValLoss, lastValLoss: p.lastValLoss,
    lastTrainLoss: p.lastTrainLoss, charsPerSec, elapsedMs,
    stopReason, nanRecoveries: p.nanRecoveries, params: run.model.params.count, vocabSize: run.vocab.size,
    modelPath: options.modelPath, latestPath: options.latestPath,
  };
}
