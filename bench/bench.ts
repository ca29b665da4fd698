// `npm run bench`: charlm's speed on the standard configurations (and PyTorch's, with --vs-torch), one child process per
// measurement, alternating the peers. Prints a table, or one JSON object with --json. See bench/README.md.

import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { KERNEL_CHOICES, type KernelChoice } from '../src/tensor/create-kernels.js';
import { BENCH_CONFIG_NAMES, parseConfigList, type BenchConfigName } from './configs.js';
import { benchKernels, kernelsHaveThreadKnob, PYTHON, runChild, runOursJob, spawnJob, torchAvailable, torchEnv, type Job,
  type JobResult } from './jobs.js';
import type { WindowPlan } from './measure.js';
import { loadCorpus } from './ours.js';
import { renderQuality, runQualityJob, type OursQualityJob, type QualityFigure } from './quality.js';
import { buildReport, renderReport } from './report.js';

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
// This file runs as dist/bench/bench.js; the corpus and the Python script are not compiled, so they sit in the repo.
const DEFAULT_CORPUS = here('../../corpora/tinyshakespeare.txt');
const TORCH_SCRIPT = here('../../bench/torch_ref.py');

const PLANS = {
  full: { warmupSeconds: 2, minWarmupSteps: 3, windowSeconds: 1.5, windows: 5 },
  short: { warmupSeconds: 0.7, minWarmupSteps: 2, windowSeconds: 0.5, windows: 3 },
  // The reference kernels run M at seconds per step: one warm-up step, then windows of a single step.
  reference: { warmupSeconds: 0, minWarmupSteps: 1, windowSeconds: 0, windows: 3 },
  referenceShort: { warmupSeconds: 0, minWarmupSteps: 1, windowSeconds: 0, windows: 2 },
} satisfies Record<string, WindowPlan>;

interface Options {
  json: boolean; short: boolean; kernels: KernelChoice; configs?: BenchConfigName[]; vsTorch: boolean;
  threads?: number[]; corpus: string; worker?: string; quality?: number | true;
}

function threadList(value: string): number[] {
  const xs = value.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x < 1 || x > 64)) {
    throw new InvalidArgumentError('expected a list of thread counts such as 1,2');
  }
  return [...new Set(xs)];
}

function positiveSeconds(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 86_400)) throw new InvalidArgumentError('expected a number of seconds such as 300');
  return n;
}

function configList(value: string): BenchConfigName[] {
  try { return parseConfigList(value); } catch (e) { throw new InvalidArgumentError((e as Error).message); }
}

