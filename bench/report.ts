// Turns the jobs' results into the benchmark's report: one plain object (printed with --json) and a table for people.

import { cpus, loadavg } from 'node:os';
import { BENCH_CONFIGS, flopsPerChar, type BenchConfigName } from './configs.js';
import { openblasCoretype, type JobResult, type OursDecodeResult, type OursTrainResult, type TorchResult } from './jobs.js';
import { spreadOf } from './measure.js';

export interface TrainingRow {
  readonly config: BenchConfigName;
  readonly peer: 'charlm' | 'pytorch';
  /** charlm: the kernel's name; PyTorch: its version. */
  readonly variant: string;
  /** Threads the peer computed with (PyTorch: its BLAS threads; ompThreads says how many OpenMP threads ran beside them). */
  readonly threads: number;
  readonly ompThreads: number | null;
  readonly charsPerSec: number;
  readonly gflopsPerSec: number;
  readonly minCharsPerSec: number;
  readonly maxCharsPerSec: number;
  /** (max − min) / median over the timed windows. */
  readonly relativeSpread: number;
  readonly windows: number;
  readonly stepsPerWindow: number;
  readonly warmupSteps: number;
  readonly maxRssBytes: number | null;
  readonly heapUsedBytes: number | null;
  readonly arrayBuffersBytes: number | null;
  /** Training loss of the last timed step: a sanity check that the step really trains (ln 65 = 4.17 at the start). */
  readonly lastLossNats: number;
  /** charlm: validation (eval) characters scored per second, median of its windows; null for PyTorch (not measured). */
  readonly evalCharsPerSec: number | null;
}

export interface Ratio {
  readonly config: BenchConfigName;
  /** 'same threads' pairs rows of equal thread count; 'best' compares each side's fastest row. */
  readonly pairing: string;
  readonly threads: number | null;
  readonly charlmCharsPerSec: number;
  readonly pytorchCharsPerSec: number;
  readonly charlmOverPytorch: number;
}

export interface DecodeFigure { readonly charsPerSec: number; readonly relativeSpread: number; readonly windows: number }
/** charlm's decoding figures carry the threads they ran with. */
export interface OursDecodeFigure extends DecodeFigure { readonly threads: number }

export interface BenchReport {
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string;
    /** os.loadavg()[0] before and after the run: above about 0.5 before it, other work was competing for the CPUs. The
     *  figure after includes the bench's own processes. */
    readonly loadAverageBefore: number; readonly loadAverageAfter: number };
  readonly kernels: string;
  readonly short: boolean;
  readonly corpus: { readonly path: string; readonly vocabSize: number };
  readonly flopsPerChar: Partial<Record<BenchConfigName, number>>;
  /** The machine's sgemm rate (OpenBLAS through PyTorch, best of 512³ … 2048³) per thread count; empty without PyTorch. */
  readonly sgemmPeaks: readonly { readonly threads: number; readonly gflopsPerSec: number }[];
  readonly training: TrainingRow[];
  readonly ratios: Ratio[];
  /** charlm: one figure per thread count; PyTorch: its best setting (one OpenMP thread). */
  readonly generation: { readonly config: 'M'; readonly batchSize: 1; readonly charlm: OursDecodeFigure[]; readonly pytorch: DecodeFigure | null };
  readonly beamSearch: { readonly config: 'M'; readonly width: number; readonly outputChars: number; readonly charlm: OursDecodeFigure[] };
  readonly decodeMemory: { readonly maxRssBytes: number; readonly heapUsedBytes: number } | null;
  readonly notes: string[];
}

function oursRow(r: OursTrainResult, V: number): TrainingRow {
  const t = r.train;
  return {
    config: r.job.config, peer: 'charlm', variant: r.kernelsName, threads: r.threadsUsed, ompThreads: null,
    charsPerSec: t.median, gflopsPerSec: (t.median * flopsPerChar(BENCH_CONFIGS[r.job.config], V)) / 1e9,
    minCharsPerSec: t.min, maxCharsPerSec: t.max, relativeSpread: t.relativeSpread, windows: t.perWindow.length,
    stepsPerWindow: t.stepsPerWindow, warmupSteps: t.warmupSteps, maxRssBytes: r.memory.maxRssBytes,
    heapUsedBytes: r.memory.heapUsedBytes, arrayBuffersBytes: r.memory.arrayBuffersBytes, lastLossNats: t.lastLossNats,
    evalCharsPerSec: r.validation.median,
  };
}

function torchRow(r: TorchResult): TrainingRow {
  const s = spreadOf(r.train.windowCharsPerSec);
  return {
    config: r.job.config, peer: 'pytorch', variant: `torch ${r.torchVersion}`, threads: r.job.blasThreads,
    ompThreads: r.job.ompThreads, charsPerSec: r.train.charsPerSec,
    gflopsPerSec: (r.train.charsPerSec * flopsPerChar(BENCH_CONFIGS[r.job.config], r.vocabSize)) / 1e9,
    minCharsPerSec: s.min, maxCharsPerSec: s.max, relativeSpread: s.relativeSpread, windows: r.train.windowCharsPerSec.length,
    stepsPerWindow: r.train.stepsPerWindow, warmupSteps: r.train.warmupSteps, maxRssBytes: r.maxRssBytes ?? null,
    heapUsedBytes: null, arrayBuffersBytes: null, lastLossNats: r.train.lastLossNats, evalCharsPerSec: null,
  };
}

