// Filling a blank from both sides: fills ranked by the model's log-probability of the whole text with the fill in it, so
// the text after the blank counts as much as the text before it. Either given candidates, or a beam search over the blank
// that scores every partial fill with the suffix. The text is framed as scoreLines frames a line (decode/scoring.ts):
// after a line break (line mode: the start symbol) and followed by one (line mode: the end symbol).

import { logSoftmax, primeState } from '../decode/sampling.js';
import { scoreIds, scoreLines } from '../decode/scoring.js';
import { UsageError } from '../errors.js';
import type { CharLM, PackedWeights } from '../model/char-lm.js';
import type { RecurrentState } from '../model/recurrent-state.js';
import type { Vocab } from '../text/vocab.js';

export interface Fill {
  readonly fill: string;
  /** ln P of the whole text with this fill (every symbol after the first, and the end of the text). */
  readonly logProb: number;
  /** Characters of the fill the model does not know (such a fill cannot be scored fairly and is ranked last). */
  readonly unknownChars: number;
}

export interface BlankText {
  readonly prefix: string;
  readonly suffix: string;
}

/** The text around its one blank, written as three or more underscores. */
export function splitBlank(text: string): BlankText {
  const blanks = [...text.matchAll(/_{3,}/g)];
  if (blanks.length !== 1) {
    throw new UsageError(`the text needs exactly one blank written as ___ (found ${blanks.length})`);
  }
  const at = blanks[0].index!;
  return { prefix: text.slice(0, at), suffix: text.slice(at + blanks[0][0].length) };
}

/** Each candidate put into the blank and the whole text scored; best first. */
export function rankCandidates(model: CharLM, vocab: Vocab, blank: BlankText, candidates: readonly string[]): Fill[] {
  const scores = scoreLines(model, vocab, candidates.map((c) => blank.prefix + c + blank.suffix));
  const fills = candidates.map((fill, i) => ({ fill, logProb: scores[i].logProb, unknownChars: unknownIn(vocab, fill) }));
  return fills.sort((a, b) => Math.sign(a.unknownChars) - Math.sign(b.unknownChars) || b.logProb - a.logProb);
}

function unknownIn(vocab: Vocab, text: string): number {
  let n = 0;
  for (const count of vocab.unknownChars(text).values()) n += count;
  return n;
}

export interface FillSearchOptions {
  /** Longest fill tried, in characters. */
  readonly maxLength: number;
  /** Partial fills kept per length, for each of the two rankings (see searchFills). */
  readonly width: number;
  /** Fills returned. */
  readonly top: number;
}

/** Symbols a fill may hold: every symbol but line mode's start and end. Per partial fill at most EXPAND are tried. */
const EXPAND = 128;

/** A partial fill in the beam: its symbols and ln P of them after the prefix. */
interface Partial {
  readonly ids: readonly number[];
  readonly prefixLogProb: number;
}

/** The partial fills of one round with the state after each (row i = partial i) and their next-symbol ln P, (rows, V). */
interface Round {
  readonly partials: readonly Partial[];
  readonly state: RecurrentState;
  readonly logProbs: Float64Array;
}

/**
 * Beam search over the blank, one character per round. Every partial fill is scored with the suffix (ln P of the whole
 * text), and the best `top` of all fills scored are returned. The beam keeps, per round, the `width` partial fills the
 * whole-text score likes best and the `width` the prefix alone likes best: a word half written ("bu" of "buy") makes the
 * suffix unlikely, so ranking by the whole text alone would drop it before it is complete.
 */
