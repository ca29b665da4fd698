// Learning-rate schedules as pure functions of the step: linear warm-up, then constant, step decay or cosine decay.
// Being pure, a resumed run gets exactly the rates an uninterrupted one would. The settings' defaults are in
// config/presets.ts (DEFAULTS.schedule), the one table of defaults.

import type { ScheduleSettings } from '../config/train-config.js';

export type { ScheduleKind, ScheduleSettings } from '../config/train-config.js';

/** The learning rate of step `step` (0-based) of `totalSteps` (Infinity when unknown: cosine then stays at baseLr). */
export function learningRateAt(baseLr: number, schedule: ScheduleSettings, step: number, totalSteps: number): number {
  const warmup = Math.max(0, schedule.warmupSteps);
  if (step < warmup) return (baseLr * (step + 1)) / warmup; // reaches baseLr at the last warm-up step
  switch (schedule.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * schedule.decayFactor ** Math.floor(step / schedule.decayEvery);
    case 'cosine': {
      const minLr = baseLr * schedule.minLrFraction;
      const span = totalSteps - warmup;
      if (!Number.isFinite(span) || span <= 0) return baseLr;
      const progress = Math.min(1, (step - warmup) / span);
      return minLr + (baseLr - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}
