// Scoring text with a CharLM: cross-entropy in nats and bits per character, perplexity, and per-line scores. Not sampling.
//
// What is scored: every symbol after the first, each given everything before it (so n symbols give n − 1 predictions).
// Characters outside the vocabulary are counted, reported and left out of the sequence. In line mode the text is framed
// as start, line, end per non-empty line (as in training); the end symbols are predicted and counted as characters, the
// start symbols are not (after an end, a start is certain), and the state restarts at each start symbol, so each line
// scores as it does alone.
//
// Batched scoring: a long text is cut into S contiguous streams, scored side by side (one forward of S rows per chunk) with
// the state carried from chunk to chunk. Each stream after the first first reads the WARMUP_CHARS characters before its
// part unscored, so it starts from (nearly) the state one continuous pass would have there: the streamed figure equals
// --streams 1 within 1e-4 nats/char (test/decode/scoring.test.ts). Every prediction is still made exactly once: with W
// warm-up steps and L' = ⌈(P − W) / S⌉, all S rows run W + L' steps; row 0 scores predictions [0, W + L'), row s ≥ 1 reads
// [s·L', s·L' + W) unscored and scores [W + s·L', W + (s+1)·L'). With S = 1 the score is exact by construction.

import { ConfigError, CorpusError } from '../errors.js';
import type { CharLM } from '../model/char-lm.js';
import type { RecurrentState } from '../model/recurrent-state.js';
import type { Ids } from '../tensor/floats.js';
import type { Vocab } from '../text/vocab.js';
import { rowsWithin, stepsWithin } from './forward-budget.js';

export interface ScoreOptions {
  /** Parallel streams S (default: one per MIN_STREAM_CHARS predictions, at most MAX_STREAMS); each warms up first. */
  streams?: number;
  /** Steps per forward (default 128): bounds the memory of one forward. */
  chunkLength?: number;
  /** Unscored characters each stream after the first reads before its part (default WARMUP_CHARS). */
  warmupChars?: number;
}

export interface TextScore {
  /** Predictions scored (characters after the first, plus line ends in line mode). */
  readonly chars: number;
  readonly natsPerChar: number;
  /** natsPerChar / ln 2. */
  readonly bitsPerChar: number;
  /** e^natsPerChar. */
  readonly perplexity: number;
  /** Occurrences of characters outside the vocabulary (not scored). */
  readonly unknownChars: number;
  /** Each character outside the vocabulary → how often it occurs. */
  readonly unknown: Record<string, number>;
}

export interface LineScore {
  readonly line: string;
  readonly chars: number;
  /** Total ln P of the line's scored symbols. */
  readonly logProb: number;
  readonly natsPerChar: number;
  readonly bitsPerChar: number;
  readonly unknownChars: number;
}

const MIN_STREAM_CHARS = 2048;
const MAX_STREAMS = 32;
const DEFAULT_CHUNK = 128;
/** Lines scored side by side in scoreLines. */
const LINE_BATCH = 64;

/** The symbols that get scored, unknown characters left out, plus the unknown ones counted. */
export function encodeForScoring(vocab: Vocab, text: string): { ids: Ids; unknown: Map<string, number> } {
  const ids = vocab.lineMode ? vocab.encodeLines(text, { unknown: 'skip' }) : vocab.encode(text, { unknown: 'skip' });
  return { ids, unknown: vocab.unknownChars(text) };
}

/** Characters each stream after the first reads, unscored, before its first scored prediction (see the header). */
export const WARMUP_CHARS = 512;

/** How P predictions are shared among S parallel streams (see the header). */
export interface StreamLayout {
  readonly S: number;
  /** Unscored warm-up steps at the start of every row but the first. */
  readonly warmup: number;
  /** Predictions scored per row after the warm-up (row 0 scores its warm-up steps too). */
  readonly span: number;
}

export function streamLayout(P: number, streams: number | undefined, warmupChars = WARMUP_CHARS, maxRows = Infinity): StreamLayout {
  const S = Math.max(1, Math.min(streams ?? Math.min(MAX_STREAMS, Math.floor(P / MIN_STREAM_CHARS)), P, maxRows));
  const warmup = Math.min(warmupChars, P);
  const span = Math.ceil((P - warmup) / S);
  if (S === 1 || span < 1) return { S: 1, warmup: 0, span: P };
  return { S, warmup, span };
}

