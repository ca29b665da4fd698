// The automatic choice of a new run's settings (no --size): network, batch, sequence length, dropout, learning rate,
// validation interval and, when none is given, the budget, from the text's size and vocabulary and the budget. Pure and
// deterministic: it never times the machine, so the same command on the same text always chooses the same settings.

import type { Cell } from './model-config.js';
import { gateCount } from './model-config.js';
import type { TrainOverrides } from './build-config.js';
import type { Budget, TrainConfig } from './train-config.js';

/** What the choice reads of the training text: all of it, before the validation tail is split off. */
export interface TextSize {
  /** Symbols of the encoded text (in line mode with the start and end symbols of each line). */
  readonly symbols: number;
  readonly vocabSize: number;
}

/** Values the command line fixed; the choice works around them (and never changes them). */
export interface FixedSettings {
  readonly numLayers?: number;
  readonly hiddenSize?: number;
  readonly batchSize?: number;
  readonly bpttLength?: number;
  /** An LSTM projection: the hidden size must exceed it. */
  readonly projSize?: number;
}

export interface AutoInput {
  readonly text: TextSize;
  /** The cell to plan for: the one the flags give, else AUTO_CELL. */
  readonly cell: Cell;
  readonly valFrac: number;
  /** Validation reads at most this many held-out symbols (0: all). */
  readonly evalChars: number;
  /** The budget the flags gave (null where not given); all null: the choice sets one (DEFAULT_BUDGET_SECONDS). */
  readonly budget: Budget;
  readonly fixed?: FixedSettings;
}

export interface AutoChoice {
  /** The chosen values, to go under the flags (which override their own values). */
  readonly overrides: TrainOverrides;
  /** Why, for a person: "for 1.1 M characters, 65 symbols, 180 s (about 2.3 epochs)". */
  readonly reason: string;
  /** The steps and passes over the training text the budget allows at nominal speed. */
  readonly plannedSteps: number;
  readonly plannedEpochs: number;
}

/**
 * Nominal training speed on the machine the constants were measured on: a 2-core Xeon with AVX-512, sharing its cores
 * with one other training run (load average about 2.2), which is how charlm is most often run there. Measured with
 * `charlm train FILE --val-frac 0 --steps N --layers L --hidden-size H` (batch 32 × 64) for 1 × 64 … 2 × 512 on
 * tinyshakespeare (65 symbols) and 1 × 64 … 2 × 256 on song100 (1,591 symbols); a least-squares fit of seconds per
 * training character to the first three terms below, within 25 % of every measured rate, and the per-step term from
 * runs at two batch sizes. A faster machine gets the same choice and simply trains more steps in the same time.
 */
const NOMINAL = {
  /** FLOP/s of the recurrent matrix products (forward and backward: 6 FLOPs per weight per character). */
  recurrentFlops: 90e9,
  /** FLOP/s of the decoder and softmax over the vocabulary (its skinny products run at a quarter of the rate). */
  decoderFlops: 21e9,
  /** Seconds per character per layer per hidden unit for the elementwise work (gates, cell, dropout), LSTM (4 gates). */
  elementwiseSeconds: 60e-9,
  /**
   * Seconds per parameter per step for the work done once a step whatever its batch (the optimizer's update, clearing
   * and clipping the gradients): 1 × 128 on song100 at batch 16 × 32 against 32 × 64, 1 × 256 on tinyshakespeare the same.
   */
  stepSeconds: 15e-9,
  /** Seconds per parameter per validation to save the best and the latest model (JSON), about 0.3 s per million. */
  saveSeconds: 2.5e-7,
};

/** The settings the choice sets (as paths into TrainConfig); every other one keeps its default. */
export const CHOSEN_SETTINGS = [
  'model.cell', 'model.numLayers', 'model.hiddenSize', 'model.dropout', 'batchSize', 'bpttLength', 'learningRate', 'evalEvery', 'budget.steps',
] as const;

