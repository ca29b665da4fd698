// `charlm train FILE`: takes its flags from train-flags.ts, builds the TrainConfig, runs the trainer with a progress view, renders the result.

import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_BUDGET_SECONDS, describeChoice } from '../../config/auto-config.js';
import { validateTrainConfig } from '../../config/build-config.js';
import { DEFAULTS } from '../../config/presets.js';
import type { TrainConfig } from '../../config/train-config.js';
import { ConfigError, CorpusError, InterruptedError, UsageError } from '../../errors.js';
import { loadModel } from '../../model-file/read.js';
import type { SavedModel } from '../../model-file/format.js';
import { createKernels, type KernelChoice } from '../../tensor/create-kernels.js';
import { readCorpus } from '../../text/corpus.js';
import { measureText } from '../../text/vocab.js';
import { judgeCurves, parseTrainingLog, type LossCurves } from '../../train/curves.js';
import type { TrainEvent } from '../../train/events.js';
import { RunFiles } from '../../train/run-files.js';
import { train, type TrainResult } from '../../train/trainer.js';
import { wrapWords } from '../fit-line.js';
import { adviceLines, renderLossChart } from '../loss-chart.js';
import { colors, log, stderrIsInteractive, writeJson } from '../output.js';
import { TrainProgressView } from '../progress.js';
import { installInterruptHandler } from '../signals.js';
import { addTrainFlags, automaticChoice, fineTuningRunConfig, newRunConfig, RESUMABLE_FLAGS, resumedRunConfig, type GivenFlags } from './train-flags.js';
import { sampleSummaryText } from './train-sample.js';
import { applyThreads, threadsOption } from '../threads.js';

/** The flags outside the training config (train-flags.ts declares them all). */
interface RunFlags {
  threads?: number;
  output?: string;
  resume?: string;
  log: boolean;
  sampleLength: number;
  sampleEvery?: number;
  initFrom?: string;
  extendVocab?: boolean;
  kernels: KernelChoice;
  quiet?: boolean;
  json?: boolean;
  force?: boolean;
  keep: number;
  keepCr?: boolean;
}