/**
 * Total nats over the predictions of `ids`, and how many were scored. `itemStart` (line mode's start symbol) is not scored
 * as a target, and the state restarts from the start state where it is read, as in training.
 */
export function scoreIds(model: CharLM, ids: Ids, opts: ScoreOptions & { itemStart?: number | null } = {}):
    { nats: number; chars: number } {
  const P = ids.length - 1;
  if (P < 1) return { nats: 0, chars: 0 };
  const V = model.config.vocabSize;
  const { S, warmup, span } = streamLayout(P, opts.streams, opts.warmupChars, rowsWithin(Number.MAX_SAFE_INTEGER, V));
  const steps = warmup + span;
  const T = stepsWithin(opts.chunkLength ?? DEFAULT_CHUNK, S, V);
  const ignore = opts.itemStart ?? null;
  const restartAt = ignore ?? undefined;
  const k = model.kernels;
  const state = model.createState(S);
  const inputs = new (ids.constructor as new (n: number) => Ids)(T * S);
  const targets = new (ids.constructor as new (n: number) => Ids)(T * S);
  const scored = new Uint8Array(T * S);
  let nats = 0;
  let chars = 0;
  for (let start = 0; start < steps; start += T) {
    const Tc = Math.min(T, steps - start);
    let all = true;
    for (let t = 0; t < Tc; t++) {
      for (let s = 0; s < S; s++) {
        const row = t * S + s;
        const step = start + t;
        const pos = s * span + step; // this row predicts ids[pos + 1] from ids[pos]
        const real = pos < P;
        inputs[row] = real ? ids[pos] : 0;
        targets[row] = real ? ids[pos + 1] : 0;
        scored[row] = real && (s === 0 || step >= warmup) && ids[pos + 1] !== ignore ? 1 : 0;
        if (scored[row] === 0) all = false;
      }
    }
    const pass = model.forward(inputs, targets, Tc, S, state, { training: false, restartAt });
    if (all) {
      nats += pass.lossNats * Tc * S;
      chars += Tc * S;
      continue;
    }
    for (let row = 0; row < Tc * S; row++) {
      if (scored[row] === 0) continue;
      nats += k.softmaxCrossEntropy(pass.logits, row * V, 1, V, targets, row, null, 0, 0);
      chars++;
    }
  }
  state.release(k);
  return { nats, chars };
}

/** Cross-entropy of a whole text (see the header for what is scored and how streams warm up). */
export function scoreText(model: CharLM, vocab: Vocab, text: string, opts: ScoreOptions = {}): TextScore {
  const { ids, unknown } = encodeForScoring(vocab, text);
  const { nats, chars } = scoreIds(model, ids, { ...opts, itemStart: vocab.bos });
  let unknownChars = 0;
  for (const n of unknown.values()) unknownChars += n;
  if (chars === 0) {
    throw new CorpusError('nothing to score: the text needs at least two characters the model knows',
      { hint: unknownChars > 0 ? `${unknownChars} characters are outside the model's vocabulary` : undefined });
  }
  return { ...summarize(nats, chars), unknownChars, unknown: Object.fromEntries(unknown) };
}

function summarize(nats: number, chars: number): { chars: number; natsPerChar: number; bitsPerChar: number; perplexity: number } {
  const natsPerChar = chars > 0 ? nats / chars : Number.NaN;
  return { chars, natsPerChar, bitsPerChar: natsPerChar / Math.LN2, perplexity: Math.exp(natsPerChar) };
}

/** Lines of a text: split at "\n", a trailing "\r" dropped, and no empty last line for a final line break. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/**
 * Each line scored on its own from a fresh state, in input order. Line mode frames it as start, line, end. Otherwise the
 * line follows a line break and is followed by one (when the vocabulary has "\n"), so every character and the line's end are
 * predicted, as they would be inside a text; without "\n" the first character is context only. With `context` N (not in
 * line mode, whose items are independent) the N lines before it are read first, unscored, as the text would have them.
 */