function ratiosOf(rows: readonly TrainingRow[]): Ratio[] {
  const out: Ratio[] = [];
  const configs = [...new Set(rows.map((r) => r.config))];
  for (const config of configs) {
    const ours = rows.filter((r) => r.config === config && r.peer === 'charlm');
    // The fair PyTorch rows use one OpenMP thread (REFERENCE.md: two oversubscribe the cores).
    const theirs = rows.filter((r) => r.config === config && r.peer === 'pytorch' && r.ompThreads === 1);
    if (ours.length === 0 || theirs.length === 0) continue;
    for (const o of ours) {
      const t = theirs.find((x) => x.threads === o.threads);
      if (t !== undefined) {
        out.push({ config, pairing: 'same threads', threads: o.threads, charlmCharsPerSec: o.charsPerSec,
          pytorchCharsPerSec: t.charsPerSec, charlmOverPytorch: o.charsPerSec / t.charsPerSec });
      }
    }
    const bestOurs = Math.max(...ours.map((r) => r.charsPerSec));
    const bestTheirs = Math.max(...rows.filter((r) => r.config === config && r.peer === 'pytorch').map((r) => r.charsPerSec));
    out.push({ config, pairing: 'best', threads: null, charlmCharsPerSec: bestOurs, pytorchCharsPerSec: bestTheirs,
      charlmOverPytorch: bestOurs / bestTheirs });
  }
  return out;
}

export function buildReport(results: readonly JobResult[], opts: { kernels: string; short: boolean; corpusPath: string;
  vocabSize: number; configs: readonly BenchConfigName[]; notes: string[]; loadAverageBefore: number;
  sgemmPeaks: BenchReport['sgemmPeaks'] }): BenchReport {
  const training: TrainingRow[] = [];
  const decodes: OursDecodeResult[] = [];
  let torchGenerate: TorchResult['generate'];
  for (const r of results) {
    if (r.kind === 'ours-train') training.push(oursRow(r, opts.vocabSize));
    else if (r.kind === 'torch') {
      // A PyTorch job run only for its generation figure (its config not asked for) shows no training row.
      if (opts.configs.includes(r.job.config)) training.push(torchRow(r));
      if (r.generate !== undefined) torchGenerate = r.generate;
    }
    else decodes.push(r);
  }
  const decode = decodes[0];
  const flops: Partial<Record<BenchConfigName, number>> = {};
  for (const c of opts.configs) flops[c] = flopsPerChar(BENCH_CONFIGS[c], opts.vocabSize);
  const decodeFigure = (w: { median: number; relativeSpread: number; perWindow: number[] }): DecodeFigure =>
    ({ charsPerSec: w.median, relativeSpread: w.relativeSpread, windows: w.perWindow.length });
  return {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version,
      loadAverageBefore: opts.loadAverageBefore, loadAverageAfter: loadavg()[0]! },
    kernels: opts.kernels,
    short: opts.short,
    corpus: { path: opts.corpusPath, vocabSize: opts.vocabSize },
    flopsPerChar: flops,
    sgemmPeaks: opts.sgemmPeaks,
    training,
    ratios: ratiosOf(training),
    generation: {
      config: 'M', batchSize: 1,
      charlm: decodes.map((d) => ({ ...decodeFigure(d.generate), threads: d.threadsUsed })),
      pytorch: torchGenerate === undefined ? null
        : { charsPerSec: torchGenerate.charsPerSec, relativeSpread: spreadOf(torchGenerate.windowCharsPerSec).relativeSpread,
          windows: torchGenerate.windowCharsPerSec.length },
    },
    beamSearch: {
      config: 'M', width: decode?.job.beamWidth ?? 8, outputChars: decode?.job.beamLength ?? 0,
      charlm: decodes.map((d) => ({ ...decodeFigure(d.beam), threads: d.threadsUsed })),
    },
    decodeMemory: decode === undefined ? null : { maxRssBytes: decode.memory.maxRssBytes, heapUsedBytes: decode.memory.heapUsedBytes },
    notes: opts.notes,
  };
}

