// One benchmark job = one child process (so each has its own peak memory and thread setting): its description, the code
// the child runs for our side, and the spawning of both our worker and PyTorch's reference trainer.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createKernels, type KernelChoice } from '../src/tensor/create-kernels.js';
import type { Kernels } from '../src/tensor/kernels.js';
import { setNativeGemmThreads } from '../src/tensor/native-kernels.js';
import { BENCH_CONFIGS, type BenchConfigName } from './configs.js';
import { memoryFigures, type MemoryFigures, type WindowPlan, type WindowResult } from './measure.js';
import { loadCorpus, measureBeamSearch, measureGeneration, measureTraining, measureValidation, untrainedModel } from './ours.js';

export interface OursTrainJob {
  readonly kind: 'ours-train'; readonly config: BenchConfigName; readonly kernels: KernelChoice; readonly threads: number;
  readonly plan: WindowPlan; readonly corpus: string;
}
export interface OursDecodeJob {
  readonly kind: 'ours-decode'; readonly config: BenchConfigName; readonly kernels: KernelChoice; readonly threads: number;
  readonly plan: WindowPlan; readonly corpus: string;
  readonly generateCharsPerWindow: number; readonly beamWidth: number; readonly beamLength: number;
}
export interface TorchJob {
  readonly kind: 'torch'; readonly config: BenchConfigName; readonly ompThreads: number; readonly blasThreads: number;
  readonly plan: WindowPlan; readonly corpus: string; readonly generateChars: number;
}
export type Job = OursTrainJob | OursDecodeJob | TorchJob;

export interface OursTrainResult {
  readonly kind: 'ours-train'; readonly job: OursTrainJob; readonly kernelsName: string; readonly threadsUsed: number;
  readonly train: WindowResult & { lastLossNats: number }; readonly memory: MemoryFigures;
  /** Validation scoring (no gradients) in the same process, after training. */
  readonly validation: WindowResult;
}
export interface OursDecodeResult {
  readonly kind: 'ours-decode'; readonly job: OursDecodeJob; readonly kernelsName: string; readonly threadsUsed: number;
  readonly generate: WindowResult; readonly beam: WindowResult; readonly memory: MemoryFigures;
}
/** What bench/torch_ref.py prints (see there), plus the job. */
export interface TorchResult {
  readonly kind: 'torch'; readonly job: TorchJob; readonly torchVersion: string; readonly vocabSize: number;
  readonly train: { charsPerSec: number; windowCharsPerSec: number[]; stepsPerWindow: number; warmupSteps: number; lastLossNats: number };
  readonly generate?: { charsPerSec: number; windowCharsPerSec: number[] };
  readonly maxRssBytes?: number;
}
export type JobResult = OursTrainResult | OursDecodeResult | TorchResult;

/** Our kernel at a thread count; returns the kernel and the threads it really uses (1 when it has no thread knob). */
export function benchKernels(choice: KernelChoice, threads: number): { kernels: Kernels; threadsUsed: number } {
  const kernels = createKernels('f32', choice);
  if (kernels.name !== 'native') return { kernels, threadsUsed: 1 };
  // The native kernel's knob: how many threads its large matrix products may use (process-wide, 1 or 2).
  return { kernels, threadsUsed: setNativeGemmThreads(threads) ?? 1 };
}

/** Whether our kernel of this choice can use more than one thread. */
export function kernelsHaveThreadKnob(choice: KernelChoice): boolean {
  return createKernels('f32', choice).name === 'native';
}

