// Saving the run: the best model (by validation loss) and the latest, each a complete model file with the training
// record and everything an exact resume needs.

import type { SavedModel, TrainingRecord } from '../model-file/format.js';
import { saveModel } from '../model-file/write.js';
import type { RunClock } from './budget.js';
import type { TrainEvent } from './events.js';
import type { RunLog } from './run-log.js';
import { toResumeState } from './training-state.js';
import { epochsDone, syncProgress, type TrainingRun } from './training-run.js';

export interface CheckpointPaths {
  /** Where the best model (by validation loss) goes. */
  readonly modelPath: string;
  /** Where the latest model goes, saved at every validation, at the end and on interrupt. */
  readonly latestPath: string;
}

export class Checkpoints {
  /** The latest model this run wrote (the one to resume from), and the step it holds. */
  private lastSaved: { path: string; step: number } | null = null;

  constructor(private readonly run: TrainingRun, private readonly paths: CheckpointPaths, private readonly log: RunLog,
              private readonly clock: RunClock, private readonly emit: (e: TrainEvent) => void,
              private readonly now: () => Date) {}

  async save(which: 'best' | 'latest'): Promise<void> {
    const { run } = this;
    run.progress.elapsedMs = this.clock.elapsedMs();
    syncProgress(run);
    const saved: SavedModel = {
      config: run.modelConfig, vocab: run.vocab, weights: run.model.exportWeights(), training: this.record(),
      resume: toResumeState(run.progress, run.optimizer, run.state),
    };
    const path = which === 'best' ? this.paths.modelPath : this.paths.latestPath;
    // The log never runs ahead of the model.
    this.log.flush();
    await saveModel(path, saved);
    if (which === 'latest') this.lastSaved = { path, step: run.progress.step };
    this.emit({ kind: 'saved', step: run.progress.step, path, which });
  }

  /** Where the last good model is, in words, for messages. */
  describeLastSave(): string {
    return this.lastSaved === null
      ? 'no model was saved (it diverged before the first validation)'
      : `the last good model (step ${this.lastSaved.step}) is in ${this.lastSaved.path}`;
  }

  private record(): TrainingRecord {
    const { progress, config } = this.run;
    return {
      steps: progress.step,
      charsSeen: progress.charsSeen,
      epochs: epochsDone(this.run),
      bestValLoss: progress.bestValLoss,
      lastTrainLoss: progress.lastTrainLoss,
      lastValLoss: progress.lastValLoss,
      seed: config.seed,
      startedAt: progress.startedAt,
      updatedAt: this.now().toISOString(),
      elapsedMs: Math.round(progress.elapsedMs),
      corpus: this.run.corpus,
      trainConfig: JSON.parse(JSON.stringify(config)) as Record<string, unknown>,
    };
  }
}