export function searchFills(model: CharLM, vocab: Vocab, blank: BlankText, opts: FillSearchOptions): Fill[] {
  const context = framedStart(vocab, blank.prefix);
  const suffix = [...vocab.encode(blank.suffix, { unknown: 'skip' })];
  const end = vocab.lineMode ? vocab.eos! : vocab.idOf('\n');
  if (end !== undefined) suffix.push(end);
  const contextIds = vocab.allocIds(context.length);
  contextIds.set(context);
  const base = -scoreIds(model, contextIds, { streams: 1 }).nats; // ln P of the prefix itself, the same for every fill
  const state = primeState(model, vocab, context);
  const weights = model.packWeights();  // every step of the search reads the same weights
  let round: Round = { partials: [{ ids: [], prefixLogProb: 0 }], state, logProbs: stepRows(weights, [context.at(-1)!], state) };
  const scored = new Map<string, number>();
  const record = (r: Round): number[] => {
    const totals = suffixLogProbs(weights, r.state.clone(), r.logProbs, suffix);
    r.partials.forEach((p, i) => scored.set(vocab.decode(p.ids), base + p.prefixLogProb + totals[i]));
    return totals;
  };
  record(round);
  for (let length = 1; length <= opts.maxLength; length++) {
    const children = expand(weights, vocab, round);
    const totals = record(children);
    const order = (key: (i: number) => number): number[] =>
      children.partials.map((_, i) => i).sort((a, b) => key(b) - key(a)).slice(0, opts.width);
    const keep = [...new Set([...order((i) => children.partials[i].prefixLogProb + totals[i]),
      ...order((i) => children.partials[i].prefixLogProb)])];
    round = select(children, keep, model.config.vocabSize);
  }
  return [...scored.entries()].map(([fill, logProb]) => ({ fill, logProb, unknownChars: 0 }))
    .sort((a, b) => b.logProb - a.logProb).slice(0, opts.top);
}

/** What the model reads before the blank: the framing start symbol (if the vocabulary has one) and the prefix. */
function framedStart(vocab: Vocab, prefix: string): number[] {
  const start = vocab.lineMode ? vocab.bos! : vocab.idOf('\n');
  const context = [...(start === undefined ? [] : [start]), ...vocab.encode(prefix, { unknown: 'skip' })];
  if (context.length === 0) throw new UsageError('the model has no line break to start from: put some text before the blank');
  return context;
}

/** Feeds ids[r] to row r of `state` (in place) and returns the next symbol's ln P per row, (rows, V). */
function stepRows(weights: PackedWeights, ids: readonly number[], state: RecurrentState): Float64Array {
  const { model } = weights;
  const V = model.config.vocabSize;
  const logits = model.kernels.alloc(ids.length * V);
  model.step(Uint32Array.from(ids), state, logits, weights);
  const out = new Float64Array(ids.length * V);
  const row = new Float64Array(V);
  for (let r = 0; r < ids.length; r++) {
    logSoftmax(logits, r * V, V, row);
    out.set(row, r * V);
  }
  return out;
}

/** ln P of `suffix` after each row's state (consumed), given the rows' next-symbol ln P. */
function suffixLogProbs(weights: PackedWeights, state: RecurrentState, logProbs: Float64Array,
                        suffix: readonly number[]): number[] {
  const V = weights.model.config.vocabSize;
  const rows = state.batchSize;
  const totals = new Array<number>(rows).fill(0);
  let lp = logProbs;
  suffix.forEach((s, i) => {
    for (let r = 0; r < rows; r++) totals[r] += lp[r * V + s];
    if (i + 1 < suffix.length) lp = stepRows(weights, new Array<number>(rows).fill(s), state);
  });
  return totals;
}

/** Every partial fill extended by each symbol it may take next (its EXPAND likeliest when the vocabulary is larger). */
function expand(weights: PackedWeights, vocab: Vocab, round: Round): Round {
  const V = weights.model.config.vocabSize;
  const allowed = Array.from({ length: V }, (_, v) => v).filter((v) => v !== vocab.bos && v !== vocab.eos);
  const partials: Partial[] = [];
  const parents: number[] = [];
  round.partials.forEach((p, r) => {
    const lp = (v: number): number => round.logProbs[r * V + v];
    const next = allowed.length <= EXPAND ? allowed : [...allowed].sort((a, b) => lp(b) - lp(a)).slice(0, EXPAND);
    for (const v of next) {
      partials.push({ ids: [...p.ids, v], prefixLogProb: p.prefixLogProb + lp(v) });
      parents.push(r);
    }
  });
  const state = round.state.gatherRows(parents);
  return { partials, state, logProbs: stepRows(weights, partials.map((p) => p.ids.at(-1)!), state) };
}

/** The round restricted to the partial fills `keep`. */
function select(round: Round, keep: readonly number[], V: number): Round {
  const logProbs = new Float64Array(keep.length * V);
  keep.forEach((i, r) => logProbs.set(round.logProbs.subarray(i * V, (i + 1) * V), r * V));
  return { partials: keep.map((i) => round.partials[i]), state: round.state.gatherRows(keep), logProbs };
}
