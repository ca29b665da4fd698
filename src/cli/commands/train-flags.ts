// The flags of `charlm train`, declared once. Everything else is derived from this table: commander's options, the help
// text's defaults (from DEFAULTS and the size presets), the TrainConfig overrides, and what a resumed run may change.

import { Option, type Command } from 'commander';
import { AUTO_CELL, CHOSEN_SETTINGS, chooseTrainSettings, type AutoChoice, type TextSize } from '../../config/auto-config.js';
import { overrideTrainConfig, type TrainOverrides } from '../../config/build-config.js';
import { CELLS, validateModelConfig, type ModelConfig } from '../../config/model-config.js';
import { DEFAULTS, PRESETS } from '../../config/presets.js';
import { OPTIMIZERS, SCHEDULES, SIZE_PRESETS, type SizePreset, type TrainConfig } from '../../config/train-config.js';
import { ConfigError, UsageError } from '../../errors.js';
import { KERNEL_CHOICES } from '../../tensor/create-kernels.js';
import {
  choiceOf, dropoutRate, finiteNumber, integer, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, probability,
} from '../flags.js';

/** Where a flag's value goes in TrainConfig. */
type ConfigPath =
  | 'model.cell' | 'model.numLayers' | 'model.hiddenSize' | 'model.projSize' | 'model.dropout' | 'forgetBias' | 'bpttLength'
  | 'batchSize'
  | 'optimizer.kind' | 'optimizer.momentum' | 'optimizer.weightDecay' | 'learningRate' | 'schedule.kind'
  | 'schedule.warmupSteps' | 'gradClip' | 'budget.steps' | 'budget.epochs' | 'budget.timeSeconds' | 'valFrac'
  | 'evalEvery' | 'evalChars' | 'patience' | 'lineMode' | 'streamResetShare' | 'seed';

/**
 * What --resume does with a flag: 'change' (how long, how fast and how the run is watched: a resumed run may change it),
 * 'match' (what the model was trained with: given again, it must equal the saved value), 'run' (steers this command,
 * not the training), 'fresh' (only for a new run).
 */
type OnResume = 'change' | 'match' | 'run' | 'fresh';

interface FlagSpec {
  /** As commander spells it: '--hidden-size <units>'. */
  readonly flags: string;
  readonly description: string;
  readonly parse?: (raw: string) => unknown;
  readonly config?: ConfigPath;
  readonly onResume: OnResume;
  /** Only for flags outside the config; config flags show the default of DEFAULTS and the presets. */
  readonly defaultValue?: unknown;
}

const listOf = (words: readonly string[]): string => words.join(', ');

