// buildTrainConfig: merges defaults, a size preset and the flags into one validated, frozen TrainConfig. Pure.

import { ConfigError } from '../errors.js';
import { cellType } from '../nn/cells.js';
import { CELLS, LIMITS } from './model-config.js';
import { DEFAULTS, PRESETS } from './presets.js';
import type { Budget, SizePreset, TrainConfig } from './train-config.js';
import { OPTIMIZERS, SCHEDULES } from './train-config.js';

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | undefined : T[K] | undefined };
export type TrainOverrides = DeepPartial<TrainConfig>;

/** Copies the defined values of `patch` over `base`, one level of nesting deep (undefined means "not given"). */
function merge<T extends object>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined) return base;
  const out = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] = typeof value === 'object' && value !== null && typeof current === 'object' && current !== null
      ? merge(current as object, value as DeepPartial<object>)
      : value;
  }
  return out as T;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new ConfigError(message);
}

const isPosInt = (n: number): boolean => Number.isInteger(n) && n >= 1;

export function validateTrainConfig(c: TrainConfig): void {
  check((CELLS as readonly string[]).includes(c.model.cell), `cell must be one of ${CELLS.join(', ')}`);
  check(isPosInt(c.model.numLayers) && c.model.numLayers <= LIMITS.maxLayers, `layers must be from 1 to ${LIMITS.maxLayers}`);
  check(isPosInt(c.model.hiddenSize) && c.model.hiddenSize <= LIMITS.maxHiddenSize,
    `hidden size must be from 1 to ${LIMITS.maxHiddenSize}`);
  check(c.model.dropout >= 0 && c.model.dropout < 1, 'dropout must be at least 0 and below 1');
  const projSize = c.model.projSize ?? 0;
  check(Number.isInteger(projSize) && projSize >= 0 && projSize < c.model.hiddenSize,
    'proj size must be an integer below the hidden size (0: no projection)');
  check(projSize === 0 || cellType(c.model.cell).projects,
    `proj size needs a cell that projects: ${CELLS.filter((cell) => cellType(cell).projects).join(', ')}`);
  check(Number.isFinite(c.forgetBias) && Math.abs(c.forgetBias) <= 10, 'forget bias must be a number from -10 to 10');
  check(isPosInt(c.bpttLength) && c.bpttLength <= 100_000, 'seq length must be from 1 to 100000');
  check(isPosInt(c.batchSize) && c.batchSize <= 100_000, 'batch size must be from 1 to 100000');
  check((OPTIMIZERS as readonly string[]).includes(c.optimizer.kind), `optimizer must be one of ${OPTIMIZERS.join(', ')}`);
  check(c.optimizer.momentum >= 0 && c.optimizer.momentum < 1, 'momentum must be in [0, 1)');
  check(c.optimizer.beta1 >= 0 && c.optimizer.beta1 < 1 && c.optimizer.beta2 >= 0 && c.optimizer.beta2 < 1, 'betas must be in [0, 1)');
  check(c.optimizer.eps > 0, 'eps must be positive');
  check(c.optimizer.weightDecay >= 0, 'weight decay must not be negative');
  check(c.optimizer.alpha >= 0 && c.optimizer.alpha < 1, 'alpha must be in [0, 1)');
  check(c.learningRate > 0 && c.learningRate < 100, 'learning rate must be greater than 0 and below 100');
  check((SCHEDULES as readonly string[]).includes(c.schedule.kind), `schedule must be one of ${SCHEDULES.join(', ')}`);
  check(Number.isInteger(c.schedule.warmupSteps) && c.schedule.warmupSteps >= 0, 'warm-up steps must be a non-negative integer');
  check(isPosInt(c.schedule.decayEvery), 'decay interval must be a positive integer');
  check(c.schedule.decayFactor > 0 && c.schedule.decayFactor <= 1, 'decay factor must be in (0, 1]');
  check(c.schedule.minLrFraction >= 0 && c.schedule.minLrFraction <= 1, 'minimum learning-rate fraction must be in [0, 1]');
  check(c.gradClip >= 0, 'gradient clip must not be negative (0 turns it off)');
  const b = c.budget;
  check(b.steps !== null || b.epochs !== null || b.timeSeconds !== null, 'give a budget: --steps, --epochs or --time');
  check(b.steps === null || isPosInt(b.steps), 'steps must be a positive integer');
  check(b.epochs === null || b.epochs > 0, 'epochs must be positive');
  check(b.timeSeconds === null || b.timeSeconds > 0, 'time must be positive');
  check(c.valFrac >= 0 && c.valFrac < 1, 'validation fraction must be at least 0 and below 1');
  check(isPosInt(c.evalEvery), 'eval interval must be a positive integer');
  check(Number.isInteger(c.evalChars) && c.evalChars >= 0, 'eval chars must be a non-negative integer');
  check(Number.isInteger(c.patience) && c.patience >= 0, 'patience must be a non-negative integer');
  check(Number.isSafeInteger(c.seed), 'seed must be an integer');
  check(c.streamResetShare === undefined || (c.streamResetShare >= 0 && c.streamResetShare <= 1),
    'the share of streams reset per step must be between 0 and 1');
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Defaults ← preset ← flags. A budget given by flags (any of steps, epochs, time) replaces the preset's budget whole,
 * so `--time 60` means sixty seconds, not "sixty seconds or the preset's step count".
 */
export function buildTrainConfig(preset: SizePreset | undefined, overrides: TrainOverrides = {}): TrainConfig {
  const base = preset === undefined ? DEFAULTS : merge(DEFAULTS, PRESETS[preset] as TrainOverrides);
  return overrideTrainConfig(base, overrides);
}

/** `base` with the defined values of `overrides` over it (a budget replaced whole, as above), validated and frozen. */
export function overrideTrainConfig(base: TrainConfig, overrides: TrainOverrides): TrainConfig {
  const { budget, ...rest } = overrides;
  let config = merge(base, rest as TrainOverrides);
  const given = budget !== undefined && Object.values(budget).some((v) => v !== undefined);
  if (given) {
    const full: Budget = { steps: budget?.steps ?? null, epochs: budget?.epochs ?? null, timeSeconds: budget?.timeSeconds ?? null };
    config = { ...config, budget: full };
  }
  config = JSON.parse(JSON.stringify(config)) as TrainConfig; // a private copy, so freezing never touches DEFAULTS
  validateTrainConfig(config);
  return deepFreeze(config);
}