const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const threads = (n: number): string => `${n} thread${n === 1 ? '' : 's'}`;
const mb = (x: number | null): string => (x === null ? '–' : `${(x / 2 ** 20).toFixed(0)} MB`);
const pct = (x: number): string => `±${((x / 2) * 100).toFixed(0)}%`;

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The report as text for a terminal. */
export function renderReport(r: BenchReport): string {
  const out: string[] = [];
  out.push(`charlm bench — kernels: ${r.kernels}; ${r.machine.cpus} CPUs (${r.machine.cpuModel}); Node ${r.machine.node}` +
    `${r.short ? '; --short' : ''}`);
  // The load after the run includes the bench's own processes (2 with two threads), so only the load before judges the machine.
  out.push(`load average (1 min) before the run ${r.machine.loadAverageBefore.toFixed(2)}` +
    (r.machine.loadAverageBefore > 0.5 ? ': other work was competing for the CPUs, so these figures are low and noisy' : ''));
  out.push(`corpus: ${r.corpus.path} (V = ${r.corpus.vocabSize}); LSTM, Adam 2e-3, clip 5, state carried between chunks`);
  out.push('');
  if (r.sgemmPeaks.length > 0) {
    out.push('sgemm peak of this machine (OpenBLAS through PyTorch, best of 512³ … 2048³): ' +
      r.sgemmPeaks.map((p) => `${threads(p.threads)} ${p.gflopsPerSec.toFixed(0)} GFLOP/s`).join(', ') +
      `; OpenBLAS kernels: ${openblasCoretype() ?? 'as OpenBLAS detects the CPU'}`);
  }
  // A row's GFLOP/s as a share of the sgemm peak at its thread count (PyTorch: its BLAS threads).
  const ofPeak = (t: TrainingRow): string => {
    const peak = r.sgemmPeaks.find((p) => p.threads === t.threads);
    return peak === undefined ? '–' : `${((t.gflopsPerSec / peak.gflopsPerSec) * 100).toFixed(0)}%`;
  };
  out.push('Training: characters per second, median of the timed windows after a warm-up; spread = ±half (max − min) / median;');
  out.push('eval: validation characters scored per second (no gradients, parallel streams, as `charlm eval`), same process');
  out.push(table(['config', 'peer', 'threads', 'MFLOP/char', 'chars/s', 'GFLOP/s', 'of peak', 'spread', 'windows', 'eval chars/s',
    'max RSS'],
    r.training.map((t) => [
      `${t.config} (${BENCH_CONFIGS[t.config].numLayers}×${BENCH_CONFIGS[t.config].hiddenSize}, T${BENCH_CONFIGS[t.config].bpttLength}, B${BENCH_CONFIGS[t.config].batchSize})`,
      t.peer === 'charlm' ? `charlm ${t.variant}` : `${t.variant}${t.ompThreads !== 1 ? ` omp${t.ompThreads}` : ''}`,
      t.peer === 'pytorch' ? `${t.ompThreads}+${t.threads}` : String(t.threads),
      ((r.flopsPerChar[t.config] ?? 0) / 1e6).toFixed(2),
      int(t.charsPerSec), t.gflopsPerSec.toFixed(1), ofPeak(t), pct(t.relativeSpread), `${t.windows}×${t.stepsPerWindow}`,
      t.evalCharsPerSec === null ? '–' : int(t.evalCharsPerSec), mb(t.maxRssBytes),
    ])));
  if (r.training.some((t) => t.peer === 'pytorch')) out.push('(PyTorch threads: OpenMP + OpenBLAS)');
  if (r.ratios.length > 0) {
    out.push('');
    out.push('charlm / PyTorch (training chars/s; above 1 means charlm is faster)');
    out.push(table(['config', 'pairing', 'charlm', 'PyTorch', 'ratio'], r.ratios.map((x) => [
      x.config, x.pairing === 'best' ? 'best of each' : `${x.threads} thread${x.threads === 1 ? '' : 's'}`,
      int(x.charlmCharsPerSec), int(x.pytorchCharsPerSec), `${x.charlmOverPytorch.toFixed(2)}×`,
    ])));
  }
  out.push('');
  const g = r.generation;
  out.push(`Generation, batch 1, config M: ` + [
    ...g.charlm.map((c) => `charlm ${threads(c.threads)} ${int(c.charsPerSec)} chars/s ${pct(c.relativeSpread)}` +
      (g.pytorch === null ? '' : ` (${(c.charsPerSec / g.pytorch.charsPerSec).toFixed(2)}× PyTorch)`)),
    ...(g.pytorch === null ? [] : [`PyTorch ${int(g.pytorch.charsPerSec)} chars/s ${pct(g.pytorch.relativeSpread)}`]),
  ].join('; '));
  const b = r.beamSearch;
  out.push(`Beam search, width ${b.width}, config M: ` +
    (b.charlm.map((c) => `charlm ${threads(c.threads)} ${int(c.charsPerSec)} output chars/s ${pct(c.relativeSpread)}`).join('; ') || '–'));
  if (r.decodeMemory !== null) {
    out.push(`Decoding process: max RSS ${mb(r.decodeMemory.maxRssBytes)}, V8 heap ${mb(r.decodeMemory.heapUsedBytes)}`);
  }
  const heaps = r.training.filter((t) => t.heapUsedBytes !== null);
  if (heaps.length > 0) {
    out.push(`Training processes, V8 heap used / typed arrays: ` +
      heaps.map((t) => `${t.config}/${t.threads}t ${mb(t.heapUsedBytes)} / ${mb(t.arrayBuffersBytes)}`).join(', '));
  }
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n');
}