export const TRAIN_FLAGS: readonly FlagSpec[] = [
  { flags: '-o, --output <model>', description: 'where the best model goes (default: models/<file name>.json)', onResume: 'run' },
  { flags: '--size <preset>', description: `size preset: ${listOf(SIZE_PRESETS)} (default: none, the settings are ` +
    'chosen from the text and the budget; flags override either)',
    parse: choiceOf(SIZE_PRESETS), onResume: 'match' },
  { flags: '--cell <cell>', description: `recurrent cell: ${listOf(CELLS)}`, parse: choiceOf(CELLS), config: 'model.cell', onResume: 'match' },
  { flags: '--layers <n>', description: 'stacked recurrent layers', parse: positiveInt, config: 'model.numLayers', onResume: 'match' },
  { flags: '--hidden-size <units>', description: 'units per layer', parse: positiveInt, config: 'model.hiddenSize', onResume: 'match' },
  { flags: '--proj-size <units>', description: 'LSTM: project h to this many units, fewer than --hidden-size (PyTorch proj_size; 0: none)',
    parse: nonNegativeInt, config: 'model.projSize', onResume: 'match' },
  { flags: '--dropout <p>', description: 'dropout between layers while training', parse: dropoutRate, config: 'model.dropout',
    onResume: 'change' },
  { flags: '--forget-bias <b>', description: 'LSTM: initial forget-gate bias', parse: finiteNumber, config: 'forgetBias',
    onResume: 'match' },
  { flags: '--seq-length <steps>', description: 'BPTT length: characters per chunk that gradients flow through',
    parse: positiveInt, config: 'bpttLength', onResume: 'match' },
  { flags: '--batch-size <streams>', description: 'parallel streams the text is cut into', parse: positiveInt,
    config: 'batchSize', onResume: 'match' },
  { flags: '--optimizer <name>', description: listOf(OPTIMIZERS), parse: choiceOf(OPTIMIZERS), config: 'optimizer.kind',
    onResume: 'match' },
  { flags: '--lr <rate>', description: 'base learning rate', parse: positiveNumber, config: 'learningRate', onResume: 'change' },
  { flags: '--schedule <kind>', description: `learning-rate schedule: ${listOf(SCHEDULES)}`, parse: choiceOf(SCHEDULES),
    config: 'schedule.kind', onResume: 'change' },
  { flags: '--warmup <steps>', description: 'linear learning-rate warm-up steps', parse: nonNegativeInt,
    config: 'schedule.warmupSteps', onResume: 'change' },
  { flags: '--momentum <m>', description: 'SGD momentum', parse: probability, config: 'optimizer.momentum', onResume: 'match' },
  { flags: '--weight-decay <w>', description: 'weight decay (decoupled for adamw)', parse: nonNegativeNumber,
    config: 'optimizer.weightDecay', onResume: 'match' },
  { flags: '--clip <norm>', description: 'clip the global gradient norm to this (0: off)', parse: nonNegativeNumber,
    config: 'gradClip', onResume: 'match' },
  { flags: '--steps <n>', description: "budget: total optimisation steps of the model's life", parse: positiveInt,
    config: 'budget.steps', onResume: 'change' },
  { flags: '--epochs <n>', description: 'budget: passes over the training text', parse: positiveNumber,
    config: 'budget.epochs', onResume: 'change' },
  { flags: '--time <seconds>', description: 'budget: wall-clock seconds for this run', parse: positiveNumber,
    config: 'budget.timeSeconds', onResume: 'change' },
  { flags: '--val-frac <x>', description: 'fraction of the text (its end) held out for validation', parse: probability,
    config: 'valFrac', onResume: 'match' },
  { flags: '--eval-every <steps>', description: 'validate and save every this many steps', parse: positiveInt,
    config: 'evalEvery', onResume: 'change' },
  { flags: '--eval-chars <n>', description: 'validate on at most this many held-out characters (0: all)',
    parse: nonNegativeInt, config: 'evalChars', onResume: 'change' },
  { flags: '--patience <evals>', description: 'stop after this many validations without improvement (0: never)',
    parse: nonNegativeInt, config: 'patience', onResume: 'change' },
  { flags: '--seed <n>', description: 'random seed: the same flags and seed give the same model', parse: integer,
    config: 'seed', onResume: 'match' },
  { flags: '--resume <model>', description: 'continue training a saved model exactly where it stopped', onResume: 'run' },
  { flags: '--init-from <model>', description: "fine-tune: start a new run from a trained model's weights, on any text " +
    '(architecture and vocabulary from the model)', onResume: 'fresh' },
  { flags: '--extend-vocab', description: "with --init-from: add the text's characters the model never saw, as fresh weights",
    onResume: 'fresh' },
  { flags: '--line-mode', description: 'one item per line: each line starts and ends with reserved symbols',
    config: 'lineMode', onResume: 'match' },
  { flags: '--stream-resets <share>', description: 'share of the streams restarted from the start state at each step, '
    + 'at the first line break of their chunk, so that the model learns to begin a text', parse: probability, config: 'streamResetShare', onResume: 'match' },
  { flags: '--no-log', description: 'do not write the JSON-lines log beside the model', onResume: 'run' },
  { flags: '--force', description: 'replace model files that another training run wrote at --output', onResume: 'run' },
  { flags: '--keep <n>', description: "keep the models of the last n validations as NAME.step-K.json (0: none)",
    parse: nonNegativeInt, defaultValue: 0, onResume: 'run' },
  { flags: '--keep-cr', description: 'keep carriage returns (by default CRLF line endings are read as LF)', onResume: 'run' },
  { flags: '--sample-length <n>', description: 'characters of the closing sample (0: none)', parse: nonNegativeInt,
    defaultValue: 200, onResume: 'run' },
  { flags: '--sample-every <steps>', description: 'print a short sample every this many steps (and write it to the log)',
    parse: positiveInt, onResume: 'run' },
  { flags: '--kernels <kind>', description: `numeric kernels: ${listOf(KERNEL_CHOICES)} (auto: native, else wasm, else reference)`,
    parse: choiceOf(KERNEL_CHOICES), defaultValue: 'auto', onResume: 'run' },
  { flags: '--quiet', description: 'no progress output', onResume: 'run' },
  { flags: '--json', description: 'print a JSON summary on stdout', onResume: 'run' },
];

