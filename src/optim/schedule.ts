// Learning-rate schedules as pure functions of the step: linear warm-up, then constant, step decay or cosine decay.
// Being pure, a resumed run gets exactly the rates an uninterrupted one would.

import type { ScheduleKind } from '../config/train-config.js';

export type { ScheduleKind } from '../config/train-config.js';

export interface ScheduleConfig {
  readonly kind: ScheduleKind;
  /** Steps of linear warm-up from lr/warmupSteps up to lr (0 = none). */
  readonly warmupSteps: number;
  /** Step decay: multiply the rate by decayFactor every decayEvery steps (counted from step 0). */
  readonly decayEvery?: number;
  readonly decayFactor?: number;
  /** Cosine decay ends at this fraction of the base rate (default 0). */
  readonly minLrFraction?: number;
}

/** The learning rate of step `step` (0-based) of `totalSteps` (Infinity when unknown: cosine then stays at baseLr). */
export function learningRateAt(baseLr: number, schedule: ScheduleConfig, step: number, totalSteps: number): number {
  const warmup = Math.max(0, schedule.warmupSteps);
  if (step < warmup) return (baseLr * (step + 1)) / warmup; // reaches baseLr at the last warm-up step
  switch (schedule.kind) {
    case 'constant':
      return baseLr;
    case 'step': {
      const every = schedule.decayEvery ?? 0;
      if (!(every > 0)) return baseLr;
      return baseLr * (schedule.decayFactor ?? 0.1) ** Math.floor(step / every);
    }
    case 'cosine': {
      const minLr = baseLr * (schedule.minLrFraction ?? 0);
      const span = totalSteps - warmup;
      if (!Number.isFinite(span) || span <= 0) return baseLr;
      const progress = Math.min(1, (step - warmup) / span);
      return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}