/**
 * The cell when --cell is not given: in 180 s on this machine a 1 × 256 GRU beat the same LSTM on tinyshakespeare (1.570
 * against 1.639 nats) and on 1.5 MB of Python (1.436 against 1.539, dropout 0.3): a quarter fewer weights a unit, so more steps.
 */
export const AUTO_CELL: Cell = 'gru';

/** With no budget flag the choice plans for this many nominal seconds and sets the budget in steps (reproducible). */
export const DEFAULT_BUDGET_SECONDS = 600;

/** The networks to choose from, smallest first: layers × hidden units. */
const LADDER: readonly (readonly [number, number])[] = [
  [1, 32], [1, 64], [1, 96], [1, 128], [1, 192], [1, 256], [2, 256], [2, 384], [2, 512], [3, 512], [3, 768], [3, 1024],
];

/**
 * The largest network whose recurrent weights see at least this many training characters each within the budget: larger
 * networks learn more per character but get through fewer of them.
 */
const CHARS_PER_WEIGHT = 10;
/** …and has at most this many recurrent weights per training character (dropout and keeping the best model do the rest). */
const WEIGHTS_PER_CHAR = 8;
/** Validation and saves may take this share of a time budget. */
const VALIDATION_SHARE = 0.1;
/**
 * A time budget (or none) is used for at most this many passes over the text: a small text stops improving long before
 * (song100, 9,754 characters, 1 × 128: 4.947 nats after 30 epochs with the schedule fitted to them, 4.952 after 60,
 * and 4.989 when 180 s were spent on 234 epochs, its best at epoch 12 while the learning rate was still high).
 */
export const MAX_EPOCHS = 30;

/** Recurrent weights (the one-hot input's columns are a lookup, counted with the decoder). */
function recurrentWeights(cell: Cell, L: number, H: number): number {
  return gateCount(cell) * H * H * (2 * L - 1);
}

/** Nominal seconds per training character, for steps of `charsPerStep` characters (batch × sequence length). */
export function secondsPerChar(cell: Cell, L: number, H: number, V: number, charsPerStep: number): number {
  return 6 * recurrentWeights(cell, L, H) / NOMINAL.recurrentFlops + 6 * H * V / NOMINAL.decoderFlops
    + NOMINAL.elementwiseSeconds * L * H * gateCount(cell) / 4 + NOMINAL.stepSeconds * allWeights(cell, L, H, V) / charsPerStep;
}

function allWeights(cell: Cell, L: number, H: number, V: number): number {
  return recurrentWeights(cell, L, H) + gateCount(cell) * H * V + H * V;
}

/** Streams × steps per batch: a step sees at most a sixteenth of the text, so a small text still gets many steps an epoch. */
function batchShape(trainChars: number, fixed: FixedSettings): { batchSize: number; bpttLength: number } {
  let chars = 2048;
  while (chars > 256 && chars > trainChars / 16) chars /= 2;
  const bpttLength = fixed.bpttLength ?? (chars >= 2048 ? 64 : 32);
  const batchSize = fixed.batchSize ?? Math.max(1, Math.min(Math.round(chars / bpttLength), Math.floor((trainChars - 1) / bpttLength)));
  return { batchSize, bpttLength };
}

/**
 * The budget in training characters and nominal seconds for a network, from whichever budget flag ends first; a time
 * budget (or none) at most MAX_EPOCHS passes (`capped` says whether that cap is what ends it).
 */