export function scoreLines(model: CharLM, vocab: Vocab, lines: readonly string[],
                           opts: Pick<ScoreOptions, 'chunkLength'> & { context?: number } = {}): LineScore[] {
  const context = opts.context ?? 0;
  if (!Number.isInteger(context) || context < 0) throw new ConfigError(`context must be 0 or more lines (got ${context})`);
  if (context > 0 && vocab.lineMode) {
    throw new ConfigError('a line-mode model reads every line from its start state: context lines would change nothing');
  }
  const newline = vocab.lineMode ? undefined : vocab.idOf('\n');
  const bodies = lines.map((line) => vocab.encode(line, { unknown: 'skip' }));
  const framed = lines.map((line, i) => {
    let unknownChars = 0;
    for (const n of vocab.unknownChars(line).values()) unknownChars += n;
    const ids: number[] = [];
    if (vocab.lineMode) ids.push(vocab.bos!);
    else if (newline !== undefined) ids.push(newline);
    for (let j = Math.max(0, i - context); j < i; j++) {
      for (const id of bodies[j]) ids.push(id);
      if (newline !== undefined) ids.push(newline);
    }
    const skip = Math.max(0, ids.length - 1); // predictions that belong to the context, not to the line
    for (const id of bodies[i]) ids.push(id);
    if (vocab.lineMode) ids.push(vocab.eos!);
    else if (newline !== undefined) ids.push(newline);
    return { ids, skip: context > 0 ? skip : 0, unknownChars };
  });
  const logProbs = new Float64Array(lines.length);
  // Longest first, so each batch holds lines of similar length and pads little.
  const order = lines.map((_, i) => i).filter((i) => framed[i].ids.length - framed[i].skip > 1)
    .sort((a, b) => framed[b].ids.length - framed[a].ids.length || a - b);
  // One state per batch size (a full batch, and the last one), not one per batch: memory stays flat however many lines.
  const states = new Map<number, RecurrentState>();
  const batchSize = rowsWithin(LINE_BATCH, model.config.vocabSize);
  for (let first = 0; first < order.length; first += batchSize) {
    const batch = order.slice(first, first + batchSize);
    let state = states.get(batch.length);
    if (state === undefined) states.set(batch.length, state = model.createState(batch.length));
    scoreBatch(model, batch.map((i) => framed[i]), opts.chunkLength ?? DEFAULT_CHUNK, state)
      .forEach((lp, j) => { logProbs[batch[j]] = lp; });
  }
  for (const state of states.values()) state.release(model.kernels);
  return lines.map((line, i) => {
    const chars = Math.max(0, framed[i].ids.length - 1 - framed[i].skip);
    const s = summarize(-logProbs[i], chars);
    return { line, chars, logProb: logProbs[i], natsPerChar: s.natsPerChar, bitsPerChar: s.bitsPerChar,
      unknownChars: framed[i].unknownChars };
  });
}

/**
 * Total ln P of each sequence's predictions after its first `skip` (which are read, not scored), the sequences run side by
 * side from start states (B = sequences); `state` is overwritten.
 */
function scoreBatch(model: CharLM, seqs: readonly { ids: readonly number[]; skip: number }[], chunkLength: number,
                    state: RecurrentState): Float64Array {
  const B = seqs.length;
  const V = model.config.vocabSize;
  const steps = Math.max(...seqs.map((s) => s.ids.length - 1));
  const T = stepsWithin(Math.min(chunkLength, steps), B, V);
  const ctor = V <= 65536 ? Uint16Array : Uint32Array;
  const inputs = new ctor(T * B);
  const targets = new ctor(T * B);
  state.reset();
  const out = new Float64Array(B);
  for (let start = 0; start < steps; start += T) {
    const Tc = Math.min(T, steps - start);
    for (let t = 0; t < Tc; t++) {
      for (let b = 0; b < B; b++) {
        const pos = start + t;
        const real = pos < seqs[b].ids.length - 1;
        inputs[t * B + b] = real ? seqs[b].ids[pos] : 0;
        targets[t * B + b] = real ? seqs[b].ids[pos + 1] : 0;
      }
    }
    const pass = model.forward(inputs, targets, Tc, B, state, { training: false });
    for (let t = 0; t < Tc; t++) {
      for (let b = 0; b < B; b++) {
        const pos = start + t;
        if (pos < seqs[b].skip || pos >= seqs[b].ids.length - 1) continue;
        const row = t * B + b;
        out[b] -= model.kernels.softmaxCrossEntropy(pass.logits, row * V, 1, V, targets, row, null, 0, 0);
      }
    }
  }
  return out;
}
