// When a run stops and how long its learning-rate schedule runs: the budget (steps, epochs, seconds) against the
// model's step count and this run's clock.

import type { Budget } from '../config/train-config.js';
import type { StopReason } from './events.js';
import type { TrainProgress } from './training-state.js';

/** A time budget re-estimates the schedule's length from the pace of the run every this many steps. */
const SPEED_PROBE_STEPS = 20;

/** Milliseconds since this run started, and in the model's whole training life. */
export class RunClock {
  private readonly start: number;
  /** `nowMs` is a monotonic clock in milliseconds (performance.now unless a caller brings its own). */
  constructor(private readonly elapsedBefore: number, private readonly nowMs: () => number = () => performance.now()) {
    this.start = nowMs();
  }
  runMs(): number {
    return this.nowMs() - this.start;
  }
  elapsedMs(): number {
    return this.elapsedBefore + this.runMs();
  }
}

export class RunBudget {
  /** The step at which the budget ends, when it is known in steps (the smaller of --steps and --epochs). */
  readonly stepLimit: number | null;
  private readonly stepReason: StopReason;
  private readonly runStartStep: number;

  constructor(private readonly budget: Budget, chunksPerEpoch: number, progress: TrainProgress,
              private readonly clock: RunClock) {
    const epochSteps = budget.epochs === null ? null : Math.ceil(budget.epochs * chunksPerEpoch);
    this.stepLimit = budget.steps === null ? epochSteps : epochSteps === null ? budget.steps : Math.min(budget.steps, epochSteps);
    this.stepReason = budget.steps !== null && (epochSteps === null || budget.steps <= epochSteps) ? 'steps' : 'epochs';
    this.runStartStep = progress.step;
    // The schedule is planned over the whole budget as it is now: a run extended by a larger budget follows, from where
    // it stands, the schedule of a run given that budget from the start (see "Extending a run" in the README).
    if (this.stepLimit !== null) progress.scheduleTotalSteps = this.stepLimit;
  }

  /** True when a budget in steps is already used up, so the run has nothing to do. */
  spent(step: number): boolean {
    return this.stepLimit !== null && step >= this.stepLimit;
  }

  /** Why the run must stop before step `step + 1`, or null to go on. */
  stopReason(step: number): StopReason | null {
    if (this.spent(step)) return this.stepReason;
    if (this.budget.timeSeconds !== null && this.clock.runMs() >= this.budget.timeSeconds * 1000) return 'time';
    return null;
  }

  /** Fraction of the budget used, 0..1. */
  fractionUsed(step: number): number {
    const bySteps = this.stepLimit === null ? 0 : step / this.stepLimit;
    const byTime = this.budget.timeSeconds === null ? 0 : this.clock.runMs() / (this.budget.timeSeconds * 1000);
    return Math.min(1, Math.max(bySteps, byTime));
  }

  /**
   * With a time budget the schedule ends at the deadline, or at the step limit if this run's pace so far (validations
   * and saves included) says that comes first; estimated again every SPEED_PROBE_STEPS steps. Without a step limit the
   * deadline is all the schedule has; with one (the epochs the automatic choice caps a time budget at, on a machine
   * faster than it planned for), cosine decay still ends where the run does.
   */
  fitScheduleToDeadline(progress: TrainProgress): void {
    if (this.budget.timeSeconds === null) return;
    const stepsThisRun = progress.step - this.runStartStep;
    if (stepsThisRun % SPEED_PROBE_STEPS !== 0) return;
    const msPerStep = this.clock.runMs() / Math.max(1, stepsThisRun);
    const stepsLeft = Math.floor((this.budget.timeSeconds * 1000 - this.clock.runMs()) / msPerStep);
    const byDeadline = progress.step + Math.max(1, stepsLeft);
    progress.scheduleTotalSteps = this.stepLimit === null ? byDeadline : Math.min(this.stepLimit, byDeadline);
  }
}
