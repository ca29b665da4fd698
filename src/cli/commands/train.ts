// `charlm train FILE`: declares the flags, builds the TrainConfig, runs the trainer with a progress view, renders the result.

import { basename, extname, join } from 'node:path';
import { Command } from 'commander';
import { buildTrainConfig, validateTrainConfig, type TrainOverrides } from '../../config/build-config.js';
import { CELLS, type Cell } from '../../config/model-config.js';
import { DEFAULTS } from '../../config/presets.js';
import { OPTIMIZERS, SCHEDULES, SIZE_PRESETS, type OptimizerKind, type ScheduleKind, type SizePreset, type TrainConfig } from '../../config/train-config.js';
import { ConfigError, CorpusError, InterruptedError, UsageError } from '../../errors.js';
import { loadModel } from '../../model-file/read.js';
import type { SavedModel } from '../../model-file/format.js';
import { createKernels } from '../../tensor/create-kernels.js';
import { readCorpus } from '../../text/corpus.js';
import { train, type TrainResult } from '../../train/trainer.js';
import { choiceOf, dropoutRate, finiteNumber, integer, nonNegativeInt, nonNegativeNumber, positiveInt, positiveNumber, probability } from '../flags.js';
import { colors, log, stderrIsInteractive, writeJson } from '../output.js';
import { TrainProgressView } from '../progress.js';
import { installInterruptHandler } from '../signals.js';
import { sampleSummaryText } from './train-sample.js';
import { applyThreads, threadsOption } from '../threads.js';

interface TrainFlags {
  threads?: number;
  output?: string;
  size?: SizePreset;
  cell?: Cell;
  layers?: number;
  hiddenSize?: number;
  dropout?: number;
  forgetBias?: number;
  seqLength?: number;
  batchSize?: number;
  optimizer?: OptimizerKind;
  lr?: number;
  schedule?: ScheduleKind;
  warmup?: number;
  momentum?: number;
  weightDecay?: number;
  clip?: number;
  steps?: number;
  epochs?: number;
  time?: number;
  valFrac?: number;
  evalEvery?: number;
  evalChars?: number;
  patience?: number;
  seed?: number;
  resume?: string;
  lineMode?: boolean;
  log: boolean;
  sampleLength: number;
  kernels: 'auto' | 'native' | 'wasm' | 'reference';
  quiet?: boolean;
  json?: boolean;
}

function overridesFrom(f: TrainFlags): TrainOverrides {
  return {
    model: { cell: f.cell, numLayers: f.layers, hiddenSize: f.hiddenSize, dropout: f.dropout },
    forgetBias: f.forgetBias,
    bpttLength: f.seqLength,
    batchSize: f.batchSize,
    optimizer: { kind: f.optimizer, momentum: f.momentum, weightDecay: f.weightDecay },
    learningRate: f.lr,
    schedule: { kind: f.schedule, warmupSteps: f.warmup },
    gradClip: f.clip,
    budget: { steps: f.steps, epochs: f.epochs, timeSeconds: f.time },
    valFrac: f.valFrac,
    evalEvery: f.evalEvery,
    evalChars: f.evalChars,
    patience: f.patience,
    lineMode: f.lineMode,
    seed: f.seed,
  };
}

/** The TrainConfig the flags ask for; values that each parse but make no config (--layers 99) are usage errors. */
function configFromFlags(flags: TrainFlags): TrainConfig {
  try {
    return buildTrainConfig(flags.size, overridesFrom(flags));
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(err.message);
    throw err;
  }
}

/** Flags that only steer the run, so a resumed run may change them; every other flag must match the saved model. */
const RESUMABLE = new Set(['steps', 'epochs', 'time', 'evalEvery', 'evalChars', 'patience']);

