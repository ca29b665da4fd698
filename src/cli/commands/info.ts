// `charlm info MODEL`: what a saved model is (cell, sizes, vocabulary) and how it was trained, without running it.

import { Command } from 'commander';
import { parameterCount } from '../../config/model-config.js';
import { loadModel } from '../../model-file/read.js';
import { kernelReport, type KernelReport } from '../../tensor/create-kernels.js';
import { UsageError } from '../../errors.js';
import type { SavedModel, TrainingRecord } from '../../model-file/format.js';
import { safeText } from '../../text/quote.js';
import { escapeChar } from '../../text/vocab.js';
import { writeData, writeJson } from '../output.js';

export interface InfoReport {
  path: string;
  formatVersion: number | null;
  createdBy: string | null;
  savedAt: string | null;
  cell: string;
  layers: number;
  hiddenSize: number;
  /** LSTM projection width (proj_size), 0 for none. */
  projSize: number;
  dropout: number;
  vocabSize: number;
  params: number;
  lineMode: boolean;
  symbols: string[];
  training: (TrainingRecord & { bestValBitsPerChar: number | null }) | null;
  resumable: boolean;
}

export function infoReport(path: string, saved: SavedModel): InfoReport {
  const t = saved.training;
  return {
    path,
    formatVersion: saved.file?.version ?? null,
    createdBy: saved.file?.createdBy ?? null,
    savedAt: saved.file?.savedAt ?? null,
    cell: saved.config.cell,
    layers: saved.config.numLayers,
    hiddenSize: saved.config.hiddenSize,
    projSize: saved.config.projSize ?? 0,
    dropout: saved.config.dropout,
    vocabSize: saved.config.vocabSize,
    params: parameterCount(saved.config),
    lineMode: saved.vocab.lineMode,
    symbols: [...saved.vocab.chars()],
    training: t === null ? null : { ...t, bestValBitsPerChar: t.bestValLoss === null ? null : t.bestValLoss / Math.LN2 },
    resumable: saved.resume !== null,
  };
}

const fmt = (n: number): string => n.toLocaleString('en-US');

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${s % 60} s` : `${s} s`;
}

function preview(symbols: readonly string[], max = 60): string {
  const shown = symbols.slice(0, max).map(escapeChar).join(' ');
  return symbols.length > max ? `${shown} … (+${symbols.length - max})` : shown;
}

function renderReport(r: InfoReport): string {
  const rows: [string, string][] = [
    // Everything taken from the file is untrusted: safeText cuts it short and escapes what could drive the terminal.
    ['model', `${safeText(r.path, 200)}${r.formatVersion === null ? '' : ` (format ${r.formatVersion}, ${safeText(r.createdBy ?? '?')}, saved ${safeText(r.savedAt ?? '?')})`}`],
    ['network', `${r.cell}, ${r.layers} layer${r.layers === 1 ? '' : 's'} × ${r.hiddenSize} hidden units` +
      `${r.projSize > 0 ? ` projected to ${r.projSize}` : ''}, dropout ${r.dropout}`],
    ['parameters', fmt(r.params)],
    ['vocabulary', `${fmt(r.vocabSize)} symbols${r.lineMode ? ' (line mode: <start>, <end> and the characters)' : ''}`],
    ['characters', preview(r.symbols)],
  ];
  const t = r.training;
  if (t === null) {
    rows.push(['training', 'none recorded']);
  } else {
    rows.push(['training', `${fmt(t.steps)} steps, ${fmt(t.charsSeen)} characters seen, ${t.epochs.toFixed(2)} epochs, seed ${t.seed}`]);
    rows.push(['best val loss', t.bestValLoss === null ? 'no validation'
      : `${t.bestValLoss.toFixed(4)} nats/char = ${t.bestValBitsPerChar!.toFixed(4)} bits/char (perplexity ${Math.exp(t.bestValLoss).toFixed(2)})`]);
    if (t.lastTrainLoss !== null) rows.push(['last train loss', `${t.lastTrainLoss.toFixed(4)} nats/char`]);
    rows.push(['dates', `started ${safeText(t.startedAt)}, updated ${safeText(t.updatedAt)} (${formatDuration(t.elapsedMs)} of training)`]);
    rows.push(['corpus', `${safeText(t.corpus.name)}, ${fmt(t.corpus.chars)} symbols, sha256 ${safeText(t.corpus.sha256, 16)}`]);
  }
  rows.push(['resumable', r.resumable ? 'yes (charlm train FILE --resume MODEL)' : 'no']);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

const ISA_NAMES: Record<string, string> = {
  avx512: 'AVX-512 (x86-64-v4)', avx2: 'AVX2 + FMA (x86-64-v3)', portable: 'baseline (SSE2 on x86-64)',
  simd128: 'WebAssembly SIMD', scalar: 'plain TypeScript',
};

function renderKernels(r: KernelReport): string {
  const isa = (name: string): string => ISA_NAMES[name] ?? name;
  const n = r.native;
  const rows: [string, string][] = [
    ['kernel', `${r.chosen}, ${isa(r.isa)}, ${r.vectorWidth} float lane${r.vectorWidth === 1 ? '' : 's'} per vector`],
    ['native', n === null ? r.nativeProblem ?? 'not available'
      : `${n.origin === 'prebuilt' ? 'prebuilt binary' : 'built from source'}; this CPU runs ${n.supported.join(', ')}`],
    ['wasm', r.wasm ? 'available' : 'not available (no WebAssembly SIMD, or kernels.wasm not built)'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n') + '\n';
}

export function registerInfoCommand(program: Command): void {
  program
    .command('info')
    .description('describe a saved model: network, vocabulary and training record; or, with --kernels, the numeric kernel')
    .argument('[model]', 'a model file written by charlm train')
    .option('--kernels', 'say which numeric kernel runs here and which instruction set it uses')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', `
Examples:
  $ charlm info models/tinyshakespeare.json
  $ charlm info models/tinyshakespeare.json --json
  $ charlm info --kernels

Losses are mean cross-entropy per character, in nats (natural log) and bits (log base 2).`)
    .action(async (path: string | undefined, flags: { json?: boolean; kernels?: boolean }) => {
      if (flags.kernels === true) {
        if (path !== undefined) throw new UsageError('info --kernels describes this machine, not a model: drop the model file');
        const kernels = kernelReport();
        if (flags.json === true) writeJson(kernels);
        else writeData(renderKernels(kernels));
        return;
      }
      if (path === undefined) throw new UsageError('info needs a model file (or --kernels)');
      const report = infoReport(path, await loadModel(path));
      if (flags.json === true) writeJson(report);
      else writeData(renderReport(report));
    });
}
