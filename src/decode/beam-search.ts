// Beam search: the W most probable continuations so far advance together as ONE batch (one step() per character, B = W
// rows) and are reordered with RecurrentState.selectRows. Not sampling (sampling.ts): nothing here is random.
//
// Scores: logProb is the sum of ln P over the symbols of a hypothesis, including line mode's end symbol when the line ended.
// score = logProb / symbols^A (A = lengthPenalty; symbols counts that end symbol too), so A = 0 ranks by probability and a
// larger A favours longer hypotheses. Plain beam search can lose the greedy path (a prefix that ranks low early can end up
// best), so with W > 1 the greedy path rides along as one extra row of the same batch and competes at the end: the result
// is never worse than greedy decoding.

import { ConfigError } from '../errors.js';
import type { CharLM } from '../model/char-lm.js';
import type { Ids } from '../tensor/floats.js';
import type { UnknownPolicy, Vocab } from '../text/vocab.js';
import { argmax, decodingContext, encodePrime, encodeStop, logSoftmax, primeState } from './sampling.js';

/** The widest beam: far past where a wider one finds better text, and its work per step stays within seconds. */
export const MAX_BEAM_WIDTH = 10_000;
/** Width × vocabulary size is held as float64 log-probabilities (plus the logits): at most 256 MiB of them. */
const MAX_BEAM_SCORES = 32 * 1024 * 1024;

export interface BeamOptions {
  /** Beams kept per step (default 8). Width 1 is greedy decoding. */
  width?: number;
  /** Most characters per hypothesis, not counting the prime (default 100). */
  length?: number;
  /** How many hypotheses to return, best first (default 1). */
  nBest?: number;
  /** A in score = logProb / symbols^A (default 0). */
  lengthPenalty?: number;
  prime?: string;
  unknown?: UnknownPolicy;
  /** A hypothesis that produces this string is finished (the string is included). */
  stop?: string;
}

export type FinishReason = 'end' | 'stop' | 'length';

export interface Hypothesis {
  /** The continuation (the prime not included). */
  readonly text: string;
  readonly logProb: number;
  readonly score: number;
  /** Characters in text. */
  readonly length: number;
  /** 'end': line mode's end symbol; 'stop': the stop string; 'length': ran to --length. */
  readonly finish: FinishReason;
}

/**
 * The symbols a hypothesis produced so far (characters only), as a chain from the last back to the first: a child shares
 * its parent's chain and adds one link, so a step costs the same whatever the length so far (copying each parent's ids
 * cost O(length) per child).
 */
interface Symbols {
  readonly id: number;
  readonly before: Symbols | null;
  readonly length: number;
}

interface Partial {
  symbols: Symbols | null;
  logProb: number;
}

const extend = (symbols: Symbols | null, id: number): Symbols => ({ id, before: symbols, length: (symbols?.length ?? 0) + 1 });

function idsOf(symbols: Symbols | null): number[] {
  const ids = new Array<number>(symbols?.length ?? 0);
  for (let s = symbols; s !== null; s = s.before) ids[s.length - 1] = s.id;
  return ids;
}