/** On --resume the saved training config is the base; budget-like flags may change, the rest must agree with it. */
function resumeConfig(saved: SavedModel, flags: TrainFlags, given: (name: string) => boolean): TrainConfig {
  const recorded = saved.training?.trainConfig;
  if (recorded === undefined || saved.resume === null) {
    throw new ConfigError('this model has no training state to resume from', { hint: 'it was not saved by charlm train' });
  }
  // Models saved before --forget-bias existed were initialised with the bias it defaults to.
  const stored = { forgetBias: DEFAULTS.forgetBias, ...recorded } as unknown as TrainConfig;
  try {
    validateTrainConfig(stored);
  } catch (err) {
    throw new ConfigError(`cannot resume: the model's training config is damaged (${(err as Error).message})`);
  }
  const fromFlags = configFromFlags(flags);
  const pick: Record<string, [unknown, unknown]> = {
    cell: [fromFlags.model.cell, stored.model.cell], layers: [fromFlags.model.numLayers, stored.model.numLayers],
    hiddenSize: [fromFlags.model.hiddenSize, stored.model.hiddenSize], dropout: [fromFlags.model.dropout, stored.model.dropout],
    forgetBias: [fromFlags.forgetBias, stored.forgetBias],
    seqLength: [fromFlags.bpttLength, stored.bpttLength], batchSize: [fromFlags.batchSize, stored.batchSize],
    optimizer: [fromFlags.optimizer.kind, stored.optimizer.kind], lr: [fromFlags.learningRate, stored.learningRate],
    clip: [fromFlags.gradClip, stored.gradClip], valFrac: [fromFlags.valFrac, stored.valFrac], seed: [fromFlags.seed, stored.seed],
    lineMode: [fromFlags.lineMode, stored.lineMode], schedule: [fromFlags.schedule.kind, stored.schedule.kind],
    warmup: [fromFlags.schedule.warmupSteps, stored.schedule.warmupSteps],
    momentum: [fromFlags.optimizer.momentum, stored.optimizer.momentum],
    weightDecay: [fromFlags.optimizer.weightDecay, stored.optimizer.weightDecay],
  };
  for (const [name, [wanted, has]] of Object.entries(pick)) {
    if (!RESUMABLE.has(name) && given(name) && wanted !== has) {
      const flag = name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
      throw new ConfigError(`--${flag} cannot change when resuming (the model was trained with ${JSON.stringify(has)})`);
    }
  }
  const budgetGiven = given('steps') || given('epochs') || given('time');
  const config: TrainConfig = {
    ...stored,
    budget: budgetGiven ? fromFlags.budget : stored.budget,
    evalEvery: given('evalEvery') ? fromFlags.evalEvery : stored.evalEvery,
    evalChars: given('evalChars') ? fromFlags.evalChars : stored.evalChars,
    patience: given('patience') ? fromFlags.patience : stored.patience,
  };
  validateTrainConfig(config);
  return config;
}

/** models/NAME.json for a corpus NAME.txt (models/stdin.json for standard input). */
function defaultOutput(file: string): string {
  const name = file === '-' ? 'stdin' : basename(file, extname(file)) || 'model';
  return join('models', `${name}.json`);
}

/** The latest-model and log paths beside the best model: x.json → x.latest.json, x.log.jsonl. */
export function companionPaths(modelPath: string): { latestPath: string; logPath: string } {
  const stem = modelPath.endsWith('.json') ? modelPath.slice(0, -'.json'.length) : modelPath;
  return { latestPath: `${stem}.latest.json`, logPath: `${stem}.log.jsonl` };
}

function renderSummary(result: TrainResult, logPath: string | null): void {
  const best = result.bestValLoss;
  const lines = [
    `stopped after step ${result.steps} (${result.stopReason === 'steps' || result.stopReason === 'epochs' ? 'budget reached' : result.stopReason}), ` +
      `${result.epochs.toFixed(2)} epochs in ${(result.elapsedMs / 1000).toFixed(1)} s at ${Math.round(result.charsPerSec).toLocaleString('en-US')} chars/s`,
    best === null ? 'no validation text (--val-frac 0)' :
      `best validation loss ${best.toFixed(4)} nats/char = ${(best / Math.LN2).toFixed(4)} bits/char (perplexity ${Math.exp(best).toFixed(2)})`,
    `best model: ${result.modelPath}`,
    `latest model (resume with --resume): ${result.latestPath}`,
  ];
  if (logPath !== null) lines.push(`log: ${logPath}`);
  if (result.nanRecoveries > 0) lines.push(`recovered from ${result.nanRecoveries} NaN/infinite step(s)`);
  for (const line of lines) log(colors.bold(line));
}