/** Runs our side of a job in this process (the child): returns its result for the parent. */
export function runOursJob(job: OursTrainJob | OursDecodeJob): OursTrainResult | OursDecodeResult {
  const { kernels, threadsUsed } = benchKernels(job.kernels, job.threads);
  const corpus = loadCorpus(job.corpus);
  const config = BENCH_CONFIGS[job.config];
  if (job.kind === 'ours-train') {
    const train = measureTraining(corpus, config, kernels, job.plan);
    const memory = memoryFigures();
    const validation = measureValidation(corpus, config, kernels, job.plan);
    return { kind: 'ours-train', job, kernelsName: kernels.name, threadsUsed, train, memory, validation };
  }
  const model = untrainedModel(corpus, config, kernels);
  const generate = measureGeneration(model, corpus.vocab, job.generateCharsPerWindow, job.plan);
  const beam = measureBeamSearch(model, corpus.vocab, job.beamWidth, job.beamLength, job.plan);
  return { kind: 'ours-decode', job, kernelsName: kernels.name, threadsUsed, generate, beam, memory: memoryFigures() };
}

export const PYTHON = '/usr/bin/python3';

/** Whether /usr/bin/python3 can import torch (the reference peer). */
export function torchAvailable(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  return r.status === 0;
}

/** Runs a child process and returns the JSON object on the last line of its stdout. */
export function runChild(command: string, args: string[], env: NodeJS.ProcessEnv, what: string): unknown {
  const r = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20, encoding: 'utf8' });
  if (r.error !== undefined) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${what} exited with ${r.status ?? r.signal}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!);
}

/**
 * OpenBLAS's kernels for this CPU, named as OPENBLAS_CORETYPE takes them. OpenBLAS 0.3.21 (Debian 12) does not know CPUs
 * newer than it (an Intel Xeon of model 207, with AVX-512, it takes for a Prescott: 18 GFLOP/s on one thread against 124
 * with SkylakeX, measured with a 1024³ product through PyTorch), so the bench names the kernels from the CPU's flags.
 * CHARLM_BENCH_OPENBLAS_CORETYPE overrides the choice; undefined leaves OpenBLAS to detect the CPU itself.
 */
export function openblasCoretype(): string | undefined {
  const given = process.env.CHARLM_BENCH_OPENBLAS_CORETYPE;
  if (given !== undefined && given !== '') return given;
  try {
    return coretypeForCpuinfo(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return undefined;  // not Linux: OpenBLAS detects the CPU itself
  }
}

/** The OPENBLAS_CORETYPE for a /proc/cpuinfo text: from the first CPU's flags. */
export function coretypeForCpuinfo(cpuinfo: string): string | undefined {
  const line = cpuinfo.split('\n').find((l) => l.startsWith('flags'));
  const flags = line === undefined ? [] : line.slice(line.indexOf(':') + 1).trim().split(/\s+/);
  if (flags.includes('avx512f')) return 'SkylakeX';
  if (flags.includes('avx2') && flags.includes('fma')) return 'Haswell';
  return undefined;
}

/**
 * The environment for PyTorch's reference trainer: OpenBLAS's fastest kernels for this CPU (openblasCoretype) and no
 * OPENBLAS_L2_SIZE, the strongest PyTorch this machine gives; OpenMP threads are set by the script
 * (torch.set_num_threads), BLAS threads here.
 */
export function torchEnv(blasThreads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: String(blasThreads) };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const coretype = openblasCoretype();
  if (coretype !== undefined) env.OPENBLAS_CORETYPE = coretype;
  return env;
}

/** Runs a job in a child process: our worker (this script with --worker) or PyTorch's reference trainer. */
export function spawnJob(job: Job, benchScript: string, torchScript: string): JobResult {
  if (job.kind === 'torch') {
    const env = torchEnv(job.blasThreads);
    const args = [torchScript, '--config', job.config, '--corpus', job.corpus, '--omp-threads', String(job.ompThreads),
      '--warmup-seconds', String(job.plan.warmupSeconds), '--min-warmup-steps', String(job.plan.minWarmupSteps),
      '--window-seconds', String(job.plan.windowSeconds), '--windows', String(job.plan.windows),
      '--generate-chars', String(job.generateChars)];
    const out = runChild(PYTHON, args, env, `PyTorch ${job.config}`) as Omit<TorchResult, 'kind' | 'job'>;
    return { ...out, kind: 'torch', job };
  }
  return runChild(process.execPath, [benchScript, '--worker', JSON.stringify(job)], process.env, `charlm ${job.config}`) as JobResult;
}
