// `charlm gradflow [MODEL …] [--cell …]`: how far back the gradient reaches in trained models and in fresh ones of each
// cell type, as a log-scale chart (or --json / --csv), beside σ_max of each recurrent matrix. Numbers: src/inspect/gradflow.ts.

import { fileURLToPath } from 'node:url';
import chalk from 'chalk';
import { Command, InvalidArgumentError } from 'commander';
import { validateModelConfig, type ModelConfig } from '../../config/model-config.js';
import { DEFAULTS } from '../../config/presets.js';
import { encodeForScoring } from '../../decode/scoring.js';
import { gradientFlow, recurrentSpectralNorms } from '../../inspect/gradflow.js';
import { CharLM } from '../../model/char-lm.js';
import { CELLS, cellType, type Cell } from '../../nn/cells.js';
import { createKernels } from '../../tensor/create-kernels.js';
import { Rng } from '../../tensor/rng.js';
import { readCorpus } from '../../text/corpus.js';
import { Vocab } from '../../text/vocab.js';
import { choiceOf, integer, nonNegativeInt, positiveInt } from '../flags.js';
import { renderLogChart } from '../log-chart.js';
import { writeData, writeJson } from '../output.js';
import { applyThreads, threadsOption } from '../threads.js';
import { loadForDecoding } from '../decoding-input.js';

interface GradflowFlags {
  cell?: Cell[];
  fresh: boolean;
  file?: string;
  steps: number;
  windows: number;
  warmup: number;
  hiddenSize: number;
  layers: number;
  seed: number;
  json?: boolean;
  csv?: boolean;
  threads?: number;
}

interface Row {
  name: string;
  cell: Cell;
  trained: boolean;
  /** σ_max(W_hh) per layer. */
  spectralNorms: number[];
  norms: number[];
  perLayer: number[][];
  windows: number;
}

const BUNDLED_TEXT = fileURLToPath(new URL('../../../../corpora/tinyshakespeare.txt', import.meta.url));

export function registerGradflowCommand(program: Command): void {
  program
    .command('gradflow')
    .description('measure how far back gradients reach: ‖∂L_T/∂h_{T−k}‖ for k = 1 … K, trained and fresh models side by side')
    .argument('[models...]', 'model files written by charlm train')
    .option('--cell <cells...>', `fresh models of these cell types (default: all, ${CELLS.join(', ')})`, (raw: string, prev: Cell[] | undefined) =>
      [...(prev ?? []), choiceOf(CELLS)(raw)])
    .option('--no-fresh', 'only the given models, no fresh ones')
    .option('--file <file>', 'the text the windows are taken from (default: the bundled tinyshakespeare)')
    .option('--steps <k>', 'K: how many steps back', positiveInt, 50)
    .option('--windows <n>', 'windows of the text averaged over', positiveInt, 16)
    .option('--warmup <n>', 'characters each window reads before it, so that its state is one the text leads to', nonNegativeInt, 100)
    .option('--hidden-size <units>', 'fresh models without a given model: units per layer', positiveInt, 128)
    .option('--layers <n>', 'fresh models without a given model: layers', positiveInt, 1)
    .option('--seed <n>', 'seed of the fresh models\' initialisation', integer, 1)
    .option('--json', 'print the numbers as JSON')
    .option('--csv', 'print a table: model, k, norm (one row per model and k)')
    .addOption(threadsOption())
    .addHelpText('after', `
Examples:
  $ charlm gradflow --cell lstm rnn --hidden-size 64
  $ charlm gradflow models/lstm.json models/rnn.json --file corpora/tinyshakespeare.txt --no-fresh
  $ charlm gradflow models/tinyshakespeare.json --steps 100 --csv > flow.csv

For each window the loss is that of its last step T alone; the norm is over every layer's output h_{T−k} together, averaged
over the windows. A fresh model is initialised as charlm train does (forget bias ${DEFAULTS.forgetBias}) with the first model's
sizes, or --layers and --hidden-size. σ_max(W_hh), found by power iteration, bounds how much one step of the recurrence can
stretch a gradient: below 1 a tanh RNN's gradient must shrink geometrically.`)
    .action(async (modelPaths: string[], flags: GradflowFlags) => {
      applyThreads(flags.threads);
      if (flags.json === true && flags.csv === true) throw new InvalidArgumentError('--json and --csv cannot be combined');
      const kernels = createKernels('f32');
      const loaded = await Promise.all(modelPaths.map(async (path) => ({ path, ...(await loadForDecoding(path)) })));
      const text = (await readCorpus(flags.file ?? BUNDLED_TEXT)).text;
      const vocab = loaded[0]?.vocab ?? Vocab.fromText(text);
      const models: { name: string; model: CharLM; trained: boolean; vocab: Vocab }[] =
        loaded.map((m) => ({ name: m.path, model: m.model, trained: true, vocab: m.vocab }));
      if (flags.fresh) {
        const base: ModelConfig = loaded[0]?.model.config ??
          validateModelConfig({ cell: 'lstm', numLayers: flags.layers, hiddenSize: flags.hiddenSize, dropout: 0, vocabSize: vocab.size });
        for (const cell of flags.cell ?? CELLS) {
          // Only a cell that can project keeps the model's projection (--proj-size).
          const config = validateModelConfig({ ...base, cell, projSize: cellType(cell).projects ? base.projSize : 0 });
          const model = CharLM.create(config, kernels, Rng.fromSeed(flags.seed), { forgetBias: DEFAULTS.forgetBias });
          models.push({ name: `fresh ${cell}`, model, trained: false, vocab });
        }
      }
      if (models.length === 0) throw new InvalidArgumentError('nothing to measure: give a model or leave out --no-fresh');
      const rows: Row[] = models.map(({ name, model, trained, vocab: v }) => {
        const flow = gradientFlow(model, encodeForScoring(v, text).ids, flags);
        return { name, cell: model.config.cell, trained, spectralNorms: recurrentSpectralNorms(model), ...flow };
      });
      if (flags.json === true) writeJson({ steps: flags.steps, windows: rows[0].windows, models: rows });
      else if (flags.csv === true) writeData(csv(rows));
      else writeData(report(rows, flags));
    });
}

function csv(rows: readonly Row[]): string {
  const quote = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['model,cell,trained,k,norm'];
  for (const r of rows) r.norms.forEach((n, i) => lines.push(`${quote(r.name)},${r.cell},${r.trained},${i + 1},${n}`));
  return lines.join('\n') + '\n';
}

function report(rows: readonly Row[], flags: GradflowFlags): string {
  const color = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '' ? null : chalk.level > 0 ? chalk : null;
  const width = Math.max(20, Math.min(flags.steps, (process.stdout.columns ?? 80) - 12));
  const sigma = (r: Row): string => r.spectralNorms.map((s) => s.toFixed(2)).join(', ');
  const series = rows.map((r) => ({ label: `${r.name}  (σ_max(W_hh) ${sigma(r)})`, values: r.norms }));
  const heading = `‖∂L_T/∂h_{T−k}‖, mean over ${rows[0].windows} windows, log scale\n`;
  const ks = [1, 5, 10, 25, 50, 100, 200].filter((k) => k <= flags.steps);
  const table = [['model', ...ks.map((k) => `k=${k}`)], ...rows.map((r) => [r.name, ...ks.map((k) => r.norms[k - 1].toExponential(2))])];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  return heading + renderLogChart(series, { height: 14, width, color, xLabel: 'k (steps back)' }) + '\n' +
    table.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n') + '\n';
}