export function registerTrainCommand(program: Command): void {
  program
    .command('train')
    .description('train a character-level language model on a text file')
    .argument('<file>', "the training text (UTF-8), or '-' for standard input")
    .option('-o, --output <model>', 'where the best model goes (default: models/<file name>.json)')
    .option('--size <preset>', `size preset: ${SIZE_PRESETS.join(', ')} (flags override it)`, choiceOf(SIZE_PRESETS))
    .option('--cell <cell>', `recurrent cell: ${CELLS.join(', ')} (default lstm)`, choiceOf(CELLS))
    .option('--layers <n>', 'stacked recurrent layers', positiveInt)
    .option('--hidden-size <units>', 'units per layer', positiveInt)
    .option('--dropout <p>', 'dropout between layers while training', dropoutRate)
    .option('--forget-bias <b>', 'LSTM: initial forget-gate bias (default 1)', finiteNumber)
    .option('--seq-length <steps>', 'BPTT length: characters per chunk that gradients flow through', positiveInt)
    .option('--batch-size <streams>', 'parallel streams the text is cut into', positiveInt)
    .option('--optimizer <name>', `${OPTIMIZERS.join(', ')} (default adam)`, choiceOf(OPTIMIZERS))
    .option('--lr <rate>', 'base learning rate', positiveNumber)
    .option('--schedule <kind>', `learning-rate schedule: ${SCHEDULES.join(', ')} (default cosine)`, choiceOf(SCHEDULES))
    .option('--warmup <steps>', 'linear learning-rate warm-up steps', nonNegativeInt)
    .option('--momentum <m>', 'SGD momentum', probability)
    .option('--weight-decay <w>', 'weight decay (decoupled for adamw)', nonNegativeNumber)
    .option('--clip <norm>', 'clip the global gradient norm to this (0: off)', nonNegativeNumber)
    .option('--steps <n>', "budget: total optimisation steps of the model's life", positiveInt)
    .option('--epochs <n>', 'budget: passes over the training text', positiveNumber)
    .option('--time <seconds>', 'budget: wall-clock seconds for this run', positiveNumber)
    .option('--val-frac <x>', 'fraction of the text (its end) held out for validation', probability)
    .option('--eval-every <steps>', 'validate and save every this many steps', positiveInt)
    .option('--eval-chars <n>', 'validate on at most this many held-out characters (0: all)', nonNegativeInt)
    .option('--patience <evals>', 'stop after this many validations without improvement (0: never)', nonNegativeInt)
    .option('--seed <n>', 'random seed: the same flags and seed give the same model', integer)
    .option('--resume <model>', 'continue training a saved model exactly where it stopped')
    .option('--line-mode', 'one item per line: each line starts and ends with reserved symbols')
    .option('--no-log', 'do not write the JSON-lines log beside the model')
    .option('--sample-length <n>', 'characters of the closing sample (0: none)', nonNegativeInt, 200)
    .option('--kernels <kind>', 'numeric kernels: auto (native, else wasm, else reference), native, wasm, reference', choiceOf(['auto', 'native', 'wasm', 'reference'] as const), 'auto')
    .option('--quiet', 'no progress output')
    .option('--json', 'print a JSON summary on stdout')
    .addOption(threadsOption())
    .addHelpText('after', `
Examples:
  $ charlm train corpora/tinyshakespeare.txt --size small
  $ charlm train corpora/words.txt --line-mode --size small -o models/words.json
  $ charlm train corpora/tinyshakespeare.txt --resume models/tinyshakespeare.latest.json --steps 8000

The best model (by validation loss) goes to --output; the latest, with everything needed to resume, beside it
as NAME.latest.json; a JSON-lines log as NAME.log.jsonl. Ctrl-C saves the latest model and exits with code 130.`)
    .action(async (file: string, flags: TrainFlags, command: Command) => {
      applyThreads(flags.threads);
      const given = (name: string): boolean => command.getOptionValueSource(name) === 'cli';
      const resumed = flags.resume === undefined ? undefined : await loadModel(flags.resume);
      const config = resumed === undefined ? configFromFlags(flags) : resumeConfig(resumed, flags, given);
      const corpus = await readCorpus(file);
      if (resumed?.training != null && resumed.training.corpus.sha256 !== corpus.sha256) {
        throw new CorpusError(`${corpus.name} is not the text this model was trained on (${resumed.training.corpus.name})`,
          { hint: 'resume with the same training file' });
      }
      const modelPath = flags.output ?? (flags.resume !== undefined
        ? flags.resume.replace(/\.latest\.json$/, '.json') : defaultOutput(file));
      const { latestPath, logPath } = companionPaths(modelPath);

      const view = new TrainProgressView({
        quiet: flags.quiet === true,
        interactive: stderrIsInteractive(),
        write: log,
        dim: (s) => colors.dim(s),
      });
      const interrupt = installInterruptHandler(() => {
        view.finish();
        log(colors.yellow('interrupted: finishing this step and saving (Ctrl-C again to quit at once)'));
      });
      let result: TrainResult;
      try {
        result = await train(config, corpus, {
          kernels: createKernels('f32', flags.kernels),
          modelPath,
          latestPath,
          logPath: flags.log ? logPath : null,
          resume: resumed,
          signal: interrupt.signal,
          onEvent: view.listener,
        });
      } finally {
        view.finish();
        interrupt.dispose();
      }
      if (result.stopReason === 'interrupted') {
        throw new InterruptedError(`interrupted at step ${result.steps}; the latest model is saved in ${latestPath}`,
          { hint: `continue with: charlm train ${file} --resume ${latestPath}` });
      }
      const sample = flags.sampleLength > 0 ? await sampleSummaryText(modelPath, flags.sampleLength, config.seed) : null;
      if (flags.json === true) {
        writeJson({
          bestValLoss: result.bestValLoss,
          bestValBitsPerChar: result.bestValLoss === null ? null : result.bestValLoss / Math.LN2,
          lastValLoss: result.lastValLoss,
          lastTrainLoss: result.lastTrainLoss,
          steps: result.steps,
          epochs: result.epochs,
          charsPerSec: result.charsPerSec,
          elapsedMs: result.elapsedMs,
          stopReason: result.stopReason,
          nanRecoveries: result.nanRecoveries,
          params: result.params,
          vocabSize: result.vocabSize,
          modelPath,
          latestPath,
          logPath: flags.log ? logPath : null,
          sample,
        });
      }
      if (flags.quiet !== true) {
        renderSummary(result, flags.log ? logPath : null);
        if (sample !== null) log(`${colors.dim('--- sample from the best model ---')}\n${sample}\n${colors.dim('---')}`);
      }
    });
}