function valueAt(config: TrainConfig, path: ConfigPath): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

function setAt(target: Record<string, unknown>, path: ConfigPath, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}

/** The preset's value at `path`, if it sets one. */
function presetValue(preset: SizePreset, path: ConfigPath): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key],
    PRESETS[preset]);
}

/**
 * "(default: chosen; tiny 64, small 128, medium 256, large 512)" for a setting the automatic
 * choice makes, "(default: 5; tiny 16)" from DEFAULTS and the presets that differ from it for the others.
 */
function defaultText(path: ConfigPath): string {
  const show = (v: unknown): string => (v === null ? 'none' : String(v));
  const base = valueAt(DEFAULTS, path);
  if (typeof base === 'boolean') return '';
  const chosen = (CHOSEN_SETTINGS as readonly string[]).includes(path);
  const byPreset = SIZE_PRESETS
    .map((p) => [p, presetValue(p, path) ?? base] as const)
    .filter(([, v]) => chosen || v !== base)
    .map(([p, v]) => `${p} ${show(v)}`);
  const by = byPreset.length > 0 ? '; ' + byPreset.join(', ') : '';
  return ` (default: ${chosen ? 'chosen' : show(base)}${by})`;
}

export function addTrainFlags(command: Command): Command {
  for (const spec of TRAIN_FLAGS) {
    const option = new Option(spec.flags, spec.description + (spec.config === undefined ? '' : defaultText(spec.config)));
    if (spec.parse !== undefined) option.argParser(spec.parse);
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue, String(spec.defaultValue));
    command.addOption(option);
  }
  return command;
}

/** The parsed option values by commander's attribute name, and whether each was given on the command line. */
export interface GivenFlags {
  readonly values: Readonly<Record<string, unknown>>;
  readonly given: (attribute: string) => boolean;
}

const attributeOf = (spec: FlagSpec): string => new Option(spec.flags).attributeName();
const flagName = (spec: FlagSpec): string => new Option(spec.flags).long!;

/** The config overrides of the flags given, for the specs `which` selects. */
function overridesOf(flags: GivenFlags, which: (spec: FlagSpec) => boolean): TrainOverrides {
  const overrides: Record<string, unknown> = {};
  for (const spec of TRAIN_FLAGS) {
    if (spec.config === undefined || !which(spec)) continue;
    const value = flags.values[attributeOf(spec)];
    if (value !== undefined) setAt(overrides, spec.config, value);
  }
  return overrides as TrainOverrides;
}