/** On --resume the saved training config is the base; train-flags.ts says which flags may change it. */
function resumeConfig(saved: SavedModel, flags: GivenFlags): TrainConfig {
  const recorded = saved.training?.trainConfig;
  if (recorded === undefined || saved.resume === null) {
    throw new ConfigError('this model has no training state to resume from', { hint: 'it was not saved by charlm train' });
  }
  // Models saved before --forget-bias, --proj-size and --stream-resets existed were initialised with the bias it defaults
  // to, have no projection and were trained without stream resets.
  const stored = { forgetBias: DEFAULTS.forgetBias, streamResetShare: 0, ...recorded,
    model: { projSize: 0, ...(recorded as { model?: object }).model } } as unknown as TrainConfig;
  try {
    validateTrainConfig(stored);
  } catch (err) {
    throw new ConfigError(`cannot resume: the model's training config is damaged (${(err as Error).message})`);
  }
  return resumedRunConfig(stored, flags);
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

/** Characters of each --sample-every sample. */
const SAMPLE_EVERY_LENGTH = 160;

/** This run's losses, from its events: the chart's data when there is no log. */
class CurveRecorder {
  readonly curves: LossCurves = { train: [], validation: [] };
  readonly listener = (e: TrainEvent): void => {
    if (e.kind === 'step') this.curves.train.push({ step: e.step, loss: e.trainLoss });
    if (e.kind === 'eval') this.curves.validation.push({ step: e.step, loss: e.valLoss });
  };
}

/** The model's whole life from its log (a resumed run continues it); null when it cannot be read. */
async function readLogCurves(path: string): Promise<LossCurves | null> {
  try {
    return parseTrainingLog(await readFile(path, 'utf8'), path);
  } catch {
    return null;
  }
}

/** The loss chart and the advice drawn from it, on stderr. */
function renderCurves(curves: LossCurves, context: Parameters<typeof adviceLines>[1]): void {
  const width = Math.max(60, process.stderr.columns ?? 80) - 1;
  const chart = renderLossChart([{ name: 'run', curves }], width, colors.level > 0);
  if (chart.length === 0) return;
  log('');
  for (const line of chart) log(line);
  for (const line of adviceLines(judgeCurves(curves), context).flatMap((l) => wrapWords(l, width))) log(colors.bold(line));
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
  const width = process.stderr.isTTY === true ? Math.max(60, process.stderr.columns ?? 80) - 1 : Number.POSITIVE_INFINITY;
  for (const line of lines.flatMap((l) => wrapWords(l, width))) log(colors.bold(line));
}

export function registerTrainCommand(program: Command): void {
  const command = program
    .command('train')
    .description('train a character-level language model on a text file')
    .argument('<file>', "the training text (UTF-8), or '-' for standard input");
  addTrainFlags(command)
    .addOption(threadsOption())
    .addHelpText('after', `
Examples:
  $ charlm train corpora/tinyshakespeare.txt --time 180
  $ charlm train corpora/tinyshakespeare.txt --size small
  $ charlm train corpora/words.txt --line-mode --size small -o models/words.json
  $ charlm train corpora/tinyshakespeare.txt --resume models/tinyshakespeare.latest.json --steps 8000
  $ charlm train my-poems.txt --init-from models/tinyshakespeare.json --extend-vocab --time 60 -o models/poems.json

Without --size, the cell (a GRU), the network (layers, hidden size), batch, sequence length, dropout, learning rate
and validation interval are chosen from the text (its length and vocabulary) and the budget, and printed in one line; each flag
given overrides just its own value. Without --steps, --epochs or --time the choice plans for about ${DEFAULT_BUDGET_SECONDS / 60} minutes
(at a nominal speed, so the same command always makes the same choice) and sets --steps.

The best model (by validation loss) goes to --output; the latest, with everything needed to resume, beside it
as NAME.latest.json; a JSON-lines log as NAME.log.jsonl (a new run starts it afresh, --resume appends). Files that
another run wrote are never replaced without --force, and two trainings cannot write the same --output at once.
Ctrl-C saves the latest model and exits with code 130.
A resumed run may change ${RESUMABLE_FLAGS.join(', ')};
the other training flags must match the model.`)
    .action(async (file: string, flags: RunFlags & Record<string, unknown>) => {
      applyThreads(flags.threads);
      const given: GivenFlags = { values: flags, given: (name) => command.getOptionValueSource(name) === 'cli' };
      const resumed = flags.resume === undefined ? undefined : await loadModel(flags.resume);
      const init = flags.initFrom === undefined ? undefined : await loadModel(flags.initFrom);
      if (flags.extendVocab === true && init === undefined) throw new UsageError('--extend-vocab goes with --init-from');
      // The flags are checked before the text is read; a new run without --size then chooses its settings from the text.
      const flagConfig = resumed !== undefined ? resumeConfig(resumed, given)
        : init !== undefined ? fineTuningRunConfig(given, init.config, init.vocab.lineMode) : newRunConfig(given);
      const corpus = await readCorpus(file, process.stdin, { keepCr: flags.keepCr === true });
      const auto = resumed !== undefined ? null
        : automaticChoice(given, measureText(corpus.text, { lineMode: flagConfig.lineMode }), init?.config);
      const config = auto === null ? flagConfig
        : init !== undefined ? fineTuningRunConfig(given, init.config, init.vocab.lineMode, auto) : newRunConfig(given, auto);
      if (resumed?.training != null && resumed.training.corpus.sha256 !== corpus.sha256) {
        throw new CorpusError(`${corpus.name} is not the text this model was trained on (${resumed.training.corpus.name})`,
          { hint: 'resume with the same training file' });
      }
      const modelPath = flags.output ?? (flags.resume !== undefined
        ? flags.resume.replace(/\.(latest|step-\d+)\.json$/, '.json') : defaultOutput(file));
      const { latestPath, logPath } = companionPaths(modelPath);
      const files = await RunFiles.claim({ modelPath, latestPath, logPath: flags.log ? logPath : null },
        { resuming: resumed?.training ?? null, force: flags.force === true, keep: flags.keep });
      const chosen = auto === null ? null : describeChoice(config, auto);
      if (flags.quiet !== true && (corpus.crlfReplaced ?? 0) > 0) {
        log(colors.dim(`${corpus.crlfReplaced!.toLocaleString('en-US')} CRLF line endings read as LF (--keep-cr keeps the \\r)`));
      }

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
      const curves = new CurveRecorder();
      let result: TrainResult;
      try {
        result = await train(config, corpus, {
          kernels: createKernels('f32', flags.kernels),
          modelPath,
          latestPath,
          logPath: flags.log ? logPath : null,
          resume: resumed,
          initFrom: init === undefined ? undefined : { model: init, extendVocab: flags.extendVocab === true },
          signal: interrupt.signal,
          onEvent: (e) => {
            // Said when training starts, so that a text that cannot be trained gets one line: the error.
            if (e.kind === 'start' && chosen !== null && flags.quiet !== true) log(colors.dim(chosen));
            curves.listener(e);
            view.listener(e);
          },
          samples: flags.sampleEvery === undefined ? undefined : { every: flags.sampleEvery, length: SAMPLE_EVERY_LENGTH },
          afterValidation: (step) => files.checkpoint(step),
        });
      } finally {
        view.finish();
        interrupt.dispose();
        files.release();
      }
      if (result.stopReason === 'nothing-to-do') {
        throw new UsageError(`nothing to do: the model has already trained ${result.steps} steps, its whole budget; to train ` +
          `further, give the new total: charlm train ${file} --resume ${flags.resume} --steps ${2 * result.steps}`);
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
          chosen,
          sample,
        });
      }
      if (flags.quiet !== true) {
        renderSummary(result, flags.log ? logPath : null);
        if (sample !== null) log(`${colors.dim('--- sample from the best model ---')}\n${sample}\n${colors.dim('---')}`);
        const life = flags.log ? await readLogCurves(logPath) : null;
        renderCurves(life ?? curves.curves, {
          continueCommand: `charlm train ${file} --resume ${latestPath} --steps ${2 * result.steps}`, bestModel: modelPath,
        });
      }
    });
}