function budgetFor(budget: Budget, trainChars: number, charsPerStep: number, spc: number):
    { chars: number; seconds: number; capped: boolean; uncappedChars: number } {
  const limits: number[] = [];
  if (budget.steps !== null) limits.push(budget.steps * charsPerStep);
  if (budget.epochs !== null) limits.push(budget.epochs * trainChars);
  if (limits.length === 0) {
    const seconds = budget.timeSeconds ?? DEFAULT_BUDGET_SECONDS;
    const byTime = seconds * (1 - VALIDATION_SHARE) / spc;
    const chars = Math.min(byTime, MAX_EPOCHS * trainChars);
    return { chars, seconds: chars * spc / (1 - VALIDATION_SHARE), capped: chars < byTime, uncappedChars: byTime };
  }
  if (budget.timeSeconds !== null) limits.push(budget.timeSeconds * (1 - VALIDATION_SHARE) / spc);
  const chars = Math.min(...limits);
  return { chars, seconds: chars * spc / (1 - VALIDATION_SHARE), capped: false, uncappedChars: chars };
}

/** The nearest (by ratio) of 1, 2, 2.5 and 5 times a power of ten to x, as a whole number (at least 1). */
export function roundNice(x: number): number {
  if (x <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(x));
  const candidates = [1, 2, 2.5, 5, 10].map((m) => m * p).filter(Number.isInteger);
  return candidates.reduce((best, v) => (Math.abs(Math.log(v / x)) < Math.abs(Math.log(best / x)) ? v : best));
}

/**
 * Dropout for a run of `epochs` passes with `weightsPerChar` recurrent weights per training character: the smaller of
 * 0.1 per doubling of the passes (none for one pass) and 0.1 × log2(1 + 8 × weights per character), to 0.5 at most,
 * in steps of 0.05. A small text needs it most: on song100 (1 × 128, 7 weights a character, 30 epochs) 0.5 gave 4.947
 * nats, 0.25 gave 4.974; 1 × 256 on tinyshakespeare for 4 epochs gets 0.15.
 */
export function dropoutFor(epochs: number, weightsPerChar: number): number {
  const byEpochs = 0.1 * Math.log2(Math.max(epochs, 1));
  const bySize = 0.1 * Math.log2(1 + 8 * weightsPerChar);
  return Math.min(0.5, Math.round(20 * Math.min(byEpochs, bySize)) / 20);
}

/** 4e-3 for 256 units (measured on tinyshakespeare), inversely with width: 6e-3 at most (128 units), 1e-3 at least. */
export function learningRateFor(hiddenSize: number): number {
  return Number(Math.min(6e-3, Math.max(1e-3, 4e-3 * 256 / hiddenSize)).toPrecision(2));
}

/** The network: the largest rung of LADDER (agreeing with the fixed values) that the budget and the text both justify. */
function chooseNetwork(input: AutoInput, trainChars: number, charsPerStep: number): { L: number; H: number } {
  const { cell, fixed = {} } = input;
  const V = input.text.vocabSize;
  const rungs = LADDER.map(([L, H]) => ({ L: fixed.numLayers ?? L, H: fixed.hiddenSize ?? H }))
    .filter((r, i, all) => r.H > (fixed.projSize ?? 0) && all.findIndex((s) => s.L === r.L && s.H === r.H) === i);
  if (rungs.length === 0) return { L: fixed.numLayers ?? 1, H: Math.max(fixed.hiddenSize ?? 0, 2 * (fixed.projSize ?? 0)) };
  let best = rungs[0]!;
  for (const r of rungs) {
    const weights = recurrentWeights(cell, r.L, r.H);
    // The time a network gets to train, not the passes over a small text that are worth it (WEIGHTS_PER_CHAR sees to that).
    const { uncappedChars } = budgetFor(input.budget, trainChars, charsPerStep, secondsPerChar(cell, r.L, r.H, V, charsPerStep));
    if (uncappedChars >= CHARS_PER_WEIGHT * weights && weights <= WEIGHTS_PER_CHAR * trainChars) best = r;
  }
  return best;
}

const million = (n: number): string => (n >= 1e5 ? `${(n / 1e6).toFixed(1)} M` : n.toLocaleString('en-US'));

