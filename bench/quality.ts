// `npm run bench -- --quality [SECONDS]`: how good a model of config M each peer trains in the same wall-clock time.
// Each run is its own child process with the whole machine; afterwards, every peer's model is scored once on the same
// held-out tail the same way (B streams from a zero state, T characters at a time: src/decode/scoring.ts and
// bench/torch_ref.py's validation_loss). Speed shows up here as quality: more steps in the same time.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTrainConfig, type TrainOverrides } from '../src/config/build-config.js';
import { readCorpus } from '../src/text/corpus.js';
import { train } from '../src/train/trainer.js';
import { BENCH_CONFIGS, TRAINING } from './configs.js';
import { benchKernels } from './jobs.js';

/**
 * 'pytorch': the peer's own recipe, as bench/torch_ref.py trains (Adam 2e-3 held constant, PyTorch's initialisation,
 * whose forget-gate bias is near 0), so that only speed differs. 'charlm': `charlm train --size medium`'s recipe (the
 * learning rate and cosine schedule of the preset, fitted to the deadline, forget-gate bias 1) on the same network.
 */
export type QualityRecipe = 'pytorch' | 'charlm';

export interface OursQualityJob {
  readonly kind: 'ours-quality'; readonly recipe: QualityRecipe; readonly seconds: number; readonly threads: number;
  readonly corpus: string;
}

export interface QualityFigure {
  readonly peer: 'charlm' | 'pytorch';
  readonly recipe: string;
  readonly threads: string;
  /** The training budget (the final scoring not included). */
  readonly seconds: number;
  readonly steps: number;
  readonly charsPerSec: number;
  /** Nats per character on the held-out last 10 % of the corpus. */
  readonly valLoss: number;
}

function recipeOverrides(recipe: QualityRecipe): TrainOverrides {
  return recipe === 'pytorch'
    ? { learningRate: TRAINING.learningRate, schedule: { kind: 'constant', warmupSteps: 0 }, forgetBias: 0 }
    : {};
}

/** Runs in the child: trains config M for `seconds` and validates once at the end. */
export async function runQualityJob(job: OursQualityJob): Promise<QualityFigure> {
  const { kernels, threadsUsed } = benchKernels('auto', job.threads);
  const corpus = await readCorpus(job.corpus);
  const M = BENCH_CONFIGS.M;
  const config = buildTrainConfig(job.recipe === 'charlm' ? 'medium' : undefined, {
    ...recipeOverrides(job.recipe),
    model: { cell: M.cell, numLayers: M.numLayers, hiddenSize: M.hiddenSize, dropout: 0 },
    bpttLength: M.bpttLength, batchSize: M.batchSize, gradClip: TRAINING.gradClip, valFrac: TRAINING.valFrac,
    seed: TRAINING.seed, budget: { timeSeconds: job.seconds },
    // One validation, at the end, over the whole held-out tail: as the PyTorch run does.
    evalEvery: 1e9, evalChars: 0,
  });
  const dir = mkdtempSync(join(tmpdir(), 'charlm-bench-'));
  try {
    const result = await train(config, corpus, {
      kernels, modelPath: join(dir, 'm.json'), latestPath: join(dir, 'm.latest.json'), logPath: null,
    });
    return {
      peer: 'charlm', recipe: job.recipe, threads: String(threadsUsed), seconds: job.seconds, steps: result.steps,
      charsPerSec: (result.steps * config.bpttLength * config.batchSize) / job.seconds, valLoss: result.lastValLoss ?? Number.NaN,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const RECIPE_NAMES: Record<string, string> = {
  pytorch: "PyTorch's (Adam 2e-3 constant, its init)",
  charlm: 'charlm --size medium (its lr, cosine to the deadline, forget bias 1)',
};

/** The quality figures as a table for a terminal. */
export function renderQuality(figures: readonly QualityFigure[], seconds: number): string {
  const torch = figures.find((f) => f.peer === 'pytorch');
  const rows = figures.map((f) => [
    f.peer, RECIPE_NAMES[f.recipe] ?? f.recipe, f.threads, f.steps.toLocaleString('en-US'),
    Math.round(f.charsPerSec).toLocaleString('en-US'), f.valLoss.toFixed(4),
    torch === undefined || f === torch ? '' : `${(f.valLoss - torch.valLoss >= 0 ? '+' : '')}${(f.valLoss - torch.valLoss).toFixed(4)}`,
  ]);
  const header = ['peer', 'recipe', 'threads', 'steps', 'chars/s', 'val loss', 'vs PyTorch'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    `Quality: config M (2×256, T64, B32) trained for ${seconds} s on tinyshakespeare, then the validation loss (nats/char,`,
    'last 10 % of the text, lower is better) scored once the same way for every peer',
    line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line),
    '(PyTorch threads: OpenMP + OpenBLAS)',
  ].join('\n');
}
