// Recovery from divergence: a copy of the training state is kept in memory every so often; when a step's loss or
// gradient, a validation loss or the weights become NaN or infinite, training rolls back to it and goes on at half the
// learning rate, and gives up after MAX_RECOVERIES consecutive failures.

import { DivergedError } from '../errors.js';
import type { TrainEvent } from './events.js';
import { restoreSnapshot, takeSnapshot, type Snapshot } from './training-state.js';
import { Rng } from '../tensor/rng.js';
import { syncProgress, weightsFinite, type TrainingRun } from './training-run.js';

/** Consecutive roll-backs without getting past the snapshot before training gives up. */
const MAX_RECOVERIES = 5;
/** Snapshots are taken at least this often (and at every validation interval when that is shorter). */
const MAX_SNAPSHOT_INTERVAL = 100;

export class DivergenceGuard {
  private snapshot: Snapshot;
  private failuresSinceSnapshot = 0;
  private readonly every: number;

  /** `lastSave` says where the last good model on disk is, for the message when training gives up. */
  constructor(private readonly run: TrainingRun, private readonly lastSave: () => string) {
    this.every = Math.min(run.config.evalEvery, MAX_SNAPSHOT_INTERVAL);
    this.snapshot = this.take();
  }

  /** After a good step: keeps a new copy at every interval, when the weights are finite. */
  snapshotIfDue(): void {
    if (this.run.progress.step % this.every === 0 && weightsFinite(this.run)) {
      this.snapshot = this.take();
      this.failuresSinceSnapshot = 0;
    }
  }

  /** Rolls back to the last copy and halves the rate once more; throws DivergedError when that was tried too often. */
  rollBack(failedAt: number, reason: string): Extract<TrainEvent, { kind: 'recovered' }> {
    const run = this.run;
    this.failuresSinceSnapshot++;
    if (this.failuresSinceSnapshot > MAX_RECOVERIES) {
      throw new DivergedError(
        `training diverged: ${reason} ${MAX_RECOVERIES + 1} times at step ${failedAt}; ${this.lastSave()}`,
        { hint: 'try a lower --lr or a smaller --clip' });
    }
    run.progress = restoreSnapshot(this.snapshot, run.model, run.optimizer, run.state);
    run.rng = Rng.fromState(run.progress.rng);
    run.progress.lrScale = this.snapshot.progress.lrScale * 0.5 ** this.failuresSinceSnapshot;
    run.progress.nanRecoveries = this.snapshot.progress.nanRecoveries + this.failuresSinceSnapshot;
    return { kind: 'recovered', step: failedAt, rolledBackTo: run.progress.step, reason, lrScale: run.progress.lrScale };
  }

  private take(): Snapshot {
    syncProgress(this.run);
    return takeSnapshot(this.run.progress, this.run.model, this.run.optimizer, this.run.state);
  }
}