/** Chooses the settings of a new run from the text and the budget (see the file's header). */
export function chooseTrainSettings(input: AutoInput): AutoChoice {
  const { cell, text, fixed = {} } = input;
  const trainChars = Math.max(1, text.symbols - Math.floor(text.symbols * input.valFrac));
  const { batchSize, bpttLength } = batchShape(trainChars, fixed);
  const charsPerStep = batchSize * bpttLength;
  const { L, H } = chooseNetwork(input, trainChars, charsPerStep);
  const spc = secondsPerChar(cell, L, H, text.vocabSize, charsPerStep);
  const { chars, seconds, capped } = budgetFor(input.budget, trainChars, charsPerStep, spc);
  const epochs = chars / trainChars;
  const dropout = dropoutFor(epochs, recurrentWeights(cell, L, H) / trainChars);
  const learningRate = learningRateFor(H);
  const steps = Math.max(1, Math.round(chars / charsPerStep));

  // Each validation reads the held-out text (a forward pass: about a third of a training character each) and saves two
  // models; together they may take VALIDATION_SHARE of the budget, for 5 to 50 validations.
  const heldOut = Math.floor(text.symbols * input.valFrac);
  const valChars = input.evalChars > 0 ? Math.min(heldOut, input.evalChars) : heldOut;
  const validationSeconds = valChars * spc / 3 + NOMINAL.saveSeconds * allWeights(cell, L, H, text.vocabSize);
  const validations = Math.min(50, Math.max(5, Math.floor(VALIDATION_SHARE * seconds / validationSeconds)));
  const evalEvery = roundNice(steps / validations);

  const noBudget = input.budget.steps === null && input.budget.epochs === null && input.budget.timeSeconds === null;
  const defaultSteps = roundNice(steps);
  const timeOnly = !noBudget && input.budget.steps === null && input.budget.epochs === null;
  const passes = capped ? `${MAX_EPOCHS} epochs` : `about ${epochs < 10 ? epochs.toFixed(1) : Math.round(epochs).toLocaleString('en-US')} epochs`;
  const nominal = seconds < 120 ? `${Math.ceil(seconds)} s` : `${Math.round(seconds / 60)} min`;
  const budget = noBudget ? `${defaultSteps.toLocaleString('en-US')} steps (${passes}, about ${nominal} at nominal speed)`
    : timeOnly && capped ? `${input.budget.timeSeconds} s (of which ${passes}, about ${nominal} at nominal speed, are worth training)`
    : timeOnly ? `${input.budget.timeSeconds} s (${passes} at nominal speed, at most ${MAX_EPOCHS})`
    : `${steps.toLocaleString('en-US')} steps (${passes})`;
  return {
    overrides: {
      model: { cell, numLayers: L, hiddenSize: H, dropout },
      batchSize, bpttLength, learningRate, evalEvery,
      ...(noBudget ? { budget: { steps: defaultSteps } } : {}),
      // Also where the nominal speed does not reach the cap: a faster machine would otherwise pass the text more often.
      ...(timeOnly ? { budget: { ...input.budget, epochs: MAX_EPOCHS } } : {}),
    },
    reason: `for ${million(text.symbols)} characters, ${text.vocabSize.toLocaleString('en-US')} symbols, ${budget}`,
    plannedSteps: noBudget ? defaultSteps : steps,
    plannedEpochs: epochs,
  };
}

/** "chose 2 × 256 LSTM, batch 32 × 64, dropout 0.1, lr 4e-3, validation every 250 steps for …": the run's own values. */
export function describeChoice(config: TrainConfig, choice: AutoChoice): string {
  const m = config.model;
  const lr = config.learningRate.toExponential(1).replace('.0e', 'e');
  return `chose ${m.numLayers} × ${m.hiddenSize} ${m.cell.toUpperCase()}, batch ${config.batchSize} × ${config.bpttLength}, ` +
    `dropout ${m.dropout}, lr ${lr}, validation every ${config.evalEvery === 1 ? 'step' : `${config.evalEvery} steps`} ${choice.reason}`;
}