/** Config errors found while building from flags (--layers 99) are usage errors: the command line asked for them. */
function asUsage<T>(build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/**
 * The TrainConfig of a new run: defaults ← the --size preset, or else the automatic choice (when there is one) ← the
 * flags, each overriding its own value.
 */
export function newRunConfig(flags: GivenFlags, auto: AutoChoice | null = null): TrainConfig {
  const preset = flags.values.size as SizePreset | undefined;
  const base = preset !== undefined ? overrideTrainConfig(DEFAULTS, PRESETS[preset] as TrainOverrides)
    : auto !== null ? overrideTrainConfig(DEFAULTS, auto.overrides) : DEFAULTS;
  // The choice's budget is the flags' own, with at most so many epochs where only a time was given (auto-config.ts).
  const fromFlags = overridesOf(flags, () => true);
  const overrides = auto?.overrides.budget === undefined ? fromFlags : { ...fromFlags, budget: auto.overrides.budget };
  return asUsage(() => {
    const config = overrideTrainConfig(base, overrides);
    // Too many parameters even for the smallest vocabulary (two symbols) is the flags' fault, found before any reading.
    validateModelConfig({ ...config.model, vocabSize: 2 });
    return config;
  });
}

/**
 * Without --size, a new run's settings are chosen from its text and budget (config/auto-config.ts), around the values the
 * flags fix (and the network of the model given to --init-from); null with --size.
 */
export function automaticChoice(flags: GivenFlags, text: TextSize, model?: ModelConfig): AutoChoice | null {
  if (flags.values.size !== undefined) return null;
  const asked = newRunConfig(flags);
  const fixedBy = (path: ConfigPath): number | undefined => {
    const spec = TRAIN_FLAGS.find((s) => s.config === path)!;
    return flags.given(attributeOf(spec)) ? valueAt(asked, path) as number : undefined;
  };
  const budgetGiven = (['budget.steps', 'budget.epochs', 'budget.timeSeconds'] as const).some((p) => fixedBy(p) !== undefined);
  return chooseTrainSettings({
    text, cell: model?.cell ?? (flags.given('cell') ? asked.model.cell : AUTO_CELL), valFrac: asked.valFrac, evalChars: asked.evalChars,
    budget: budgetGiven ? asked.budget : { steps: null, epochs: null, timeSeconds: null },
    fixed: {
      numLayers: model?.numLayers ?? fixedBy('model.numLayers'), hiddenSize: model?.hiddenSize ?? fixedBy('model.hiddenSize'),
      batchSize: fixedBy('batchSize'), bpttLength: fixedBy('bpttLength'), projSize: model?.projSize ?? fixedBy('model.projSize'),
    },
  });
}

/** The flags a resumed run may change, for messages. */
export const RESUMABLE_FLAGS: readonly string[] = TRAIN_FLAGS.filter((s) => s.onResume === 'change').map(flagName);

/**
 * The TrainConfig of a resumed run: the saved one, with the flags a resumed run may change applied. Any other training
 * flag given must agree with the saved run (a --size preset with every value it sets); a disagreement is a usage error.
 */
export function resumedRunConfig(stored: TrainConfig, flags: GivenFlags): TrainConfig {
  const preset = flags.given('size') ? flags.values.size as SizePreset : undefined;
  const asked = newRunConfig(flags);
  for (const spec of TRAIN_FLAGS) {
    if (!flags.given(attributeOf(spec))) continue;
    if (spec.onResume === 'fresh') throw new UsageError(`${flagName(spec)} cannot be used with --resume`);
  }
  for (const spec of TRAIN_FLAGS) {
    if (spec.config === undefined || spec.onResume !== 'match') continue;
    const byFlag = flags.given(attributeOf(spec));
    const byPreset = preset !== undefined && presetValue(preset, spec.config) !== undefined;
    const [wanted, was] = [valueAt(asked, spec.config), valueAt(stored, spec.config)];
    if ((byFlag || byPreset) && wanted !== was) {
      const what = byFlag ? flagName(spec) : `--size ${preset} (${flagName(spec)} ${String(wanted)})`;
      throw new UsageError(`${what} cannot change when resuming (the model was trained with ${JSON.stringify(was)})`);
    }
  }
  return asUsage(() => overrideTrainConfig(stored, overridesOf(flags, (s) => s.onResume === 'change')));
}

/**
 * The TrainConfig of a fine-tuning run (--init-from): a new run's, with the architecture and line mode of the model it
 * starts from; a flag given that disagrees with them is a usage error.
 */
export function fineTuningRunConfig(flags: GivenFlags, model: ModelConfig, lineMode: boolean,
                                    auto: AutoChoice | null = null): TrainConfig {
  const asked = newRunConfig(flags, auto);
  const fixed: [ConfigPath, unknown][] = [['model.cell', model.cell], ['model.numLayers', model.numLayers],
    ['model.hiddenSize', model.hiddenSize], ['model.projSize', model.projSize ?? 0], ['lineMode', lineMode]];
  const overrides: Record<string, unknown> = {};
  for (const [path, value] of fixed) {
    const spec = TRAIN_FLAGS.find((s) => s.config === path)!;
    if (flags.given(attributeOf(spec)) && valueAt(asked, path) !== value) {
      throw new UsageError(`${flagName(spec)} cannot differ from the model given to --init-from (it has ${JSON.stringify(value)})`);
    }
    setAt(overrides, path, value);
  }
  return asUsage(() => overrideTrainConfig(asked, overrides as TrainOverrides));
}