/** Returns up to nBest finished hypotheses, best score first (ties: higher logProb, then text order). */
export function beamSearch(model: CharLM, vocab: Vocab, opts: BeamOptions = {}): Hypothesis[] {
  const W = opts.width ?? 8;
  const length = opts.length ?? 100;
  const nBest = opts.nBest ?? 1;
  const A = opts.lengthPenalty ?? 0;
  if (!Number.isInteger(W) || W < 1 || W > MAX_BEAM_WIDTH) {
    throw new ConfigError(`beam width must be an integer from 1 to ${MAX_BEAM_WIDTH.toLocaleString('en-US')} (got ${W})`);
  }
  if (!Number.isInteger(length) || length < 0) throw new ConfigError(`length must be 0 or more characters (got ${length})`);
  if (!Number.isInteger(nBest) || nBest < 1) throw new ConfigError(`n-best must be a positive integer (got ${nBest})`);
  if (!(A >= 0 && Number.isFinite(A))) throw new ConfigError(`length penalty must be 0 or more (got ${A})`);
  const stopIds = encodeStop(vocab, opts.stop);
  const context = decodingContext(vocab, encodePrime(vocab, opts.prime ?? '', opts.unknown));
  const V = model.config.vocabSize;
  if ((W + 1) * V > MAX_BEAM_SCORES) {
    throw new ConfigError(`a beam of width ${W} over ${V.toLocaleString('en-US')} symbols needs ${((W + 1) * V).toLocaleString('en-US')} ` +
      `scores per step, more than the ${MAX_BEAM_SCORES.toLocaleString('en-US')} charlm holds`,
      { hint: `use a width of at most ${Math.max(1, Math.floor(MAX_BEAM_SCORES / V) - 1)}` });
  }
  // Line mode: only the end symbol ends a line; the start symbol is never emitted (it would not be text).
  const isEnd = (id: number): boolean => id === vocab.eos;
  const forbidden = vocab.bos;
  const finished: Hypothesis[] = [];
  const finish = (p: Partial, reason: FinishReason): void => {
    const length = p.symbols?.length ?? 0;
    const symbols = length + (reason === 'end' ? 1 : 0);
    const score = A === 0 ? p.logProb : p.logProb / Math.pow(Math.max(symbols, 1), A);
    finished.push({ text: vocab.decode(idsOf(p.symbols)), logProb: p.logProb, score, length, finish: reason });
  };
  if (length === 0) {
    finish({ symbols: null, logProb: 0 }, 'length');
    return finished;
  }

  // Rows 0 … W−1 hold beams (only `live` of them are real), row W the greedy path when W > 1.
  const greedyRow = W > 1 ? W : -1;
  const R = W > 1 ? W + 1 : 1;
  const state = primeState(model, vocab, context).gatherRows(new Array<number>(R).fill(0));
  const inputs: Ids = vocab.allocIds(R).fill(context[context.length - 1]);
  const logits = model.kernels.alloc(R * V);   // (R, V)
  const logProbs = new Float64Array(R * V);    // (R, V) ln softmax of each row
  const rowLogProbs = Array.from({ length: R }, (_, b) => logProbs.subarray(b * V, b * V + V));
  const rows = new Int32Array(R);              // selectRows: new row r = old row rows[r]
  const packed = model.packWeights();          // every step reads the same weights
  let beams: Partial[] = [{ symbols: null, logProb: 0 }];
  let greedy: Partial | null = greedyRow >= 0 ? { symbols: null, logProb: 0 } : null;

  // The best C = 2W (beam, symbol) extensions of this step, kept in a heap, then sorted by total logProb (descending,
  // earlier first on ties): O(W·V·log W) per step, not O(W²·V) as an insertion sort would be.
  const top = new TopK(2 * W);

  for (let t = 0; t < length && (beams.length > 0 || greedy !== null); t++) {
    model.step(inputs, state, logits, packed);
    for (let b = 0; b < beams.length; b++) logSoftmax(logits, b * V, V, rowLogProbs[b]);
    top.clear();
    for (let b = 0; b < beams.length; b++) {
      const base = beams[b].logProb;
      for (let v = 0; v < V; v++) {
        if (v !== forbidden) top.offer(base + logProbs[b * V + v], b * V + v);
      }
    }
    const count = top.sortDescending();
    const candTotal = top.totals;
    const candBeam = (r: number): number => Math.floor(top.orders[r] / V);
    const candId = (r: number): number => top.orders[r] % V;
    const last = t === length - 1;
    const next: Partial[] = [];
    for (let r = 0; r < count && next.length < W; r++) {
      const parent = beams[candBeam(r)];
      const id = candId(r);
      // An extension that finishes counts only if it ranks among the W best, as a live beam would have to.
      if (isEnd(id)) {
        if (r < W) finish({ symbols: parent.symbols, logProb: candTotal[r] }, 'end');
        continue;
      }
      const child = { symbols: extend(parent.symbols, id), logProb: candTotal[r] };
      if (stopIds !== null && endsWith(child.symbols, stopIds)) {
        if (r < W) finish(child, 'stop');
        continue;
      }
      if (last) finish(child, 'length');
      else {
        rows[next.length] = candBeam(r);
        inputs[next.length] = id;
        next.push(child);
      }
    }
    beams = next;

    if (greedy !== null) {
      const lp = rowLogProbs[greedyRow];
      logSoftmax(logits, greedyRow * V, V, lp);
      const id = argmax(lp, 0, V, forbidden);
      greedy.logProb += lp[id];
      if (isEnd(id)) {
        finish(greedy, 'end');
        greedy = null;
      } else {
        greedy.symbols = extend(greedy.symbols, id);
        inputs[greedyRow] = id;
        rows[greedyRow] = greedyRow;
        const reason = stopIds !== null && endsWith(greedy.symbols, stopIds) ? 'stop' : last ? 'length' : null;
        if (reason !== null) {
          finish(greedy, reason);
          greedy = null;
        }
      }
    }
    for (let r = beams.length; r < W; r++) rows[r] = 0; // rows with no beam: any valid row, their output is ignored
    state.selectRows(rows);
  }

  finished.sort((a, b) => b.score - a.score || b.logProb - a.logProb || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  // The greedy path may equal a beam; list each text once.
  const seen = new Set<string>();
  const best: Hypothesis[] = [];
  for (const h of finished) {
    if (seen.has(h.text + '\u0000' + h.finish)) continue;
    seen.add(h.text + '\u0000' + h.finish);
    best.push(h);
    if (best.length === nBest) break;
  }
  return best;
}

/**
 * The k largest of a stream of (total, order) pairs, where order is the position in the stream: a min-heap whose root is
 * the worst kept (lowest total; on equal totals, the later one), so ties keep the earlier pair, as a stable sort would.
 */
class TopK {
  readonly totals: Float64Array;
  readonly orders: Float64Array;
  private size = 0;

  constructor(private readonly k: number) {
    this.totals = new Float64Array(k);
    this.orders = new Float64Array(k);
  }

  clear(): void {
    this.size = 0;
  }

  /** True when entry i ranks below entry j. */
  private below(i: number, j: number): boolean {
    return this.totals[i] < this.totals[j] || (this.totals[i] === this.totals[j] && this.orders[i] > this.orders[j]);
  }

  private swap(i: number, j: number): void {
    [this.totals[i], this.totals[j]] = [this.totals[j], this.totals[i]];
    [this.orders[i], this.orders[j]] = [this.orders[j], this.orders[i]];
  }

  /** Offers the pairs in increasing order: a later pair with the same total as the worst kept does not replace it. */
  offer(total: number, order: number): void {
    if (this.size < this.k) {
      let i = this.size++;
      this.totals[i] = total;
      this.orders[i] = order;
      while (i > 0 && this.below(i, (i - 1) >> 1)) {
        this.swap(i, (i - 1) >> 1);
        i = (i - 1) >> 1;
      }
      return;
    }
    if (!(total > this.totals[0])) return; // also refuses NaN
    this.totals[0] = total;
    this.orders[0] = order;
    this.siftDown(0, this.size);
  }

  private siftDown(from: number, size: number): void {
    let i = from;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && this.below(l, m)) m = l;
      if (r < size && this.below(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  /** Sorts what is kept best first (heap sort: the worst goes to the end) and returns how many there are. */
  sortDescending(): number {
    for (let end = this.size - 1; end > 0; end--) {
      this.swap(0, end);
      this.siftDown(0, end);
    }
    return this.size;
  }
}

function endsWith(symbols: Symbols | null, tail: Ids): boolean {
  let s = symbols;
  for (let j = tail.length - 1; j >= 0; j--) {
    if (s === null || s.id !== tail[j]) return false;
    s = s.before;
  }
  return true;
}
