// Timing helpers for the benchmark: warm-up, timed windows, median and spread. Knows nothing of models.

import { performance } from 'node:perf_hooks';

export interface WindowPlan {
  /** Warm up for at least this long and at least minWarmupSteps steps; the warm-up is never timed. */
  readonly warmupSeconds: number;
  readonly minWarmupSteps: number;
  /** Each timed window runs about this long (a whole number of steps, at least one). */
  readonly windowSeconds: number;
  readonly windows: number;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** (max − min) / median: how noisy the machine was during the windows. */
  readonly relativeSpread: number;
}

export interface WindowResult extends Spread {
  /** Units (characters) per second of each window, in the order they ran. */
  readonly perWindow: number[];
  readonly stepsPerWindow: number;
  readonly warmupSteps: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function spreadOf(xs: readonly number[]): Spread {
  const m = median(xs);
  const min = Math.min(...xs);
  const max = Math.max(...xs);
  return { median: m, min, max, relativeSpread: m > 0 ? (max - min) / m : Number.NaN };
}

/**
 * Runs `step` (which does `unitsPerStep` units of work, e.g. T·B characters) through a warm-up, sizes the windows from the
 * warm-up's speed, then times `plan.windows` windows and returns units per second for each, with their median and spread.
 */
export function timeWindows(step: () => void, unitsPerStep: number, plan: WindowPlan): WindowResult {
  const warmStart = performance.now();
  let warmupSteps = 0;
  while (warmupSteps < plan.minWarmupSteps || performance.now() - warmStart < plan.warmupSeconds * 1000) {
    step();
    warmupSteps++;
  }
  const secondsPerStep = (performance.now() - warmStart) / 1000 / warmupSteps;
  const stepsPerWindow = Math.max(1, Math.round(plan.windowSeconds / secondsPerStep));
  const perWindow: number[] = [];
  for (let w = 0; w < plan.windows; w++) {
    const t0 = performance.now();
    for (let s = 0; s < stepsPerWindow; s++) step();
    perWindow.push((stepsPerWindow * unitsPerStep * 1000) / (performance.now() - t0));
  }
  return { ...spreadOf(perWindow), perWindow, stepsPerWindow, warmupSteps };
}

/** Peak memory of this process so far: resident set (the OS's high-water mark) and the V8 heap now. */
export interface MemoryFigures {
  readonly maxRssBytes: number;
  readonly heapUsedBytes: number;
  /** Typed arrays (the model's parameters and buffers) live outside the V8 heap, here. */
  readonly arrayBuffersBytes: number;
}

export function memoryFigures(): MemoryFigures {
  const usage = process.memoryUsage();
  return {
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedBytes: usage.heapUsed,
    arrayBuffersBytes: usage.arrayBuffers,
  };
}