function parseOptions(argv: string[]): Options {
  const program = new Command('bench')
    .description('Training, generation and beam-search speed of charlm on the standard configurations (S, M, L).')
    .option('--json', 'print one JSON object instead of the table', false)
    .option('--short', 'quick mode: S and M only, fewer and shorter windows (under a minute)', false)
    .addOption(new Option('--kernels <kind>', 'which kernel to measure').choices(KERNEL_CHOICES).default('auto'))
    .option('--configs <list>', `configurations to run, from ${BENCH_CONFIG_NAMES.join(',')} (default: all; S,M with --short)`, configList)
    .option('--vs-torch', 'also run the PyTorch reference trainer (bench/torch_ref.py) and print charlm/PyTorch ratios', false)
    .option('--threads <list>', 'thread counts to measure (default 1,2; 1 with --short; charlm only 1 if its kernel has no thread setting)', threadList)
    .option('--corpus <path>', 'training text', DEFAULT_CORPUS)
    .option('--quality [seconds]', 'instead: train config M for this long (default 300) with each peer and compare validation losses',
      positiveSeconds)
    .addOption(new Option('--worker <job>', 'internal: run one job in this process and print its JSON result').hideHelp())
    .addHelpText('after', '\nExamples:\n  npm run bench -- --short\n  npm run bench -- --vs-torch --configs S,M --json');
  program.parse(argv);
  return program.opts<Options>();
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

interface JobPlanInput {
  configs: BenchConfigName[]; threads: number[]; hasKnob: boolean; withTorch: boolean; short: boolean; isReference: boolean;
  plan: WindowPlan; kernels: KernelChoice; corpus: string; notes: string[];
}

/**
 * The jobs in the order they run. The peers alternate config by config and thread count by thread count (ours S 1, torch
 * S 1, ours S 2, torch S 2, ours M 1, ...) so that a drift in the machine's speed hits both. Decoding comes last.
 */
function planJobs(p: JobPlanInput): Job[] {
  const jobs: Job[] = [];
  const torchPlan = p.short ? PLANS.short : PLANS.full;
  const generateChars = p.short ? 500 : 2000;
  // Without a thread knob charlm runs once per config, single-threaded, even when 1 is not among the thread counts.
  const oursThreads = p.hasKnob ? p.threads : [1];
  for (const config of p.configs) {
    const counts = [...new Set([...oursThreads, ...(p.withTorch ? p.threads : [])])].sort((a, b) => a - b);
    for (const t of counts) {
      if (oursThreads.includes(t)) jobs.push({ kind: 'ours-train', config, kernels: p.kernels, threads: t, plan: p.plan, corpus: p.corpus });
      if (p.withTorch && p.threads.includes(t)) {
        // PyTorch's generation figure comes from its first M job (the same process, after training).
        jobs.push({ kind: 'torch', config, ompThreads: 1, blasThreads: t, plan: torchPlan, corpus: p.corpus,
          generateChars: config === 'M' && t === p.threads[0] ? generateChars : 0 });
      }
    }
    if (p.withTorch && p.threads.includes(2) && !p.short) {
      // REFERENCE.md's other PyTorch setting: two OpenMP threads beside two BLAS threads (oversubscribed, slower).
      jobs.push({ kind: 'torch', config, ompThreads: 2, blasThreads: 2, plan: torchPlan, corpus: p.corpus, generateChars: 0 });
    }
  }
  if (p.withTorch && !p.configs.includes('M')) {
    jobs.push({ kind: 'torch', config: 'M', ompThreads: 1, blasThreads: 1, corpus: p.corpus, generateChars,
      plan: { warmupSeconds: 0, minWarmupSteps: 1, windowSeconds: 0, windows: 1 } });
    p.notes.push('PyTorch generation ran in a separate M job; its one-window training figure is not shown');
  }
  // Decoding at each of our thread counts: `charlm generate` and `beam` use two threads where the machine has two cores.
  for (const t of oursThreads) {
    jobs.push({ kind: 'ours-decode', config: 'M', kernels: p.kernels, threads: t, plan: p.short ? PLANS.short : PLANS.full,
      corpus: p.corpus, generateCharsPerWindow: p.isReference ? 20 : 100, beamWidth: 8, beamLength: p.isReference ? 8 : 64 });
  }
  return jobs;
}

/**
 * --quality: PyTorch with its recipe, then charlm with the same recipe, then charlm with its own, each alone on the
 * machine for the same time. PyTorch uses its best thread setting (one OpenMP and one BLAS thread), charlm two threads.
 */
function runQuality(opts: Options, seconds: number): void {
  const figures: QualityFigure[] = [];
  const benchScript = fileURLToPath(import.meta.url);
  if (torchAvailable()) {
    log(`bench: PyTorch M, ${seconds} s...`);
    const out = runChild(PYTHON, [TORCH_SCRIPT, '--config', 'M', '--corpus', opts.corpus, '--omp-threads', '1',
      '--train-seconds', String(seconds)], torchEnv(1), 'PyTorch M') as { quality: Omit<QualityFigure, 'peer' | 'recipe' | 'threads'> };
    figures.push({ ...out.quality, peer: 'pytorch', recipe: 'pytorch', threads: '1+1' });
  } else {
    log('bench: /usr/bin/python3 cannot import torch, so PyTorch is left out; running charlm only');
  }
  for (const recipe of ['pytorch', 'charlm'] as const) {
    log(`bench: charlm M, ${recipe === 'pytorch' ? "PyTorch's" : 'its own'} recipe, ${seconds} s...`);
    const job: OursQualityJob = { kind: 'ours-quality', recipe, seconds, threads: 2, corpus: opts.corpus };
    figures.push(runChild(process.execPath, [benchScript, '--worker', JSON.stringify(job)], process.env, 'charlm M') as QualityFigure);
  }
  if (opts.json) process.stdout.write(`${JSON.stringify({ quality: figures, seconds, loadAverageAfter: loadavg()[0] })}\n`);
  else process.stdout.write(`${renderQuality(figures, seconds)}\n`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv);
  if (opts.worker !== undefined) {
    const job = JSON.parse(opts.worker) as Job | OursQualityJob;
    if (job.kind === 'torch') throw new Error('a worker runs charlm jobs only');
    const result = job.kind === 'ours-quality' ? await runQualityJob(job) : runOursJob(job);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  if (!existsSync(opts.corpus)) throw new Error(`corpus not found: ${opts.corpus}`);
  if (opts.quality !== undefined) {
    runQuality(opts, opts.quality === true ? 300 : opts.quality);
    return;
  }

  const loadAverageBefore = loadavg()[0]!;
  const notes: string[] = [];
  const { kernels } = benchKernels(opts.kernels, 1);
  if (opts.kernels === 'native' && kernels.name !== 'native') {
    notes.push(`the native kernel is not built here, so the ${kernels.name} kernels ran instead`);
  }
  const isReference = kernels.name === 'reference';
  let configs = opts.configs ?? (opts.short ? ['S', 'M'] as BenchConfigName[] : [...BENCH_CONFIG_NAMES]);
  if (opts.short && opts.configs !== undefined && configs.includes('L')) {
    configs = configs.filter((c) => c !== 'L');
    notes.push('--short leaves out L');
  }
  if (isReference && configs.includes('L')) {
    configs = configs.filter((c) => c !== 'L');
    notes.push('the reference kernels take minutes per step on L, so L was skipped');
  }
  if (isReference) {
    notes.push('the reference kernels are plain loops: each window is a single step, after a single warm-up step');
  }
  const hasKnob = kernelsHaveThreadKnob(opts.kernels);
  // PyTorch runs at every thread count asked for; charlm only at those its kernel can use.
  const threads = opts.threads ?? (opts.short ? [1] : [1, 2]);
  if (!hasKnob && threads.some((t) => t !== 1)) {
    notes.push(`the ${kernels.name} kernel has no thread setting, so charlm ran single-threaded only`);
  }
  const plan = isReference ? (opts.short ? PLANS.referenceShort : PLANS.reference) : opts.short ? PLANS.short : PLANS.full;

  let withTorch = opts.vsTorch;
  if (withTorch && !torchAvailable()) {
    log('bench: /usr/bin/python3 cannot import torch, so PyTorch is left out ' +
      '(apt-get install -y python3-torch libopenblas0-pthread); running charlm only');
    notes.push('PyTorch not available: charlm only');
    withTorch = false;
  }

  // The machine's sgemm rate at each thread count, through the BLAS PyTorch uses: the yardstick for GFLOP/s.
  const sgemmPeaks = withTorch ? threads.map((t) => {
    log(`bench: sgemm peak (OpenBLAS through PyTorch), ${t} thread${t === 1 ? '' : 's'}...`);
    const out = runChild(PYTHON, [TORCH_SCRIPT, '--sgemm-peak'], torchEnv(t), 'sgemm peak') as { sgemm: { gflopsPerSec: number } };
    return { threads: t, gflopsPerSec: out.sgemm.gflopsPerSec };
  }) : [];
  const jobs = planJobs({ configs, threads, hasKnob, withTorch, short: opts.short, isReference, plan, kernels: opts.kernels,
    corpus: opts.corpus, notes });
  const benchScript = fileURLToPath(import.meta.url);
  const results: JobResult[] = [];
  for (const job of jobs) {
    const label = job.kind === 'torch' ? `PyTorch ${job.config}, ${job.ompThreads} OpenMP + ${job.blasThreads} BLAS threads`
      : job.kind === 'ours-train' ? `charlm ${job.config}, ${job.threads} thread${job.threads === 1 ? '' : 's'}`
        : `charlm generation and beam search (M), ${job.threads} thread${job.threads === 1 ? '' : 's'}`;
    log(`bench: ${label}...`);
    try {
      results.push(spawnJob(job, benchScript, TORCH_SCRIPT));
    } catch (e) {
      // A failing peer should not cost the other figures; charlm's own failures stop the run.
      if (job.kind !== 'torch') throw e;
      log(`bench: ${(e as Error).message}`);
      notes.push(`${label} failed: ${(e as Error).message}`);
    }
  }
  // Name the kernel the children actually ran (the parent only chose the plan with it).
  const ran = [...new Set(results.flatMap((r) => (r.kind === 'torch' ? [] : [r.kernelsName])))];
  const report = buildReport(results, {
    kernels: ran.length > 0 ? ran.join(' + ') : kernels.name, short: opts.short, corpusPath: opts.corpus, vocabSize: loadCorpus(opts.corpus).vocab.size,
    configs, notes, loadAverageBefore, sgemmPeaks,
  });
  if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(`${renderReport(report)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
